// Timeliness report (GET /api/v1/stats/timeliness): received, finished on time / late,
// still open past due, the national "more than one supplement request counts as overdue"
// rule, wards with no late dossier (the city's 100% target), and the refused + suspended +
// withdrawn share with its reasons.
//
// Lateness here is exactly assessTimeliness() of src/core/calendar.ts, done in SQL: the
// appointment stored on each dossier was computed with the working-day calendar (holidays,
// swapped Saturdays, supplement pauses), so late = finished after it, overdue = open past it.
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { DossierStatus, FINISHED_STATUSES } from "../status.ts";
import { describeKey, groupBySchema, groupedSql, Lookup, type Dimension, type GroupKey } from "./dimensions.ts";
import { dossierConditions, resolveFilters, SqlParams, statsFilterSchema, UNIT_TREE_CTE, whereClause, type ResolvedFilters } from "./filters.ts";
import { compareKeys } from "./satisfaction.ts";
import { pct } from "./wilson.ts";

export const timelinessQuerySchema = statsFilterSchema.omit({ channel: true }).extend({
  groupBy: groupBySchema(["unit", "field", "procedure", "month", "quarter", "year"])
    .default(["unit"])
    .describe("Comma-separated: unit, field, procedure, month | quarter | year (default: unit)"),
  asOf: z.iso.datetime({ offset: true }).optional().describe("Open dossiers are judged as of this instant (default: now)"),
});
export type TimelinessQuery = z.infer<typeof timelinessQuerySchema>;

export const timelinessRowSchema = z
  .object({
    key: z.record(z.string(), z.unknown()),
    received: z.int().describe("Received in the period"),
    finished: z.int().describe("Finished in the period (status 3, 7, 8, 9 or 10)"),
    finishedOnTime: z.int(),
    finishedLate: z.int(),
    openPastDue: z.int().describe("Not finished as of asOf, appointment in the period and passed"),
    onTimePct: z.number().nullable().describe("finishedOnTime / finished"),
    multipleSupplements: z.int().describe("Finished on time but with more than one supplement request: overdue under the national rule"),
    overdueNationally: z.int().describe("finishedLate + openPastDue + multipleSupplements"),
    late: z.int().describe("finishedLate + openPastDue (what the 'no late dossiers' target counts)"),
    wards: z.int().describe("Ward-level units in scope"),
    wardsWithoutLate: z.int(),
    wardsWithoutLatePct: z.number().nullable().describe("The city's target is 100%"),
    refused: z.int(),
    suspended: z.int(),
    withdrawn: z.int(),
    stoppedPct: z.number().nullable().describe("(refused + suspended + withdrawn) / received"),
  })
  .meta({ id: "TimelinessRow" });
export type TimelinessRow = z.infer<typeof timelinessRowSchema>;

export const timelinessReportSchema = z
  .object({
    filters: z.record(z.string(), z.unknown()),
    groupBy: z.array(z.string()),
    asOf: z.string(),
    totals: timelinessRowSchema,
    groups: z.array(timelinessRowSchema),
    stopReasons: z.array(z.object({ status: z.enum(["refused", "suspended", "withdrawn"]), reason: z.string().nullable(), count: z.int() })),
  })
  .meta({ id: "TimelinessReport" });
export type TimelinessReport = z.infer<typeof timelinessReportSchema>;

const FINISHED = [...FINISHED_STATUSES].join(",");
const { REFUSED, SUSPENDED, WITHDRAWN } = DossierStatus;

/**
 * One fact per (dossier, thing counted), each dated by its own instant: receipt, finish, or
 * the appointment an open dossier missed. UNION ALL keeps it a single pass per kind.
 */
function factsSql(f: ResolvedFilters, params: SqlParams, asOf: Date): string {
  const where = dossierConditions(f, params);
  const now = params.at(asOf);
  const range = (col: string) => {
    const c: string[] = [];
    if (f.from) c.push(`${col} >= ${params.at(f.from)}`);
    if (f.to) c.push(`${col} < ${params.at(f.to)}`);
    return c;
  };
  const base = `SELECT d."unitId" AS unit_id, d."procedureId" AS procedure_id, p."fieldId" AS field_id, d.status, d."supplementCount" AS supplements`;
  const from = `FROM "Dossier" d JOIN "Procedure" p ON p.id = d."procedureId"`;
  const finishedAt = `COALESCE(d."finishedAt", d."statusAt")`;
  return `
    ${base}, 'received' AS kind, d."receivedAt" AS ref, false AS late ${from}
      ${whereClause([...where, ...range(`d."receivedAt"`)])}
    UNION ALL
    ${base}, 'finished', ${finishedAt}, ${finishedAt} > d."appointmentAt" ${from}
      ${whereClause([...where, `d.status IN (${FINISHED})`, ...range(finishedAt)])}
    UNION ALL
    ${base}, 'open_past_due', d."appointmentAt", true ${from}
      ${whereClause([...where, `d.status NOT IN (${FINISHED})`, `d."appointmentAt" < ${now}`, ...range(`d."appointmentAt"`)])}`;
}

