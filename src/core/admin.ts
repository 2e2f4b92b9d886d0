// Administration use cases: units, fields, procedures, the holiday calendar, API keys and
// the audit log. Transport-free: the REST routes (src/api/routes/admin.ts) validate with
// the zod schemas below and call AdminService. Every mutation writes an AuditLog row in
// the same transaction as the change.
import { z } from "zod";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { createApiKey, revokeApiKey, type Role } from "./api-keys.ts";
import { formatLocal } from "./calendar.ts";
import type { CalendarStore } from "./calendar-store.ts";
import { AppError } from "./errors.ts";

// ------------------------------------------------------------------------------ schemas

const text = (max: number) => z.string().trim().min(1).max(max);
/** Optional text: omitted = unchanged (on update), null or "" = cleared. */
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
export const codeSchema = text(64);

export const unitLevelSchema = z.enum(["province", "district", "ward", "department"]);
export type UnitLevel = z.infer<typeof unitLevelSchema>;

export const unitInputSchema = z
  .strictObject({
    name: text(300),
    level: unitLevelSchema.optional().describe("New unit: defaults to ward. Omitted on update: unchanged"),
    parentCode: codeSchema.nullable().optional().describe("Code of an existing unit; null makes a root unit. Omitted on update: unchanged"),
    hotline: optionalText(50),
    address: optionalText(500),
    openingHours: optionalText(500),
  })
  .meta({ id: "UnitInput" });
export type UnitInput = z.infer<typeof unitInputSchema>;

export const unitSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    level: unitLevelSchema,
    parentCode: z.string().nullable(),
    hotline: z.string().nullable(),
    address: z.string().nullable(),
    openingHours: z.string().nullable(),
    demo: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Unit" });
export type UnitView = z.infer<typeof unitSchema>;

export const unitDetailSchema = unitSchema
  .extend({ childrenCodes: z.array(z.string()), dossierCount: z.int() })
  .meta({ id: "UnitDetail" });
export type UnitDetail = z.infer<typeof unitDetailSchema>;

export const fieldInputSchema = z.strictObject({ name: text(300) }).meta({ id: "FieldInput" });
export type FieldInput = z.infer<typeof fieldInputSchema>;

export const fieldSchema = z
  .object({ code: z.string(), name: z.string(), procedureCount: z.int(), demo: z.boolean() })
  .meta({ id: "Field" });
export type FieldView = z.infer<typeof fieldSchema>;

export const procedureInputSchema = z
  .strictObject({
    name: text(500),
    fieldCode: codeSchema.nullable().optional().describe("Code of an existing field (lĩnh vực); null clears it. Omitted on update: unchanged"),
    durationDays: z.int().min(0).max(365).nullable().optional().describe("Statutory duration in working days (0–365). Omitted on update: unchanged"),
  })
  .meta({ id: "ProcedureInput" });
export type ProcedureInput = z.infer<typeof procedureInputSchema>;

export const procedureSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    fieldCode: z.string().nullable(),
    fieldName: z.string().nullable(),
    durationDays: z.int().nullable(),
    demo: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Procedure" });
export type ProcedureView = z.infer<typeof procedureSchema>;

export const procedureDetailSchema = procedureSchema.extend({ dossierCount: z.int() }).meta({ id: "ProcedureDetail" });
export type ProcedureDetail = z.infer<typeof procedureDetailSchema>;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "YYYY-MM-DD" that names a day that exists (no 2026-02-30). */
export function isRealDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export const localDateSchema = z
  .string()
  .regex(DATE_RE, "must be a date YYYY-MM-DD")
  .refine(isRealDate, "is not a real calendar date")
  .describe("Local date (Asia/Ho_Chi_Minh) YYYY-MM-DD");

export const calendarDayKindSchema = z
  .enum(["day_off", "extra_working_day"])
  .describe("day_off: a weekday (Mon–Fri) not worked; extra_working_day: a weekend day worked (swapped Saturday)");
export type CalendarDayKind = z.infer<typeof calendarDayKindSchema>;

