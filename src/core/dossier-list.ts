// The dossiers behind a number: GET /api/v1/dossiers lists dossiers by the same unit / field /
// procedure filters as the reports, plus status, lateness and a date range on the date the
// number was counted by (received, finished, appointment). "late" and "openPastDue" mean
// exactly what the timeliness report counts (src/core/stats/timeliness.ts), so clicking a
// count shows that many dossiers. No identity fields: the list is for analysts as well.
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { WorkingCalendar } from "./calendar.ts";
import { statusSchema } from "./dossier-schemas.ts";
import { AppError } from "./errors.ts";
import { FINISHED_STATUSES, STATUS_KEYS } from "./status.ts";
import { dossierConditions, resolveFilters, SqlParams, statsFilterSchema, UNIT_TREE_CTE, whereClause, type ResolvedFilters } from "./stats/filters.ts";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const dossierListFilterSchema = statsFilterSchema.omit({ channel: true }).extend({
  dateField: z
    .enum(["received", "finished", "appointment"])
    .default("received")
    .describe("Which date from/to apply to: received (default), finished (finish instant), appointment"),
  status: z
    .string()
    .trim()
    .regex(/^\d{1,2}(,\d{1,2})*$/, "comma-separated status codes 1–10")
    .transform((v) => [...new Set(v.split(",").map(Number))])
    .pipe(z.array(statusSchema))
    .optional()
    .describe("Comma-separated status codes, e.g. 4,5"),
  state: z.enum(["open", "finished"]).optional().describe("open: not finished; finished: status 3, 7, 8, 9 or 10"),
  late: bool.optional().describe("true: finished after the appointment or open past it (as of asOf); false: neither"),
  openPastDue: bool.optional().describe("true: not finished and the appointment has passed (as of asOf)"),
  finishedLate: bool.optional().describe("true: finished after the appointment"),
  rating: z.enum(["very_satisfied", "satisfied", "not_satisfied", "any", "none"]).optional().describe("Dossiers with a survey answer of this level (any / none: rated or not)"),
  code: z.string().trim().min(2).max(100).optional().describe("Part of the dossier code"),
  asOf: z.iso.datetime({ offset: true }).optional().describe("Open dossiers are judged as of this instant (default: now)"),
});
export type DossierListFilter = z.infer<typeof dossierListFilterSchema>;

export const dossierListItemSchema = z
  .object({
    code: z.string(),
    unit: z.object({ code: z.string(), name: z.string() }),
    field: z.object({ code: z.string(), name: z.string() }).nullable(),
    procedure: z.object({ code: z.string(), name: z.string(), durationDays: z.int().nullable() }),
    status: z.int(),
    statusName: z.string(),
    receivedAt: z.string(),
    appointmentAt: z.string(),
    finishedAt: z.string().nullable().describe("When the agency's clock stopped (status 3, 7, 8, 9, 10)"),
    timeliness: z.object({
      state: z.enum(["on_time", "late", "open", "overdue"]),
      workingDaysLeft: z.number().nullable().describe("Open dossiers: whole working days until the appointment (negative: late)"),
    }),
    supplementCount: z.int(),
    supplementReason: z.string().nullable(),
    stopReason: z.string().nullable(),
    demo: z.boolean(),
  })
  .meta({ id: "DossierListItem" });
export type DossierListItem = z.infer<typeof dossierListItemSchema>;

/** Keyset of the list order: newest received first. */
export const dossierListKeySchema = z.tuple([z.iso.datetime(), z.int()]);
export type DossierListKey = z.infer<typeof dossierListKeySchema>;

const FINISHED = [...FINISHED_STATUSES].join(",");
const FINISHED_AT = `COALESCE(d."finishedAt", d."statusAt")`;

export interface ResolvedListFilter {
  f: ResolvedFilters;
  q: DossierListFilter;
  asOf: Date;
}

export async function resolveListFilter(prisma: PrismaClient, q: DossierListFilter, now = new Date()): Promise<ResolvedListFilter> {
  const f = await resolveFilters(prisma, q);
  return { f, q, asOf: q.asOf ? new Date(q.asOf) : now };
}

