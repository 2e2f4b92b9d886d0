// The satisfaction index (GET /api/v1/stats/satisfaction). Counting happens in SQL with
// GROUP BY; this file only turns counts into percentages, intervals and labels.
// The counts come from the aggregates that triggers keep exact (RatingDaily, InvitationDaily,
// DossierDaily: per unit × procedure × local day), so a report sums a few thousand rows
// instead of every response; a period bounded by instants that are not local midnights falls
// back to the raw rows (same SQL shape, same results). Formulas and sources: docs/satisfaction.md.
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { FINISHED_STATUSES } from "../status.ts";
import { surveysById } from "../survey/versions.ts";
import { describeKey, groupBySchema, groupedSql, keyString, Lookup, type Dimension, type GroupKey } from "./dimensions.ts";
import {
  dossierConditions,
  periodConditions,
  resolveFilters,
  SqlParams,
  statsFilterSchema,
  UNIT_TREE_CTE,
  whereClause,
  type ResolvedFilters,
} from "./filters.ts";
import { decision766, pct, round2, wilsonInterval } from "./wilson.ts";

export const satisfactionQuerySchema = statsFilterSchema.extend({
  groupBy: groupBySchema(["unit", "field", "procedure", "channel", "month", "quarter", "year"])
    .default([])
    .describe("Comma-separated: unit, field, procedure, channel, month | quarter | year (e.g. unit,month). Empty: totals only"),
  minSample: z.coerce.number().int().min(1).max(100_000).default(30).describe("Groups with fewer ratings are flagged smallSample"),
  scoreMax: z.coerce
    .number()
    .positive()
    .max(1000)
    .default(1)
    .describe("Maximum points of the Decision 766 indicator (its score is S × max / 90% below 90%)"),
  asOf: z.iso.datetime({ offset: true }).optional().describe("Open dossiers past due are counted as of this instant (default: now)"),
});
export type SatisfactionQuery = z.infer<typeof satisfactionQuerySchema>;

const ci = z.object({ low: z.number(), high: z.number() }).nullable();
const d766 = z
  .object({
    dossiers: z.int().describe("Dossiers finished in the period plus open dossiers that fell due in it"),
    overdue: z.int().describe("Finished after the appointment, open past it, or with more than one supplement request"),
    overduePct: z.number().nullable(),
    dissatisfied: z.int().describe('Dossiers with a "not satisfied" rating or a complaint'),
    dissatisfiedPct: z.number().nullable(),
    s: z.number().nullable().describe("S = 100% − (overdue % + dissatisfied %)"),
    score: z.number().nullable(),
    fullMarks: z.boolean(),
  })
  .nullable()
  .meta({ id: "Decision766" });

export const satisfactionRowSchema = z
  .object({
    key: z.record(z.string(), z.unknown()).describe("The group: unit {code,name,level,parentCode}, field, procedure, channel, period"),
    rated: z.int(),
    verySatisfied: z.int(),
    satisfied: z.int(),
    notSatisfied: z.int(),
    satisfactionPct: z.number().nullable(),
    ci95: ci.describe("Wilson 95% interval of satisfactionPct, in percent"),
    invited: z.int(),
    responseRatePct: z.number().nullable(),
    smallSample: z.boolean(),
    gapToTargetPct: z.number().nullable().describe("satisfactionPct − SATISFACTION_TARGET (negative: below target)"),
    complaints: z.int(),
    surveyVersions: z.array(z.int()),
    severalVersions: z.boolean(),
    decision766: d766,
  })
  .meta({ id: "SatisfactionRow" });
export type SatisfactionRow = z.infer<typeof satisfactionRowSchema>;

export const satisfactionReportSchema = z
  .object({
    filters: z.record(z.string(), z.unknown()),
    groupBy: z.array(z.string()),
    target: z.number(),
    minSample: z.int(),
    asOf: z.string(),
    totals: satisfactionRowSchema,
    groups: z.array(satisfactionRowSchema),
    reasons: z.array(
      z.object({ reason: z.string(), label: z.object({ vi: z.string(), en: z.string() }), count: z.int(), pctOfNotSatisfied: z.number().nullable() }),
    ),
    surveyVersions: z.array(z.int()),
    warnings: z.array(z.string()),
  })
  .meta({ id: "SatisfactionReport" });
