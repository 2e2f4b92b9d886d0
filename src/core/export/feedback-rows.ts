// Feedback rows for the list API and the CSV/XLSX exports: one row per dossier response,
// read from the database in keyset-paginated batches (ordered by response id), so memory
// stays flat however many rows there are. Columns: docs/exports.md.
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { IdentityHasher } from "../identity.ts";
import { dossierConditions, periodConditions, resolveFilters, SqlParams, statsFilterSchema, UNIT_TREE_CTE, whereClause, type ResolvedFilters } from "../stats/filters.ts";
import { choiceLabel, type SurveyDefinition } from "../survey/definition.ts";
import { surveysById } from "../survey/versions.ts";

export const feedbackFilterSchema = statsFilterSchema.extend({
  identities: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .describe("Admins only: include the applicant's name and phone instead of the pseudonym alone (audit-logged)"),
});
export type FeedbackFilterInput = z.input<typeof feedbackFilterSchema>;
export type FeedbackFilter = z.infer<typeof feedbackFilterSchema>;

/** A response joined with its dossier, as read from the database. */
export interface RawFeedbackRow {
  id: number;
  dossier_code: string;
  unit_code: string;
  unit_name: string;
  field_code: string | null;
  field_name: string | null;
  procedure_code: string;
  procedure_name: string;
  /** Instants as epoch milliseconds: the driver parses numbers far faster than timestamps. */
  received_at: number;
  appointment_at: number;
  finished_at: number | null;
  returned_at: number | null;
  channel: string;
  survey_version_id: number;
  survey_version: number;
  overall: string | null;
  visits: number | null;
  on_time: boolean | null;
  staff_attitude: string | null;
  /** Reason codes joined with ";" (codes never contain it). */
  reasons: string | null;
  comment: string | null;
  complaint: boolean;
  first_answered_at: number;
  updated_at: number;
  applicant_id_hash: string | null;
  applicant_phone: string | null;
  applicant_name: string;
}

/** The period of a response is the return of the result it rates (see docs/satisfaction.md). */
export const RESPONSE_REF = `COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt")`;

/** A UTC timestamp(3) column as epoch milliseconds (float8 holds them exactly). */
const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

/** Columns and joins of a feedback row (also used by bench/export.ts for its COPY baseline). */
export const FEEDBACK_SELECT = `SELECT r.id, d.code AS dossier_code, u.code AS unit_code, u.name AS unit_name, fl.code AS field_code, fl.name AS field_name,
      p.code AS procedure_code, p.name AS procedure_name, ${ms(`d."receivedAt"`)} AS received_at, ${ms(`d."appointmentAt"`)} AS appointment_at,
      ${ms(`d."finishedAt"`)} AS finished_at, ${ms(`d."returnedAt"`)} AS returned_at, r.channel::text AS channel, r."surveyVersionId" AS survey_version_id,
      sv.version AS survey_version, r.overall::text AS overall, r.visits, r."onTime" AS on_time, r."staffAttitude" AS staff_attitude,
      NULLIF(array_to_string(r.reasons, ';'), '') AS reasons, r.comment, r.complaint, ${ms(`r."firstAnsweredAt"`)} AS first_answered_at, ${ms(`r."updatedAt"`)} AS updated_at,
      d."applicantIdHash" AS applicant_id_hash, d."applicantPhone" AS applicant_phone, d."applicantName" AS applicant_name
    FROM "FeedbackResponse" r
    JOIN "Dossier" d ON d.id = r."dossierId"
    JOIN "Unit" u ON u.id = d."unitId"
    JOIN "Procedure" p ON p.id = d."procedureId"
    LEFT JOIN "Field" fl ON fl.id = p."fieldId"
    JOIN "SurveyVersion" sv ON sv.id = r."surveyVersionId"`;

function batchSql(f: ResolvedFilters, params: SqlParams, afterId: number, take: number): string {
  const where = dossierConditions(f, params);
  if (f.channel) where.push(`r.channel::text = ${params.text(f.channel)}`);
  where.push(...periodConditions(f, params, RESPONSE_REF));
  where.push(`r.id > ${params.int(afterId)}`);
  return `WITH RECURSIVE ${UNIT_TREE_CTE}
    ${FEEDBACK_SELECT}
    ${whereClause(where)}
    ORDER BY r.id
    LIMIT ${params.int(take)}`;
}

export async function fetchFeedbackBatch(prisma: PrismaClient, f: ResolvedFilters, afterId: number, take: number): Promise<RawFeedbackRow[]> {
  const params = new SqlParams();
  const sql = batchSql(f, params, afterId, take);
  return prisma.$queryRawUnsafe<RawFeedbackRow[]>(sql, ...params.values);
}

/**
 * Every matching row, `batchSize` at a time, in id order. The next batch is read while the
 * consumer writes the current one (at most two batches in memory), never further ahead.
 */
