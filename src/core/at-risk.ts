// At-risk warnings: for an open dossier, the chance that it misses its appointment, read off
// how long the same procedure actually took at the same unit (docs/at-risk.md).
//
// A finished dossier gives one sample: the working days from the start of counting to its
// finish (src/core/calendar.ts). An open dossier that has been worked on for `elapsed` working
// days and has `available` working days in all until its appointment will be late when its
// processing time T exceeds `available`; it is known that T > elapsed. So
//     risk = P(T > available | T > elapsed) ≈ (#{t > available} + ½) / (#{t > elapsed} + 1)
// over the samples (the ½ and 1 keep a thin tail from reading as certainty). Samples come from
// the same procedure at the same unit over the last year; with fewer than MIN_SAMPLES (6), from
// the procedure at every unit; with fewer still, from the statutory duration D, assuming a
// dossier finishes anywhere between 60% and 110% of it.
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { WorkingCalendar } from "./calendar.ts";
import { FINISHED_STATUSES, STATUS_KEYS } from "./status.ts";
import { resolveFilters, SqlParams, UNIT_TREE_CTE, whereClause } from "./stats/filters.ts";

export const MIN_SAMPLES = 6;
export const HISTORY_DAYS = 365;
const DAY_MS = 86_400_000;
/** Shares of the statutory duration used when there is no history at all. */
const STATUTORY_SHARES = [0.6, 0.7, 0.8, 0.9, 1.0, 1.1];

export type RiskBasis = "unit_procedure" | "procedure" | "statutory";

export interface Sample {
  unitId: number;
  procedureId: number;
  finishedAt: Date;
  /** Working days from the start of counting to the finish. */
  days: number;
}

export interface OpenDossier {
  unitId: number;
  procedureId: number;
  durationDays: number | null;
  receivedAt: Date;
  appointmentAt: Date;
}

export interface RiskEstimate {
  risk: number;
  /** Median working days the comparable dossiers that were still open at this point took in all. */
  typicalDays: number;
  elapsedDays: number;
  /** Working days left until the appointment (whole days, rounded up). */
  daysLeft: number;
  basis: RiskBasis;
  samples: number;
}

/** Processing-time samples from finished dossiers (result ready or returned), as working days. */
export function toSample(cal: WorkingCalendar, d: { unitId: number; procedureId: number; receivedAt: Date; finishedAt: Date }): Sample {
  return { unitId: d.unitId, procedureId: d.procedureId, finishedAt: d.finishedAt, days: Math.max(0, cal.workingDaysBetween(cal.startOfCounting(d.receivedAt), d.finishedAt)) };
}

/** Samples grouped for quick lookup; only those finished before `asOf` and within the window count. */
export class SampleIndex {
  private readonly byUnitProc = new Map<string, Sample[]>();
  private readonly byProc = new Map<number, Sample[]>();

  constructor(samples: Sample[]) {
    for (const s of [...samples].sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime())) {
      push(this.byUnitProc, `${s.unitId}:${s.procedureId}`, s);
      push(this.byProc, s.procedureId, s);
    }
  }

  /** The comparable processing times as of `asOf` and the level they were taken from. */
  comparable(d: OpenDossier, asOf: Date, minSamples = MIN_SAMPLES): { days: number[]; basis: RiskBasis } {
    const since = asOf.getTime() - HISTORY_DAYS * DAY_MS;
    const window = (xs: Sample[] | undefined) => (xs ?? []).filter((s) => s.finishedAt.getTime() <= asOf.getTime() && s.finishedAt.getTime() > since).map((s) => s.days);
    const own = window(this.byUnitProc.get(`${d.unitId}:${d.procedureId}`));
    if (own.length >= minSamples) return { days: own, basis: "unit_procedure" };
    const proc = window(this.byProc.get(d.procedureId));
    if (proc.length >= minSamples) return { days: proc, basis: "procedure" };
    return { days: [], basis: "statutory" };
  }
}

function push<K>(m: Map<K, Sample[]>, k: K, s: Sample): void {
  const list = m.get(k);
  if (list) list.push(s);
  else m.set(k, [s]);
}