function listWhere(r: ResolvedListFilter, params: SqlParams): string[] {
  const { f, q } = r;
  const where = dossierConditions(f, params);
  // A parameter is added only when its text is used (an unused one has no type for the server).
  let nowParam: string | undefined;
  const now = () => (nowParam ??= params.at(r.asOf));
  const dateCol = q.dateField === "finished" ? FINISHED_AT : q.dateField === "appointment" ? `d."appointmentAt"` : `d."receivedAt"`;
  if (q.dateField === "finished") where.push(`d.status IN (${FINISHED})`);
  if (f.from) where.push(`${dateCol} >= ${params.at(f.from)}`);
  if (f.to) where.push(`${dateCol} < ${params.at(f.to)}`);
  if (q.status) where.push(`d.status IN (${q.status.map((s) => params.int(s)).join(", ")})`);
  if (q.state === "open") where.push(`d.status NOT IN (${FINISHED})`);
  if (q.state === "finished") where.push(`d.status IN (${FINISHED})`);
  const finishedLate = `(d.status IN (${FINISHED}) AND ${FINISHED_AT} > d."appointmentAt")`;
  const openPastDue = () => `(d.status NOT IN (${FINISHED}) AND d."appointmentAt" < ${now()})`;
  if (q.late !== undefined) where.push(`${q.late ? "" : "NOT "}(${finishedLate} OR ${openPastDue()})`);
  if (q.openPastDue !== undefined) where.push(`${q.openPastDue ? "" : "NOT "}${openPastDue()}`);
  if (q.finishedLate !== undefined) where.push(q.finishedLate ? finishedLate : `NOT ${finishedLate}`);
  if (q.rating) {
    const rated = (level?: string) =>
      `EXISTS (SELECT 1 FROM "FeedbackResponse" r WHERE r."dossierId" = d.id AND ${level ? `r.overall::text = ${params.text(level)}` : "r.overall IS NOT NULL"})`;
    where.push(q.rating === "any" ? rated() : q.rating === "none" ? `NOT ${rated()}` : rated(q.rating));
  }
  if (q.code) where.push(`d.code ILIKE ${params.text("%" + q.code.replace(/[\\%_]/g, (c) => "\\" + c) + "%")}`);
  return where;
}

export interface DossierListRow {
  id: number;
  code: string;
  received_at: Date;
  appointment_at: Date;
  finished_at: Date | null;
  status: number;
  supplement_count: number;
  supplement_reason: string | null;
  stop_reason: string | null;
  demo: boolean;
  unit_code: string;
  unit_name: string;
  procedure_code: string;
  procedure_name: string;
  duration_days: number | null;
  field_code: string | null;
  field_name: string | null;
}

/** Rows strictly after `after` in list order (newest received first), at most `take`. */
export async function fetchDossierList(prisma: PrismaClient, r: ResolvedListFilter, after: DossierListKey | undefined, take: number): Promise<DossierListRow[]> {
  const params = new SqlParams();
  const where = listWhere(r, params);
  if (after) {
    const at = params.at(new Date(after[0]));
    where.push(`(d."receivedAt" < ${at} OR (d."receivedAt" = ${at} AND d.id < ${params.int(after[1])}))`);
  }
  const sql = `WITH RECURSIVE ${UNIT_TREE_CTE}
    SELECT d.id, d.code, d."receivedAt" AS received_at, d."appointmentAt" AS appointment_at,
           CASE WHEN d.status IN (${FINISHED}) THEN ${FINISHED_AT} END AS finished_at,
           d.status, d."supplementCount" AS supplement_count, d."supplementReason" AS supplement_reason,
           d."stopReason" AS stop_reason, d.demo,
           u.code AS unit_code, u.name AS unit_name, p.code AS procedure_code, p.name AS procedure_name,
           p."durationDays" AS duration_days, fl.code AS field_code, fl.name AS field_name
    FROM "Dossier" d
    JOIN "Unit" u ON u.id = d."unitId"
    JOIN "Procedure" p ON p.id = d."procedureId"
    LEFT JOIN "Field" fl ON fl.id = p."fieldId"
    ${whereClause(where)}
    ORDER BY d."receivedAt" DESC, d.id DESC
    LIMIT ${params.int(take)}`;
  return prisma.$queryRawUnsafe<DossierListRow[]>(sql, ...params.values);
}