export async function* feedbackBatches(prisma: PrismaClient, f: ResolvedFilters, batchSize = 2000): AsyncGenerator<RawFeedbackRow[]> {
  let next: Promise<RawFeedbackRow[]> | null = fetchFeedbackBatch(prisma, f, 0, batchSize);
  while (next) {
    const rows: RawFeedbackRow[] = await next;
    if (!rows.length) return;
    next = rows.length === batchSize ? fetchFeedbackBatch(prisma, f, rows[rows.length - 1]!.id, batchSize) : null;
    // Keep a prefetch that fails while the consumer is busy from being an unhandled rejection.
    next?.catch(() => {});
    yield rows;
  }
}

export { resolveFilters };

// ------------------------------------------------------------------------------ columns

export type CellType = "text" | "number" | "date";
export type CellValue = string | number | Date | null;

export interface Column {
  header: string;
  /** The header with `headers=vi`. */
  vi: string;
  type: CellType;
  /** Width hint for spreadsheets (characters). */
  width: number;
}

export interface RowContext {
  versions: Map<number, { definition: SurveyDefinition }>;
  pseudonym: (row: RawFeedbackRow) => string;
  identities: boolean;
}

const boolNum = (b: boolean | null) => (b === null ? null : b ? 1 : 0);
const date = (ms: number | null) => (ms === null ? null : new Date(ms));
const reasonList = (r: RawFeedbackRow) => (r.reasons ? r.reasons.split(";") : []);

interface ColumnDef extends Column {
  get(r: RawFeedbackRow, c: RowContext): CellValue;
}

function defOf(c: RowContext, r: RawFeedbackRow): SurveyDefinition | undefined {
  return c.versions.get(r.survey_version_id)?.definition;
}

const COLUMNS: ColumnDef[] = [
  { header: "response_id", vi: "Mã phản hồi", type: "number", width: 10, get: (r) => r.id },
  { header: "dossier_code", vi: "Mã hồ sơ", type: "text", width: 28, get: (r) => r.dossier_code },
  { header: "unit_code", vi: "Mã đơn vị", type: "text", width: 16, get: (r) => r.unit_code },
  { header: "unit_name", vi: "Tên đơn vị", type: "text", width: 32, get: (r) => r.unit_name },
  { header: "field_code", vi: "Mã lĩnh vực", type: "text", width: 10, get: (r) => r.field_code },
  { header: "field_name", vi: "Lĩnh vực", type: "text", width: 20, get: (r) => r.field_name },
  { header: "procedure_code", vi: "Mã thủ tục", type: "text", width: 12, get: (r) => r.procedure_code },
  { header: "procedure_name", vi: "Tên thủ tục", type: "text", width: 40, get: (r) => r.procedure_name },
  { header: "received_at", vi: "Ngày tiếp nhận", type: "date", width: 19, get: (r) => date(r.received_at) },
  { header: "appointment_at", vi: "Ngày hẹn trả", type: "date", width: 19, get: (r) => date(r.appointment_at) },
  { header: "finished_at", vi: "Ngày hoàn thành", type: "date", width: 19, get: (r) => date(r.finished_at) },
  { header: "returned_at", vi: "Ngày trả kết quả", type: "date", width: 19, get: (r) => date(r.returned_at) },
  { header: "finished_late", vi: "Hoàn thành trễ hạn", type: "number", width: 8, get: (r) => (r.finished_at ? boolNum(r.finished_at > r.appointment_at) : null) },
  { header: "channel", vi: "Kênh", type: "text", width: 9, get: (r) => r.channel },
  { header: "survey_version", vi: "Phiên bản khảo sát", type: "number", width: 8, get: (r) => r.survey_version },
  { header: "overall", vi: "Mức độ hài lòng (mã)", type: "text", width: 15, get: (r) => r.overall },
  {
    header: "overall_text",
    vi: "Mức độ hài lòng",
    type: "text",
    width: 16,
    get: (r, c) => {
      const d = defOf(c, r);
      return r.overall && d ? choiceLabel(d, "overall", r.overall) : r.overall;
    },
  },
  { header: "satisfied", vi: "Hài lòng (1/0)", type: "number", width: 8, get: (r) => (r.overall === null ? null : r.overall === "not_satisfied" ? 0 : 1) },
  { header: "visits", vi: "Số lần đi lại", type: "number", width: 7, get: (r) => r.visits },
  { header: "on_time", vi: "Đúng hẹn (theo người dân)", type: "number", width: 7, get: (r) => boolNum(r.on_time) },
  { header: "staff_attitude", vi: "Thái độ cán bộ (mã)", type: "text", width: 10, get: (r) => r.staff_attitude },
  {
    header: "staff_attitude_text",
    vi: "Thái độ cán bộ",
    type: "text",
    width: 14,
    get: (r, c) => {
      const d = defOf(c, r);
      return r.staff_attitude && d ? choiceLabel(d, "staffAttitude", r.staff_attitude) : r.staff_attitude;
    },
  },
  { header: "reasons", vi: "Lý do không hài lòng (mã)", type: "text", width: 24, get: (r) => (r.reasons ? reasonList(r).join("; ") : null) },
  {
    header: "reasons_text",
    vi: "Lý do không hài lòng",
    type: "text",
    width: 36,
    get: (r, c) => {
      const d = defOf(c, r);
      return r.reasons ? reasonList(r).map((x) => (d ? choiceLabel(d, "reasons", x) : x)).join("; ") : null;
    },
  },
  { header: "comment", vi: "Góp ý", type: "text", width: 50, get: (r) => r.comment },
  { header: "complaint", vi: "Khiếu nại", type: "number", width: 9, get: (r) => boolNum(r.complaint) },
  { header: "first_answered_at", vi: "Thời điểm đánh giá", type: "date", width: 19, get: (r) => date(r.first_answered_at) },
  { header: "updated_at", vi: "Cập nhật lần cuối", type: "date", width: 19, get: (r) => date(r.updated_at) },
  { header: "applicant", vi: "Người nộp (bí danh)", type: "text", width: 20, get: (r, c) => c.pseudonym(r) },
];