export type SatisfactionReport = z.infer<typeof satisfactionReportSchema>;

const FINISHED = [...FINISHED_STATUSES].join(",");

interface Counts {
  rated: number;
  very: number;
  sat: number;
  not: number;
  complaints: number;
  versions: number[];
  invited: number;
  dossiers: number;
  overdue: number;
  dissatisfied: number;
}

const emptyCounts = (): Counts => ({ rated: 0, very: 0, sat: 0, not: 0, complaints: 0, versions: [], invited: 0, dossiers: 0, overdue: 0, dissatisfied: 0 });

/** Where the counts come from: the maintained aggregates, or the raw rows (fallback and bench floor). */
export type CountSource = "aggregates" | "raw";

const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * 3_600_000;
const isLocalMidnight = (d: Date | undefined) => d === undefined || (d.getTime() + VN_OFFSET_MS) % DAY_MS === 0;

/** Aggregates are per local day: they answer exactly when the period starts and ends at local midnights. */
export function aggregatesAnswer(f: ResolvedFilters): boolean {
  return isLocalMidnight(f.from) && isLocalMidnight(f.to);
}

/** A day column of an aggregate as the UTC instant its local day starts (what the raw `ref` would be at midnight). */
const dayRef = (col: string) => `(${col}::timestamp - interval '7 hours')`;

/** Sum of `n` (aggregates) or a row count (raw), optionally filtered. */
function counter(source: CountSource) {
  return (cond?: string) =>
    source === "aggregates" ? `COALESCE(sum(f.n)${cond ? ` FILTER (WHERE ${cond})` : ""}, 0)` : `count(*)${cond ? ` FILTER (WHERE ${cond})` : ""}`;
}

async function ratingCounts(prisma: PrismaClient, dims: readonly Dimension[], f: ResolvedFilters, source: CountSource) {
  const params = new SqlParams();
  const c = counter(source);
  let facts: string;
  if (source === "aggregates") {
    const where = dossierConditions(f, params, "a");
    if (f.channel) where.push(`a.channel::text = ${params.text(f.channel)}`);
    facts = `SELECT (CASE a.answer WHEN 1 THEN 'very_satisfied' WHEN 2 THEN 'satisfied' WHEN 3 THEN 'not_satisfied' END) AS overall, a.complaint,
             sv.version AS survey_version, a.channel, a."unitId" AS unit_id, a."procedureId" AS procedure_id, p."fieldId" AS field_id,
             ${dayRef("a.day")} AS ref, a.n
      FROM "RatingDaily" a
      JOIN "Procedure" p ON p.id = a."procedureId"
      JOIN "SurveyVersion" sv ON sv.id = a."surveyVersionId"
      ${whereClause([...where, "a.n <> 0"])}`;
  } else facts = rawRatingFacts(f, params);
  const sql = groupedSql({
    dims,
    f,
    params,
    facts,
    where: periodConditions(f, params, "f.ref"),
    extraKeys: ["f.survey_version AS survey_version"],
    stage1: [
      `${c("f.overall IS NOT NULL")} AS rated`,
      `${c("f.overall = 'very_satisfied'")} AS very`,
      `${c("f.overall = 'satisfied'")} AS sat`,
      `${c("f.overall = 'not_satisfied'")} AS "not"`,
      `${c("f.complaint")} AS complaints`,
    ],
    stage2: [
      "sum(s.rated)::int AS rated",
      "sum(s.very)::int AS very",
      "sum(s.sat)::int AS sat",
      `sum(s."not")::int AS "not"`,
      "sum(s.complaints)::int AS complaints",
      "array_agg(DISTINCT s.survey_version) AS versions",
    ],
  });
  return prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params.values);
}

