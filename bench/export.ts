// Feedback export and index benchmark: `npx tsx bench/export.ts [rows=1000000]`
// (BENCH_QUICK=1: 20,000 rows). Runs on a fresh PGlite, or on a fresh database of the
// BENCH_DATABASE_URL server (bench/lib.ts). Rows are made in SQL with generate_series (one
// dossier and one response each; 20 wards under a province, 10 procedures, a year of dates,
// some Vietnamese comments and formula-like cells); the triggers fill the index aggregates.
//
// Phases, each in its own child process so that peak RSS (VmHWM) is that phase's alone:
// The service's export-pseudonyms job fills the applicants' pseudonyms once after seeding
// (untimed; it runs in the background in the service), so the exports read them.
//   copy      floor: COPY (SELECT <the export's own join>) TO STDOUT (FORMAT csv) into a byte
//             counter through pg-copy-streams; on PGlite COPY … TO '/dev/blob' (in memory);
//   csv       the export as GET /api/v1/feedback/export?format=csv runs it (PostgreSQL: COPY
//             of rows rendered in SQL; PGlite: the same SELECT in batches) into a byte counter;
//   xlsx      format=xlsx (sheet XML into the zip of src/core/export/zip.ts) — target 50,000 rows/s, RSS flat;
//   exceljs   for comparison: the exceljs streaming writer on the same rows (capped at 100k);
//   index     satisfactionIndex unit × month and city-wide from the aggregates (median of 5),
//             against a plain GROUP BY of the raw rows (floor) and the raw-row index.
// Writes bench/results/export-<db>.json.
import path from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { exportColumns, feedbackBatches, FEEDBACK_SELECT, rowContext, rowValues } from "../src/core/export/feedback-rows.ts";
import { writeFeedbackExport, type ExportFormat } from "../src/core/export/index.ts";
import { xlsxWriter } from "../src/core/export/writers.ts";
import { IdentityHasher } from "../src/core/identity.ts";
import { fillPseudonyms } from "../src/core/export/pseudonyms.ts";
import { satisfactionIndex, type CountSource } from "../src/core/stats/satisfaction.ts";
import { currentSurvey } from "../src/core/survey/versions.ts";
import type { Database } from "../src/db/database.ts";
import {
  benchDbKind,
  childMain,
  createBenchDatabase,
  fmt,
  inChild,
  MB,
  openTarget,
  peakRssMb,
  ratioOf,
  rssSampler,
  textTable,
  writeResults,
  type BenchTarget,
  type ResultRow,
} from "./lib.ts";

interface Phase {
  phase: string;
  ms: number;
  rows: number;
  bytes: number;
  peakRssMb: number;
  /** RSS once connected, before the phase started. */
  startRssMb: number;
  /** RSS at 25/50/75/100% of the phase's time: flat means memory does not grow with rows. */
  rssCurveMb?: number[];
  note?: string;
}

interface IndexTimes {
  unitMonthMs: number;
  cityMs: number;
  rawUnitMonthMs: number;
  rawCityMs: number;
  floorUnitMonthMs: number;
  floorCityMs: number;
  groups: number;
  s: number | null | undefined;
}

class CountingSink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.bytes += chunk.length;
    cb();
  }
}

const COPY_SQL = `COPY (${FEEDBACK_SELECT} ORDER BY r.id) TO STDOUT WITH (FORMAT csv, HEADER)`.replace(/\s+/g, " ");
const EXCELJS_CAP = 100_000;

// ---------------------------------------------------------------------------------------
// Seeding

