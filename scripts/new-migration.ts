// `npm run migration:new -- <name>`: diff prisma/migrations against prisma/schema.prisma with
// the WebAssembly schema engine on a throw-away in-memory PGlite (no native engine, no server)
// and write prisma/migrations/<timestamp>_<name>/migration.sql.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { MIGRATIONS_DIR, NO_FILTERS, openSchemaEngine, readMigrations } from "../src/db/schema-engine.ts";
import { readFile } from "node:fs/promises";
import { SCHEMA_PATH } from "../src/db/schema-engine.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migration:new -- <name in snake_case>");
  process.exit(2);
}
const pg = new PGlite();
const engine = await openSchemaEngine(new PrismaPGlite(pg));
const migrationsList = await readMigrations();
const schema = await readFile(SCHEMA_PATH, "utf8");
const from = migrationsList.migrationDirectories.length
  ? ({ tag: "migrations", ...migrationsList } as const)
  : ({ tag: "empty" } as const);
const result = await engine.diff({
  from,
  to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: schema }] },
  script: true,
  exitCode: null,
  filters: NO_FILTERS,
});
engine.free();
await pg.close();
const sql = result.stdout ?? "";
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log("No schema changes: nothing written.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, "migration.sql"), sql);
console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