export const calendarDayInputSchema = z
  .strictObject({
    kind: calendarDayKindSchema,
    name: optionalText(300).describe("e.g. Tết Nguyên Đán"),
    source: optionalText(1000).describe("Legal basis, e.g. the decision number and a link"),
  })
  .meta({ id: "CalendarDayInput" });
export type CalendarDayInput = z.infer<typeof calendarDayInputSchema>;

export const calendarDaySchema = z
  .object({ date: z.string(), kind: calendarDayKindSchema, name: z.string().nullable(), source: z.string().nullable() })
  .meta({ id: "CalendarDay" });
export type CalendarDayView = z.infer<typeof calendarDaySchema>;

const importDay = z.union([localDateSchema, z.strictObject({ date: localDateSchema, name: optionalText(300) })]);

export const holidayImportSchema = z
  .strictObject({
    year: z.int().min(1900).max(2200),
    daysOff: z.array(importDay).max(366).describe("Weekdays off: \"YYYY-MM-DD\" or { date, name }"),
    extraWorkingDays: z.array(importDay).max(366).describe("Weekend days worked: \"YYYY-MM-DD\" or { date, name }"),
    source: optionalText(1000),
  })
  .meta({ id: "HolidayImport" });
export type HolidayImport = z.infer<typeof holidayImportSchema>;

export const holidayImportResultSchema = z
  .object({ year: z.int(), removed: z.int(), daysOff: z.int(), extraWorkingDays: z.int() })
  .meta({ id: "HolidayImportResult" });
export type HolidayImportResult = z.infer<typeof holidayImportResultSchema>;

export const appointmentSchema = z
  .object({
    receivedAt: z.string(),
    days: z.number(),
    countingStartsAt: z.string().describe("When the statutory clock starts (next working session)"),
    appointmentAt: z.string(),
    appointmentLocal: z.string().describe("dd/MM/yyyy HH:mm in Asia/Ho_Chi_Minh"),
    now: z.string(),
    workingDaysLeft: z.number().describe("Whole working days from now to the appointment; negative when past"),
  })
  .meta({ id: "Appointment" });
export type AppointmentView = z.infer<typeof appointmentSchema>;

export const roleSchema = z.enum(["staff", "analyst", "admin"]);

export const apiKeyInputSchema = z.strictObject({ role: roleSchema, name: text(100) }).meta({ id: "ApiKeyInput" });
export type ApiKeyInput = z.infer<typeof apiKeyInputSchema>;

export const apiKeySchema = z
  .object({
    id: z.int(),
    name: z.string(),
    role: roleSchema,
    prefix: z.string().describe("First characters of the key, to recognise it"),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "ApiKey" });
export type ApiKeyView = z.infer<typeof apiKeySchema>;

export const apiKeyCreatedSchema = z
  .object({ id: z.int(), key: z.string().describe("Shown once: store it now"), prefix: z.string(), role: roleSchema, name: z.string() })
  .meta({ id: "ApiKeyCreated" });
export type ApiKeyCreated = z.infer<typeof apiKeyCreatedSchema>;

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    details: z.unknown().nullable(),
  })
  .meta({ id: "AuditLogEntry" });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

// ------------------------------------------------------------------------------ service

/** Keyset page request: rows strictly after `after` in the list order, at most `take`. */
export interface KeysetPage<K> {
  after?: K | undefined;
  take: number;
}

export interface AuditFilter {
  action?: string | undefined;
  actor?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}
export interface AuditKey {
  at: string;
  id: string;
}

type Tx = Prisma.TransactionClient;

// Transaction-scoped advisory locks serialise edits that read-then-write across rows.
const LOCK_UNIT_TREE = 72_040_001;
const LOCK_CALENDAR = 72_040_002;

export interface AdminDeps {
  prisma: PrismaClient;
  calendar: CalendarStore;
}

export class AdminService {
  constructor(private readonly deps: AdminDeps) {}

  // ------------------------------------------------------------------ units