export async function seed(db: Database, rows: number): Promise<void> {
  const p = db.prisma;
  await currentSurvey(p);
  await p.$executeRawUnsafe(`INSERT INTO "Unit" (code, name, level, "updatedAt") VALUES ('000.00.00.H32', 'UBND tỉnh Khánh Hòa', 'province', now())`);
  await p.$executeRawUnsafe(`INSERT INTO "Unit" (code, name, level, "parentId", "updatedAt")
    SELECT '000.' || lpad(g::text, 2, '0') || '.15.H32', 'UBND phường Số ' || g || ' (Cam Ranh)', 'ward', (SELECT id FROM "Unit" WHERE code = '000.00.00.H32'), now()
    FROM generate_series(1, 20) g`);
  await p.$executeRawUnsafe(`INSERT INTO "Field" (code, name) VALUES ('DD', 'Đất đai'), ('HT', 'Hộ tịch'), ('CT', 'Chứng thực'), ('XD', 'Xây dựng'), ('KD', 'Hộ kinh doanh')`);
  await p.$executeRawUnsafe(`INSERT INTO "Procedure" (code, name, "fieldId", "durationDays", "updatedAt")
    SELECT '1.00' || lpad(g::text, 4, '0'), 'Thủ tục số ' || g || ' — đăng ký biến động', (SELECT id FROM "Field" ORDER BY id LIMIT 1 OFFSET (g % 5)), 10, now()
    FROM generate_series(1, 10) g`);
  await p.$executeRawUnsafe(`INSERT INTO "Dossier" (code, "unitId", "procedureId", "applicantName", "applicantPhone", "applicantIdHash",
      "receivedAt", "appointmentAt", status, "statusAt", "finishedAt", "returnedAt", "updatedAt")
    SELECT 'B.' || lpad(g::text, 9, '0'), u.a[1 + g % 20], pr.a[1 + (g / 7) % 10],
      'Nguyễn Văn ' || g, '09' || lpad((g % 100000000)::text, 8, '0'), md5(g::text),
      ts, ts + interval '14 days', 10, ts + (5 + g % 12) * interval '1 day', ts + (5 + g % 12) * interval '1 day', ts + (5 + g % 12) * interval '1 day', now()
    FROM generate_series(1, ${rows}) g
    CROSS JOIN (SELECT array_agg(id ORDER BY id) a FROM "Unit" WHERE level = 'ward') u
    CROSS JOIN (SELECT array_agg(id ORDER BY id) a FROM "Procedure") pr
    CROSS JOIN LATERAL (SELECT timestamp '2024-01-01 01:00' + (g % 525600) * interval '1 minute') t(ts)`);
  await p.$executeRawUnsafe(`INSERT INTO "FeedbackResponse" ("dossierId", channel, "surveyVersionId", overall, visits, "onTime", "staffAttitude",
      reasons, comment, complaint, answers, "firstAnsweredAt", "updatedAt", "editableUntil")
    SELECT d.id, (CASE WHEN d.id % 3 = 0 THEN 'zalo' ELSE 'telegram' END)::"Channel", sv.id,
      (CASE WHEN d.id % 10 < 4 THEN 'very_satisfied' WHEN d.id % 10 < 8 THEN 'satisfied' ELSE 'not_satisfied' END)::"SatisfactionLevel",
      1 + d.id % 3, d.id % 5 <> 0, (ARRAY['good', 'normal', 'bad'])[1 + d.id % 3],
      CASE WHEN d.id % 10 >= 8 THEN ARRAY['overdue', 'many_visits'] ELSE ARRAY[]::text[] END,
      CASE WHEN d.id % 17 = 0 THEN 'Cán bộ hướng dẫn tận tình, nhưng phải chờ lâu, "đi lại" 2 lần' WHEN d.id % 101 = 0 THEN '=1+2 thử công thức' END,
      d.id % 97 = 0, '{"overall":"satisfied"}'::jsonb, d."returnedAt" + interval '2 hours', d."returnedAt" + interval '2 hours', d."returnedAt" + interval '14 days'
    FROM "Dossier" d CROSS JOIN (SELECT id FROM "SurveyVersion" ORDER BY version LIMIT 1) sv`);
  await p.$executeRawUnsafe(`ANALYZE`);
}

// ---------------------------------------------------------------------------------------
// Children

