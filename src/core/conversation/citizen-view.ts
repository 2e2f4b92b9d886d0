// What a citizen may see of a dossier they proved they own. The applicant's name, phone and
// ID fields are not even selected from the database, so no rendering mistake can leak them.
import type { Prisma } from "../../generated/prisma/client.ts";
import { assessTimeliness, formatLocal, type WorkingCalendar } from "../calendar.ts";
import { t, type Lang } from "../i18n/index.ts";
import { DossierStatus, STATUS_KEYS, isFinished } from "../status.ts";

export const citizenDossierSelect = {
  id: true,
  code: true,
  receivedAt: true,
  appointmentAt: true,
  originalAppointmentAt: true,
  status: true,
  statusAt: true,
  currentStep: true,
  returnMethod: true,
  postalDelivered: true,
  feeStatus: true,
  feeAmount: true,
  supplementCount: true,
  supplementReason: true,
  stopReason: true,
  finishedAt: true,
  returnedAt: true,
  unit: { select: { id: true, name: true, address: true, hotline: true, openingHours: true } },
  procedure: { select: { name: true } },
} satisfies Prisma.DossierSelect;

export type CitizenDossier = Prisma.DossierGetPayload<{ select: typeof citizenDossierSelect }>;

/** For choice buttons: code + the procedure name cut at a word boundary (labels must stay short). */
export function dossierLabel(d: { code: string; procedure: { name: string } }): string {
  const max = 32;
  const name = d.procedure.name.trim();
  if (name.length <= max) return `${d.code} · ${name}`;
  const cut = name.slice(0, max);
  const lastSpace = cut.lastIndexOf(" ");
  return `${d.code} · ${(lastSpace > 0 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:–-]+$/, "")}…`;
}

/** Opening hours of a unit, or the working sessions of the calendar when none are recorded. */
export function openingHours(lang: Lang, unit: { openingHours: string | null }, cal: WorkingCalendar): string {
  if (unit.openingHours) return unit.openingHours;
  const sessions = cal.sessions.map((s) => `${s.start}–${s.end}`).join(", ");
  return t(lang, "opening-hours-default", { sessions });
}

/**
 * The status card: one text, one fact per line. `contact` (a unit and its hotline) is named
 * when the dossier is late, so that a citizen weeks past the date is told whom to ask.
 */
export function renderStatusCard(lang: Lang, d: CitizenDossier, cal: WorkingCalendar, now: Date, contact: string | null = null): string {
  // An apology or a supplement re-dated the appointment: show the new date and the first one.
  const redated = d.originalAppointmentAt !== null && d.originalAppointmentAt.getTime() !== d.appointmentAt.getTime();
  const lines: string[] = [
    t(lang, "card-title", { code: d.code }),
    t(lang, "card-procedure", { procedure: d.procedure.name }),
    t(lang, "card-unit", { unit: d.unit.name }),
    t(lang, "card-received", { date: formatLocal(d.receivedAt) }),
    redated && d.originalAppointmentAt
      ? t(lang, "card-appointment-new", { date: formatLocal(d.appointmentAt), original: formatLocal(d.originalAppointmentAt) })
      : t(lang, "card-appointment", { date: formatLocal(d.appointmentAt) }),
    t(lang, "card-status", { status: t(lang, `status-${STATUS_KEYS[d.status] ?? "unknown"}`) }),
  ];
  const finished = isFinished(d.status);
  if (d.currentStep && !finished) lines.push(t(lang, "card-step", { step: d.currentStep }));
  lines.push(timelinessLine(lang, d, cal, now));
  const late = !finished && d.status !== DossierStatus.SUPPLEMENT_REQUESTED && cal.workingDaysLeft(now, d.appointmentAt) < 0;
  lines.push(...actionLines(lang, d, cal, late ? contact ?? "" : null));
  return lines.join("\n");
}

function timelinessLine(lang: Lang, d: CitizenDossier, cal: WorkingCalendar, now: Date): string {
  const finishedAt = isFinished(d.status) ? (d.finishedAt ?? d.statusAt) : null;
  const tl = assessTimeliness(cal, { appointmentAt: d.appointmentAt, finishedAt, now, supplementRequests: d.supplementCount });
  switch (tl.state) {
    case "on_time":
      return t(lang, "time-finished-on-time");
    case "late":
      return t(lang, "time-finished-late", { days: tl.workingDaysLate });
    case "overdue":
    case "open": {
      // While the citizen gathers documents the agency's clock stands still.
      if (d.status === DossierStatus.SUPPLEMENT_REQUESTED) return t(lang, "time-paused");
      const left = cal.workingDaysLeft(now, d.appointmentAt);
      if (left < 0) return t(lang, "time-overdue", { days: -left });
      if (left === 0) return t(lang, "time-due-today");
      return t(lang, "time-left", { days: left });
    }
  }
}

function withReason(lang: Lang, base: string, reason: string | null): string {
  return reason ? t(lang, `${base}-reason`, { reason }) : t(lang, `${base}-noreason`);
}

/** What the citizen must do now, and where the result comes back. `late`: the contact to name when overdue. */
function actionLines(lang: Lang, d: CitizenDossier, cal: WorkingCalendar, late: string | null): string[] {
  // "Nothing to do" is no answer for someone past the date: say a new date will come and whom to ask.
  const none = () => (late === null ? [t(lang, "action-none")] : late ? [t(lang, "action-late", { contact: late })] : [t(lang, "action-late-nocontact")]);
  switch (d.status) {
    case DossierStatus.NEW:
      return [t(lang, "action-new")];
    case DossierStatus.SUPPLEMENT_REQUESTED:
      return [d.supplementReason ? t(lang, "action-supplement", { reason: d.supplementReason }) : t(lang, "action-supplement-noreason")];
    case DossierStatus.FEE_DUE:
      return [d.feeAmount !== null && d.feeAmount > 0 ? t(lang, "action-fee", { amount: d.feeAmount }) : t(lang, "action-fee-noamount")];
    case DossierStatus.RESULT_READY:
      return resultLines(lang, d, cal);
    case DossierStatus.RETURNED:
      return [d.returnedAt ? t(lang, "returned-on", { date: formatLocal(d.returnedAt, false) }) : t(lang, "returned")];
    case DossierStatus.REFUSED:
      return [withReason(lang, "refused", d.stopReason)];
    case DossierStatus.SUSPENDED:
      return [withReason(lang, "suspended", d.stopReason)];
    case DossierStatus.WITHDRAWN:
      return [withReason(lang, "withdrawn", d.stopReason)];
    default:
      return none();
  }
}

function resultLines(lang: Lang, d: CitizenDossier, cal: WorkingCalendar): string[] {
  switch (d.returnMethod) {
    case "postal":
      return [t(lang, d.postalDelivered ? "action-result-postal-delivered" : "action-result-postal")];
    case "online":
      return [t(lang, "action-result-online")];
    case "counter": {
      const lines = [t(lang, "action-result-counter", { unit: d.unit.name })];
      if (d.unit.address) lines.push(t(lang, "result-address", { address: d.unit.address }));
      lines.push(t(lang, "result-hours", { hours: openingHours(lang, d.unit, cal) }));
      return lines;
    }
  }
}