const IDENTITY_COLUMNS: ColumnDef[] = [
  { header: "applicant_name", vi: "Họ tên người nộp", type: "text", width: 24, get: (r) => r.applicant_name },
  { header: "applicant_phone", vi: "Số điện thoại", type: "text", width: 12, get: (r) => r.applicant_phone },
];

export function exportColumns(identities: boolean): ColumnDef[] {
  return identities ? [...COLUMNS, ...IDENTITY_COLUMNS] : COLUMNS;
}

export function rowValues(columns: ColumnDef[], r: RawFeedbackRow, c: RowContext): CellValue[] {
  return columns.map((col) => col.get(r, c));
}

/**
 * Stable pseudonym of the applicant: an HMAC (keyed by the service's pepper) of the hashed
 * ID number, else the phone, else the dossier. The same person gets the same pseudonym in
 * every export, and it cannot be reversed without the pepper.
 */
export function pseudonymizer(hasher: IdentityHasher): (r: Pick<RawFeedbackRow, "applicant_id_hash" | "applicant_phone" | "dossier_code">) => string {
  return (r) => pseudonymOf(hasher, r.applicant_id_hash ? `id:${r.applicant_id_hash}` : r.applicant_phone ? `phone:${r.applicant_phone}` : `dossier:${r.dossier_code}`);
}

/** The same basis in SQL (the COPY export computes it there and hashes it in a stream). */
export const PSEUDONYM_BASIS_SQL = `COALESCE('id:' || NULLIF(d."applicantIdHash", ''), 'phone:' || NULLIF(d."applicantPhone", ''), 'dossier:' || d.code)`;

export function pseudonymOf(hasher: IdentityHasher, basis: string): string {
  // idHash() is the service's keyed HMAC; the prefix keeps these apart from real ID hashes.
  return "P-" + hasher.idHash(`export-pseudonym:${basis}`).slice(0, 16);
}

export async function rowContext(prisma: PrismaClient, hasher: IdentityHasher, identities: boolean): Promise<RowContext> {
  return { versions: await surveysById(prisma), pseudonym: pseudonymizer(hasher), identities };
}

// ------------------------------------------------------------------------------ list items

export const feedbackItemSchema = z
  .object({
    id: z.int(),
    dossierCode: z.string(),
    unit: z.object({ code: z.string(), name: z.string() }),
    field: z.object({ code: z.string(), name: z.string() }).nullable(),
    procedure: z.object({ code: z.string(), name: z.string() }),
    channel: z.string(),
    surveyVersion: z.int(),
    overall: z.enum(["very_satisfied", "satisfied", "not_satisfied"]).nullable(),
    visits: z.int().nullable(),
    onTime: z.boolean().nullable(),
    staffAttitude: z.string().nullable(),
    reasons: z.array(z.string()),
    comment: z.string().nullable(),
    complaint: z.boolean(),
    firstAnsweredAt: z.string(),
    updatedAt: z.string(),
    returnedAt: z.string().nullable(),
    applicant: z.string().describe("Stable pseudonym"),
    applicantName: z.string().optional().describe("Only with identities=true (admins)"),
    applicantPhone: z.string().nullable().optional(),
  })
  .meta({ id: "FeedbackItem" });
export type FeedbackItem = z.infer<typeof feedbackItemSchema>;

export function feedbackItem(r: RawFeedbackRow, c: RowContext): FeedbackItem {
  return {
    id: r.id,
    dossierCode: r.dossier_code,
    unit: { code: r.unit_code, name: r.unit_name },
    field: r.field_code ? { code: r.field_code, name: r.field_name ?? "" } : null,
    procedure: { code: r.procedure_code, name: r.procedure_name },
    channel: r.channel,
    surveyVersion: r.survey_version,
    overall: r.overall as FeedbackItem["overall"],
    visits: r.visits,
    onTime: r.on_time,
    staffAttitude: r.staff_attitude,
    reasons: reasonList(r),
    comment: r.comment,
    complaint: r.complaint,
    firstAnsweredAt: new Date(r.first_answered_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    returnedAt: r.returned_at === null ? null : new Date(r.returned_at).toISOString(),
    applicant: c.pseudonym(r),
    ...(c.identities ? { applicantName: r.applicant_name, applicantPhone: r.applicant_phone } : {}),
  };
}
