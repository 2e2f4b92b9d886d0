// Dossier use cases: upsert from the provincial software, status events, staff view.
import type { PrismaClient, Prisma } from "../generated/prisma/client.ts";
import { jsonSource, lockDossier, mergeDossiers, prismaSql, resolveCatalogue, stageRow, type CatalogueRequest, type CatalogueWarning } from "./dossier-writer.ts";
import { assessTimeliness, type WorkingCalendar } from "./calendar.ts";
import type { CalendarStore } from "./calendar-store.ts";
import { normalizeDossierCode } from "./dossier-code.ts";
import type { DossierInput, DossierView, StatusEventInput } from "./dossier-schemas.ts";
import { AppError } from "./errors.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { IdentityHasher, maskIdNumber, normalizeIdNumber, normalizePhone } from "./identity.ts";
import { DossierStatus, STATUS_KEYS, isFinished } from "./status.ts";

export interface DossierDeps {
  prisma: PrismaClient;
  calendar: CalendarStore;
  hasher: IdentityHasher;
  /** Called after a status change has been committed (notices hook in here). */
  onStatusChanged?: (change: StatusChange) => Promise<void> | void;
}

export interface StatusChange {
  dossierId: number;
  code: string;
  from: number;
  to: number;
  at: Date;
  eventId: string;
  reason: string | null;
}

export function canonicalCode(raw: string): string {
  const r = normalizeDossierCode(raw);
  if (!r.ok) throw new AppError("bad_request", `Invalid dossier code "${raw.slice(0, 60)}": ${r.reason}`, { reason: r.reason });
  return r.code;
}

/** Resolved and validated row ready for writing (shared by PUT and bulk import). */
export interface PreparedDossier {
  code: string;
  unit: { code: string; name?: string | undefined; parentCode?: string | undefined };
  field?: { code: string; name?: string | undefined } | undefined;
  procedure: { code: string; name?: string | undefined; durationDays?: number | undefined };
  applicantName: string;
  applicantPhone: string | null;
  applicantIdHash: string | null;
  applicantIdLast4Hash: string | null;
  applicantIdMasked: string | null;
  receivedAt: Date;
  appointmentAt: Date | null;
  status: number;
  returnMethod: "counter" | "postal" | "online" | undefined;
  currentStep: string | null | undefined;
  feeStatus: "none" | "due" | "paid" | undefined;
  feeAmount: number | null | undefined;
  supplementReason: string | null | undefined;
  stopReason: string | null | undefined;
  finishedAt: Date | null | undefined;
  returnedAt: Date | null | undefined;
  postalDelivered: boolean | null | undefined;
}

/** Field-level checks the zod schema cannot do; returns problems keyed by field. */
export function prepareDossier(code: string, input: DossierInput, hasher: IdentityHasher): PreparedDossier | { problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  let phone: string | null = null;
  if (input.applicant.phone) {
    phone = normalizePhone(input.applicant.phone);
    if (!phone) problems["applicant.phone"] = "not a Vietnamese phone number";
  }
  let id: string | null = null;
  if (input.applicant.idNumber) {
    id = normalizeIdNumber(input.applicant.idNumber);
    if (!id) problems["applicant.idNumber"] = "must be 9 or 12 digits";
  }
  const receivedAt = new Date(input.receivedAt);
  const appointmentAt = input.appointmentAt ? new Date(input.appointmentAt) : null;
  if (appointmentAt && appointmentAt < receivedAt) problems["appointmentAt"] = "is before receivedAt";
  if (Object.keys(problems).length) return { problems };
  return {
    code,
    unit: { code: input.unitCode, name: input.unitName, parentCode: input.parentUnitCode },
    field: input.fieldCode ? { code: input.fieldCode, name: input.fieldName } : undefined,
    procedure: { code: input.procedureCode, name: input.procedureName, durationDays: input.procedureDurationDays },
    applicantName: input.applicant.name,
    applicantPhone: phone,
    applicantIdHash: id ? hasher.idHash(id) : null,
    applicantIdLast4Hash: id ? hasher.last4Hash(code, id.slice(-4)) : null,
    applicantIdMasked: id ? maskIdNumber(id) : null,
    receivedAt,
    appointmentAt,
    status: input.status,
    returnMethod: input.returnMethod,
    currentStep: input.currentStep,
    feeStatus: input.feeStatus ?? (input.status === DossierStatus.FEE_DUE ? "due" : undefined),
    feeAmount: input.feeAmount,
    supplementReason: input.supplementReason,
    stopReason: input.stopReason,
    finishedAt: optionalDate(input.finishedAt),
    returnedAt: optionalDate(input.returnedAt),
    postalDelivered: input.postalDelivered,
  };
}

