// The small writes every chat message makes — its delivery accepted into the inbox, the audit
// row of a status card shown, the delivery marked processed — go to the database together:
// whatever is waiting when the group in flight ends becomes one statement (one data-modifying
// CTE per kind), and every caller goes on only once that statement has committed. A message's
// own writes keep their order (each waits for the previous one's commit); writes of different
// messages share round trips (bench/webhook.ts prints the statements per update).
// A kind with nothing waiting costs nothing: the UPDATE's cardinality test is a one-time filter,
// so an empty list never reaches the table — whatever plan the statement has cached (a plan
// made while the inbox was small scans it whole, and did so in every group).
import type { Channel, PrismaClient } from "../generated/prisma/client.ts";
import type { ChatChannel } from "./kernel/channels.ts";
import { sqlOf } from "../db/sql.ts";
import { Batcher } from "./batch.ts";

type Item =
  | { kind: "accept"; channel: Channel; externalId: string; payload: string }
  | { kind: "processed"; id: bigint }
  | { kind: "view"; actor: string; target: string; channel: ChatChannel };

/** accept → the new row's id, or null when (channel, externalId) was already there. */
type Outcome = bigint | null | undefined;

const GROUP = `
  WITH accepted AS (
    INSERT INTO "InboundUpdate" ("channel", "externalId", "payload")
    SELECT c::"Channel", e, p::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS t(c, e, p)
    ON CONFLICT ("channel", "externalId") DO NOTHING
    RETURNING "id", "channel"::text AS "channel", "externalId"
  ), processed AS (
    UPDATE "InboundUpdate" SET "processedAt" = $4, "lastError" = NULL WHERE cardinality($5::bigint[]) > 0 AND "id" = ANY($5::bigint[])
  ), viewed AS (
    INSERT INTO "AuditLog" ("at", "actor", "action", "target", "details")
    SELECT $4, a, 'dossier.view', t, jsonb_build_object('channel', c) FROM unnest($6::text[], $7::text[], $8::text[]) AS x(a, t, c)
  )
  SELECT "id", "channel", "externalId" FROM accepted`;

const writers = new WeakMap<PrismaClient, Batcher<Item, Outcome>>();

function writer(prisma: PrismaClient): Batcher<Item, Outcome> {
  let w = writers.get(prisma);
  if (w) return w;
  const sql = sqlOf(prisma);
  w = new Batcher<Item, Outcome>(async (items) => {
    const accepts = items.filter((i) => i.kind === "accept");
    const marks = items.filter((i) => i.kind === "processed");
    const views = items.filter((i) => i.kind === "view");
    // ON CONFLICT DO NOTHING instead of a unique violation: two concurrent deliveries of one
    // update (or the same id twice in one group) must both end without an error.
    const rows = await sql.rows<{ id: bigint; channel: string; externalId: string }>(GROUP, [
      accepts.map((a) => a.channel),
      accepts.map((a) => a.externalId),
      accepts.map((a) => a.payload),
      new Date(),
      marks.map((m) => m.id),
      views.map((v) => v.actor),
      views.map((v) => v.target),
      views.map((v) => v.channel),
    ]);
    const ids = new Map(rows.map((r) => [`${r.channel}\u0000${r.externalId}`, BigInt(r.id)]));
    return items.map((i) => {
      if (i.kind !== "accept") return undefined;
      // The first of two equal deliveries in a group gets the row; the other is a duplicate.
      const key = `${i.channel}\u0000${i.externalId}`;
      const id = ids.get(key);
      if (id === undefined) return null;
      ids.delete(key);
      return id;
    });
  });
  writers.set(prisma, w);
  return w;
}

/** Stores a delivery unless it is there already: its new id, or null for a repeat. */
export async function acceptDelivery(prisma: PrismaClient, channel: Channel, externalId: string, payloadJson: string): Promise<bigint | null> {
  return (await writer(prisma).add({ kind: "accept", channel, externalId, payload: payloadJson })) ?? null;
}

export async function markDeliveryProcessed(prisma: PrismaClient, id: bigint): Promise<void> {
  await writer(prisma).add({ kind: "processed", id });
}

/** The audit row of a status card shown to a citizen (written before the card is sent). */
export async function auditCardView(prisma: PrismaClient, citizenId: number, code: string, channel: ChatChannel): Promise<void> {
  await writer(prisma).add({ kind: "view", actor: `citizen:${citizenId}`, target: code, channel });
}
