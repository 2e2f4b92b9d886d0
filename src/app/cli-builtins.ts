// Built-in CLI commands (API keys, migrations), loaded only when one of them runs.
import { parseArgs } from "node:util";
import type { CliCommand } from "./cli.ts";
import { createApiKey, revokeApiKey, ROLES, type Role } from "../core/api-keys.ts";

export const builtins: CliCommand[] = [
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

