// Commands contributed by features (import/export, channel webhooks).
import { setTelegramWebhook } from "../bot/telegram/index.ts";
import { createReadStream, writeFileSync } from "node:fs";
import { exportLabelled } from "../core/conversation/learning-loop.ts";
import type { CliCommand } from "./cli.ts";
import { csvRows, importDossiers, jsonRows } from "../core/dossier-import.ts";
import { exportCliCommands } from "../core/export/cli.ts";

export const cliCommands: CliCommand[] = [
  ...exportCliCommands,
  {
    name: "backup",
    usage: "backup <file.backup.gz>   (every table, both databases; the embedded one only while the service is stopped)",
    async run(args, { ctx, print }) {
      const file = args[0];
      if (!file) {
        print("usage: backup <file.backup.gz>");
        return 2;
      }
      const { backupDatabase } = await import("../db/backup.ts");
      const r = await backupDatabase(ctx!.prisma, file);
      print(`Backed up ${r.rows} rows of ${r.tables} tables (schema: ${r.migrations} migrations) to ${file}.`);
    },
  },
  {
    name: "restore",
    usage: "restore <file.backup.gz> [--replace]   (into an empty database of the same version; --replace empties it first)",
    async run(args, { ctx, print }) {
      const file = args.find((a) => !a.startsWith("--"));
      const unknown = args.filter((a) => a.startsWith("--") && a !== "--replace");
      if (!file || unknown.length) {
        print(`${unknown.length ? `unknown option ${unknown[0]}\n` : ""}usage: restore <file.backup.gz> [--replace]`);
        return 2;
      }
      const { BackupError, restoreDatabase } = await import("../db/backup.ts");
      try {
        const r = await restoreDatabase(ctx!.prisma, file, { replace: args.includes("--replace") });
        print(`Restored ${r.rows} rows into ${r.tables} tables from ${file}.`);
      } catch (err) {
        if (err instanceof BackupError) {
          print(err.message);
          return 1;
        }
        throw err;
      }
    },
  },
  {
    name: "stats aggregates",
    usage: "stats aggregates verify|rebuild   (the satisfaction index aggregates against a recount of the raw rows; rebuild recounts them)",
    async run(args, { ctx, print }) {
      const { verifyAggregates, rebuildAggregates } = await import("../core/stats/aggregates.ts");
      if (args[0] === "rebuild") {
        const rows = await rebuildAggregates(ctx!.prisma);
        print(`Rebuilt the aggregates: ${Object.entries(rows).map(([t, n]) => `${t} ${n} rows`).join(", ")}.`);
        return 0;
      }
      const check = await verifyAggregates(ctx!.prisma);
      if (check.ok) {
        print(`Aggregates match the raw rows (${Object.entries(check.rows).map(([t, n]) => `${t} ${n} rows`).join(", ")}).`);
        return 0;
      }
      print(`Aggregates differ from the raw rows (first ${check.differences.length}):`);
      for (const d of check.differences) print(`  ${d.table} ${JSON.stringify(d.key)}: stored ${d.stored}, recounted ${d.expected}`);
      print("Run `npm run cli -- stats aggregates rebuild` to recount them.");
      return 1;
    },
  },
  {
    name: "intents export",
    usage: "intents export [file.jsonl]   (labelled unrecognised messages as corpus lines, for corpus/train/ in the repository)",
    async run(args, { ctx, print }) {
      const lines = await exportLabelled(ctx!.prisma);
      const count = lines ? lines.split("\n").length : 0;
      if (args[0]) {
        writeFileSync(args[0], lines ? lines + "\n" : "");
        print(`Wrote ${count} labelled message(s) to ${args[0]}. Review them, then add the file under src/core/conversation/understanding/corpus/train/.`);
      } else if (lines) print(lines);
      else print("No labelled messages yet (label them on the dashboard, tab «Tin nhắn chưa hiểu»).");
    },
  },
  {
    name: "import",
    usage: "import <dossiers.csv|dossiers.json>   (all-or-nothing; same format as POST /api/v1/dossiers/import)",
    async run(args, { ctx, print }) {
      const file = args[0];
      if (!file || !/\.(csv|json)$/i.test(file)) {
        print("usage: import <dossiers.csv|dossiers.json>");
        return 2;
      }
      const csv = /\.csv$/i.test(file);
      const rows = csv ? csvRows(createReadStream(file)) : jsonRows(createReadStream(file));
      const out = await importDossiers(
        {
          prisma: ctx!.prisma,
          calendar: ctx!.calendar,
          hasher: ctx!.hasher,
          onStatusChanged: (c) => ctx!.statusEvents.emit(c),
          databaseUrl: ctx!.db.kind === "server" ? ctx!.db.url : undefined,
        },
        rows,
        "cli",
        { fieldNames: csv ? "csv" : "contract" },
      );
      if (out.ok) {
        print(`Imported ${out.imported} dossiers (${out.created} new, ${out.updated} updated).`);
        for (const w of out.warnings) print(`  warning: ${w.message}`);
        return 0;
      }
      print(`Nothing imported: ${out.errorCount} bad row(s) in ${out.rowsRead} read.`);
      for (const e of out.errors) print(`  line ${e.line}${e.code ? ` (${e.code})` : ""}${e.field ? ` ${e.field}` : ""}: ${e.message}`);
      return 1;
    },
  },
  {
    name: "telegram set-webhook",
    usage: "telegram set-webhook   (registers PUBLIC_URL/webhooks/telegram with TELEGRAM_WEBHOOK_SECRET)",
    needsDb: false,
    async run(_args, { config, print }) {
      try {
        print(await setTelegramWebhook(config));
      } catch (err) {
        print((err as Error).message);
        return 1;
      }
    },
  },
];
