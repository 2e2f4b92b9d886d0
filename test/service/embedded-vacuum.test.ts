// The embedded database has no autovacuum: the service vacuums it itself (src/db/database.ts).
// Without that, rows updated on every message leave dead versions behind and the tables grow
// with every update, forever.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { acceptDelivery, auditCardView, markDeliveryProcessed } from "../../src/core/hot-writes.ts";

const dirs: string[] = [];
const dbs: Database[] = [];
afterAll(async () => {
  for (const db of dbs) await db.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(vacuumMs: number): Promise<Database> {
  const dir = mkdtempSync(path.join(tmpdir(), "vacuum-"));
  dirs.push(dir);
  const db = await openDatabase({ dataDir: dir, vacuumMs });
  dbs.push(db);
  return db;
}

/** 1,000 chat accounts, then every one of them written `times` times (as messages do). */
async function churn(db: Database, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await db.prisma.$executeRawUnsafe(`UPDATE "ChannelAccount" SET "lastInboundAt" = now() + ${i} * interval '1 second'`);
}

const size = async (db: Database) => Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT pg_total_relation_size('"ChannelAccount"') AS n`))[0]!.n);

describe("embedded database maintenance", () => {
  it("reclaims the dead row versions of updated rows, so a table stops growing with its updates", async () => {
    const withVacuum = await open(150);
    const without = await open(0);
    for (const db of [withVacuum, without])
      await db.prisma.$executeRawUnsafe(`INSERT INTO "ChannelAccount" ("channel", "platformUserId") SELECT 'telegram', 'u' || g FROM generate_series(1, 1000) g`);

    for (const db of [withVacuum, without]) await churn(db, 15);
    // Let the maintenance run at least once after the churn (it also analyses: statistics appear).
    await expect
      .poll(async () => (await withVacuum.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM pg_stats WHERE tablename = 'ChannelAccount'`))[0]!.n, { timeout: 10_000 })
      .toBeGreaterThan(0n);
    await new Promise((r) => setTimeout(r, 400));
    const [a1, b1] = [await size(withVacuum), await size(without)];

    for (const db of [withVacuum, without]) await churn(db, 15);
    await new Promise((r) => setTimeout(r, 400));
    const [a2, b2] = [await size(withVacuum), await size(without)];

    // Unvacuumed, the same work made the table grow again by about as much as the first time.
    expect(b2).toBeGreaterThan(b1 * 1.5);
    // Vacuumed, the space of the old versions was reused.
    expect(a2).toBeLessThanOrEqual(a1 * 1.1);
    // The planner has statistics only where ANALYZE ran.
    const stats = await without.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM pg_stats WHERE tablename = 'ChannelAccount'`);
    expect(stats[0]!.n).toBe(0n);
  }, 60_000);

  it("analyses a table that grew, so that a statement planned while it was empty stops reading it whole", async () => {
    const withVacuum = await open(100);
    const without = await open(0);
    const inbox = async (db: Database) =>
      (await db.prisma.$queryRawUnsafe<{ read: bigint }[]>(`SELECT coalesce(seq_tup_read, 0) AS "read" FROM pg_stat_user_tables WHERE relname = 'InboundUpdate'`))[0]!;
    // Counters reach the statistics views a moment after the statements that moved them.
    const readSoFar = async (db: Database) => {
      await db.prisma.$queryRawUnsafe(`SELECT pg_stat_force_next_flush()::text AS x`);
      return Number((await inbox(db)).read);
    };
    const counters = new Map<Database, number>();
    // Messages as the webhook writes them: the delivery accepted, then marked processed.
    const messages = async (db: Database, k: number) => {
      for (let i = 0; i < k; i++) {
        const n = (counters.get(db) ?? 0) + 1;
        counters.set(db, n);
        const id = await acceptDelivery(db.prisma, "telegram", `m${n}`, `{"update_id":${n}}`);
        await markDeliveryProcessed(db.prisma, id!);
      }
    };
    for (const db of [withVacuum, without]) {
      // Analysed while the inbox was empty (a fresh install's first pass), then it grows.
      await db.prisma.$executeRawUnsafe(`ANALYZE`);
      await messages(db, 600);
    }
    // The maintenance has analysed the grown inbox (the planner's row count follows it).
    const known = async (db: Database) => Number((await db.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT reltuples::int AS n FROM pg_class WHERE relname = 'InboundUpdate'`))[0]!.n);
    await expect.poll(async () => (await messages(withVacuum, 1), await known(withVacuum)), { timeout: 20_000 }).toBeGreaterThan(300);
    expect(await known(without)).toBeLessThan(1);
    const read: Record<string, number> = {};
    for (const [name, db] of [["with", withVacuum], ["without", without]] as const) {
      await messages(db, 10);
      const before = await readSoFar(db);
      await messages(db, 300);
      read[name] = (await readSoFar(db)) - before;
    }
    // Without fresh statistics every processed mark scanned the whole inbox (≈ 600–900 rows, 300 times).
    expect(read.without).toBeGreaterThan(300 * 300);
    // With them, the mark finds its row through the primary key.
    expect(read.with).toBeLessThan(300 * 10);
    // A group of writes with no processed mark in it does not touch the inbox at all, whatever
    // plan its statement has (src/core/hot-writes.ts).
    const before = await readSoFar(without);
    for (let i = 0; i < 100; i++) await auditCardView(without.prisma, 1, "000.00.15.H32-250101-0001", "telegram");
    expect((await readSoFar(without)) - before).toBe(0);
  }, 60_000);

  it("tells the service when a run fails, and keeps trying", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const pglite = await PGlite.create();
    const errors: unknown[] = [];
    const db = await openDatabase({ pglite, vacuumMs: 100, onVacuumError: (err) => errors.push(err) });
    // The database goes away under the service (what the service logs as a warning).
    await pglite.close();
    await expect.poll(() => errors.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(String(errors[0])).toMatch(/closed/i);
    await db.close().catch(() => {});
  }, 60_000);
});