/** Transactions that may queue behind other writers of the same dossier. */
const WRITE_TX = { maxWait: 15_000, timeout: 30_000 };

export class DossierService {
  private readonly writers = new KeyedLock();
  constructor(private readonly deps: DossierDeps) {}

  /**
   * Create or update one dossier from the sync contract: the same catalogue rules and merge as
   * the bulk import (src/core/dossier-writer.ts), serialised per dossier.
   */
  async upsert(rawCode: string, input: DossierInput, actor: string): Promise<{ created: boolean; dossier: DossierView; warnings: CatalogueWarning[] }> {
    const code = canonicalCode(rawCode);
    const prepared = prepareDossier(code, input, this.deps.hasher);
    if ("problems" in prepared) throw new AppError("validation_failed", "Invalid dossier", prepared.problems);
    const cal = await this.deps.calendar.get();
    let changes: StatusChange[] = [];
    let warnings: CatalogueWarning[] = [];
    const created = await this.writers.run(code, () => this.deps.prisma.$transaction(async (tx) => {
      const sql = prismaSql(tx);
      await lockDossier(sql, code);
      // Read after the lock: a writer that waited stamps its change after the one before it.
      const now = new Date();
      const catalogue = await resolveCatalogue(sql, catalogueOf([prepared]), { now, actor, target: code });
      warnings = catalogue.warnings;
      const appointment = resolveAppointment(prepared, catalogue.durations.get(prepared.procedure.code) ?? null, cal);
      const merged = await mergeDossiers(sql, jsonSource(5), 1, {
        now,
        eventPrefix: `sync:${now.toISOString()}:`,
        source: "sync",
        changes: "all",
        params: [JSON.stringify([stageRow(0, prepared, appointment)])],
      });
      changes = merged.statusChanges;
      await tx.auditLog.create({
        data: { actor, action: merged.created ? "dossier.create" : "dossier.update", target: code, ...(warnings.length ? { details: { warnings: warnings.length } } : {}) },
      });
      return merged.created > 0;
    }, WRITE_TX));
    for (const change of changes) await this.deps.onStatusChanged?.(change);
    return { created, dossier: await this.view(code), warnings };
  }

  /**
   * Record a status event. Idempotent by eventId; an event older than the current status
   * is kept in the history but does not move the status back.
   */
  async applyEvent(rawCode: string, ev: StatusEventInput, actor: string): Promise<{ duplicate: boolean; applied: boolean; dossier: DossierView }> {
    const code = canonicalCode(rawCode);
    const cal = await this.deps.calendar.get();
    let change: StatusChange | undefined;
    let outcome: { duplicate: boolean; applied: boolean };
    try {
      outcome = await this.writers.run(code, () => this.deps.prisma.$transaction(async (tx) => {
        await lockDossier(prismaSql(tx), code);
        const r = await applyEventLocked(tx, code, ev, actor, cal);
        change = r.change;
        return { duplicate: r.duplicate, applied: r.applied };
      }, WRITE_TX));
    } catch (err) {
      // Two deliveries racing: the unique (dossier, eventId) index lets only one in.
      if (isUniqueViolation(err)) outcome = { duplicate: true, applied: false };
      else throw err;
    }
    if (change) await this.deps.onStatusChanged?.(change);
    return { ...outcome, dossier: await this.view(code) };
  }