/** How many dossiers match (shown next to the first page). */
export async function countDossierList(prisma: PrismaClient, r: ResolvedListFilter): Promise<number> {
  const params = new SqlParams();
  const where = listWhere(r, params);
  const sql = `WITH RECURSIVE ${UNIT_TREE_CTE}
    SELECT count(*)::int AS n FROM "Dossier" d JOIN "Procedure" p ON p.id = d."procedureId" ${whereClause(where)}`;
  const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(sql, ...params.values);
  return Number(row?.n ?? 0);
}

export function dossierListItem(row: DossierListRow, cal: WorkingCalendar, asOf: Date): DossierListItem {
  const finished = row.finished_at;
  const late = (finished ?? asOf).getTime() > row.appointment_at.getTime();
  return {
    code: row.code,
    unit: { code: row.unit_code, name: row.unit_name },
    field: row.field_code === null ? null : { code: row.field_code, name: row.field_name ?? "" },
    procedure: { code: row.procedure_code, name: row.procedure_name, durationDays: row.duration_days },
    status: row.status,
    statusName: STATUS_KEYS[row.status] ?? "unknown",
    receivedAt: row.received_at.toISOString(),
    appointmentAt: row.appointment_at.toISOString(),
    finishedAt: finished?.toISOString() ?? null,
    timeliness: {
      state: finished ? (late ? "late" : "on_time") : late ? "overdue" : "open",
      workingDaysLeft: finished ? null : cal.workingDaysLeft(asOf, row.appointment_at),
    },
    supplementCount: row.supplement_count,
    supplementReason: row.supplement_reason,
    stopReason: row.stop_reason,
    demo: row.demo,
  };
}

export const DOSSIER_LIST_EXPORT_LIMIT = 100_000;

/** Refuses exports larger than the cap before anything is streamed. */
export function checkExportSize(n: number): void {
  if (n > DOSSIER_LIST_EXPORT_LIMIT)
    throw new AppError("unprocessable", `${n} dossiers match: narrow the filters to at most ${DOSSIER_LIST_EXPORT_LIMIT} for an export`, { matching: n });
}

/** CSV columns of the list export, with English or Vietnamese headers. */
export const DOSSIER_LIST_COLUMNS: { key: string; en: string; vi: string; type: "text" | "number" | "date"; value: (i: DossierListItem) => string | number | Date | null }[] = [
  { key: "code", en: "code", vi: "Mã hồ sơ", type: "text", value: (i) => i.code },
  { key: "unitCode", en: "unitCode", vi: "Mã đơn vị", type: "text", value: (i) => i.unit.code },
  { key: "unitName", en: "unitName", vi: "Đơn vị", type: "text", value: (i) => i.unit.name },
  { key: "fieldName", en: "fieldName", vi: "Lĩnh vực", type: "text", value: (i) => i.field?.name ?? null },
  { key: "procedureCode", en: "procedureCode", vi: "Mã thủ tục", type: "text", value: (i) => i.procedure.code },
  { key: "procedureName", en: "procedureName", vi: "Thủ tục", type: "text", value: (i) => i.procedure.name },
  { key: "status", en: "status", vi: "Trạng thái (mã)", type: "number", value: (i) => i.status },
  { key: "statusName", en: "statusName", vi: "Trạng thái", type: "text", value: (i) => i.statusName },
  { key: "receivedAt", en: "receivedAt", vi: "Ngày tiếp nhận", type: "date", value: (i) => new Date(i.receivedAt) },
  { key: "appointmentAt", en: "appointmentAt", vi: "Ngày hẹn trả", type: "date", value: (i) => new Date(i.appointmentAt) },
  { key: "finishedAt", en: "finishedAt", vi: "Ngày hoàn thành", type: "date", value: (i) => (i.finishedAt ? new Date(i.finishedAt) : null) },
  { key: "timeliness", en: "timeliness", vi: "Tiến độ", type: "text", value: (i) => i.timeliness.state },
  { key: "workingDaysLeft", en: "workingDaysLeft", vi: "Số ngày làm việc còn lại", type: "number", value: (i) => i.timeliness.workingDaysLeft },
  { key: "supplementCount", en: "supplementCount", vi: "Số lần yêu cầu bổ sung", type: "number", value: (i) => i.supplementCount },
  { key: "supplementReason", en: "supplementReason", vi: "Lý do bổ sung", type: "text", value: (i) => i.supplementReason },
  { key: "stopReason", en: "stopReason", vi: "Lý do từ chối/dừng", type: "text", value: (i) => i.stopReason },
];