function rawRatingFacts(f: ResolvedFilters, params: SqlParams): string {
  const where = dossierConditions(f, params);
  if (f.channel) where.push(`r.channel::text = ${params.text(f.channel)}`);
  return `SELECT r.overall::text AS overall, r.complaint, sv.version AS survey_version, r.channel, d."unitId" AS unit_id,
             d."procedureId" AS procedure_id, p."fieldId" AS field_id,
             COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt") AS ref
      FROM "FeedbackResponse" r
      JOIN "Dossier" d ON d.id = r."dossierId"
      JOIN "Procedure" p ON p.id = d."procedureId"
      JOIN "SurveyVersion" sv ON sv.id = r."surveyVersionId"
      ${whereClause(where)}`;
}

async function invitationCounts(prisma: PrismaClient, dims: readonly Dimension[], f: ResolvedFilters, source: CountSource) {
  const params = new SqlParams();
  let facts: string;
  if (source === "aggregates") {
    const where = dossierConditions(f, params, "a");
    if (f.channel) where.push(`a.channel = ${params.text(f.channel)}`);
    facts = `SELECT a.channel, a."unitId" AS unit_id, a."procedureId" AS procedure_id, p."fieldId" AS field_id, ${dayRef("a.day")} AS ref, a.n
      FROM "InvitationDaily" a JOIN "Procedure" p ON p.id = a."procedureId"
      ${whereClause([...where, "a.n <> 0"])}`;
  } else facts = rawInvitationFacts(f, params);
  const sql = groupedSql({
    dims,
    f,
    params,
    facts,
    where: periodConditions(f, params, "f.ref"),
    stage1: [`${counter(source)()} AS invited`],
    stage2: ["sum(s.invited)::int AS invited"],
  });
  return prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params.values);
}

function rawInvitationFacts(f: ResolvedFilters, params: SqlParams): string {
  const where = dossierConditions(f, params);
  if (f.channel) where.push(`i.channel::text = ${params.text(f.channel)}`);
  return `SELECT COALESCE(i.channel::text, 'unknown') AS channel, d."unitId" AS unit_id, d."procedureId" AS procedure_id, p."fieldId" AS field_id,
             COALESCE(d."returnedAt", d."finishedAt", i."invitedAt") AS ref
      FROM "SurveyInvitation" i
      JOIN "Dossier" d ON d.id = i."dossierId"
      JOIN "Procedure" p ON p.id = d."procedureId"
      ${whereClause(where)}`;
}

