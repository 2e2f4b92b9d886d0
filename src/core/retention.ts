// Retention (Decree 13/2023: personal data only as long as it is needed). A daily sweep
// deletes what has expired, each kind after its own period (settings, defaults with reasons
// in docs/retention.md):
//   - processed inbox deliveries (platform payloads with message text) — INBOX_RETENTION_DAYS;
//     platforms redeliver for hours, not weeks, so an old row no longer guards against a repeat;
//   - stored conversation states untouched for CONVERSATION_RETENTION_DAYS (pending questions
//     expire after a day anyway);
//   - unrecognised messages kept for labelling — UNRECOGNISED_RETENTION_DAYS;
//   - bodies of finished outbound messages (the rendered notice or announcement text) —
//     OUTBOUND_BODY_RETENTION_DAYS; the row stays for receipts and statistics, its body is emptied;
//   - audit entries — AUDIT_RETENTION_DAYS (long: they answer "who saw what");
//   - sessions of the browser try page (channel "web") idle for TRY_SESSION_HOURS, with their
//     conversation, attempts and the citizen row made for them when it has nothing else (the
//     page serves demo data only, so nothing of value goes).
// Unprocessed deliveries and queued messages are never touched.
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface RetentionSettings {
  inboxDays: number;
  conversationDays: number;
  unrecognisedDays: number;
  outboundBodyDays: number;
  auditDays: number;
}

export interface RetentionReport {
  inbox: number;
  conversations: number;
  unrecognised: number;
  outboundBodies: number;
  audit: number;
  trySessions: number;
}

/** A /try session idle this long is over. */
export const TRY_SESSION_HOURS = 24;
const DAY_MS = 86_400_000;
const FINISHED = ["sent", "failed", "blocked", "skipped", "cancelled", "undeliverable"] as const;
const EMPTIED = { replies: [], retention: "body deleted after the retention period" };

export async function sweepExpired(prisma: PrismaClient, s: RetentionSettings, now = new Date()): Promise<RetentionReport> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const inbox = await prisma.inboundUpdate.deleteMany({ where: { processedAt: { not: null, lt: before(s.inboxDays) } } });
  const conversations = await prisma.conversation.deleteMany({ where: { updatedAt: { lt: before(s.conversationDays) } } });
  const unrecognised = await prisma.unrecognisedMessage.deleteMany({ where: { createdAt: { lt: before(s.unrecognisedDays) } } });
  const outbound = await prisma.$executeRaw`
    UPDATE "OutboundMessage" SET "payload" = ${JSON.stringify(EMPTIED)}::jsonb, "updatedAt" = ${now}
    WHERE "state"::text = ANY(${[...FINISHED]}) AND "updatedAt" < ${before(s.outboundBodyDays)}
      AND NOT ("payload" @> ${JSON.stringify({ retention: EMPTIED.retention })}::jsonb)`;
  const audit = await prisma.auditLog.deleteMany({ where: { at: { lt: before(s.auditDays) } } });
  const trySessions = await sweepTrySessions(prisma, new Date(now.getTime() - TRY_SESSION_HOURS * 3_600_000));
  return { inbox: inbox.count, conversations: conversations.count, unrecognised: unrecognised.count, outboundBodies: outbound, audit: audit.count, trySessions };
}

/** Deletes idle /try accounts (cascading to their conversation and attempts) and citizens left with nothing real. */
async function sweepTrySessions(prisma: PrismaClient, idleSince: Date): Promise<number> {
  const rows = await prisma.$queryRaw<{ n: number }[]>`
    WITH gone AS (
      DELETE FROM "ChannelAccount" WHERE "channel" = 'web' AND COALESCE("lastInboundAt", "createdAt") < ${idleSince}
      RETURNING "citizenId"),
    citizens AS (
      DELETE FROM "Citizen" c USING gone WHERE c."id" = gone."citizenId"
        AND NOT EXISTS (SELECT 1 FROM "ChannelAccount" a WHERE a."citizenId" = c."id" AND a."channel" <> 'web')
        AND NOT EXISTS (SELECT 1 FROM "DossierLink" l JOIN "Dossier" d ON d."id" = l."dossierId" WHERE l."citizenId" = c."id" AND NOT d."demo")
      RETURNING c."id")
    SELECT (SELECT count(*)::int FROM gone) AS n`;
  return rows[0]?.n ?? 0;
}

export { runExclusive } from "./jobs.ts";
