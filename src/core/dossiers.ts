// Dossier use cases: upsert from the provincial software, status events, staff view.
import type { PrismaClient, Prisma } from "../generated/prisma/client.ts";
import { assessTimeliness, type WorkingCalendar } from "./calendar.ts";
import type { CalendarStore } from "./calendar-store.ts";
import { normalizeDossierCode } from "./dossier-code.ts";
import type { DossierInput, DossierView, StatusEventInput } from "./dossier-schemas.ts";
import { AppError } from "./errors.ts";
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

type Tx = Prisma.TransactionClient | PrismaClient;

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

export class DossierService {
  constructor(private readonly deps: DossierDeps) {}

  async upsert(rawCode: string, input: DossierInput, actor: string): Promise<{ created: boolean; dossier: DossierView }> {
    const code = canonicalCode(rawCode);
    const prepared = prepareDossier(code, input, this.deps.hasher);
    if ("problems" in prepared) throw new AppError("validation_failed", "Invalid dossier", prepared.problems);
    const cal = await this.deps.calendar.get();
    const { prisma } = this.deps;
    let change: StatusChange | undefined;
    const created = await prisma.$transaction(async (tx) => {
      const unitId = await ensureUnit(tx, prepared.unit);
      const procedure = await ensureProcedure(tx, prepared.procedure, prepared.field);
      const appointment = resolveAppointment(prepared, procedure.durationDays, cal);
      const existing = await tx.dossier.findUnique({ where: { code } });
      const now = new Date();
      const data = {
        unitId,
        procedureId: procedure.id,
        applicantName: prepared.applicantName,
        applicantPhone: prepared.applicantPhone,
        applicantIdHash: prepared.applicantIdHash,
        applicantIdLast4Hash: prepared.applicantIdLast4Hash,
        applicantIdMasked: prepared.applicantIdMasked,
        receivedAt: prepared.receivedAt,
        appointmentAt: appointment.at,
        appointmentComputed: appointment.computed,
        status: prepared.status,
        ...optionalFields(prepared),
      };
      if (!existing) {
        const d = await tx.dossier.create({
          data: {
            code,
            ...data,
            originalAppointmentAt: appointment.at,
            statusAt: now,
            ...derivedFromStatus(prepared.status, now, prepared),
          },
        });
        await tx.dossierStatusEvent.create({
          data: { dossierId: d.id, eventId: `sync:${now.toISOString()}:${prepared.status}`, status: prepared.status, at: now, source: "sync", applied: true },
        });
        await tx.auditLog.create({ data: { actor, action: "dossier.create", target: code } });
        return true;
      }
      const statusChanged = existing.status !== prepared.status;
      await tx.dossier.update({
        where: { id: existing.id },
        data: {
          ...data,
          ...(statusChanged ? { statusAt: now, ...derivedFromStatus(prepared.status, now, prepared, existing) } : {}),
        },
      });
      if (statusChanged) {
        const eventId = `sync:${now.toISOString()}:${prepared.status}`;
        await tx.dossierStatusEvent.create({
          data: { dossierId: existing.id, eventId, status: prepared.status, at: now, source: "sync", applied: true },
        });
        change = { dossierId: existing.id, code, from: existing.status, to: prepared.status, at: now, eventId, reason: prepared.stopReason ?? prepared.supplementReason ?? null };
      }
      await tx.auditLog.create({ data: { actor, action: "dossier.update", target: code } });
      return false;
    });
    if (change) await this.deps.onStatusChanged?.(change);
    return { created, dossier: await this.view(code) };
  }