  async listUnits(filter: { parentCode?: string | undefined; q?: string | undefined }, page: KeysetPage<string>): Promise<UnitView[]> {
    const and: Prisma.UnitWhereInput[] = [];
    if (filter.parentCode !== undefined) and.push({ parent: { is: { code: filter.parentCode } } });
    if (filter.q) and.push({ OR: [{ name: { contains: filter.q, mode: "insensitive" } }, { code: { contains: filter.q, mode: "insensitive" } }] });
    if (page.after !== undefined) and.push({ code: { gt: page.after } });
    const rows = await this.deps.prisma.unit.findMany({
      where: { AND: and },
      orderBy: { code: "asc" },
      take: page.take,
      include: { parent: { select: { code: true } } },
    });
    return rows.map(unitView);
  }

  async getUnit(code: string): Promise<UnitDetail> {
    const u = await this.deps.prisma.unit.findUnique({
      where: { code },
      include: { parent: { select: { code: true } }, children: { select: { code: true }, orderBy: { code: "asc" } }, _count: { select: { dossiers: true } } },
    });
    if (!u) throw new AppError("not_found", `No unit ${code}`);
    return { ...unitView(u), childrenCodes: u.children.map((c) => c.code), dossierCount: u._count.dossiers };
  }

  async upsertUnit(code: string, input: UnitInput, actor: string): Promise<{ created: boolean; unit: UnitDetail }> {
    const created = await retryOnUniqueViolation(() => this.deps.prisma.$transaction(async (tx) => {
      await advisoryLock(tx, LOCK_UNIT_TREE);
      const existing = await tx.unit.findUnique({ where: { code }, include: { parent: { select: { code: true } } } });
      let parentId: number | null | undefined;
      if (input.parentCode === null) parentId = null;
      else if (input.parentCode !== undefined) {
        if (input.parentCode === code) throw new AppError("unprocessable", `Unit ${code} cannot be its own parent`, { parentCode: "is the unit itself" });
        const parent = await tx.unit.findUnique({ where: { code: input.parentCode } });
        if (!parent) throw new AppError("unprocessable", `Unknown parent unit ${input.parentCode}: create it first`, { parentCode: "unknown unit" });
        if (existing) await assertNoCycle(tx, existing, parent);
        parentId = parent.id;
      }
      const data = {
        name: input.name,
        ...(input.level !== undefined ? { level: input.level } : {}),
        ...(parentId !== undefined ? { parentId } : {}),
        ...optionalTexts(input, ["hotline", "address", "openingHours"]),
      };
      if (existing) await tx.unit.update({ where: { id: existing.id }, data });
      else await tx.unit.create({ data: { code, ...data } });
      await audit(tx, actor, "unit.upsert", `unit:${code}`, {
        created: !existing,
        input,
        ...(existing ? { before: pick(unitView(existing), ["name", "level", "parentCode", "hotline", "address", "openingHours"]) } : {}),
      });
      return !existing;
    }));
    return { created, unit: await this.getUnit(code) };
  }

  async deleteUnit(code: string, actor: string): Promise<void> {
    await this.deps.prisma.$transaction(async (tx) => {
      await advisoryLock(tx, LOCK_UNIT_TREE);
      const u = await tx.unit.findUnique({ where: { code }, include: { _count: { select: { dossiers: true, children: true } } } });
      if (!u) throw new AppError("not_found", `No unit ${code}`);
      const { dossiers, children } = u._count;
      if (dossiers || children)
        throw new AppError("conflict", `Unit ${code} still has ${plural(dossiers, "dossier")} and ${plural(children, "child unit")}: it cannot be deleted`, {
          dossiers,
          children,
        });
      await tx.unit.delete({ where: { id: u.id } });
      await audit(tx, actor, "unit.delete", `unit:${code}`, { before: pick(unitView({ ...u, parent: null }), ["name", "level", "hotline", "address", "openingHours"]) });
    }).catch(conflictOnForeignKey(`Unit ${code} is still referenced (a dossier or child unit was added meanwhile)`));
  }

  // ------------------------------------------------------------------ fields

  async listFields(page: KeysetPage<string>): Promise<FieldView[]> {
    const rows = await this.deps.prisma.field.findMany({
      where: page.after !== undefined ? { code: { gt: page.after } } : {},
      orderBy: { code: "asc" },
      take: page.take,
      include: { _count: { select: { procedures: true } } },
    });
    return rows.map((f) => ({ code: f.code, name: f.name, procedureCount: f._count.procedures, demo: f.demo }));
  }

