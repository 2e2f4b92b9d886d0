// Filters shared by the satisfaction index, the timeliness report, the feedback list and the
// exports: one zod schema (query string and CLI flags alike) and one SQL fragment builder,
// so that "the same filters" mean the same rows everywhere.
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { parseLocal } from "../calendar.ts";
import { dateInRange, MAX_AHEAD_MS } from "../dossier-schemas.ts";
import { AppError } from "../errors.ts";

const DAY_MS = 86_400_000;
const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

/** A local date (Asia/Ho_Chi_Minh) or an ISO instant with offset. */
const bound = z
  .string()
  .trim()
  .refine((v) => dateOnly.test(v) || z.iso.datetime({ offset: true }).safeParse(v).success, {
    message: "must be a date YYYY-MM-DD (Vietnam time) or an ISO 8601 instant with offset",
  })
  // Same range as dossier dates: nothing is older than 2000 nor later than a year ahead.
  .refine((v) => dateInRange(MAX_AHEAD_MS)(dateOnly.test(v) ? `${v}T00:00:00+07:00` : v), {
    message: "must be between 2000-01-01 and one year from now",
  });

const code = z.string().trim().min(1).max(64);

export const CHANNELS = ["telegram", "zalo", "web"] as const;
export type ChannelCode = (typeof CHANNELS)[number];

export const statsFilterSchema = z.object({
  from: bound.optional().describe("Start of the period (inclusive): YYYY-MM-DD in Vietnam time, or an ISO instant"),
  to: bound.optional().describe("End of the period: YYYY-MM-DD is inclusive (the whole day), an ISO instant is exclusive"),
  unitCode: code.optional().describe("Only this unit and every unit below it"),
  fieldCode: code.optional().describe("Only procedures of this field (lĩnh vực)"),
  procedureCode: code.optional().describe("Only this procedure"),
  channel: z.enum(CHANNELS).optional().describe("Only answers given on this channel"),
});
export type StatsFilterInput = z.infer<typeof statsFilterSchema>;

/** Filters resolved to ids and instants (unknown codes are a 404, not an empty report). */
export interface ResolvedFilters {
  from?: Date | undefined;
  to?: Date | undefined;
  unitId?: number | undefined;
  fieldId?: number | undefined;
  procedureId?: number | undefined;
  channel?: ChannelCode | undefined;
  /** What was asked, for the echo in responses and the audit log. */
  echo: StatsFilterInput;
}

export function parseBound(value: string, end: boolean): Date {
  if (dateOnly.test(value)) {
    const start = parseLocal(value);
    return end ? new Date(start.getTime() + DAY_MS) : start;
  }
  return new Date(value);
}

export async function resolveFilters(prisma: PrismaClient, f: StatsFilterInput): Promise<ResolvedFilters> {
  const out: ResolvedFilters = { echo: Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as StatsFilterInput };
  if (f.from) out.from = parseBound(f.from, false);
  if (f.to) out.to = parseBound(f.to, true);
  if (out.from && out.to && out.to <= out.from) throw new AppError("bad_request", "`to` must be after `from`", { from: f.from, to: f.to });
  if (f.unitCode) {
    const u = await prisma.unit.findUnique({ where: { code: f.unitCode }, select: { id: true } });
    if (!u) throw new AppError("not_found", `No unit ${f.unitCode}`, { unitCode: "unknown" });
    out.unitId = u.id;
  }
  if (f.fieldCode) {
    const x = await prisma.field.findUnique({ where: { code: f.fieldCode }, select: { id: true } });
    if (!x) throw new AppError("not_found", `No field ${f.fieldCode}`, { fieldCode: "unknown" });
    out.fieldId = x.id;
  }
  if (f.procedureCode) {
    const x = await prisma.procedure.findUnique({ where: { code: f.procedureCode }, select: { id: true } });
    if (!x) throw new AppError("not_found", `No procedure ${f.procedureCode}`, { procedureCode: "unknown" });
    out.procedureId = x.id;
  }
  if (f.channel) out.channel = f.channel;
  return out;
}

/** Positional parameters for $queryRawUnsafe: every user value goes through here, never into the text. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(v: string | number): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  /** Timestamps are stored as UTC `timestamp(3)`; an ISO string with Z casts to exactly that. */
  at(d: Date): string {
    return `${this.add(d.toISOString())}::timestamp`;
  }
  int(n: number): string {
    return `${this.add(n)}::int`;
  }
  text(s: string): string {
    return `${this.add(s)}::text`;
  }
}

/** Unit closure (ancestor, descendant) pairs, each unit being its own ancestor. Depth-capped against bad data. */
export const UNIT_TREE_CTE = `unit_tree(anc, des, depth) AS (
    SELECT id, id, 0 FROM "Unit"
    UNION ALL
    SELECT t.anc, u.id, t.depth + 1 FROM unit_tree t JOIN "Unit" u ON u."parentId" = t.des WHERE t.depth < 12
  )`;

/**
 * WHERE conditions on a dossier alias `d` joined with its procedure `p` (unit, field,
 * procedure filters). The period and channel are applied by each query on its own date
 * and channel columns.
 */
export function dossierConditions(f: ResolvedFilters, params: SqlParams, d = "d", p = "p"): string[] {
  const where: string[] = [];
  if (f.unitId !== undefined) where.push(`${d}."unitId" IN (SELECT des FROM unit_tree WHERE anc = ${params.int(f.unitId)})`);
  if (f.fieldId !== undefined) where.push(`${p}."fieldId" = ${params.int(f.fieldId)}`);
  if (f.procedureId !== undefined) where.push(`${d}."procedureId" = ${params.int(f.procedureId)}`);
  return where;
}

export function periodConditions(f: ResolvedFilters, params: SqlParams, column: string): string[] {
  const where: string[] = [];
  if (f.from) where.push(`${column} >= ${params.at(f.from)}`);
  if (f.to) where.push(`${column} < ${params.at(f.to)}`);
  return where;
}

/** Local (Vietnam, UTC+7, no DST) period labels of a UTC timestamp column. */
export function periodLabel(kind: "month" | "quarter" | "year", column: string): string {
  const local = `(${column} + interval '7 hours')`;
  if (kind === "month") return `to_char(${local}, 'YYYY-MM')`;
  if (kind === "quarter") return `to_char(${local}, 'YYYY-"Q"Q')`;
  return `to_char(${local}, 'YYYY')`;
}

export function whereClause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(" AND ")}` : "";
}