/** Dossier-level counts for Decision 766 (not split by channel: a dossier has none). */
async function dossierCounts(prisma: PrismaClient, dims: readonly Dimension[], f: ResolvedFilters, asOf: Date, source: CountSource) {
  const params = new SqlParams();
  const c = counter(source);
  let facts: string;
  if (source === "aggregates") {
    // Open dossiers are filed under the day of their appointment: whole days before asOf's
    // local day are past due; on that day itself only the appointments before asOf are.
    const dayStart = new Date(Math.floor((asOf.getTime() + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS);
    const asOfDay = params.add(new Date(dayStart.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10));
    const aggWhere = [...dossierConditions(f, params, "a"), "a.n <> 0", `(a.finished OR a.day < ${asOfDay}::date)`];
    const rawWhere = [
      ...dossierConditions(f, params),
      `d.status NOT IN (${FINISHED})`,
      `d."appointmentAt" >= ${params.at(dayStart)}`,
      `d."appointmentAt" < ${params.at(asOf)}`,
    ];
    facts = `SELECT a."unitId" AS unit_id, a."procedureId" AS procedure_id, p."fieldId" AS field_id, ${dayRef("a.day")} AS ref,
             (a.overdue OR NOT a.finished) AS overdue, a.dissatisfied, a.n
      FROM "DossierDaily" a JOIN "Procedure" p ON p.id = a."procedureId"
      ${whereClause(aggWhere)}
      UNION ALL
      SELECT d."unitId", d."procedureId", p."fieldId", d."appointmentAt", true,
             EXISTS (SELECT 1 FROM "FeedbackResponse" x WHERE x."dossierId" = d.id AND (x.overall = 'not_satisfied' OR x.complaint)), 1
      FROM "Dossier" d JOIN "Procedure" p ON p.id = d."procedureId"
      ${whereClause(rawWhere)}`;
  } else facts = rawDossierFacts(f, params, asOf);
  const sql = groupedSql({
    dims,
    f,
    params,
    facts,
    where: periodConditions(f, params, "f.ref"),
    stage1: [`${c()} AS dossiers`, `${c("f.overdue")} AS overdue`, `${c("f.dissatisfied")} AS dissatisfied`],
    stage2: ["sum(s.dossiers)::int AS dossiers", "sum(s.overdue)::int AS overdue", "sum(s.dissatisfied)::int AS dissatisfied"],
  });
  return prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params.values);
}

function rawDossierFacts(f: ResolvedFilters, params: SqlParams, asOf: Date): string {
  const where = dossierConditions(f, params);
  const now = params.at(asOf);
  where.push(`(d.status IN (${FINISHED}) OR d."appointmentAt" < ${now})`);
  // One pass over the responses instead of a lookup per dossier.
  return `SELECT d."unitId" AS unit_id, d."procedureId" AS procedure_id, p."fieldId" AS field_id,
             CASE WHEN d.status IN (${FINISHED}) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END AS ref,
             (CASE WHEN d.status IN (${FINISHED}) THEN COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" ELSE true END
               OR d."supplementCount" > 1) AS overdue,
             (bad."dossierId" IS NOT NULL) AS dissatisfied
      FROM "Dossier" d
      JOIN "Procedure" p ON p.id = d."procedureId"
      LEFT JOIN (SELECT DISTINCT "dossierId" FROM "FeedbackResponse" WHERE overall = 'not_satisfied' OR complaint) bad ON bad."dossierId" = d.id
      ${whereClause(where)}`;
}

async function reasonCounts(prisma: PrismaClient, f: ResolvedFilters, source: CountSource) {
  const params = new SqlParams();
  if (source === "aggregates") {
    const where = dossierConditions(f, params, "a");
    where.push("a.answer = 3", "a.reasons <> ''");
    if (f.channel) where.push(`a.channel::text = ${params.text(f.channel)}`);
    where.push(...periodConditions(f, params, dayRef("a.day")));
    const sql = `WITH RECURSIVE ${UNIT_TREE_CTE}
      SELECT reason, sum(a.n)::int AS n
      FROM "RatingDaily" a
      JOIN "Procedure" p ON p.id = a."procedureId"
      CROSS JOIN LATERAL unnest(string_to_array(a.reasons, ';')) AS reason
      ${whereClause(where)}
      GROUP BY reason HAVING sum(a.n) <> 0 ORDER BY n DESC, reason`;
    return prisma.$queryRawUnsafe<{ reason: string; n: number }[]>(sql, ...params.values);
  }
  const where = dossierConditions(f, params);
  where.push(`r.overall = 'not_satisfied'`);
  if (f.channel) where.push(`r.channel::text = ${params.text(f.channel)}`);
  where.push(...periodConditions(f, params, `COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt")`));
  const sql = `WITH RECURSIVE ${UNIT_TREE_CTE}
    SELECT reason, count(*)::int AS n
    FROM "FeedbackResponse" r
    JOIN "Dossier" d ON d.id = r."dossierId"
    JOIN "Procedure" p ON p.id = d."procedureId"
    CROSS JOIN LATERAL unnest(r.reasons) AS reason
    ${whereClause(where)}
    GROUP BY reason ORDER BY n DESC, reason`;
  return prisma.$queryRawUnsafe<{ reason: string; n: number }[]>(sql, ...params.values);
}

function sumCounts(list: Counts[]): Counts {
  const t = emptyCounts();
  const versions = new Set<number>();
  for (const c of list) {
    t.rated += c.rated;
    t.very += c.very;
    t.sat += c.sat;
    t.not += c.not;
    t.complaints += c.complaints;
    t.invited += c.invited;
    t.dossiers += c.dossiers;
    t.overdue += c.overdue;
    t.dissatisfied += c.dissatisfied;
    for (const v of c.versions) versions.add(v);
  }
  t.versions = [...versions];
  return t;
}

function pick766(c: Counts): Pick<Counts, "dossiers" | "overdue" | "dissatisfied"> {
  return { dossiers: c.dossiers, overdue: c.overdue, dissatisfied: c.dissatisfied };
}

/** A unit row that covers the whole scope: the filtered unit, or a root of the unit forest. */
function isScopeTop(unitId: number, f: ResolvedFilters, lookup: Lookup): boolean {
  if (f.unitId !== undefined) return unitId === f.unitId;
  return (lookup.units.get(unitId)?.parentId ?? null) === null;
}

function num(v: unknown): number {
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : Number(v ?? 0);
}

function row(key: GroupKey, c: Counts, opts: { target: number; minSample: number; scoreMax: number; with766: boolean }): SatisfactionRow {
  const positive = c.very + c.sat;
  const interval = wilsonInterval(positive, c.rated);
  const satisfactionPct = pct(positive, c.rated);
  let dec: SatisfactionRow["decision766"] = null;
  if (opts.with766) {
    const overduePct = c.dossiers ? (c.overdue / c.dossiers) * 100 : null;
    const dissatisfiedPct = c.dossiers ? (c.dissatisfied / c.dossiers) * 100 : null;
    const s = overduePct === null || dissatisfiedPct === null ? null : decision766(overduePct, dissatisfiedPct, opts.scoreMax);
    dec = {
      dossiers: c.dossiers,
      overdue: c.overdue,
      overduePct: overduePct === null ? null : round2(overduePct),
      dissatisfied: c.dissatisfied,
      dissatisfiedPct: dissatisfiedPct === null ? null : round2(dissatisfiedPct),
      s: s?.s ?? null,
      score: s?.score ?? null,
      fullMarks: s ? s.s >= 90 : false,
    };
  }
  const versions = [...new Set(c.versions)].sort((a, b) => a - b);
  return {
    key: key as Record<string, unknown>,
    rated: c.rated,
    verySatisfied: c.very,
    satisfied: c.sat,
    notSatisfied: c.not,
    satisfactionPct,
    ci95: interval ? { low: round2(interval.low * 100), high: round2(interval.high * 100) } : null,
    invited: c.invited,
    responseRatePct: pct(c.rated, c.invited),
    smallSample: c.rated < opts.minSample,
    gapToTargetPct: satisfactionPct === null ? null : round2(satisfactionPct - opts.target),
    complaints: c.complaints,
    surveyVersions: versions,
    severalVersions: versions.length > 1,
    decision766: dec,
  };
}

async function counted(prisma: PrismaClient, dims: readonly Dimension[], f: ResolvedFilters, asOf: Date, with766: boolean, source: CountSource) {
  const [ratings, invitations, dossiers] = await Promise.all([
    ratingCounts(prisma, dims, f, source),
    invitationCounts(prisma, dims, f, source),
    with766 ? dossierCounts(prisma, dims, f, asOf, source) : Promise.resolve([]),
  ]);
  const groups = new Map<string, { raw: Record<string, unknown>; c: Counts }>();
  const at = (raw: Record<string, unknown>) => {
    const k = keyString(dims, raw);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { raw, c: emptyCounts() }));
    return g.c;
  };
  for (const r of ratings) {
    const c = at(r);
    c.rated = num(r.rated);
    c.very = num(r.very);
    c.sat = num(r.sat);
    c.not = num(r.not);
    c.complaints = num(r.complaints);
    c.versions = ((r.versions as unknown[] | null) ?? []).filter((v) => v !== null).map(num);
  }
  for (const r of invitations) at(r).invited = num(r.invited);
  for (const r of dossiers) {
    const c = at(r);
    c.dossiers = num(r.dossiers);
    c.overdue = num(r.overdue);
    c.dissatisfied = num(r.dissatisfied);
  }
  return [...groups.values()];
}