  /**
   * The late apology (Decree 61/2018: at most once per dossier): re-date the dossier and queue
   * the messages in one transaction under the dossier's lock. A second apology answers 409 and
   * changes nothing — not even the appointment.
   */
  async apologise(
    rawCode: string,
    a: { reason: string; newAppointmentAt: string; eventId?: string | undefined },
    actor: string,
    queue: (tx: Prisma.TransactionClient, dossierId: number) => Promise<number>,
  ): Promise<{ code: string; newAppointmentAt: string; notifiedAccounts: number }> {
    const code = canonicalCode(rawCode);
    const cal = await this.deps.calendar.get();
    const notified = await this.writers.run(code, () => this.deps.prisma.$transaction(async (tx) => {
      await lockDossier(prismaSql(tx), code);
      const d = await tx.dossier.findUnique({ where: { code }, select: { id: true, status: true } });
      if (!d) throw new AppError("not_found", `No dossier ${code}`);
      const sent = await tx.auditLog.findFirst({ where: { action: "notice.apology", target: code }, orderBy: { at: "asc" }, select: { at: true } });
      if (sent) throw new AppError("conflict", `The apology for ${code} was already sent on ${sent.at.toISOString()}; it is sent at most once per dossier`);
      const at = new Date();
      const ev = { eventId: a.eventId ?? `apology:${at.toISOString()}`, status: d.status, at: at.toISOString(), reason: a.reason, newAppointmentAt: a.newAppointmentAt };
      const r = await applyEventLocked(tx, code, ev, actor, cal);
      if (r.duplicate) throw new AppError("conflict", `Event ${ev.eventId} was already recorded for ${code}`);
      return queue(tx, d.id);
    }, WRITE_TX));
    return { code, newAppointmentAt: new Date(a.newAppointmentAt).toISOString(), notifiedAccounts: notified };
  }

  async view(rawCode: string, now = new Date()): Promise<DossierView> {
    const code = canonicalCode(rawCode);
    const d = await this.deps.prisma.dossier.findUnique({
      where: { code },
      include: { unit: true, procedure: { include: { field: true } }, history: { orderBy: [{ at: "asc" }, { id: "asc" }] } },
    });
    if (!d) throw new AppError("not_found", `No dossier ${code}`);
    const cal = await this.deps.calendar.get();
    const finishedAt = isFinished(d.status) ? (d.finishedAt ?? d.statusAt) : null;
    const t = assessTimeliness(cal, { appointmentAt: d.appointmentAt, finishedAt, now, supplementRequests: d.supplementCount });
    return {
      code: d.code,
      unit: { code: d.unit.code, name: d.unit.name },
      field: d.procedure.field ? { code: d.procedure.field.code, name: d.procedure.field.name } : null,
      procedure: { code: d.procedure.code, name: d.procedure.name, durationDays: d.procedure.durationDays },
      applicant: { name: d.applicantName, phone: d.applicantPhone, idNumberMasked: d.applicantIdMasked },
      receivedAt: d.receivedAt.toISOString(),
      appointmentAt: d.appointmentAt.toISOString(),
      appointmentComputed: d.appointmentComputed,
      status: d.status,
      statusName: STATUS_KEYS[d.status] ?? "unknown",
      statusAt: d.statusAt.toISOString(),
      currentStep: d.currentStep,
      returnMethod: d.returnMethod,
      postalDelivered: d.postalDelivered,
      feeStatus: d.feeStatus,
      feeAmount: d.feeAmount,
      supplementCount: d.supplementCount,
      supplementReason: d.supplementReason,
      stopReason: d.stopReason,
      finishedAt: d.finishedAt?.toISOString() ?? null,
      returnedAt: d.returnedAt?.toISOString() ?? null,
      timeliness: {
        state: t.state,
        workingDaysLeft: finishedAt ? null : cal.workingDaysLeft(now, d.appointmentAt),
        workingDaysLate: t.workingDaysLate,
        countsAsOverdueNationally: t.countsAsOverdueNationally,
      },
      demo: d.demo,
      history: d.history.map((h) => ({
        eventId: h.eventId,
        status: h.status,
        at: h.at.toISOString(),
        note: h.note,
        reason: h.reason,
        applied: h.applied,
        source: h.source,
      })),
    };
  }
}

