// Applies prisma/migrations in-process, writing the same `_prisma_migrations` rows as
// `prisma migrate deploy`, so the embedded database needs no second process.
// When every migration directory is already recorded as applied with the same checksum, the
// schema engine (a WebAssembly module that takes a while to load) is not started at all:
// start-up, CLI commands and test databases made from a migrated template skip it.
import { createHash } from "node:crypto";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { NO_FILTERS, openSchemaEngine, readMigrations, type MigrationList } from "./schema-engine.ts";

export interface MigrationResult {
  applied: string[];
}

/** Are all migrations already applied, unchanged? (false when unsure: the engine decides) */
async function upToDate(factory: SqlMigrationAwareDriverAdapterFactory, list: MigrationList): Promise<boolean> {
  let adapter;
  try {
    adapter = await factory.connect();
    // Look before querying: a failed query would leave an error behind for the engine.
    const exists = await adapter.queryRaw({ sql: `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`, args: [], argTypes: [] });
    if (!exists.rows[0]?.[0]) return false;
    const rows = await adapter.queryRaw({
      sql: `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      args: [],
      argTypes: [],
    });
    const applied = new Map(rows.rows.map((r) => [String(r[0]), String(r[1])]));
    const failed = await adapter.queryRaw({ sql: `SELECT count(*)::int FROM "_prisma_migrations" WHERE finished_at IS NULL AND rolled_back_at IS NULL`, args: [], argTypes: [] });
    if (Number(failed.rows[0]?.[0] ?? 0) > 0) return false;
    return list.migrationDirectories.every((d) => {
      const content = d.migrationFile.content;
      return content.tag === "ok" && applied.get(d.path) === createHash("sha256").update(content.value).digest("hex");
    });
  } catch {
    // No migrations table yet (a new database), or anything unexpected: let the engine look.
    return false;
  } finally {
    await adapter?.dispose();
  }
}

export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<MigrationResult> {
  const migrationsList = await readMigrations();
  if (await upToDate(factory, migrationsList)) return { applied: [] };
  const engine = await openSchemaEngine(factory);
  try {
    const out = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return { applied: out.appliedMigrationNames };
  } finally {
    engine.free();
  }
}
