// `npm run cli -- <command>`: operations that staff run from a shell.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { createContext, type AppContext } from "./context.ts";
import { createApiKey, revokeApiKey, ROLES, type Role } from "./core/api-keys.ts";
import { openDatabase, DatabaseLockedError } from "./db/database.ts";
import { createLogger } from "./logger.ts";
import { cliCommands } from "./cli-commands.ts";

export interface CliCommand {
  /** e.g. "api-key create" */
  name: string;
  usage: string;
  /** false: runs without opening the database (e.g. webhook registration). */
  needsDb?: boolean;
  run(args: string[], env: { config: Config; ctx?: AppContext; print: (line: string) => void }): Promise<number | void>;
}

const builtins: CliCommand[] = [
  {
    name: "api-key create",
    usage: "api-key create --role staff|analyst|admin --name <who>   (prints the key once)",
    async run(args, { ctx, print }) {
      const { values } = parseArgs({ args, options: { role: { type: "string" }, name: { type: "string" } } });
      if (!values.role || !ROLES.includes(values.role as Role) || !values.name) {
        print("usage: api-key create --role staff|analyst|admin --name <who>");
        return 2;
      }
      const k = await createApiKey(ctx!.prisma, values.role as Role, values.name, "cli");
      print(`Created ${values.role} key #${k.id} for "${values.name}". It is shown only now:`);
      print(k.key);
    },
  },
  {
    name: "api-key list",
    usage: "api-key list",
    async run(_args, { ctx, print }) {
      const keys = await ctx!.prisma.apiKey.findMany({ orderBy: { id: "asc" } });
      if (!keys.length) print("No API keys.");
      for (const k of keys)
        print(`#${k.id}\t${k.role}\t${k.prefix}…\t${k.name}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : `last used ${k.lastUsedAt?.toISOString() ?? "never"}`}`);
    },
  },
  {
    name: "api-key revoke",
    usage: "api-key revoke <id>",
    async run(args, { ctx, print }) {
      const id = Number(args[0]);
      if (!Number.isInteger(id)) {
        print("usage: api-key revoke <id>");
        return 2;
      }
      const ok = await revokeApiKey(ctx!.prisma, id, "cli");
      print(ok ? `Revoked key #${id}.` : `No active key #${id}.`);
      return ok ? 0 : 1;
    },
  },
  {
    name: "migrate",
    usage: "migrate   (apply pending database migrations and exit)",
    async run(_args, { ctx, print }) {
      print(ctx!.db.appliedMigrations.length ? `Applied: ${ctx!.db.appliedMigrations.join(", ")}` : "Database is up to date.");
    },
  },
];

export async function runCli(argv: string[], print: (line: string) => void = console.log, env = process.env): Promise<number> {
  const commands = [...builtins, ...cliCommands];
  const cmd = commands
    .filter((c) => c.name.split(" ").every((w, i) => argv[i] === w))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!cmd) {
    print("usage: npm run cli -- <command>\n\ncommands:\n" + commands.map((c) => "  " + c.usage).join("\n"));
    return argv.length ? 2 : 0;
  }
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
  const args = argv.slice(cmd.name.split(" ").length);
  if (cmd.needsDb === false) return (await cmd.run(args, { config, print })) ?? 0;
  let db;
  try {
    db = await openDatabase(config.database.kind === "server" ? { url: config.database.url } : { dataDir: config.database.dataDir });
  } catch (err) {
    if (err instanceof DatabaseLockedError) {
      print(err.message);
      return 1;
    }
    throw err;
  }
  try {
    const ctx = await createContext(config, db, createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL));
    return (await cmd.run(args, { config, ctx, print })) ?? 0;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runCli(process.argv.slice(2));
}