async function copyFloor(t: BenchTarget, rows: number): Promise<Phase> {
  const start = peakRssMb();
  if (t.url) {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    const sink = new CountingSink();
    const t0 = performance.now();
    const stream = client.query(copyTo(COPY_SQL));
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      sink.on("finish", resolve);
      stream.pipe(sink);
    });
    const ms = performance.now() - t0;
    await client.end();
    return { phase: "copy", ms, rows, bytes: sink.bytes, peakRssMb: peakRssMb(), startRssMb: start, note: "COPY … TO STDOUT (FORMAT csv) through pg-copy-streams" };
  }
  // Loaded here only: the module alone weighs ≈45 MB of RSS, which the phases on a server must not carry.
  const { PGlite } = await import("@electric-sql/pglite");
  const pgl = await PGlite.create(`${t.dataDir}/pgdata`);
  const t0 = performance.now();
  const res = await pgl.query(`COPY (${FEEDBACK_SELECT} ORDER BY r.id) TO '/dev/blob' WITH (FORMAT csv, HEADER)`);
  const ms = performance.now() - t0;
  const bytes = res.blob?.size ?? 0;
  const peak = peakRssMb();
  await pgl.close();
  return { phase: "copy", ms, rows, bytes, peakRssMb: peak, startRssMb: start, note: "PGlite COPY TO '/dev/blob' (whole output in memory)" };
}

async function withDb<T>(t: BenchTarget, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openTarget(t);
  try {
    await currentSurvey(db.prisma); // warm the connection outside the timing
    return await fn(db);
  } finally {
    await db.close();
  }
}

const hasher = new IdentityHasher("bench-pepper-0123456789abcdef");

async function exportPhase(t: BenchTarget, format: ExportFormat): Promise<Phase> {
  return withDb(t, async (db) => {
    const start = peakRssMb();
    const sink = new CountingSink();
    const rss = rssSampler();
    const t0 = performance.now();
    const n = await writeFeedbackExport({ prisma: db.prisma, hasher, serverUrl: db.url, target: 84 }, { echo: {} }, { format, identities: false }, sink);
    const ms = performance.now() - t0;
    rss.stop();
    return { phase: format, ms, rows: n, bytes: sink.bytes, peakRssMb: peakRssMb(), startRssMb: start, rssCurveMb: rss.curve() };
  });
}

/** The exceljs streaming writer on the first EXCELJS_CAP rows (what the export used before). */
async function exceljsPhase(t: BenchTarget): Promise<Phase> {
  return withDb(t, async (db) => {
    const start = peakRssMb();
    const columns = exportColumns(false);
    const ctx = await rowContext(db.prisma, hasher, false);
    const sink = new CountingSink();
    const t0 = performance.now();
    const writer = await xlsxWriter(sink, columns);
    let n = 0;
    for await (const batch of feedbackBatches(db.prisma, { echo: {} }, 2000)) {
      await writer.rows(batch.map((r) => rowValues(columns, r, ctx)));
      n += batch.length;
      if (n >= EXCELJS_CAP) break;
    }
    await writer.end();
    const ms = performance.now() - t0;
    return { phase: "exceljs", ms, rows: n, bytes: sink.bytes, peakRssMb: peakRssMb(), startRssMb: start, note: `exceljs WorkbookWriter, first ${fmt(n)} rows` };
  });
}

