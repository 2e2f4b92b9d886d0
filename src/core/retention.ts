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
//   - audit entries — AUDIT_RETENTION_DAYS (long: they answer "who saw what").
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
}

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
  return { inbox: inbox.count, conversations: conversations.count, unrecognised: unrecognised.count, outboundBodies: outbound, audit: audit.count };
}

export { runExclusive } from "./jobs.ts";
