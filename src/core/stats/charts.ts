// Chart-ready views over the satisfaction index and the timeliness report, for the dashboard:
// the monthly trend with its Wilson band and the target line, a unit × month heat map, and
// timeliness per ward against the city's "100% of wards with no late dossier". All three
// reuse satisfactionIndex() / timelinessReport(), so their numbers are the reports' numbers.
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { formatLocal } from "../calendar.ts";
import { satisfactionIndex } from "./satisfaction.ts";
import { Lookup } from "./dimensions.ts";
import { statsFilterSchema } from "./filters.ts";
import { timelinessReport } from "./timeliness.ts";

/** The last `months` whole months up to and including the current one, as local dates. */
function defaultPeriod(now: Date, months: number): { from: string; to: string } {
  const local = new Date(now.getTime() + 7 * 3_600_000);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const start = new Date(Date.UTC(y, m - (months - 1), 1));
  return { from: start.toISOString().slice(0, 10), to: formatLocal(now, false).split("/").reverse().join("-") };
}

/** Every "YYYY-MM" from the month of `from` to the month of `to` (inclusive). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split("-").map(Number) as [number, number];
  const end = to.slice(0, 7);
  for (let i = 0; i < 240; i++) {
    const label = `${y}-${String(m).padStart(2, "0")}`;
    out.push(label);
    if (label >= end) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

const periodQuery = statsFilterSchema.extend({
  months: z.coerce.number().int().min(1).max(60).default(12).describe("Without from/to: the last N months up to this one (default 12)"),
  minSample: z.coerce.number().int().min(1).max(100_000).default(30).describe("Months or cells with fewer ratings are flagged smallSample"),
});

function period(q: { from?: string | undefined; to?: string | undefined; months: number }, now: Date) {
  if (q.from && q.to) return { from: q.from, to: q.to };
  const d = defaultPeriod(now, q.months);
  return { from: q.from ?? d.from, to: q.to ?? d.to };
}

const band = z.object({ low: z.number(), high: z.number() }).nullable();

// ------------------------------------------------------------------------------ trend

export const trendQuerySchema = periodQuery;
export type TrendQuery = z.infer<typeof trendQuerySchema>;

export const trendSchema = z
  .object({
    target: z.number().describe("SATISFACTION_TARGET in percent: draw it as a line"),
    from: z.string(),
    to: z.string(),
    points: z.array(
      z.object({
        month: z.string().describe("YYYY-MM (Vietnam time); every month of the period, also those without ratings"),
        rated: z.int(),
        satisfactionPct: z.number().nullable(),
        ci95: band.describe("Wilson 95% interval: the confidence band"),
        smallSample: z.boolean(),
        notSatisfied: z.int(),
      }),
    ),
    overall: z.object({ rated: z.int(), satisfactionPct: z.number().nullable(), ci95: band }),
  })
  .meta({ id: "SatisfactionTrend" });
export type Trend = z.infer<typeof trendSchema>;

export async function satisfactionTrend(prisma: PrismaClient, q: TrendQuery, opts: { target: number; now?: Date }): Promise<Trend> {
  const now = opts.now ?? new Date();
  const p = period(q, now);
  const report = await satisfactionIndex(
    prisma,
    { ...q, ...p, groupBy: ["month"], scoreMax: 1 },
    { target: opts.target, now },
  );
  const byMonth = new Map(report.groups.map((g) => [String(g.key.period), g]));
  return {
    target: opts.target,
    from: p.from,
    to: p.to,
    points: monthsBetween(p.from, p.to).map((month) => {
      const g = byMonth.get(month);
      return {
        month,
        rated: g?.rated ?? 0,
        satisfactionPct: g?.satisfactionPct ?? null,
        ci95: g?.ci95 ?? null,
        smallSample: g ? g.smallSample : true,
        notSatisfied: g?.notSatisfied ?? 0,
      };
    }),
    overall: { rated: report.totals.rated, satisfactionPct: report.totals.satisfactionPct, ci95: report.totals.ci95 },
  };
}

// ---------------------------------------------------------------------------- heat map

export const heatmapQuerySchema = periodQuery.omit({ channel: true }).extend({
  metric: z
    .enum(["satisfaction", "onTime"])
    .default("satisfaction")
    .describe("satisfaction: the index per cell; onTime: share of dossiers finished on time per cell"),
  level: z.enum(["ward", "all"]).default("ward").describe("ward: ward-level units only (default); all: every unit in scope"),
});
export type HeatmapQuery = z.infer<typeof heatmapQuerySchema>;

const unitRef = z.object({ code: z.string(), name: z.string(), level: z.string() });

export const heatmapSchema = z
  .object({
    metric: z.enum(["satisfaction", "onTime"]),
    target: z.number().describe("satisfaction: SATISFACTION_TARGET; onTime: 100"),
    months: z.array(z.string()),
    units: z.array(unitRef),
    cells: z
      .array(
        z.object({
          unitCode: z.string(),
          month: z.string(),
          value: z.number().nullable().describe("Percent; null when nothing was counted"),
          n: z.int().describe("Ratings (satisfaction) or dossiers finished (onTime)"),
          ci95: band,
          smallSample: z.boolean(),
        }),
      )
      .describe("Only cells with data; a missing cell has n = 0"),
  })
  .meta({ id: "Heatmap" });
export type Heatmap = z.infer<typeof heatmapSchema>;

export async function heatmap(prisma: PrismaClient, q: HeatmapQuery, opts: { target: number; now?: Date }): Promise<Heatmap> {
  const now = opts.now ?? new Date();
  const p = period(q, now);
  const months = monthsBetween(p.from, p.to);
  const keep = (level: string) => q.level === "all" || level === "ward";
  const units = new Map<string, z.infer<typeof unitRef>>();
  const cells: Heatmap["cells"] = [];
  if (q.metric === "satisfaction") {
    const r = await satisfactionIndex(prisma, { ...q, ...p, groupBy: ["unit", "month"], scoreMax: 1 }, { target: opts.target, now });
    for (const g of r.groups) {
      const u = g.key.unit as { code: string; name: string; level: string };
      if (!keep(u.level)) continue;
      units.set(u.code, { code: u.code, name: u.name, level: u.level });
      cells.push({ unitCode: u.code, month: String(g.key.period), value: g.satisfactionPct, n: g.rated, ci95: g.ci95, smallSample: g.smallSample });
    }
  } else {
    const r = await timelinessReport(prisma, { ...q, ...p, groupBy: ["unit", "month"] }, { now });
    for (const g of r.groups) {
      const u = g.key.unit as { code: string; name: string; level: string };
      if (!keep(u.level)) continue;
      units.set(u.code, { code: u.code, name: u.name, level: u.level });
      if (g.finished === 0) continue;
      cells.push({ unitCode: u.code, month: String(g.key.period), value: g.onTimePct, n: g.finished, ci95: null, smallSample: g.finished < q.minSample });
    }
  }
  return {
    metric: q.metric,
    target: q.metric === "satisfaction" ? opts.target : 100,
    months,
    units: [...units.values()].sort((a, b) => a.name.localeCompare(b.name, "vi")),
    cells: cells.filter((c) => months.includes(c.month)),
  };
}

// ------------------------------------------------------------------------ wards' timeliness

export const wardTimelinessQuerySchema = statsFilterSchema.omit({ channel: true }).extend({
  months: z.coerce.number().int().min(1).max(60).default(12).describe("Without from/to: the last N months up to this one"),
  asOf: z.iso.datetime({ offset: true }).optional(),
});
export type WardTimelinessQuery = z.infer<typeof wardTimelinessQuerySchema>;

export const wardTimelinessSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    asOf: z.string(),
    targetPct: z.number().describe("The city's target: 100% of wards with no late dossier"),
    wards: z.int(),
    wardsWithoutLate: z.int(),
    wardsWithoutLatePct: z.number().nullable(),
    met: z.boolean(),
    rows: z.array(
      z.object({
        unit: unitRef,
        received: z.int(),
        finished: z.int(),
        finishedOnTime: z.int(),
        finishedLate: z.int(),
        openPastDue: z.int(),
        late: z.int().describe("finishedLate + openPastDue: what the target counts (click through with late=true)"),
        onTimePct: z.number().nullable(),
        withoutLate: z.boolean(),
      }),
    ),
  })
  .meta({ id: "WardTimeliness" });
export type WardTimeliness = z.infer<typeof wardTimelinessSchema>;

export async function wardTimeliness(prisma: PrismaClient, q: WardTimelinessQuery, opts: { now?: Date } = {}): Promise<WardTimeliness> {
  const now = opts.now ?? new Date();
  const p = period(q, now);
  const r = await timelinessReport(prisma, { ...q, ...p, groupBy: ["unit"] }, { now });
  // Wards with no row had no dossier in the period: they count as without late dossiers.
  const lookup = await Lookup.load(prisma);
  const root = q.unitCode ? [...lookup.units.values()].find((u) => u.code === q.unitCode)?.id : undefined;
  const wardsInScope = [...lookup.units.values()]
    .filter((u) => u.level === "ward" && (root === undefined || lookup.isUnder(u.id, root)))
    .map((u) => ({ code: u.code, name: u.name, level: u.level }));
  const byCode = new Map(r.groups.map((g) => [(g.key.unit as { code: string }).code, g]));
  const rows = wardsInScope
    .map((u) => {
      const g = byCode.get(u.code);
      const late = g?.late ?? 0;
      return {
        unit: u,
        received: g?.received ?? 0,
        finished: g?.finished ?? 0,
        finishedOnTime: g?.finishedOnTime ?? 0,
        finishedLate: g?.finishedLate ?? 0,
        openPastDue: g?.openPastDue ?? 0,
        late,
        onTimePct: g?.onTimePct ?? null,
        withoutLate: late === 0,
      };
    })
    .sort((a, b) => b.late - a.late || a.unit.name.localeCompare(b.unit.name, "vi"));
  const wards = rows.length;
  const without = rows.filter((x) => x.withoutLate).length;
  const pct = wards ? Math.round((without / wards) * 10_000) / 100 : null;
  return {
    from: p.from,
    to: p.to,
    asOf: r.asOf,
    targetPct: 100,
    wards,
    wardsWithoutLate: without,
    wardsWithoutLatePct: pct,
    met: wards > 0 && without === wards,
    rows,
  };
}