export function estimateRisk(cal: WorkingCalendar, index: SampleIndex, d: OpenDossier, asOf: Date, minSamples = MIN_SAMPLES): RiskEstimate {
  const start = cal.startOfCounting(d.receivedAt);
  const elapsed = Math.max(0, cal.workingDaysBetween(start, asOf));
  const available = cal.workingDaysBetween(start, d.appointmentAt);
  const daysLeft = cal.workingDaysLeft(asOf, d.appointmentAt);
  const found = index.comparable(d, asOf, minSamples);
  let days = found.days;
  if (found.basis === "statutory") {
    const statutory = d.durationDays ?? Math.max(1, Math.round(available));
    days = STATUTORY_SHARES.map((s) => s * statutory);
  }
  const stillOpen = days.filter((t) => t > elapsed);
  const late = stillOpen.filter((t) => t > available).length;
  const risk = (late + 0.5) / (stillOpen.length + 1);
  const basisForTypical = stillOpen.length ? stillOpen : days;
  return {
    risk: Math.round(risk * 1000) / 1000,
    typicalDays: Math.max(1, Math.round(median(basisForTypical))),
    elapsedDays: Math.round(elapsed * 10) / 10,
    daysLeft,
    basis: found.basis,
    samples: found.basis === "statutory" ? 0 : days.length,
  };
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "thường mất 12 ngày làm việc, còn 3" / "usually takes 12 working days, 3 left". */
export function riskReason(e: Pick<RiskEstimate, "typicalDays" | "daysLeft" | "basis">): { vi: string; en: string } {
  const where = { unit_procedure: { vi: "", en: "" }, procedure: { vi: " (ở các đơn vị)", en: " (across units)" }, statutory: { vi: " (theo thời hạn quy định)", en: " (statutory time)" } }[e.basis];
  return {
    vi: `thường mất ${e.typicalDays} ngày làm việc${where.vi}, còn ${Math.max(0, e.daysLeft)}`,
    en: `usually takes ${e.typicalDays} working day${e.typicalDays === 1 ? "" : "s"}${where.en}, ${Math.max(0, e.daysLeft)} left`,
  };
}

/** Samples of the history window before `asOf` (finished with a result: status 9 or 10). */
export async function loadSamples(prisma: PrismaClient, cal: WorkingCalendar, asOf: Date, days = HISTORY_DAYS): Promise<Sample[]> {
  const rows = await prisma.dossier.findMany({
    where: { status: { in: [9, 10] }, finishedAt: { not: null, lte: asOf, gt: new Date(asOf.getTime() - days * DAY_MS) } },
    select: { unitId: true, procedureId: true, receivedAt: true, finishedAt: true },
  });
  return rows.map((r) => toSample(cal, { ...r, finishedAt: r.finishedAt! }));
}

// ------------------------------------------------------------------------------ the list

export const atRiskQuerySchema = z.object({
  unitCode: z.string().trim().min(1).max(64).optional().describe("Only this unit and the units below it"),
  procedureCode: z.string().trim().min(1).max(64).optional(),
  minRisk: z.coerce.number().min(0).max(1).default(0.3).describe("Only dossiers at least this likely to be late (0–1, default 0.3)"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  asOf: z.iso.datetime({ offset: true }).optional().describe("Judge as of this instant (default now)"),
});
export type AtRiskQuery = z.infer<typeof atRiskQuerySchema>;

export const atRiskItemSchema = z
  .object({
    code: z.string(),
    unit: z.object({ code: z.string(), name: z.string() }),
    procedure: z.object({ code: z.string(), name: z.string(), durationDays: z.int().nullable() }),
    status: z.int(),
    statusName: z.string(),
    receivedAt: z.string(),
    appointmentAt: z.string(),
    workingDaysLeft: z.int(),
    elapsedWorkingDays: z.number(),
    risk: z.number().describe("Estimated chance of missing the appointment, 0–1"),
    typicalWorkingDays: z.int().describe("Median total working days of comparable dossiers still open at this point"),
    basis: z.enum(["unit_procedure", "procedure", "statutory"]).describe("Where the comparison came from (docs/at-risk.md)"),
    samples: z.int(),
    reason: z.object({ vi: z.string(), en: z.string() }),
  })
  .meta({ id: "AtRiskDossier" });
export type AtRiskItem = z.infer<typeof atRiskItemSchema>;

export const atRiskListSchema = z
  .object({
    asOf: z.string(),
    minRisk: z.number(),
    minSamples: z.int(),
    open: z.int().describe("Open dossiers in scope not yet past their appointment (the clock running)"),
    items: z.array(atRiskItemSchema),
  })
  .meta({ id: "AtRiskList" });
export type AtRiskList = z.infer<typeof atRiskListSchema>;

/** Statuses whose clock is running: open, not waiting for the citizen's supplement. */
const RUNNING = Object.keys(STATUS_KEYS)
  .map(Number)
  .filter((s) => !FINISHED_STATUSES.has(s) && s !== 5);

export async function atRiskDossiers(prisma: PrismaClient, cal: WorkingCalendar, q: AtRiskQuery, now = new Date()): Promise<AtRiskList> {
  const asOf = q.asOf ? new Date(q.asOf) : now;
  const f = await resolveFilters(prisma, { unitCode: q.unitCode, procedureCode: q.procedureCode });
  const params = new SqlParams();
  const where = [`d.status IN (${RUNNING.join(",")})`, `d."appointmentAt" >= ${params.at(asOf)}`, `d."receivedAt" <= ${params.at(asOf)}`];
  if (f.unitId !== undefined) where.push(`d."unitId" IN (SELECT des FROM unit_tree WHERE anc = ${params.int(f.unitId)})`);
  if (f.procedureId !== undefined) where.push(`d."procedureId" = ${params.int(f.procedureId)}`);
  const open = await prisma.$queryRawUnsafe<
    { code: string; unit_id: number; procedure_id: number; received_at: Date; appointment_at: Date; status: number; unit_code: string; unit_name: string; procedure_code: string; procedure_name: string; duration_days: number | null }[]
  >(
    `WITH RECURSIVE ${UNIT_TREE_CTE}
     SELECT d.code, d."unitId" AS unit_id, d."procedureId" AS procedure_id, d."receivedAt" AS received_at, d."appointmentAt" AS appointment_at,
            d.status, u.code AS unit_code, u.name AS unit_name, p.code AS procedure_code, p.name AS procedure_name, p."durationDays" AS duration_days
     FROM "Dossier" d JOIN "Unit" u ON u.id = d."unitId" JOIN "Procedure" p ON p.id = d."procedureId"
     ${whereClause(where)}`,
    ...params.values,
  );
  const index = new SampleIndex(await loadSamples(prisma, cal, asOf));
  const items: AtRiskItem[] = [];
  for (const d of open) {
    const e = estimateRisk(cal, index, { unitId: d.unit_id, procedureId: d.procedure_id, durationDays: d.duration_days, receivedAt: d.received_at, appointmentAt: d.appointment_at }, asOf);
    if (e.risk < q.minRisk) continue;
    items.push({
      code: d.code,
      unit: { code: d.unit_code, name: d.unit_name },
      procedure: { code: d.procedure_code, name: d.procedure_name, durationDays: d.duration_days },
      status: d.status,
      statusName: STATUS_KEYS[d.status] ?? "unknown",
      receivedAt: d.received_at.toISOString(),
      appointmentAt: d.appointment_at.toISOString(),
      workingDaysLeft: e.daysLeft,
      elapsedWorkingDays: e.elapsedDays,
      risk: e.risk,
      typicalWorkingDays: e.typicalDays,
      basis: e.basis,
      samples: e.samples,
      reason: riskReason(e),
    });
  }
  items.sort((a, b) => b.risk - a.risk || a.workingDaysLeft - b.workingDaysLeft || a.code.localeCompare(b.code));
  return { asOf: asOf.toISOString(), minRisk: q.minRisk, minSamples: MIN_SAMPLES, open: open.length, items: items.slice(0, q.limit) };
}