/** The round with the median rate, carrying the highest peak RSS of all rounds. */
function medianRound(list: Phase[]): Phase {
  const byRate = [...list].sort((a, b) => a.rows / a.ms - b.rows / b.ms);
  const mid = byRate[Math.floor(byRate.length / 2)]!;
  return { ...mid, peakRssMb: Math.max(...list.map((p) => p.peakRssMb)) };
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

async function indexPhase(t: BenchTarget): Promise<IndexTimes> {
  return withDb(t, async (db) => {
    const p = db.prisma;
    const q = (groupBy: ("unit" | "month")[]) => ({ groupBy, minSample: 30, scoreMax: 1 });
    const idx = (groupBy: ("unit" | "month")[], source: CountSource) => satisfactionIndex(p, q(groupBy), { target: 84, source });
    const report = await idx(["unit", "month"], "aggregates");
    // Floor: what a hand-written report would run — one GROUP BY of the raw rows, no roll-up.
    const floorUnitMonth = `SELECT d."unitId", date_trunc('month', COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt") + interval '7 hours') AS m, r.overall, count(*)
      FROM "FeedbackResponse" r JOIN "Dossier" d ON d.id = r."dossierId" GROUP BY 1, 2, 3`;
    const floorCity = `SELECT r.overall, count(*) FROM "FeedbackResponse" r GROUP BY 1`;
    return {
      unitMonthMs: await median(5, () => idx(["unit", "month"], "aggregates")),
      cityMs: await median(5, () => idx([], "aggregates")),
      rawUnitMonthMs: await median(1, () => idx(["unit", "month"], "raw")),
      rawCityMs: await median(1, () => idx([], "raw")),
      floorUnitMonthMs: await median(3, () => p.$queryRawUnsafe(floorUnitMonth)),
      floorCityMs: await median(3, () => p.$queryRawUnsafe(floorCity)),
      groups: report.groups.length,
      s: report.totals.decision766?.s,
    };
  });
}

const isChild = await childMain({
  copy: (a: { t: BenchTarget; rows: number }) => copyFloor(a.t, a.rows),
  csv: (a: { t: BenchTarget }) => exportPhase(a.t, "csv"),
  xlsx: (a: { t: BenchTarget }) => exportPhase(a.t, "xlsx"),
  exceljs: (a: { t: BenchTarget }) => exceljsPhase(a.t),
  index: (a: { t: BenchTarget }) => indexPhase(a.t),
});

// ---------------------------------------------------------------------------------------
// Parent

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? (process.env.BENCH_QUICK ? 20_000 : 1_000_000));
  const kind = benchDbKind();
  const bench = await createBenchDatabase("export");
  try {
    const t0 = performance.now();
    const db = await openTarget(bench.target);
    await seed(db, rows);
    // What the service's export-pseudonyms job does after writes (src/core/export/pseudonyms.ts):
    // the rows here were made by SQL, past the service, so the job runs once before timing.
    const tp = performance.now();
    const { filled } = await fillPseudonyms(db.prisma, hasher, { limit: Number.MAX_SAFE_INTEGER });
    const fillSeconds = (performance.now() - tp) / 1000;
    await db.close();
    console.log(`bench/export: ${fmt(rows)} feedback rows on ${bench.label}; seeded in ${fmt((performance.now() - t0) / 1000, 1)} s (node ${process.version})`);
    console.log(`  the pseudonyms job filled ${fmt(filled)} dossiers in ${fmt(fillSeconds, 1)} s (${fmt(filled / fillSeconds)} rows/s, in the background in the service; not part of any timing below)`);
    const run = <T>(phase: string) => inChild<T>(import.meta.url, phase, { t: bench.target, rows });
    // Rounds alternate floor and ours (BENCH_ROUNDS, default 3): this VM's speed drifts by up
    // to a quarter between minutes, so each figure is the median round's, and a peak RSS is
    // the highest of the rounds.
    const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? (process.env.BENCH_QUICK ? 1 : 3)));
    const runs: Record<"copy" | "csv" | "xlsx", Phase[]> = { copy: [], csv: [], xlsx: [] };
    for (let i = 0; i < rounds; i++) for (const phase of ["copy", "csv", "xlsx"] as const) runs[phase].push(await run<Phase>(phase));
    const copy = medianRound(runs.copy);
    const csv = medianRound(runs.csv);
    const xlsx = medianRound(runs.xlsx);
    for (const phase of ["copy", "csv", "xlsx"] as const)
      if (rounds > 1) console.log(`  ${phase} rounds: ${runs[phase].map((p) => `${fmt(p.rows / (p.ms / 1000))} rows/s, ${fmt(p.peakRssMb)} MB`).join("; ")}`);
    const exceljs = await run<Phase>("exceljs");
    const index = await run<IndexTimes>("index");

    const rate = (p: Phase) => p.rows / (p.ms / 1000);
    console.log(
      textTable(
        ["phase", "time", "rows/s", "peak RSS", "RSS before", "output"],
        [copy, csv, xlsx, exceljs].map((p) => [
          p.phase === "copy" ? "COPY (floor)" : p.phase === "exceljs" ? "XLSX exceljs (before)" : `export ${p.phase.toUpperCase()}`,
          `${fmt(p.ms / 1000, 2)} s`,
          fmt(rate(p)),
          `${fmt(p.peakRssMb)} MB`,
          `${fmt(p.startRssMb)} MB`,
          p.bytes ? `${fmt(p.bytes / MB, 1)} MB` : "-",
        ]),
      ),
    );
    for (const p of [copy, exceljs]) if (p.note) console.log(`  ${p.phase}: ${p.note}`);
    for (const p of [csv, xlsx]) if (p.rssCurveMb) console.log(`  ${p.phase}: RSS at 25/50/75/100% of the export: ${p.rssCurveMb.map((x) => fmt(x)).join(" / ")} MB`);
    console.log(
      textTable(
        ["index", "aggregates", "raw rows (same SQL shape)", "floor: plain GROUP BY of raw rows"],
        [
          ["unit × month", `${fmt(index.unitMonthMs, 1)} ms`, `${fmt(index.rawUnitMonthMs, 0)} ms`, `${fmt(index.floorUnitMonthMs, 0)} ms`],
          ["city-wide", `${fmt(index.cityMs, 1)} ms`, `${fmt(index.rawCityMs, 0)} ms`, `${fmt(index.floorCityMs, 0)} ms`],
        ],
      ),
    );
    console.log(`  index: ${index.groups} groups (21 units × months), S = ${index.s}; medians of 5 (raw: one run after a warm-up)`);

    const copyRate = rate(copy);
    const csvRatio = ratioOf(rate(csv), copyRate);
    const size = `${fmt(rows / 1000)}k rows`;
    const results: ResultRow[] = [
      {
        path: `feedback CSV export, ${size}`,
        db: kind,
        floor: kind === "postgres" ? "COPY TO STDOUT of the same join" : "COPY TO '/dev/blob' of the same join",
        floorValue: Math.round(copyRate),
        ours: Math.round(rate(csv)),
        unit: "rows/s",
        ratio: csvRatio,
        target: "≥ 0.5× floor",
        met: (csvRatio ?? 0) >= 0.5,
      },
      {
        path: `feedback CSV export peak RSS (whole process), ${size}`,
        db: kind,
        floor: "the COPY floor's process",
        floorValue: Math.round(copy.peakRssMb),
        ours: Math.round(csv.peakRssMb),
        unit: "MB",
        ratio: null,
        target: "< 200 MB",
        met: csv.peakRssMb < 200,
      },
      {
        path: `feedback XLSX export, ${size}`,
        db: kind,
        floor: `exceljs streaming writer (${fmt(exceljs.rows / 1000)}k rows)`,
        floorValue: Math.round(rate(exceljs)),
        ours: Math.round(rate(xlsx)),
        unit: "rows/s",
        ratio: ratioOf(rate(xlsx), rate(exceljs)),
        target: "≥ 50,000 rows/s, RSS flat",
        met: rate(xlsx) >= 50_000 && (xlsx.rssCurveMb ? xlsx.rssCurveMb[3]! - xlsx.rssCurveMb[0]! < 50 : true),
      },
      {
        path: `satisfaction index unit × month, ${size}`,
        db: kind,
        floor: "plain GROUP BY of the raw rows",
        floorValue: Math.round(index.floorUnitMonthMs),
        ours: Math.round(index.unitMonthMs * 10) / 10,
        unit: "ms",
        ratio: ratioOf(index.floorUnitMonthMs, index.unitMonthMs),
        target: "< 500 ms",
        met: index.unitMonthMs < 500,
      },
      {
        path: `satisfaction index city-wide, ${size}`,
        db: kind,
        floor: "plain GROUP BY of the raw rows",
        floorValue: Math.round(index.floorCityMs),
        ours: Math.round(index.cityMs * 10) / 10,
        unit: "ms",
        ratio: ratioOf(index.floorCityMs, index.cityMs),
        target: "< 100 ms",
        met: index.cityMs < 100,
      },
    ];
    console.log(`  ratios: CSV ${csvRatio}× COPY; XLSX ${ratioOf(rate(xlsx), rate(exceljs))}× exceljs; index ${results[3]!.ratio}× / ${results[4]!.ratio}× faster than the plain GROUP BY`);
    console.log(`Results: ${writeResults("export", kind, results)}`);
  } finally {
    await bench.cleanup();
  }
}

if (!isChild && process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) await main();
