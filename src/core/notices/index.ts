// Automatic notices on status changes: supplement requested, fee due, result ready, result
// returned, and the late apology. Exactly one notice per status change per linked channel
// account (only the chosen channel's accounts when the citizen picked one, see
// noticeAccounts): the dedupeKey `notice:<dossierId>:<eventId>:<accountId>` makes a repeated event
// (or a repeated listener call) enqueue nothing new.
//
// The late apology (Decree 61/2018 as amended: a written apology with the reason and a new
// appointment date, at most once per dossier) is keyed `apology:<dossierId>:<accountId>` and
// recorded per dossier in the audit log (action notice.apology), which is the durable
// "apology sent" marker.
import type { Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logger.ts";
import { formatLocal } from "../calendar.ts";
import type { CalendarStore } from "../calendar-store.ts";
import { encodeButton } from "../conversation/buttons.ts";
import type { Reply } from "../conversation/types.ts";
import { enqueue, isAccountBlocked, PRIORITY, type DeliveryChannel } from "../delivery/engine.ts";
import type { ZnsFallback } from "../delivery/types.ts";
import type { StatusChange } from "../dossiers.ts";
import { normalizePhone, phoneToInternational } from "../identity.ts";
import { DossierStatus } from "../status.ts";
import type { Lang } from "../kernel/lang.ts";
import { noticeLang, nt } from "./i18n/index.ts";

export interface NoticeDeps {
  prisma: PrismaClient;
  calendar: CalendarStore;
  logger: Logger;
  /** Channels with a sender; accounts elsewhere (the web try page) get nothing. */
  channels?: DeliveryChannel[];
}

/**
 * What a status change may carry beyond StatusChange: the new appointment of a re-dating
 * event (triggers the apology) and a resubmission deadline for a supplement request.
 */
export type NoticeTrigger = StatusChange & { newAppointmentAt?: Date | null; resubmitBy?: Date | null };

export type NoticeKind = "supplement" | "fee" | "ready" | "late" | "returned";

const STATUS_NOTICES: Partial<Record<number, Exclude<NoticeKind, "late">>> = {
  [DossierStatus.SUPPLEMENT_REQUESTED]: "supplement",
  [DossierStatus.FEE_DUE]: "fee",
  [DossierStatus.RESULT_READY]: "ready",
  [DossierStatus.RETURNED]: "returned",
};

const dossierSelect = {
  id: true,
  code: true,
  status: true,
  statusAt: true,
  appointmentAt: true,
  returnMethod: true,
  postalDelivered: true,
  feeAmount: true,
  supplementReason: true,
  applicantPhone: true,
  unit: { select: { name: true, address: true, openingHours: true } },
  procedure: { select: { name: true } },
  links: {
    select: {
      createdAt: true,
      citizen: {
        select: {
          language: true,
          phone: true,
          noticeChannel: true,
          accounts: {
            select: { id: true, channel: true, language: true, consentAt: true, blockedAt: true, lastInboundAt: true },
          },
        },
      },
    },
  },
} as const;

type NoticeDossier = NonNullable<Awaited<ReturnType<typeof loadDossier>>>;

function loadDossier(prisma: PrismaClient | Prisma.TransactionClient, dossierId: number) {
  return prisma.dossier.findUnique({ where: { id: dossierId }, select: dossierSelect });
}

/** The listener to push into ctx.statusListeners. */
export function noticeListener(deps: NoticeDeps): (change: StatusChange) => Promise<void> {
  return async (change) => {
    await enqueueStatusNotices(deps, change);
  };
}

interface Recipient {
  accountId: number;
  channel: DeliveryChannel;
  lang: Lang;
  phone: string | null;
}

/**
 * The accounts that get a message meant for one citizen, out of those we may and can write to
 * (`usable`: consenting, not blocked, on a channel with a sender). Without a chosen notice
 * channel (Citizen.noticeChannel null) that is all of them. With one, only that channel's
 * accounts — unless it has none left (blocked the bot, withdrew consent, deleted the account,
 * or the channel has no sender in this process): then the others get it rather than the
 * notice being lost. Also used for survey invitations (src/core/survey/invite.ts).
 *
 * The fallback is decided when the message is queued: a block discovered only by this very
 * send is not re-routed, but the account is marked blocked, so the next message falls back.
 */
export function noticeAccounts<A extends { channel: string }>(usable: A[], noticeChannel: string | null | undefined): A[] {
  if (!noticeChannel) return usable;
  const chosen = usable.filter((a) => a.channel === noticeChannel);
  return chosen.length > 0 ? chosen : usable;
}

/** Linked, consenting, not blocked accounts on channels we can send to (one per account), per the citizen's notice channel. */
function recipients(d: NoticeDossier, channels: DeliveryChannel[], linkedBefore?: Date): Recipient[] {
  const out = new Map<number, Recipient>();
  for (const l of d.links) {
    if (linkedBefore && l.createdAt > linkedBefore) continue;
    const usable = l.citizen.accounts.filter((a) => (channels as string[]).includes(a.channel) && a.consentAt !== null && !isAccountBlocked(a));
    for (const a of noticeAccounts(usable, l.citizen.noticeChannel)) {
      const channel = a.channel as DeliveryChannel;
      const phone = l.citizen.phone ?? (d.applicantPhone ? normalizePhone(d.applicantPhone) : null);
      out.set(a.id, { accountId: a.id, channel, lang: noticeLang(l.citizen.language, a.language), phone });
    }
  }
  return [...out.values()];
}

/**
 * Enqueue the notices a status change calls for; returns how many were new. Safe to call
 * again for the same change (nothing new is queued).
 */
export async function enqueueStatusNotices(deps: NoticeDeps, change: NoticeTrigger, opts: { linkedBefore?: Date } = {}): Promise<number> {
  const kind = STATUS_NOTICES[change.to];
  const redated = change.newAppointmentAt ?? null;
  if (!kind && !redated) return 0;
  const d = await loadDossier(deps.prisma, change.dossierId);
  if (!d) return 0;
  let created = 0;
  // A later event has already moved the dossier on: its own notice says what matters now.
  const stale = d.status !== change.to && d.statusAt > change.at;
  if (kind && !stale) {
    const cal = await deps.calendar.get();
    const sessions = cal.sessions.map((s) => `${s.start}–${s.end}`).join(", ");
    for (const r of recipients(d, deps.channels ?? ["telegram", "zalo"], opts.linkedBefore)) {
      const replies = [renderNotice(r.lang, kind, d, { reason: change.reason, resubmitBy: change.resubmitBy ?? null, sessions })];
      const res = await enqueue(deps.prisma, {
        kind: "notice",
        dedupeKey: `notice:${d.id}:${change.eventId}:${r.accountId}`,
        accountId: r.accountId,
        channel: r.channel,
        replies,
        priority: PRIORITY.notice,
        dossierId: d.id,
        zns: znsFor(r, d, kind),
      });
      if (res.created) created++;
    }
  }
  if (redated) created += (await enqueueApology(deps, { dossierId: d.id, reason: change.reason, newAppointmentAt: redated, actor: "system" })).enqueued;
  if (created) deps.logger.debug({ code: d.code, kind, created }, "notices queued");
  return created;
}

export interface ApologyInput {
  dossierId: number;
  reason: string | null;
  newAppointmentAt: Date;
  actor: string;
}

/** Has the dossier's apology already been issued? (at most once per dossier) */
export async function apologySentAt(prisma: PrismaClient | Prisma.TransactionClient, dossierCode: string): Promise<Date | null> {
  const e = await prisma.auditLog.findFirst({ where: { action: "notice.apology", target: dossierCode }, orderBy: { at: "asc" }, select: { at: true } });
  return e?.at ?? null;
}

/**
 * Queue the apology to every linked account, unless this dossier already had one. `db` is the
 * transaction of the API's apology (DossierService.apologise), so that the marker, the messages
 * and the re-dating commit together.
 */
export async function enqueueApology(
  deps: NoticeDeps,
  a: ApologyInput,
  db: PrismaClient | Prisma.TransactionClient = deps.prisma,
): Promise<{ alreadySent: boolean; enqueued: number }> {
  const d = await loadDossier(db, a.dossierId);
  if (!d) return { alreadySent: false, enqueued: 0 };
  if (await apologySentAt(db, d.code)) return { alreadySent: true, enqueued: 0 };
  let enqueued = 0;
  for (const r of recipients(d, deps.channels ?? ["telegram", "zalo"])) {
    const res = await enqueue(db, {
      kind: "notice",
      dedupeKey: `apology:${d.id}:${r.accountId}`,
      accountId: r.accountId,
      channel: r.channel,
      replies: [renderApology(r.lang, d, a.reason, a.newAppointmentAt)],
      priority: PRIORITY.notice,
      dossierId: d.id,
      zns: znsFor(r, d, "late", a.newAppointmentAt),
    });
    if (res.created) enqueued++;
  }
  await db.auditLog.create({
    data: {
      actor: a.actor,
      action: "notice.apology",
      target: d.code,
      details: { reason: a.reason, newAppointmentAt: a.newAppointmentAt.toISOString(), accounts: enqueued },
    },
  });
  return { alreadySent: false, enqueued };
}

/**
 * Status events committed while the process died between the commit and the listener:
 * re-run the notices of recent events that still describe the dossier's current status.
 * Idempotent; only accounts linked before the event get its notice.
 */
export async function catchUpNotices(deps: NoticeDeps, since: Date): Promise<number> {
  const events = await deps.prisma.dossierStatusEvent.findMany({
    where: { applied: true, createdAt: { gte: since }, status: { in: Object.keys(STATUS_NOTICES).map(Number) }, dossier: { links: { some: {} } } },
    select: { dossierId: true, eventId: true, status: true, at: true, reason: true, createdAt: true, dossier: { select: { code: true, status: true, statusAt: true } } },
    orderBy: { id: "asc" },
  });
  let created = 0;
  for (const e of events) {
    if (e.dossier.status !== e.status || e.dossier.statusAt.getTime() !== e.at.getTime()) continue;
    const change: NoticeTrigger = { dossierId: e.dossierId, code: e.dossier.code, from: -1, to: e.status, at: e.at, eventId: e.eventId, reason: e.reason };
    created += await enqueueStatusNotices(deps, change, { linkedBefore: e.createdAt });
  }
  if (created) deps.logger.info({ created }, "queued notices missed before a restart");
  return created;
}

// ------------------------------------------------------------------ rendering

function viewButton(lang: Lang, dossierId: number) {
  return [[{ label: nt(lang, "notice-button-view"), data: encodeButton({ kind: "status", dossierId }) }]];
}

interface Extra {
  reason: string | null;
  resubmitBy: Date | null;
  sessions: string;
}

export function renderNotice(lang: Lang, kind: Exclude<NoticeKind, "late">, d: NoticeDossier, x: Extra): Reply {
  const base = { code: d.code, procedure: d.procedure.name, unit: d.unit.name };
  const lines: string[] = [];
  switch (kind) {
    case "supplement": {
      lines.push(nt(lang, "notice-supplement", base));
      const reason = x.reason ?? d.supplementReason;
      lines.push(reason ? nt(lang, "notice-supplement-reason", { reason }) : nt(lang, "notice-supplement-noreason", base));
      if (x.resubmitBy) lines.push(nt(lang, "notice-supplement-deadline", { deadline: formatLocal(x.resubmitBy, false) }));
      lines.push(nt(lang, "notice-supplement-clock"));
      break;
    }
    case "fee":
      lines.push(d.feeAmount !== null && d.feeAmount > 0 ? nt(lang, "notice-fee", { ...base, amount: d.feeAmount }) : nt(lang, "notice-fee-noamount", base));
      lines.push(nt(lang, "notice-fee-how"));
      break;
    case "ready":
      lines.push(nt(lang, "notice-ready", base));
      if (d.returnMethod === "postal") lines.push(nt(lang, d.postalDelivered ? "notice-ready-postal-delivered" : "notice-ready-postal"));
      else if (d.returnMethod === "online") lines.push(nt(lang, "notice-ready-online"));
      else {
        lines.push(nt(lang, "notice-ready-counter", base));
        if (d.unit.address) lines.push(nt(lang, "notice-ready-address", { address: d.unit.address }));
        lines.push(nt(lang, "notice-ready-hours", { hours: d.unit.openingHours ?? nt(lang, "notice-hours-default", { sessions: x.sessions }) }));
      }
      break;
    case "returned":
      lines.push(nt(lang, "notice-returned", base), nt(lang, "notice-returned-survey"));
      return { kind: "text", text: lines.join("\n") };
  }
  return { kind: "text", text: lines.join("\n"), buttons: viewButton(lang, d.id) };
}

function renderApology(lang: Lang, d: NoticeDossier, reason: string | null, newAppointmentAt: Date): Reply {
  const base = { code: d.code, procedure: d.procedure.name, unit: d.unit.name };
  const lines = [
    nt(lang, "notice-late", base),
    reason ? nt(lang, "notice-late-reason", { reason }) : nt(lang, "notice-late-noreason"),
    nt(lang, "notice-late-date", { date: formatLocal(newAppointmentAt, false) }),
    nt(lang, "notice-late-close"),
  ];
  return { kind: "text", text: lines.join("\n"), buttons: viewButton(lang, d.id) };
}

/** ZNS template values for Zalo accounts (used only when the 48 h window is closed). */
function znsFor(r: Recipient, d: NoticeDossier, kind: NoticeKind, date?: Date): ZnsFallback | undefined {
  if (r.channel !== "zalo" || !r.phone) return undefined;
  return {
    phone: phoneToInternational(r.phone),
    data: {
      dossier_code: d.code,
      procedure: d.procedure.name.slice(0, 100),
      status: nt("vi", `zns-status-${kind}`),
      date: formatLocal(date ?? d.appointmentAt, false),
    },
  };
}