  /**
   * Record a status event. Idempotent by eventId; an event older than the current status
   * is kept in the history but does not move the status back.
   */
  async applyEvent(rawCode: string, ev: StatusEventInput, actor: string): Promise<{ duplicate: boolean; applied: boolean; dossier: DossierView }> {
    const code = canonicalCode(rawCode);
    const { prisma } = this.deps;
    const cal = await this.deps.calendar.get();
    const at = new Date(ev.at);
    let change: StatusChange | undefined;
    let outcome: { duplicate: boolean; applied: boolean };
    try {
      outcome = await prisma.$transaction(async (tx) => {
        // Lock the row so concurrent events for one dossier apply in a defined order.
        const locked = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM "Dossier" WHERE code = ${code} FOR UPDATE`;
        if (!locked.length) throw new AppError("not_found", `No dossier ${code}`);
        const d = await tx.dossier.findUniqueOrThrow({ where: { code } });
        const dup = await tx.dossierStatusEvent.findUnique({ where: { dossierId_eventId: { dossierId: d.id, eventId: ev.eventId } } });
        if (dup) return { duplicate: true, applied: dup.applied };
        const applied = at >= d.statusAt;
        await tx.dossierStatusEvent.create({
          data: { dossierId: d.id, eventId: ev.eventId, status: ev.status, at, note: ev.note ?? null, reason: ev.reason ?? null, source: "api", applied },
        });
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
          if (d.status !== ev.status)
            change = { dossierId: d.id, code, from: d.status, to: ev.status, at, eventId: ev.eventId, reason: ev.reason ?? null };
        }
        await tx.auditLog.create({ data: { actor, action: "dossier.event", target: code, details: { eventId: ev.eventId, status: ev.status, applied } } });
        return { duplicate: false, applied };
      });
    } catch (err) {
      // Two deliveries racing: the unique (dossier, eventId) index lets only one in.
      if (isUniqueViolation(err)) outcome = { duplicate: true, applied: false };
      else throw err;
    }
    if (change) await this.deps.onStatusChanged?.(change);
    return { ...outcome, dossier: await this.view(code) };
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
      supplementPending: d.status === DossierStatus.SUPPLEMENT_REQUESTED,
      supplementRequestedAt: d.supplementRequestedAt?.toISOString() ?? null,
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

function optionalDate(v: string | null | undefined): Date | null | undefined {
  return v === undefined ? undefined : v === null ? null : new Date(v);
}

function optionalFields(p: PreparedDossier) {
  const out: Record<string, unknown> = {};
  const keys = ["returnMethod", "currentStep", "feeStatus", "feeAmount", "supplementReason", "stopReason", "finishedAt", "returnedAt", "postalDelivered"] as const;
  for (const k of keys) if (p[k] !== undefined) out[k] = p[k];
  return out;
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

export async function ensureUnit(tx: Tx, u: PreparedDossier["unit"]): Promise<number> {
  const existing = await tx.unit.findUnique({ where: { code: u.code } });
  if (existing) {
    if (u.name && u.name !== existing.name) await tx.unit.update({ where: { id: existing.id }, data: { name: u.name } });
    return existing.id;
  }
  if (!u.name) throw new AppError("validation_failed", `Unknown unit ${u.code}: unitName is required to create it`, { unitName: "required for a new unit" });
  let parentId: number | null = null;
  if (u.parentCode) {
    const parent = await tx.unit.findUnique({ where: { code: u.parentCode } });
    if (!parent) throw new AppError("validation_failed", `Unknown parent unit ${u.parentCode}`, { parentUnitCode: "unknown unit" });
    parentId = parent.id;
  }
  const created = await tx.unit.create({ data: { code: u.code, name: u.name, parentId, level: "ward" } });
  return created.id;
}

export async function ensureProcedure(
  tx: Tx,
  p: PreparedDossier["procedure"],
  f: PreparedDossier["field"],
): Promise<{ id: number; durationDays: number | null }> {
  let fieldId: number | undefined;
  if (f) {
    const field = await tx.field.findUnique({ where: { code: f.code } });
    if (field) {
      fieldId = field.id;
      if (f.name && f.name !== field.name) await tx.field.update({ where: { id: field.id }, data: { name: f.name } });
    } else {
      if (!f.name) throw new AppError("validation_failed", `Unknown field ${f.code}: fieldName is required to create it`, { fieldName: "required for a new field" });
      fieldId = (await tx.field.create({ data: { code: f.code, name: f.name } })).id;
    }
  }
  const existing = await tx.procedure.findUnique({ where: { code: p.code } });
  if (existing) {
    const data: Prisma.ProcedureUncheckedUpdateInput = {};
    if (p.name && p.name !== existing.name) data.name = p.name;
    if (p.durationDays !== undefined && p.durationDays !== existing.durationDays) data.durationDays = p.durationDays;
    if (fieldId !== undefined && fieldId !== existing.fieldId) data.fieldId = fieldId;
    if (Object.keys(data).length) await tx.procedure.update({ where: { id: existing.id }, data });
    return { id: existing.id, durationDays: p.durationDays ?? existing.durationDays };
  }
  if (!p.name) throw new AppError("validation_failed", `Unknown procedure ${p.code}: procedureName is required to create it`, { procedureName: "required for a new procedure" });
  const created = await tx.procedure.create({ data: { code: p.code, name: p.name, durationDays: p.durationDays ?? null, fieldId: fieldId ?? null } });
  return { id: created.id, durationDays: created.durationDays };
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "P2002";
}
