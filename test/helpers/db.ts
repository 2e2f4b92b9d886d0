// Test databases: a fresh, migrated database per call, copied from the templates that
// global-setup.ts migrates once per run. Embedded (PGlite, loaded from the template's data
// dump) by default; with TEST_DB=postgres a new database on the TEST_DATABASE_URL server
// (CREATE DATABASE … TEMPLATE), dropped again by close().
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { adminQuery, withDatabase } from "../../src/db/server-admin.ts";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrate.ts";
import { withAwaitedScripts } from "../../src/db/schema-engine.ts";

export const DB_PREFIX = "dbt_";

let template: Promise<File | Blob> | undefined;

async function migratedTemplate(): Promise<File | Blob> {
  // Made once per run by global-setup.ts; a file run on its own (no global setup) migrates here.
  const file = process.env.TEST_PGLITE_TEMPLATE;
  if (file) return new Blob([readFileSync(file)]);
  const p = await PGlite.create();
  await applyMigrations(withAwaitedScripts(new PrismaPGlite(p), (sql) => p.exec(sql)));
  const dump = await p.dumpDataDir("none");
  await p.close();
  return dump;
}

export function usingServer(): boolean {
  return process.env.TEST_DB === "postgres";
}

export interface TestDatabase extends Database {
  /** Connection string for a PostgreSQL-server test database (absent on PGlite). */
  url?: string;
  /** PGlite only: close the embedded database under the service (an outage). */
  cut?(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (usingServer()) {
    const base = process.env.TEST_DATABASE_URL;
    if (!base) throw new Error("TEST_DB=postgres needs TEST_DATABASE_URL");
    const name = `${DB_PREFIX}${process.env.TEST_RUN_PID ?? process.pid}_${randomBytes(4).toString("hex")}`;
    const template = process.env.TEST_PG_TEMPLATE;
    await createDatabase(base, name, template);
    // A test database need not survive a server crash: commits do not wait for the WAL flush.
    await adminQuery(base, `ALTER DATABASE "${name}" SET synchronous_commit = off`);
    const url = withDatabase(base, name);
    const db = await openDatabase({ url });
    return {
      ...db,
      url,
      async close() {
        await db.close();
        await adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      },
    };
  }
  const client = await acquirePglite();
  const db = await openDatabase({ pglite: client });
  let closed = false;
  return {
    ...db,
    cut: () => client.close(),
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
      releasePglite(client);
    },
  };
}

// Embedded test databases are reused within a worker: loading the template dump costs a PGlite
// start (≈1.5 s of CPU), emptying a released one ≈50 ms. A released instance is emptied when it
// is taken again — every table but the migrations' record truncated, identities restarted,
// session state (advisory locks, settings, prepared statements) discarded — so the next file
// starts from exactly the migrated, empty database. One that was closed (the outage test) is
// dropped instead.
const idle: PGlite[] = [];
const MAX_IDLE = 2;
let poolable: Promise<boolean> | undefined;

async function freshPglite(): Promise<PGlite> {
  template ??= migratedTemplate();
  return PGlite.create({ loadDataDir: await template });
}

async function userTables(p: PGlite): Promise<string[]> {
  const { rows } = await p.query<{ t: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  );
  return rows.map((r) => r.t);
}

/** Reuse is safe only if the migrated template has no rows outside the migrations' record (checked once). */
async function templateIsEmpty(p: PGlite): Promise<boolean> {
  for (const t of await userTables(p)) {
    const { rows } = await p.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${t}) AS any`);
    if (rows[0]?.any) return false;
  }
  return true;
}

async function acquirePglite(): Promise<PGlite> {
  while (idle.length) {
    const p = idle.pop()!;
    if (p.closed) continue;
    try {
      await p.exec("DISCARD ALL");
      const tables = await userTables(p);
      if (tables.length) await p.exec(`TRUNCATE ${tables.join(", ")} RESTART IDENTITY CASCADE`);
      return p;
    } catch {
      await p.close().catch(() => {});
    }
  }
  const p = await freshPglite();
  poolable ??= templateIsEmpty(p);
  await poolable;
  return p;
}

function releasePglite(p: PGlite): void {
  void (async () => {
    if (!p.closed && (await poolable) && idle.length < MAX_IDLE) idle.push(p);
    else if (!p.closed) await p.close().catch(() => {});
  })();
}

/** CREATE DATABASE, copying a template when given (retried: a copy needs the template unused). */
async function createDatabase(base: string, name: string, template: string | undefined): Promise<void> {
  if (!template) {
    await adminQuery(base, `CREATE DATABASE "${name}"`);
    return;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(base, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (err) {
      // "source database is being accessed by other users": another worker is copying it right now.
      if (attempt >= 50 || !/being accessed/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
}

export { adminQuery, withDatabase };
