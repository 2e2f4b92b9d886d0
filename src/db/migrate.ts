// Applies prisma/migrations in-process, writing the same `_prisma_migrations` rows as
// `prisma migrate deploy`, so the embedded database needs no second process.
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { NO_FILTERS, openSchemaEngine, readMigrations } from "./schema-engine.ts";

export interface MigrationResult {
  applied: string[];
}

export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<MigrationResult> {
  const engine = await openSchemaEngine(factory);
  try {
    const migrationsList = await readMigrations();
    const out = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return { applied: out.appliedMigrationNames };
  } finally {
    engine.free();
  }
}