export async function satisfactionIndex(
  prisma: PrismaClient,
  q: SatisfactionQuery,
  opts: { target: number; now?: Date; /** Default: the aggregates whenever they answer exactly. */ source?: CountSource },
): Promise<SatisfactionReport> {
  const f = await resolveFilters(prisma, q);
  const asOf = q.asOf ? new Date(q.asOf) : (opts.now ?? new Date());
  const dims = q.groupBy;
  const groupsWith766 = !dims.includes("channel");
  const source: CountSource = opts.source ?? (aggregatesAnswer(f) ? "aggregates" : "raw");
  const [groupRows, reasons, versions, lookup] = await Promise.all([
    counted(prisma, dims, f, asOf, groupsWith766, source),
    reasonCounts(prisma, f, source),
    surveysById(prisma),
    Lookup.load(prisma),
  ]);
  await lookup.need(prisma, {
    fieldIds: dims.includes("field") ? groupRows.map((g) => g.raw[`k${dims.indexOf("field")}`]).filter((v) => v !== null && v !== undefined).map(num) : [],
    procedureIds: dims.includes("procedure") ? groupRows.map((g) => num(g.raw[`k${dims.indexOf("procedure")}`])) : [],
  });
  const opt = { target: opts.target, minSample: q.minSample, scoreMax: q.scoreMax };
  const groups = dims.length ? groupRows.map((g) => row(describeKey(dims, g.raw, lookup), g.c, { ...opt, with766: groupsWith766 })) : [];
  groups.sort((a, b) => compareKeys(dims, a.key as GroupKey, b.key as GroupKey));
  // Totals from the groups that partition the data (never by adding overlapping unit levels):
  // with a unit dimension, the rows of the top of the scope; otherwise every row.
  const unitIdx = dims.indexOf("unit");
  const tops = unitIdx < 0 ? groupRows : groupRows.filter((g) => isScopeTop(num(g.raw[`k${unitIdx}`]), f, lookup));
  const total = sumCounts(tops.map((g) => g.c));
  if (!groupsWith766) Object.assign(total, pick766((await counted(prisma, [], f, asOf, true, source))[0]?.c ?? emptyCounts()));
  const totals = row({}, total, { ...opt, with766: true });

  // Reason labels: the newest version that knows the reason.
  const newestFirst = [...versions.values()].sort((a, b) => b.version - a.version);
  const labelOf = (reason: string) => {
    for (const v of newestFirst) {
      const c = v.definition.questions.find((x) => x.column === "reasons")?.choices?.find((x) => x.value === reason);
      if (c) return c.label;
    }
    return { vi: reason, en: reason };
  };
  const warnings: string[] = [];
  if (totals.severalVersions)
    warnings.push(`Answers in this period were given under several survey versions (${totals.surveyVersions.join(", ")}): compare groups with care.`);
  if (totals.smallSample) warnings.push(`Only ${totals.rated} ratings in total (fewer than ${q.minSample}): the interval is wide.`);
  if (dims.includes("channel")) warnings.push("Decision 766 S is a per-dossier figure: it is given in totals only when grouping by channel.");
  if (f.channel) warnings.push("The channel filter applies to ratings and invitations; Decision 766 S counts every dossier.");
  return {
    filters: f.echo,
    groupBy: dims,
    target: opts.target,
    minSample: q.minSample,
    asOf: asOf.toISOString(),
    totals,
    groups,
    reasons: reasons.map((r) => ({ reason: r.reason, label: labelOf(r.reason), count: num(r.n), pctOfNotSatisfied: pct(num(r.n), totals.notSatisfied) })),
    surveyVersions: totals.surveyVersions,
    warnings,
  };
}

/** Units by code (a parent sorts before its children's codes only by code), then the other keys. */
export function compareKeys(dims: readonly Dimension[], a: GroupKey, b: GroupKey): number {
  for (const d of dims) {
    const x = keyText(d, a);
    const y = keyText(d, b);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function keyText(d: Dimension, k: GroupKey): string {
  switch (d) {
    case "unit":
      return k.unit?.code ?? "";
    case "field":
      return k.field?.code ?? "~";
    case "procedure":
      return k.procedure?.code ?? "";
    case "channel":
      return k.channel ?? "";
    default:
      return k.period ?? "";
  }
}
