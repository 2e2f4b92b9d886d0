// Periodic jobs (retention, survey reminders, open data, the staff digest) run on one instance
// at a time: a lease row per job, taken with one atomic statement when it has expired. The lease
// is not tied to a connection, so it works the same on PGlite and through a connection pool, and
// an instance killed mid-job only holds the job until its lease runs out.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.ts";

const HOLDER = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

/** Takes the job's lease for `leaseMs` if nobody holds it; true when this instance got it. */
export async function claimJob(prisma: PrismaClient, name: string, leaseMs: number, holder = HOLDER): Promise<boolean> {
  const rows = await prisma.$queryRaw<{ holder: string }[]>`
    INSERT INTO "JobLease" (name, holder, until) VALUES (${name}, ${holder}, now() + ${leaseMs} * interval '1 millisecond')
    ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
      WHERE "JobLease".until < now() OR "JobLease".holder = EXCLUDED.holder
    RETURNING holder`;
  return rows.length === 1;
}

/** Gives the lease back early (the job finished). */
export async function releaseJob(prisma: PrismaClient, name: string, holder = HOLDER): Promise<void> {
  await prisma.$executeRaw`UPDATE "JobLease" SET until = now() WHERE name = ${name} AND holder = ${holder}`;
}

/**
 * Runs `fn` on one instance at a time; an instance that does not get the lease skips this
 * round (another one is doing it) and gets null. `leaseMs` must exceed the job's longest run.
 */
export async function runExclusive<T>(prisma: PrismaClient, name: string, fn: () => Promise<T>, leaseMs = 3_600_000): Promise<T | null> {
  const holder = `${HOLDER}:${randomBytes(3).toString("hex")}`;
  if (!(await claimJob(prisma, name, leaseMs, holder))) return null;
  try {
    return await fn();
  } finally {
    await releaseJob(prisma, name, holder).catch(() => {});
  }
}
