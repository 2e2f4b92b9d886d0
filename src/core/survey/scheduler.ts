// Survey background work, run every minute by the survey feature (safe on several instances:
// every step is a conditional UPDATE or an idempotent enqueue):
//  - an invitation whose first question could not be delivered (Zalo window closed, bot
//    blocked, platform refused) becomes `undeliverable`, with the reason in `outcome`;
//  - one reminder 24 h after an invitation nobody answered, never a second;
//  - invitations past 30 days expire (partial answers are kept and still count);
//  - an invitation a crash left `pending` is asked again.
import { enqueue } from "../delivery/engine.ts";
import { langOf, askInvitation, pickAccount, type SurveyDeps } from "./invite.ts";
import { askKey, reminderKey, SURVEY_PRIORITY } from "./policy.ts";
import { fill, questionReply } from "./render.ts";
import { surveyById } from "./versions.ts";

export interface SchedulerRun {
  undeliverable: number;
  reminded: number;
  expired: number;
  resumed: number;
}

const FAILED_STATES = `('undeliverable', 'blocked', 'failed', 'skipped', 'cancelled')`;

export async function runSurveySchedule(deps: SurveyDeps, batch = 500): Promise<SchedulerRun> {
  const { prisma } = deps;
  const now = deps.now?.() ?? new Date();
  const out: SchedulerRun = { undeliverable: 0, reminded: 0, expired: 0, resumed: 0 };

  // 1. Delivery outcomes → invitation (the engine records them on the message row).
  out.undeliverable = await prisma.$executeRawUnsafe(
    `UPDATE "SurveyInvitation" i
        SET state = 'undeliverable', "reminderDueAt" = NULL,
            outcome = left('first question ' || m.state::text || COALESCE(': ' || m.error, ''), 500)
       FROM "OutboundMessage" m
      WHERE m."dedupeKey" = 'survey:' || i.id || ':ask' AND m.state IN ${FAILED_STATES} AND i.state = 'sent'`,
  );
  await prisma.$executeRawUnsafe(
    `UPDATE "SurveyInvitation" i
        SET outcome = left('reminder ' || m.state::text || COALESCE(': ' || m.error, ''), 500)
       FROM "OutboundMessage" m
      WHERE m."dedupeKey" = 'survey:' || i.id || ':reminder' AND m.state IN ${FAILED_STATES} AND i.outcome IS NULL`,
  );

  // 2. Expiry first, so nothing past 30 days gets a reminder.
  const answered = await prisma.surveyInvitation.updateMany({
    where: { state: "answering", expiresAt: { lte: now } },
    data: { state: "expired", reminderDueAt: null, outcome: "expired with partial answers (kept and counted)" },
  });
  const silent = await prisma.surveyInvitation.updateMany({
    where: { state: { in: ["pending", "sent"] }, expiresAt: { lte: now } },
    data: { state: "expired", reminderDueAt: null, outcome: "expired without an answer" },
  });
  out.expired = answered.count + silent.count;

  // 3. One reminder. Claimed by a conditional update, so two instances never both send it.
  const due = await prisma.surveyInvitation.findMany({
    where: { state: "sent", remindedAt: null, reminderDueAt: { lte: now }, response: { is: null } },
    select: { id: true },
    orderBy: { reminderDueAt: "asc" },
    take: batch,
  });
  for (const { id } of due) {
    const claimed = await prisma.surveyInvitation.updateMany({
      where: { id, state: "sent", remindedAt: null },
      data: { remindedAt: now, reminderDueAt: null },
    });
    if (claimed.count !== 1) continue;
    if (await remind(deps, id)) out.reminded++;
  }

  // 4. Pending for more than a minute: the process stopped between creating and asking.
  const stale = await prisma.surveyInvitation.findMany({
    where: { state: "pending", invitedAt: { lte: new Date(now.getTime() - 60_000) } },
    select: { id: true },
    take: batch,
  });
  for (const { id } of stale) if ((await askInvitation(deps, id)) !== "skipped") out.resumed++;
  return out;
}

/** Queues the reminder on the account the first question went to (or the citizen's best one now). */
async function remind(deps: SurveyDeps, invitationId: number): Promise<boolean> {
  const { prisma } = deps;
  const inv = await prisma.surveyInvitation.findUniqueOrThrow({
    where: { id: invitationId },
    select: {
      id: true,
      surveyVersionId: true,
      dossier: { select: { id: true, code: true, procedure: { select: { name: true } } } },
      citizen: {
        select: {
          language: true,
          noticeChannel: true,
          accounts: { select: { id: true, channel: true, language: true, consentAt: true, blockedAt: true, lastInboundAt: true } },
        },
      },
    },
  });
  const ask = await prisma.outboundMessage.findUnique({ where: { dedupeKey: askKey(invitationId) }, select: { accountId: true } });
  const channels = deps.channels ?? ["telegram", "zalo"];
  const account =
    pickAccount(
      inv.citizen.accounts.filter((a) => a.id === ask?.accountId),
      channels,
    ) ?? pickAccount(inv.citizen.accounts, channels, inv.citizen.noticeChannel);
  if (!account) {
    await prisma.surveyInvitation.update({ where: { id: inv.id }, data: { outcome: "reminder not sent: no chat account to send it to" } });
    return false;
  }
  const def = (await surveyById(prisma, inv.surveyVersionId)).definition;
  const lang = langOf(inv.citizen.language, account.language);
  const vars = { code: inv.dossier.code, procedure: inv.dossier.procedure.name };
  await enqueue(prisma, {
    kind: "survey_reminder",
    dedupeKey: reminderKey(inv.id),
    accountId: account.id,
    channel: account.channel,
    replies: [questionReply(def, inv.id, def.questions[0]!, {}, lang, vars, fill(def.messages.reminder, lang, vars))],
    priority: SURVEY_PRIORITY,
    dossierId: inv.dossier.id,
  });
  return true;
}
