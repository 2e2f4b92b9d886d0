// `npm run cli -- <command>`: operations that staff run from a shell.
// This entry stays light: the command table below names every command, its usage and how its
// arguments are checked, so that usage, unknown commands and argument errors answer at once
// without opening the database; a command's implementation (and the database) is loaded only
// when it runs.
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";

export interface CliCommand {
  /** e.g. "api-key create" */
  name: string;
  usage: string;
  /** false: runs without opening the database (e.g. webhook registration). */
  needsDb?: boolean;
  run(args: string[], env: { config: Config; ctx?: AppContext; print: (line: string) => void }): Promise<number | void>;
}

interface CommandEntry {
  name: string;
  usage: string;
  needsDb?: boolean;
  /** An argument problem, found without loading anything heavy; null when the arguments are fine. */
  check?(args: string[]): string | null;
  load(): Promise<CliCommand>;
}

const ROLES = ["staff", "analyst", "admin"];

function options(args: string[], spec: NonNullable<ParseArgsConfig["options"]>): { values: Record<string, string | boolean | undefined>; positionals: string[] } | string {
  try {
    const r = parseArgs({ args, options: spec, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (err) {
    return (err as Error).message;
  }
}

const find = (list: Promise<CliCommand[]>, name: string) => async () => (await list).find((c) => c.name === name)!;
const builtins = () => import("./cli-builtins.ts").then((m) => m.builtins);
const features = () => import("./cli-commands.ts").then((m) => m.cliCommands);

export const COMMANDS: CommandEntry[] = [
  {
    name: "api-key create",
    usage: "api-key create --role staff|analyst|admin --name <who>   (prints the key once)",
    check(args) {
      const o = options(args, { role: { type: "string" }, name: { type: "string" } });
      if (typeof o === "string") return o;
      if (!o.values.role || !ROLES.includes(String(o.values.role))) return `--role must be one of ${ROLES.join(", ")}`;
      if (!o.values.name) return "--name is required";
      return null;
    },
    load: () => find(builtins(), "api-key create")(),
  },
  { name: "api-key list", usage: "api-key list", check: (a) => (a.length ? `unexpected argument ${a[0]}` : null), load: () => find(builtins(), "api-key list")() },
  {
    name: "api-key revoke",
    usage: "api-key revoke <id>",
    check: (a) => (a.length === 1 && /^\d{1,9}$/.test(a[0]!) ? null : "give the key id (a number)"),
    load: () => find(builtins(), "api-key revoke")(),
  },
  { name: "migrate", usage: "migrate   (apply pending database migrations and exit)", check: (a) => (a.length ? `unexpected argument ${a[0]}` : null), load: () => find(builtins(), "migrate")() },
  {
    name: "import",
    usage: "import <dossiers.csv|dossiers.json>   (all-or-nothing; same format as POST /api/v1/dossiers/import)",
    check: (a) => (a.length === 1 && /\.(csv|json)$/i.test(a[0]!) ? null : "give one .csv or .json file"),
    load: () => find(features(), "import")(),
  },
  {
    name: "export feedback",
    usage:
      "export feedback --format csv|xlsx --out <file> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--unit <code>] [--field <code>] [--procedure <code>] [--channel telegram|zalo|web] [--headers en|vi] [--identities]   (one row per response; pseudonymised unless --identities, which is audit-logged)",
    check(args) {
      const s = { type: "string" } as const;
      const o = options(args, { format: s, out: s, from: s, to: s, unit: s, field: s, procedure: s, channel: s, headers: s, identities: { type: "boolean" } });
      if (typeof o === "string") return o;
      if (o.values.format !== "csv" && o.values.format !== "xlsx") return "--format must be csv or xlsx";
      if (!o.values.out) return "--out <file> is required";
      if (o.values.headers !== undefined && o.values.headers !== "en" && o.values.headers !== "vi") return "--headers must be en or vi";
      for (const d of ["from", "to"] as const) if (o.values[d] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(o.values[d]))) return `--${d} must be YYYY-MM-DD`;
      return null;
    },
    load: () => import("../core/export/cli.ts").then((m) => m.exportCliCommands.find((c) => c.name === "export feedback")!),
  },
  {
    name: "stats aggregates",
    usage: "stats aggregates verify|rebuild   (the satisfaction index aggregates against a recount of the raw rows; rebuild recounts them)",
    check: (a) => (a.length === 1 && (a[0] === "verify" || a[0] === "rebuild") ? null : "give verify or rebuild"),
    load: () => find(features(), "stats aggregates")(),
  },
  {
    name: "telegram set-webhook",
    usage: "telegram set-webhook   (registers PUBLIC_URL/webhooks/telegram with TELEGRAM_WEBHOOK_SECRET)",
    needsDb: false,
    check: (a) => (a.length ? `unexpected argument ${a[0]}` : null),
    load: () => find(features(), "telegram set-webhook")(),
  },
  {
    name: "intents export",
    usage: "intents export [file.jsonl]   (labelled unrecognised messages as corpus lines, for corpus/train/ in the repository)",
    check: (a) => (a.length > 1 ? "give at most one file" : null),
    load: () => find(features(), "intents export")(),
  },
  {
    name: "backup",
    usage: "backup <file.backup.gz>   (every table, both databases; the embedded one only while the service is stopped)",
    check: (a) => (a.length === 1 && !a[0]!.startsWith("--") ? null : "give one file to write"),
    load: () => find(features(), "backup")(),
  },
  {
    name: "restore",
    usage: "restore <file.backup.gz> [--replace]   (into an empty database of the same version; --replace empties it first)",
    check(args) {
      const o = options(args, { replace: { type: "boolean" } });
      if (typeof o === "string") return o;
      return o.positionals.length === 1 ? null : "give one backup file";
    },
    load: () => find(features(), "restore")(),
  },
];

function usage(): string {
  return "usage: npm run cli -- <command>\n\ncommands:\n" + COMMANDS.map((c) => "  " + c.usage).join("\n");
}

export async function runCli(argv: string[], print: (line: string) => void = console.log, env = process.env): Promise<number> {
  const entry = COMMANDS.filter((c) => c.name.split(" ").every((w, i) => argv[i] === w)).sort((a, b) => b.name.length - a.name.length)[0];
  if (!entry) {
    if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help") {
      print(usage());
      return 0;
    }
    print(`Unknown command: ${argv.join(" ").slice(0, 80)}\n\n${usage()}`);
    return 2;
  }
  const args = argv.slice(entry.name.split(" ").length);
  const problem = entry.check?.(args) ?? null;
  if (problem) {
    print(`${problem}\nusage: ${entry.usage}`);
    return 2;
  }
  const { ConfigError, loadConfig } = await import("./config.ts");
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      print(err.message);
      return 1;
    }
    throw err;
  }
  const cmd = await entry.load();
  if (entry.needsDb === false) return (await cmd.run(args, { config, print })) ?? 0;
  const { openDatabase, DatabaseLockedError, DatabaseUnavailableError } = await import("../db/database.ts");
  let db;
  try {
    db = await openDatabase(config.database.kind === "server" ? { url: config.database.url } : { dataDir: config.database.dataDir });
  } catch (err) {
    if (err instanceof DatabaseLockedError || err instanceof DatabaseUnavailableError) {
      print(err.message);
      return 1;
    }
    throw err;
  }
  try {
    const [{ createContext }, { createLogger }] = await Promise.all([import("./context.ts"), import("../logger.ts")]);
    const ctx = await createContext(config, db, createLogger(config.logLevel === "info" ? "warn" : config.logLevel));
    return (await cmd.run(args, { config, ctx, print })) ?? 0;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const code = await runCli(process.argv.slice(2));
  // The database is closed and the work done; the schema engine's WebAssembly would otherwise
  // keep the process alive ≈10 s after a migration. Exit once what was printed is flushed.
  process.stdout.write("", () => process.exit(code));
}
