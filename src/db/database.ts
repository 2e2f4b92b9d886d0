// Opens the database: embedded PGlite in a folder (default) or a PostgreSQL server, applies
// migrations in-process and hands out one Prisma client.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { applyMigrations } from "./migrate.ts";
import { withAwaitedScripts } from "./schema-engine.ts";
import { bindSql, pgliteSql, poolSql } from "./sql.ts";

export type Prisma = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  kind: "embedded" | "server";
  /** The server's postgresql:// URL (server only), for work a pooled Prisma client cannot do (COPY). */
  url?: string;
  appliedMigrations: string[];
  /** true when the database answers and every migration on disk is applied. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export class DatabaseLockedError extends Error {}

/** The PostgreSQL server in DATABASE_URL cannot be used: one line with what to do. */
export class DatabaseUnavailableError extends Error {}

/** Turns a failed first connection into one readable line (never the URL's password). */
function unavailable(url: string, err: unknown): Error {
  const e = err as { code?: string; message?: string };
  let u: URL | null = null;
  try {
    u = new URL(url);
  } catch {
    return new DatabaseUnavailableError("DATABASE_URL is not a valid postgresql:// URL");
  }
  const host = `${u.hostname}:${u.port || "5432"}`;
  const name = decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres";
  const user = decodeURIComponent(u.username) || "postgres";
  switch (e.code) {
    case "3D000":
      return new DatabaseUnavailableError(`The database "${name}" does not exist on ${host}. Create it first: createdb -h ${u.hostname} -p ${u.port || "5432"} -U ${user} ${name}`);
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
      return new DatabaseUnavailableError(`Cannot reach the PostgreSQL server at ${host} (${e.code}): is it running, and is DATABASE_URL right?`);
    case "28P01":
    case "28000":
      return new DatabaseUnavailableError(`PostgreSQL at ${host} refused user "${user}" (${e.code === "28P01" ? "wrong password" : "not allowed"}): check DATABASE_URL.`);
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * PGlite has no lock of its own: a second process opening the same folder aborts the first.
 * Hold a lock file with our pid; a stale file (dead pid) is taken over.
 */
function acquireFolderLock(dir: string): () => void {
  const file = path.join(dir, "service.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DatabaseLockedError(
          `The embedded database in ${dir} is in use by process ${pid}. Stop that process, use another DATA_DIR, or set DATABASE_URL to share a PostgreSQL server.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DatabaseLockedError(`Could not lock the embedded database in ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface OpenOptions {
  url?: string;
  dataDir?: string;
  /** An already-open PGlite (tests); the caller owns it unless `ownsPglite` is set. */
  pglite?: PGlite;
  /** Embedded only: milliseconds between VACUUM runs (EMBEDDED_VACUUM_MS below; 0 = none). */
  vacuumMs?: number;
  /** Embedded only: told when a VACUUM run fails (the next run tries again). */
  onVacuumError?: (err: unknown) => void;
}

/**
 * The embedded database has no autovacuum (PGlite runs PostgreSQL in single-user mode): rows
 * updated on every chat message (accounts, conversations, the inbox's processed marks, rate
 * limit counters, job leases, the index aggregates) would leave their old versions behind for
 * ever — the tables and their indexes grow without bound and every lookup walks dead rows — and
 * the planner's statistics would never follow the data: a statement prepared while the inbox was
 * small keeps a plan that reads it whole. So the service does autovacuum's work itself, by
 * autovacuum's rules (PostgreSQL's defaults): every EMBEDDED_VACUUM_MS it reads the activity
 * counters and vacuums a table with more than 50 + 20% dead rows or 1,000 + 20% rows inserted
 * since its last vacuum (or transaction ids near the freeze age), and analyses one with more than
 * 50 + 10% rows changed since its last analysis (a table never analysed included). Only those
 * tables: a whole-database ANALYZE held the event loop for 0.3 s. Each run waits its turn like any
 * query (never inside a transaction).
 */
export const EMBEDDED_VACUUM_MS = 15_000;

/** Tables due for VACUUM and/or ANALYZE by autovacuum's default thresholds. */
const DUE_TABLES = `
  SELECT format('%I.%I', s.schemaname, s.relname) AS "table",
    (s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) OR s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0)
      OR age(c.relfrozenxid) > 150000000) AS "vacuum",
    (s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)) AS "analyze"
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
  WHERE s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) OR s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0)
    OR age(c.relfrozenxid) > 150000000 OR s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)`;

/**
 * One maintenance pass: what is due, one statement at a time — a table's VACUUM and its ANALYZE
 * separately — so that the chats' queries go in between and no single pause is long.
 */
export async function embeddedMaintenance(client: PGlite): Promise<{ vacuumed: string[]; analysed: string[] }> {
  const due = (await client.query<{ table: string; vacuum: boolean; analyze: boolean }>(DUE_TABLES)).rows;
  const done = { vacuumed: [] as string[], analysed: [] as string[] };
  for (const t of due) {
    if (t.vacuum) {
      await client.exec(`VACUUM ${t.table}`);
      done.vacuumed.push(t.table);
    }
    if (t.analyze) {
      await client.exec(`ANALYZE ${t.table}`);
      done.analysed.push(t.table);
    }
  }
  return done;
}

function startEmbeddedVacuum(client: PGlite, everyMs: number, onError: (err: unknown) => void = () => {}): () => Promise<void> {
  if (everyMs <= 0) return async () => {};
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = embeddedMaintenance(client)
      .catch((err: unknown) => {
        // The next run tries again.
        if (!stopped) onError(err);
      })
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) return openServer(opts.url);
  return openEmbedded(opts);
}

async function openEmbedded(opts: OpenOptions): Promise<Database> {
  let release = () => {};
  let pg = opts.pglite;
  if (!pg) {
    const dir = path.resolve(opts.dataDir ?? "./data");
    mkdirSync(dir, { recursive: true });
    release = acquireFolderLock(dir);
    try {
      const { PGlite } = await import("@electric-sql/pglite");
      pg = await PGlite.create(path.join(dir, "pgdata"));
    } catch (err) {
      release();
      throw err;
    }
  }
  const client = pg;
  // Loaded only for the embedded database (PGlite's module alone weighs ≈40 MB of RSS).
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  const factory = new PrismaPGlite(client);
  let applied: string[];
  try {
    ({ applied } = await applyMigrations(withAwaitedScripts(factory, (sql) => client.exec(sql))));
  } catch (err) {
    if (!opts.pglite) await client.close();
    release();
    throw err;
  }
  const prisma = new PrismaClient({ adapter: factory });
  bindSql(prisma, pgliteSql(client));
  const stopVacuum = startEmbeddedVacuum(client, opts.vacuumMs ?? EMBEDDED_VACUUM_MS, opts.onVacuumError);
  return {
    prisma,
    kind: "embedded",
    appliedMigrations: applied,
    ready: () => migrationsComplete(prisma),
    async close() {
      await stopVacuum();
      await prisma.$disconnect();
      if (!opts.pglite) await client.close();
      release();
    },
  };
}

async function openServer(url: string): Promise<Database> {
  // Several instances may start at once against one server: serialise migrations.
  // Each migration's script runs whole on the lock's connection (one simple-query call), not
  // split at every ";" as the pg adapter would: function bodies (triggers, PL/pgSQL) survive.
  const { applied } = await withAdvisoryLock(url, (client) =>
    applyMigrations(withAwaitedScripts(new PrismaPg({ connectionString: url }), (sql) => client.query(sql))),
  );
  // One pool, shared by Prisma's adapter and the direct statements of the hot paths (sql.ts).
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => {}); // an idle client's broken connection: the pool drops it; the next query reconnects
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  bindSql(prisma, poolSql(pool));
  return {
    prisma,
    kind: "server",
    url,
    appliedMigrations: applied,
    ready: () => migrationsComplete(prisma),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function withAdvisoryLock<T>(url: string, fn: (client: import("pg").Client) => Promise<T>): Promise<T> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw unavailable(url, err);
  }
  try {
    await client.query("SELECT pg_advisory_lock(724310001)");
    return await fn(client);
  } finally {
    await client.query("SELECT pg_advisory_unlock(724310001)").catch(() => {});
    await client.end();
  }
}

let expectedMigrations: number | undefined;

async function migrationsComplete(prisma: PrismaClient): Promise<boolean> {
  try {
    if (expectedMigrations === undefined) {
      const { readMigrations } = await import("./schema-engine.ts");
      expectedMigrations = (await readMigrations()).migrationDirectories.length;
    }
    const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return (rows[0]?.n ?? 0) >= expectedMigrations;
  } catch {
    return false;
  }
}