  async upsertField(code: string, input: FieldInput, actor: string): Promise<{ created: boolean; field: FieldView }> {
    const created = await retryOnUniqueViolation(() => this.deps.prisma.$transaction(async (tx) => {
      const existing = await tx.field.findUnique({ where: { code } });
      if (existing) await tx.field.update({ where: { id: existing.id }, data: { name: input.name } });
      else await tx.field.create({ data: { code, name: input.name } });
      await audit(tx, actor, "field.upsert", `field:${code}`, { created: !existing, input, ...(existing ? { before: { name: existing.name } } : {}) });
      return !existing;
    }));
    const f = await this.deps.prisma.field.findUniqueOrThrow({ where: { code }, include: { _count: { select: { procedures: true } } } });
    return { created, field: { code: f.code, name: f.name, procedureCount: f._count.procedures, demo: f.demo } };
  }

  // ------------------------------------------------------------------ procedures

  async listProcedures(filter: { fieldCode?: string | undefined }, page: KeysetPage<string>): Promise<ProcedureView[]> {
    const and: Prisma.ProcedureWhereInput[] = [];
    if (filter.fieldCode !== undefined) and.push({ field: { is: { code: filter.fieldCode } } });
    if (page.after !== undefined) and.push({ code: { gt: page.after } });
    const rows = await this.deps.prisma.procedure.findMany({
      where: { AND: and },
      orderBy: { code: "asc" },
      take: page.take,
      include: { field: true },
    });
    return rows.map(procedureView);
  }

  async getProcedure(code: string): Promise<ProcedureDetail> {
    const p = await this.deps.prisma.procedure.findUnique({ where: { code }, include: { field: true, _count: { select: { dossiers: true } } } });
    if (!p) throw new AppError("not_found", `No procedure ${code}`);
    return { ...procedureView(p), dossierCount: p._count.dossiers };
  }

  async upsertProcedure(code: string, input: ProcedureInput, actor: string): Promise<{ created: boolean; procedure: ProcedureDetail }> {
    const created = await retryOnUniqueViolation(() => this.deps.prisma.$transaction(async (tx) => {
      const existing = await tx.procedure.findUnique({ where: { code }, include: { field: true } });
      let fieldId: number | null | undefined;
      if (input.fieldCode === null) fieldId = null;
      else if (input.fieldCode !== undefined) {
        const field = await tx.field.findUnique({ where: { code: input.fieldCode } });
        if (!field) throw new AppError("unprocessable", `Unknown field ${input.fieldCode}: create it first with PUT /api/v1/fields/${input.fieldCode}`, { fieldCode: "unknown field" });
        fieldId = field.id;
      }
      const data = {
        name: input.name,
        ...(fieldId !== undefined ? { fieldId } : {}),
        ...(input.durationDays !== undefined ? { durationDays: input.durationDays } : {}),
      };
      if (existing) await tx.procedure.update({ where: { id: existing.id }, data });
      else await tx.procedure.create({ data: { code, ...data } });
      // Old and new value of each rule that changed (the statutory duration above all).
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (existing) {
        const before = procedureView(existing);
        if (input.name !== before.name) changes.name = { from: before.name, to: input.name };
        if (input.durationDays !== undefined && input.durationDays !== before.durationDays) changes.durationDays = { from: before.durationDays, to: input.durationDays };
        if (input.fieldCode !== undefined && input.fieldCode !== before.fieldCode) changes.fieldCode = { from: before.fieldCode, to: input.fieldCode };
      }
      await audit(tx, actor, "procedure.upsert", `procedure:${code}`, {
        created: !existing,
        input,
        ...(Object.keys(changes).length ? { changes } : {}),
        ...(existing ? { before: pick(procedureView(existing), ["name", "fieldCode", "durationDays"]) } : {}),
      });
      return !existing;
    }));
    return { created, procedure: await this.getProcedure(code) };
  }