/** Apply one status event to a dossier whose lock the caller holds (lockDossier). */
async function applyEventLocked(
  tx: Prisma.TransactionClient,
  code: string,
  ev: StatusEventInput,
  actor: string,
  cal: WorkingCalendar,
): Promise<{ duplicate: boolean; applied: boolean; change?: StatusChange }> {
  const at = new Date(ev.at);
  const d = await tx.dossier.findUnique({ where: { code } });
  if (!d) throw new AppError("not_found", `No dossier ${code}`);
  const dup = await tx.dossierStatusEvent.findUnique({ where: { dossierId_eventId: { dossierId: d.id, eventId: ev.eventId } } });
  if (dup) return { duplicate: true, applied: dup.applied };
  const applied = at >= d.statusAt;
  await tx.dossierStatusEvent.create({
    data: { dossierId: d.id, eventId: ev.eventId, status: ev.status, at, note: ev.note ?? null, reason: ev.reason ?? null, source: "api", applied },
  });
  let change: StatusChange | undefined;
  if (applied) {
    const update: Prisma.DossierUpdateInput = { status: ev.status, statusAt: at, ...derivedFromStatus(ev.status, at, { stopReason: ev.reason }, d) };
    if (ev.status === DossierStatus.SUPPLEMENT_REQUESTED) {
      update.supplementCount = { increment: 1 };
      update.supplementReason = ev.reason ?? ev.note ?? null;
      update.supplementRequestedAt = at;
    } else if (d.status === DossierStatus.SUPPLEMENT_REQUESTED && d.supplementRequestedAt && !isFinished(ev.status)) {
      // The citizen resubmitted: the clock was paused while they gathered documents.
      update.appointmentAt = cal.extendForSupplement(d.appointmentAt, d.supplementRequestedAt, at);
      update.supplementRequestedAt = null;
    }
    if (ev.status === DossierStatus.FEE_DUE) update.feeStatus = "due";
    else if (d.status === DossierStatus.FEE_DUE && d.feeStatus === "due") update.feeStatus = "paid";
    if (ev.newAppointmentAt) update.appointmentAt = new Date(ev.newAppointmentAt);
    if (ev.note && !isFinished(ev.status)) update.currentStep = ev.note;
    await tx.dossier.update({ where: { id: d.id }, data: update });
    if (d.status !== ev.status) change = { dossierId: d.id, code, from: d.status, to: ev.status, at, eventId: ev.eventId, reason: ev.reason ?? null };
  }
  await tx.auditLog.create({ data: { actor, action: "dossier.event", target: code, details: { eventId: ev.eventId, status: ev.status, applied } } });
  return { duplicate: false, applied, ...(change ? { change } : {}) };
}

/** The catalogue entries a set of rows names; the first name, duration and field given win. */
export function catalogueOf(rows: Iterable<PreparedDossier>): CatalogueRequest {
  const req: CatalogueRequest = { units: new Map(), fields: new Map(), procedures: new Map() };
  for (const p of rows) {
    const u = req.units.get(p.unit.code);
    if (!u) req.units.set(p.unit.code, { name: p.unit.name, parentCode: p.unit.parentCode });
    else {
      u.name ??= p.unit.name;
      u.parentCode ??= p.unit.parentCode;
    }
    if (p.field) {
      const f = req.fields.get(p.field.code);
      if (!f) req.fields.set(p.field.code, { name: p.field.name });
      else f.name ??= p.field.name;
    }
    const pr = req.procedures.get(p.procedure.code);
    if (!pr) req.procedures.set(p.procedure.code, { name: p.procedure.name, durationDays: p.procedure.durationDays, fieldCode: p.field?.code });
    else {
      pr.name ??= p.procedure.name;
      pr.durationDays ??= p.procedure.durationDays;
      pr.fieldCode ??= p.field?.code;
    }
  }
  return req;
}

function optionalDate(v: string | null | undefined): Date | null | undefined {
  return v === undefined ? undefined : v === null ? null : new Date(v);
}

/**
 * Timestamps implied by reaching a status, unless the sync gave them explicitly. A dossier
 * already finished (result ready, 9) keeps its finishedAt when the result is returned (10):
 * timeliness counts the agency's time, not the days until the citizen collects the result.
 */
function derivedFromStatus(
  status: number,
  at: Date,
  given: { finishedAt?: Date | null | undefined; returnedAt?: Date | null | undefined; stopReason?: string | null | undefined },
  previous?: { status: number; finishedAt: Date | null },
) {
  const out: { finishedAt?: Date; returnedAt?: Date; stopReason?: string } = {};
  const alreadyFinished = previous !== undefined && isFinished(previous.status) && previous.finishedAt !== null;
  if (isFinished(status) && given.finishedAt === undefined && !alreadyFinished) out.finishedAt = at;
  if (status === DossierStatus.RETURNED && given.returnedAt === undefined) out.returnedAt = at;
  if ((status === 3 || status === 7 || status === 8) && given.stopReason) out.stopReason = given.stopReason;
  return out;
}

export function resolveAppointment(p: PreparedDossier, durationDays: number | null, cal: WorkingCalendar): { at: Date; computed: boolean } {
  if (p.appointmentAt) return { at: p.appointmentAt, computed: false };
  if (durationDays === null || durationDays === undefined)
    throw new AppError("validation_failed", "appointmentAt is missing and the procedure has no procedureDurationDays to compute it from", {
      appointmentAt: "required when the procedure duration is unknown",
    });
  return { at: cal.appointmentDate(p.receivedAt, durationDays), computed: true };
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "P2002";
}
