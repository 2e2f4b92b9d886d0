// Asking: when a linked dossier reaches "returned" (10), every citizen linked to it gets one
// invitation (unique per dossier and citizen) and the first question on the chat account
// they used last (among their chosen notice channel's accounts, when they chose one). Sending goes through the durable delivery queue; a closed Zalo window or a
// blocked bot comes back as the message's outcome and is copied onto the invitation by the
// scheduler (state undeliverable), never retried in a loop.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import { enqueue, isAccountBlocked, type DeliveryChannel } from "../delivery/engine.ts";
import { noticeAccounts } from "../notices/index.ts";
import type { StatusChange } from "../dossiers.ts";
import { isUniqueViolation } from "../dossiers.ts";
import { DossierStatus } from "../status.ts";
import type { Answers } from "./definition.ts";
import { askKey, SURVEY_POLICY, SURVEY_PRIORITY } from "./policy.ts";
import { fill, questionReply, type Lang } from "./render.ts";
import { currentSurvey, surveyById } from "./versions.ts";

export interface SurveyDeps {
  prisma: PrismaClient;
  logger: Logger;
  /** Channels with a sender in this process (default both). */
  channels?: DeliveryChannel[];
  now?: () => Date;
}

export interface ReachableAccount {
  id: number;
  channel: DeliveryChannel;
  language: string | null;
}

interface AccountRow {
  id: number;
  channel: string;
  language: string | null;
  consentAt: Date | null;
  blockedAt: Date | null;
  lastInboundAt: Date | null;
}

/**
 * The account the citizen used last among those we may and can write to. With a chosen notice
 * channel (Citizen.noticeChannel) only that channel's accounts are considered — unless none of
 * them is usable (blocked, no consent, gone, no sender here): then the others, rather than
 * losing the invitation (noticeAccounts).
 */
export function pickAccount(accounts: AccountRow[], channels: DeliveryChannel[], noticeChannel?: string | null): ReachableAccount | null {
  const usable = accounts.filter((a) => (channels as string[]).includes(a.channel) && a.consentAt !== null && !isAccountBlocked(a));
  const [a] = noticeAccounts(usable, noticeChannel).sort(
    (x, y) => (y.lastInboundAt?.getTime() ?? 0) - (x.lastInboundAt?.getTime() ?? 0) || y.id - x.id,
  );
  return a ? { id: a.id, channel: a.channel as DeliveryChannel, language: a.language } : null;
}

export function langOf(citizenLanguage: string | null | undefined, accountLanguage: string | null | undefined): Lang {
  const l = accountLanguage ?? citizenLanguage;
  return l === "en" ? "en" : "vi";
}

/** The listener to push into ctx.statusListeners. */
export function surveyStatusListener(deps: SurveyDeps): (change: StatusChange) => Promise<void> {
  return async (change) => {
    if (change.to !== DossierStatus.RETURNED) return;
    await inviteForDossier(deps, change.dossierId);
  };
}

/** Creates the missing invitations of a returned dossier and queues their first question; returns how many were new. */
export async function inviteForDossier(deps: SurveyDeps, dossierId: number): Promise<number> {
  const { prisma } = deps;
  const now = deps.now?.() ?? new Date();
  const channels = deps.channels ?? ["telegram", "zalo"];
  const d = await prisma.dossier.findUnique({
    where: { id: dossierId },
    select: { id: true, status: true, links: { select: { citizen: { select: { id: true } } } } },
  });
  if (!d || d.status !== DossierStatus.RETURNED || d.links.length === 0) return 0;
  const survey = await currentSurvey(prisma);
  const first = survey.definition.questions[0]!;
  let created = 0;
  for (const { citizen } of d.links) {
    let invitationId: number;
    try {
      const inv = await prisma.surveyInvitation.create({
        data: {
          dossierId: d.id,
          citizenId: citizen.id,
          surveyVersionId: survey.id,
          invitedAt: now,
          expiresAt: new Date(now.getTime() + SURVEY_POLICY.expiresAfterMs),
          currentQuestion: first.id,
        },
      });
      invitationId = inv.id;
    } catch (err) {
      // Already invited (a repeated status event, or the citizen started from the status card).
      if (isUniqueViolation(err)) continue;
      throw err;
    }
    created++;
    await askInvitation(deps, invitationId);
  }
  return created;
}

/**
 * Queues the first question of a pending invitation on the citizen's chat (idempotent: the
 * dedupeKey makes a second call queue nothing). The scheduler calls it again for an
 * invitation a crash left pending.
 */
export async function askInvitation(deps: SurveyDeps, invitationId: number): Promise<"sent" | "undeliverable" | "skipped"> {
  const { prisma } = deps;
  const now = deps.now?.() ?? new Date();
  const inv = await prisma.surveyInvitation.findUnique({
    where: { id: invitationId },
    select: {
      id: true,
      state: true,
      invitedAt: true,
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
  if (!inv || inv.state !== "pending") return "skipped";
  const account = pickAccount(inv.citizen.accounts, deps.channels ?? ["telegram", "zalo"], inv.citizen.noticeChannel);
  if (!account) {
    await prisma.surveyInvitation.update({
      where: { id: inv.id },
      data: { state: "undeliverable", outcome: "no chat account to ask on (none consented, all blocked, or no channel configured)" },
    });
    return "undeliverable";
  }
  const def = (await surveyById(prisma, inv.surveyVersionId)).definition;
  const first = def.questions[0]!;
  const lang = langOf(inv.citizen.language, account.language);
  const vars = { code: inv.dossier.code, procedure: inv.dossier.procedure.name };
  const answers: Answers = {};
  await enqueue(prisma, {
    kind: "survey",
    dedupeKey: askKey(inv.id),
    accountId: account.id,
    channel: account.channel,
    replies: [questionReply(def, inv.id, first, answers, lang, vars, fill(def.messages.intro, lang, vars))],
    priority: SURVEY_PRIORITY,
    dossierId: inv.dossier.id,
  });
  await prisma.surveyInvitation.updateMany({
    where: { id: inv.id, state: "pending" },
    data: { state: "sent", channel: account.channel, currentQuestion: first.id, reminderDueAt: new Date(Math.max(now.getTime(), inv.invitedAt.getTime()) + SURVEY_POLICY.reminderAfterMs) },
  });
  deps.logger.debug({ dossier: inv.dossier.code, invitationId: inv.id, channel: account.channel }, "survey invitation queued");
  return "sent";
}