async function counts(prisma: PrismaClient, dims: readonly Dimension[], f: ResolvedFilters, asOf: Date) {
  const params = new SqlParams();
  const facts = factsSql(f, params, asOf);
  const c = (name: string, cond: string) => `count(*) FILTER (WHERE ${cond}) AS ${name}`;
  const sql = groupedSql({
    dims,
    f,
    params,
    facts,
    where: [],
    // Stage 1 keeps each dossier's own unit, so that stage 2 can count the wards with a late dossier.
    keepUnit: true,
    stage1: [
      c("received", "f.kind = 'received'"),
      c("finished", "f.kind = 'finished'"),
      c("on_time", "f.kind = 'finished' AND NOT f.late"),
      c("finished_late", "f.kind = 'finished' AND f.late"),
      c("open_past_due", "f.kind = 'open_past_due'"),
      c("multi_supplements", "f.kind = 'finished' AND NOT f.late AND f.supplements > 1"),
      c("refused", `f.kind = 'finished' AND f.status = ${REFUSED}`),
      c("suspended", `f.kind = 'finished' AND f.status = ${SUSPENDED}`),
      c("withdrawn", `f.kind = 'finished' AND f.status = ${WITHDRAWN}`),
      c("late", "f.late"),
    ],
    stage2: [
      ...["received", "finished", "on_time", "finished_late", "open_past_due", "multi_supplements", "refused", "suspended", "withdrawn"].map(
        (k) => `sum(s.${k})::int AS ${k}`,
      ),
      `count(*) FILTER (WHERE s.late > 0 AND w.level = 'ward')::int AS late_wards`,
    ],
    stage2Join: `JOIN "Unit" w ON w.id = s.unit_id`,
  });
  return prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params.values);
}

async function stopReasons(prisma: PrismaClient, f: ResolvedFilters) {
  const params = new SqlParams();
  const where = dossierConditions(f, params);
  const finishedAt = `COALESCE(d."finishedAt", d."statusAt")`;
  where.push(`d.status IN (${REFUSED}, ${SUSPENDED}, ${WITHDRAWN})`);
  if (f.from) where.push(`${finishedAt} >= ${params.at(f.from)}`);
  if (f.to) where.push(`${finishedAt} < ${params.at(f.to)}`);
  const sql = `WITH RECURSIVE ${UNIT_TREE_CTE}
    SELECT d.status, NULLIF(btrim(d."stopReason"), '') AS reason, count(*)::int AS n
    FROM "Dossier" d JOIN "Procedure" p ON p.id = d."procedureId"
    ${whereClause(where)}
    GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 50`;
  return prisma.$queryRawUnsafe<{ status: number; reason: string | null; n: number }[]>(sql, ...params.values);
}

const n = (v: unknown) => Number(v ?? 0);

function toRow(key: GroupKey, r: Record<string, unknown> | undefined, wards: number): TimelinessRow {
  const finished = n(r?.finished);
  const onTime = n(r?.on_time);
  const finishedLate = n(r?.finished_late);
  const openPastDue = n(r?.open_past_due);
  const multi = n(r?.multi_supplements);
  const received = n(r?.received);
  const stopped = n(r?.refused) + n(r?.suspended) + n(r?.withdrawn);
  const lateWards = n(r?.late_wards);
  return {
    key: key as Record<string, unknown>,
    received,
    finished,
    finishedOnTime: onTime,
    finishedLate,
    openPastDue,
    onTimePct: pct(onTime, finished),
    multipleSupplements: multi,
    overdueNationally: finishedLate + openPastDue + multi,
    late: finishedLate + openPastDue,
    wards,
    wardsWithoutLate: Math.max(0, wards - lateWards),
    wardsWithoutLatePct: pct(Math.max(0, wards - lateWards), wards),
    refused: n(r?.refused),
    suspended: n(r?.suspended),
    withdrawn: n(r?.withdrawn),
    stoppedPct: pct(stopped, received),
  };
}

export async function timelinessReport(prisma: PrismaClient, q: TimelinessQuery, opts: { now?: Date } = {}): Promise<TimelinessReport> {
  const f = await resolveFilters(prisma, q);
  const asOf = q.asOf ? new Date(q.asOf) : (opts.now ?? new Date());
  const dims = q.groupBy;
  const [groupRows, totalRows, reasons] = await Promise.all([
    dims.length ? counts(prisma, dims, f, asOf) : Promise.resolve([]),
    counts(prisma, [], f, asOf),
    stopReasons(prisma, f),
  ]);
  const lookup = await Lookup.load(prisma);
  await lookup.need(prisma, {
    fieldIds: dims.includes("field") ? groupRows.map((g) => g[`k${dims.indexOf("field")}`]).filter((v) => v !== null && v !== undefined).map(n) : [],
    procedureIds: dims.includes("procedure") ? groupRows.map((g) => n(g[`k${dims.indexOf("procedure")}`])) : [],
  });
  const scopeRoot = f.unitId ?? null;
  const unitIdx = dims.indexOf("unit");
  const groups: TimelinessRow[] = [];
  for (const g of groupRows) {
    const wards = unitIdx >= 0 ? lookup.wardsUnder(n(g[`k${unitIdx}`])) : lookup.wardsUnder(scopeRoot);
    groups.push(toRow(describeKey(dims, g, lookup), g, wards));
  }
  groups.sort((a, b) => compareKeys(dims, a.key as GroupKey, b.key as GroupKey));
  const statusName = (s: number) => (s === REFUSED ? "refused" : s === SUSPENDED ? "suspended" : "withdrawn") as "refused" | "suspended" | "withdrawn";
  return {
    filters: f.echo,
    groupBy: dims,
    asOf: asOf.toISOString(),
    totals: toRow({}, totalRows[0], lookup.wardsUnder(scopeRoot)),
    groups,
    stopReasons: reasons.map((r) => ({ status: statusName(n(r.status)), reason: r.reason, count: n(r.n) })),
  };
}