  async deleteProcedure(code: string, actor: string): Promise<void> {
    await this.deps.prisma.$transaction(async (tx) => {
      const p = await tx.procedure.findUnique({ where: { code }, include: { field: true, _count: { select: { dossiers: true } } } });
      if (!p) throw new AppError("not_found", `No procedure ${code}`);
      if (p._count.dossiers)
        throw new AppError("conflict", `Procedure ${code} still has ${plural(p._count.dossiers, "dossier")}: it cannot be deleted`, { dossiers: p._count.dossiers });
      await tx.procedure.delete({ where: { id: p.id } });
      await audit(tx, actor, "procedure.delete", `procedure:${code}`, { before: pick(procedureView(p), ["name", "fieldCode", "durationDays"]) });
    }).catch(conflictOnForeignKey(`Procedure ${code} is still referenced (a dossier was added meanwhile)`));
  }

  // ------------------------------------------------------------------ holiday calendar

  async listHolidays(filter: { year?: number | undefined }, page: KeysetPage<string>): Promise<CalendarDayView[]> {
    const and: Prisma.CalendarDayWhereInput[] = [];
    if (filter.year !== undefined) and.push({ date: { startsWith: `${filter.year}-` } });
    if (page.after !== undefined) and.push({ date: { gt: page.after } });
    const rows = await this.deps.prisma.calendarDay.findMany({ where: { AND: and }, orderBy: { date: "asc" }, take: page.take });
    return rows.map(calendarDayView);
  }

  async putHoliday(date: string, input: CalendarDayInput, actor: string): Promise<{ created: boolean; day: CalendarDayView }> {
    assertDate(date);
    const problem = kindProblem(date, input.kind);
    if (problem) throw new AppError("unprocessable", problem, { kind: problem });
    const out = await this.deps.prisma.$transaction(async (tx) => {
      await advisoryLock(tx, LOCK_CALENDAR);
      const existing = await tx.calendarDay.findUnique({ where: { date } });
      const data = { kind: input.kind, ...optionalTexts(input, ["name", "source"]) };
      const row = existing ? await tx.calendarDay.update({ where: { date }, data }) : await tx.calendarDay.create({ data: { date, ...data } });
      await audit(tx, actor, "holiday.upsert", `holiday:${date}`, { created: !existing, input, ...(existing ? { before: calendarDayView(existing) } : {}) });
      return { created: !existing, day: calendarDayView(row) };
    });
    this.deps.calendar.invalidate();
    return out;
  }

  async deleteHoliday(date: string, actor: string): Promise<void> {
    assertDate(date);
    await this.deps.prisma.$transaction(async (tx) => {
      await advisoryLock(tx, LOCK_CALENDAR);
      const existing = await tx.calendarDay.findUnique({ where: { date } });
      if (!existing) throw new AppError("not_found", `No calendar entry on ${date}`);
      await tx.calendarDay.delete({ where: { date } });
      await audit(tx, actor, "holiday.delete", `holiday:${date}`, { before: calendarDayView(existing) });
    });
    this.deps.calendar.invalidate();
  }

