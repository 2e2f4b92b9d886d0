// The embedded database has no autovacuum: the service vacuums it itself (src/db/database.ts).
// Without that, rows updated on every message leave dead versions behind and the tables grow
// with every update, forever.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";

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
