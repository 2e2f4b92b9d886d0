// Durable inbox of platform deliveries (Telegram updates, Zalo events), channel-neutral.
// A delivery is written here before anything acts on it: the unique (channel, externalId)
// index turns a repeated delivery into a no-op, and a crash between "accepted" and
// "processed" loses nothing because processPending re-runs what was left behind.
import type { Channel, PrismaClient } from "../generated/prisma/client.ts";
import { acceptDelivery, markDeliveryProcessed } from "./hot-writes.ts";

/** After this many attempts an update is left alone (its lastError says why). */
export const MAX_ATTEMPTS = 5;

export interface AcceptResult {
  id: bigint;
  /** true when this (channel, externalId) was already in the inbox: do nothing more. */
  duplicate: boolean;
}

export interface PendingUpdate {
  id: bigint;
  channel: Channel;
  externalId: string;
  payload: unknown;
  /** Attempts so far, including the one about to run. */
  attempts: number;
}

/**
 * Store a delivery unless it is already there. One round trip on the happy path, shared with
 * the other small writes waiting at the same moment (hot-writes.ts); the caller goes on only
 * once it has committed. `payloadJson`: the payload's JSON text when the caller has it already.
 */
export async function accept(prisma: PrismaClient, channel: Channel, externalId: string, payload: unknown, payloadJson?: string): Promise<AcceptResult> {
  const id = await acceptDelivery(prisma, channel, externalId, payloadJson ?? JSON.stringify(payload));
  if (id !== null) return { id, duplicate: false };
  const existing = await prisma.inboundUpdate.findUniqueOrThrow({
    where: { channel_externalId: { channel, externalId } },
    select: { id: true },
  });
  return { id: existing.id, duplicate: true };
}

/** Marks an update processed; shares its statement with the other small writes of the moment (hot-writes.ts). */
export async function markProcessed(prisma: PrismaClient, id: bigint): Promise<void> {
  await markDeliveryProcessed(prisma, id);
}

/**
 * Record a failed attempt. `countAttempt: false` when the attempt was already counted when
 * the row was claimed (processPending counts at claim time, so that an update that crashes
 * the process still uses up its attempts).
 */
export async function markFailed(prisma: PrismaClient, id: bigint, error: unknown, opts: { countAttempt?: boolean } = {}): Promise<void> {
  const lastError = describeError(error);
  await prisma.inboundUpdate.update({
    where: { id },
    data: { lastError, ...(opts.countAttempt === false ? {} : { attempts: { increment: 1 } }) },
  });
}

export interface ProcessPendingOptions {
  /** Only rows accepted (or last claimed) longer ago than this: younger ones may still be in flight. */
  olderThanMs: number;
  limit: number;
  /** Only this channel's rows (each adapter replays its own). */
  channel?: Channel;
}

export interface ProcessPendingResult {
  claimed: number;
  processed: number;
  failed: number;
}

/**
 * Re-run accepted-but-unprocessed updates, oldest first, one at a time (a citizen's messages
 * keep their order). Safe with several instances on one PostgreSQL: rows are claimed with
 * FOR UPDATE SKIP LOCKED, and the claim moves "receivedAt" to now, which works as a lease —
 * another instance sees the row as young again and leaves it alone for olderThanMs. (The
 * schema has no lease column; receivedAt of a retried row is therefore the time of its last
 * claim, which nothing else relies on.)
 */
export async function processPending(
  prisma: PrismaClient,
  handler: (update: PendingUpdate) => Promise<void>,
  opts: ProcessPendingOptions,
): Promise<ProcessPendingResult> {
  const cutoff = new Date(Date.now() - opts.olderThanMs);
  const channel = opts.channel ?? null;
  const rows = await prisma.$queryRaw<{ id: bigint; channel: Channel; externalId: string; payload: unknown; attempts: number }[]>`
    UPDATE "InboundUpdate" AS u
    SET "attempts" = u."attempts" + 1, "receivedAt" = CURRENT_TIMESTAMP
    WHERE u."id" IN (
      SELECT "id" FROM "InboundUpdate"
      WHERE "processedAt" IS NULL
        AND "receivedAt" < ${cutoff}
        AND "attempts" < ${MAX_ATTEMPTS}
        AND (${channel}::text IS NULL OR "channel"::text = ${channel}::text)
      ORDER BY "id"
      LIMIT ${opts.limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING u."id", u."channel"::text AS "channel", u."externalId", u."payload", u."attempts"`;
  rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const result: ProcessPendingResult = { claimed: rows.length, processed: 0, failed: 0 };
  for (const r of rows) {
    const update: PendingUpdate = {
      id: BigInt(r.id),
      channel: r.channel,
      externalId: r.externalId,
      payload: typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload,
      attempts: Number(r.attempts),
    };
    try {
      await handler(update);
      await markProcessed(prisma, update.id);
      result.processed++;
    } catch (err) {
      await markFailed(prisma, update.id, err, { countAttempt: false });
      result.failed++;
    }
  }
  return result;
}

function describeError(error: unknown): string {
  const e = error as { message?: unknown; name?: unknown };
  const text = typeof e?.message === "string" ? `${typeof e.name === "string" ? e.name + ": " : ""}${e.message}` : String(error);
  return text.slice(0, 1000);
}