  /** Replace every CalendarDay row of one year, all or nothing. */
  async importHolidays(input: HolidayImport, actor: string): Promise<HolidayImportResult> {
    const rows: { date: string; kind: CalendarDayKind; name: string | null; source: string | null }[] = [];
    const problems: { path: string; message: string }[] = [];
    const seen = new Map<string, string>();
    const source = blankToNull(input.source);
    for (const [list, kind] of [
      ["daysOff", "day_off"],
      ["extraWorkingDays", "extra_working_day"],
    ] as const) {
      input[list].forEach((entry, i) => {
        const { date, name } = typeof entry === "string" ? { date: entry, name: null } : entry;
        const path = `${list}.${i}`;
        if (!date.startsWith(`${input.year}-`)) return problems.push({ path, message: `${date} is not in ${input.year}` });
        const other = seen.get(date);
        if (other) return problems.push({ path, message: `${date} is listed twice (also at ${other})` });
        seen.set(date, path);
        const problem = kindProblem(date, kind);
        if (problem) return problems.push({ path, message: problem });
        rows.push({ date, kind, name: blankToNull(name), source });
      });
    }
    if (problems.length)
      throw new AppError("unprocessable", `Invalid holiday import: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, problems);
    const out = await this.deps.prisma.$transaction(async (tx) => {
      await advisoryLock(tx, LOCK_CALENDAR);
      const { count: removed } = await tx.calendarDay.deleteMany({ where: { date: { startsWith: `${input.year}-` } } });
      if (rows.length) await tx.calendarDay.createMany({ data: rows });
      const result = {
        year: input.year,
        removed,
        daysOff: rows.filter((r) => r.kind === "day_off").length,
        extraWorkingDays: rows.filter((r) => r.kind === "extra_working_day").length,
      };
      await audit(tx, actor, "holiday.import", `holiday-year:${input.year}`, { ...result, source });
      return result;
    });
    this.deps.calendar.invalidate();
    return out;
  }

  /** Appointment for a dossier received at `receivedAt` with a duration in working days. */
  async appointment(receivedAt: Date, days: number, now = new Date()): Promise<AppointmentView> {
    const cal = await this.deps.calendar.get();
    const appointmentAt = cal.appointmentDate(receivedAt, days);
    return {
      receivedAt: receivedAt.toISOString(),
      days,
      countingStartsAt: cal.startOfCounting(receivedAt).toISOString(),
      appointmentAt: appointmentAt.toISOString(),
      appointmentLocal: formatLocal(appointmentAt),
      now: now.toISOString(),
      workingDaysLeft: cal.workingDaysLeft(now, appointmentAt),
    };
  }

  // ------------------------------------------------------------------ API keys

  async listApiKeys(page: KeysetPage<number>): Promise<ApiKeyView[]> {
    const rows = await this.deps.prisma.apiKey.findMany({
      where: page.after !== undefined ? { id: { gt: page.after } } : {},
      orderBy: { id: "asc" },
      take: page.take,
      // Never the hash (nor, of course, the key: it is not stored).
      select: { id: true, name: true, role: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    });
    return rows.map((k) => ({
      id: k.id,
      name: k.name,
      role: k.role,
      prefix: k.prefix,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    }));
  }

  async createApiKey(input: ApiKeyInput, actor: string): Promise<ApiKeyCreated> {
    const { id, key, prefix } = await createApiKey(this.deps.prisma, input.role as Role, input.name, actor);
    return { id, key, prefix, role: input.role, name: input.name };
  }

  /** Revoke a key (idempotent for an already revoked key); 404 for an unknown id. */
  async revokeApiKey(id: number, actor: string): Promise<void> {
    const row = await this.deps.prisma.apiKey.findUnique({ where: { id }, select: { id: true } });
    if (!row) throw new AppError("not_found", `No API key ${id}`);
    await revokeApiKey(this.deps.prisma, id, actor);
  }

  // ------------------------------------------------------------------ audit log

  /** Newest first (at, then id, descending). */
  async listAudit(filter: AuditFilter, page: KeysetPage<AuditKey>): Promise<AuditEntry[]> {
    const and: Prisma.AuditLogWhereInput[] = [];
    if (filter.action) and.push(filter.action.endsWith("*") ? { action: { startsWith: filter.action.slice(0, -1) } } : { action: filter.action });
    if (filter.actor) and.push({ actor: filter.actor });
    if (filter.since) and.push({ at: { gte: filter.since } });
    if (filter.until) and.push({ at: { lt: filter.until } });
    if (page.after) {
      const at = new Date(page.after.at);
      const id = BigInt(page.after.id);
      and.push({ OR: [{ at: { lt: at } }, { at, id: { lt: id } }] });
    }
    const rows = await this.deps.prisma.auditLog.findMany({ where: { AND: and }, orderBy: [{ at: "desc" }, { id: "desc" }], take: page.take });
    return rows.map((r) => ({ id: r.id.toString(), at: r.at.toISOString(), actor: r.actor, action: r.action, target: r.target, details: r.details ?? null }));
  }
}

// ------------------------------------------------------------------------------ helpers

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

function weekday(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Why a calendar entry of this kind makes no sense on this date, or null. */
export function kindProblem(date: string, kind: CalendarDayKind): string | null {
  const dow = weekday(date);
  const weekend = dow === 0 || dow === 6;
  if (kind === "day_off" && weekend)
    return `${date} is a ${WEEKDAYS[dow]}: weekends are already days off, so day_off only applies to Monday–Friday (for a holiday falling on a weekend, enter the compensatory weekday instead)`;
  if (kind === "extra_working_day" && !weekend)
    return `${date} is a ${WEEKDAYS[dow]}: weekdays are already working days, so extra_working_day only applies to a Saturday or Sunday worked in exchange for a day off`;
  return null;
}

function assertDate(date: string): void {
  if (!isRealDate(date)) throw new AppError("bad_request", `Invalid date "${date.slice(0, 40)}": expected a real date YYYY-MM-DD`, { date: "invalid" });
}

async function advisoryLock(tx: Tx, key: number): Promise<void> {
  // key is one of the integer constants above, never user input.
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${Math.trunc(key)})`);
}

/** Refuse a parent that is the unit itself or one of its descendants. */
async function assertNoCycle(tx: Tx, unit: { id: number; code: string }, parent: { id: number; code: string; parentId: number | null }): Promise<void> {
  const path = [parent.code];
  const visited = new Set<number>([parent.id]);
  let cur: { id: number; code: string; parentId: number | null } = parent;
  for (;;) {
    if (cur.id === unit.id) {
      throw new AppError("unprocessable", `Unit ${parent.code} is a descendant of ${unit.code} (${[...path].reverse().join(" → ")}): making it the parent would create a cycle`, {
        parentCode: "would create a cycle",
        path: [...path].reverse(),
      });
    }
    if (cur.parentId === null || visited.has(cur.parentId)) return;
    visited.add(cur.parentId);
    const next = await tx.unit.findUnique({ where: { id: cur.parentId }, select: { id: true, code: true, parentId: true } });
    if (!next) return;
    path.push(next.code);
    cur = next;
  }
}

async function audit(tx: Tx, actor: string, action: string, target: string, details: Record<string, unknown>): Promise<void> {
  await tx.auditLog.create({ data: { actor, action, target, details: JSON.parse(JSON.stringify(details)) as Prisma.InputJsonValue } });
}

function conflictOnForeignKey(message: string): (err: unknown) => never {
  return (err) => {
    if (typeof err === "object" && err !== null && (err as { code?: string }).code === "P2003") throw new AppError("conflict", message);
    throw err;
  };
}

function blankToNull(v: string | null | undefined): string | null {
  return v === undefined || v === null || v === "" ? null : v;
}

/** Only the keys present in the input: undefined = unchanged, null/"" = cleared. */
function optionalTexts<T extends Record<string, unknown>, K extends keyof T & string>(input: T, keys: readonly K[]): Partial<Record<K, string | null>> {
  const out: Partial<Record<K, string | null>> = {};
  for (const k of keys) {
    const v = input[k] as string | null | undefined;
    if (v !== undefined) out[k] = blankToNull(v);
  }
  return out;
}

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = obj[k];
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

type UnitRow = Prisma.UnitGetPayload<object> & { parent: { code: string } | null };

function unitView(u: UnitRow): UnitView {
  return {
    code: u.code,
    name: u.name,
    level: u.level,
    parentCode: u.parent?.code ?? null,
    hotline: u.hotline,
    address: u.address,
    openingHours: u.openingHours,
    demo: u.demo,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

type ProcedureRow = Prisma.ProcedureGetPayload<{ include: { field: true } }>;

function procedureView(p: ProcedureRow): ProcedureView {
  return {
    code: p.code,
    name: p.name,
    fieldCode: p.field?.code ?? null,
    fieldName: p.field?.name ?? null,
    durationDays: p.durationDays,
    demo: p.demo,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

function calendarDayView(d: { date: string; kind: CalendarDayKind; name: string | null; source: string | null }): CalendarDayView {
  return { date: d.date, kind: d.kind, name: d.name, source: d.source };
}

/** Two admins creating the same code at once: the loser retries and updates instead of failing on the unique key. */
async function retryOnUniqueViolation<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 2 || (err as { code?: string }).code !== "P2002") throw err;
    }
  }
}
