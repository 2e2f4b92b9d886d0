// Feedback export benchmark: `npx tsx bench/export.ts [rows=1000000]`.
//
// Database: a fresh database created (and dropped) on the BENCH_DATABASE_URL PostgreSQL
// server when set, else an embedded PGlite in a temporary folder. Rows are made in SQL with
// generate_series (one dossier and one response each; 20 wards under a province, 10
// procedures, a year of dates, some Vietnamese comments and formula-like cells).
//
// Phases, each in its own child process so that peak RSS (VmHWM) is that phase's alone:
//   baseline  PostgreSQL COPY (SELECT <the export's own join>) TO STDOUT as CSV, discarded:
//             through pg-copy-streams when installed, else `psql -c "\copy … to /dev/null"`
//             (peak RSS is psql's); on PGlite `COPY … TO '/dev/blob'` (held in memory).
//   csv       GET /api/v1/feedback/export?format=csv's code path into a byte-counting sink.
//   xlsx      the same with format=xlsx (exceljs streaming writer).
//   index     satisfactionIndex grouped by unit × month over every row.
// Printed: time, rows/s, peak RSS, bytes, and time relative to the COPY baseline.
import { fork, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { FEEDBACK_SELECT } from "../src/core/export/feedback-rows.ts";
import { writeFeedbackExport, type ExportFormat } from "../src/core/export/index.ts";
import { IdentityHasher } from "../src/core/identity.ts";
import { satisfactionIndex } from "../src/core/stats/satisfaction.ts";
import { currentSurvey } from "../src/core/survey/versions.ts";
import { openDatabase, type Database } from "../src/db/database.ts";

type Phase = "copy" | "csv" | "xlsx" | "index";
interface Result {
  phase: Phase;
  ms: number;
  rows: number;
  bytes: number;
  peakRssMb: number;
  /** RSS once connected, before the phase started (node phases). */
  startRssMb?: number;
  /** RSS at 25%, 50%, 75% and 100% of the phase's time: flat means memory does not grow with rows. */
  rssCurveMb?: number[];
  note?: string;
}
interface Target {
  url?: string;
  dataDir?: string;
}

const MB = 1024 * 1024;

function vmHwmMb(pid: number | "self" = "self"): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

class CountingSink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.bytes += chunk.length;
    cb();
  }
}

const COPY_SQL = `COPY (${FEEDBACK_SELECT} ORDER BY r.id) TO STDOUT WITH (FORMAT csv, HEADER)`.replace(/\s+/g, " ");

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
// Child: one phase

async function openTarget(t: Target): Promise<Database> {
  return t.url ? openDatabase({ url: t.url }) : openDatabase({ dataDir: t.dataDir! });
}

async function copyBaseline(t: Target, rows: number): Promise<Result> {
  if (t.url) {
    const copyStreams = await import("pg-copy-streams" as string).catch(() => null);
    if (copyStreams) {
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      const sink = new CountingSink();
      const t0 = performance.now();
      const stream = client.query((copyStreams as { to(sql: string): never }).to(COPY_SQL)) as unknown as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        sink.on("finish", resolve);
        stream.pipe(sink);
      });
      const ms = performance.now() - t0;
      await client.end();
      return { phase: "copy", ms, rows, bytes: sink.bytes, peakRssMb: vmHwmMb(), note: "pg-copy-streams" };
    }
    // psql writes the COPY stream to /dev/null; its own peak RSS is sampled from /proc.
    const t0 = performance.now();
    const child = spawn("psql", [t.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `\\copy (${FEEDBACK_SELECT.replace(/\s+/g, " ")} ORDER BY r.id) TO '/dev/null' WITH (FORMAT csv, HEADER)`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let peak = 0;
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setInterval(() => {
      peak = Math.max(peak, vmHwmMb(child.pid!));
    }, 10);
    const code: number = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
    clearInterval(timer);
    const ms = performance.now() - t0;
    if (code !== 0) throw new Error(`psql \\copy failed: ${stderr}`);
    return { phase: "copy", ms, rows, bytes: 0, peakRssMb: peak, note: "psql \\copy → /dev/null (output size not measured); peak RSS is psql's" };
  }
  const pgl = await PGlite.create(path.join(t.dataDir!, "pgdata"));
  const start = vmHwmMb();
  const t0 = performance.now();
  const res = await pgl.query(`COPY (${FEEDBACK_SELECT} ORDER BY r.id) TO '/dev/blob' WITH (FORMAT csv, HEADER)`);
  const ms = performance.now() - t0;
  const bytes = res.blob?.size ?? 0;
  const peak = vmHwmMb();
  await pgl.close();
  return { phase: "copy", ms, rows, bytes, peakRssMb: peak, startRssMb: start, note: "PGlite COPY TO '/dev/blob' (whole output in memory)" };
}

async function runPhase(phase: Phase, t: Target, rows: number): Promise<Result> {
  if (phase === "copy") return copyBaseline(t, rows);
  const db = await openTarget(t);
  try {
    const deps = { prisma: db.prisma, hasher: new IdentityHasher("bench-pepper-0123456789abcdef") };
    // Warm the connection and the survey-version cache outside the timing.
    await currentSurvey(db.prisma);
    const start = vmHwmMb();
    if (phase === "index") {
      const t0 = performance.now();
      const r = await satisfactionIndex(db.prisma, { groupBy: ["unit", "month"], minSample: 30, scoreMax: 1 }, { target: 84 });
      const ms = performance.now() - t0;
      return { phase, ms, rows: r.totals.rated, bytes: 0, peakRssMb: vmHwmMb(), startRssMb: start, note: `${r.groups.length} groups (21 units × 12 months), S = ${r.totals.decision766?.s}` };
    }
    const sink = new CountingSink();
    const samples: [number, number][] = [];
    const t0 = performance.now();
    const sampler = setInterval(() => samples.push([performance.now() - t0, process.memoryUsage.rss() / MB]), 50);
    const n = await writeFeedbackExport(deps, { echo: {} }, { format: phase as ExportFormat, identities: false }, sink);
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const at = (q: number) => samples.find(([t]) => t >= q * ms)?.[1] ?? process.memoryUsage.rss() / MB;
    return { phase, ms, rows: n, bytes: sink.bytes, peakRssMb: vmHwmMb(), startRssMb: start, rssCurveMb: [0.25, 0.5, 0.75, 1].map(at) };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------
// Parent

function inChild(phase: Phase, t: Target, rows: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--phase", phase, String(rows)], {
      env: { ...process.env, BENCH_TARGET: JSON.stringify(t) },
      execArgv: process.execArgv,
    });
    let result: Result | undefined;
    child.on("message", (m) => (result = m as Result));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 && result ? resolve(result) : reject(new Error(`phase ${phase} exited with ${code}`))));
  });
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--phase") {
    const t = JSON.parse(process.env.BENCH_TARGET!) as Target;
    const r = await runPhase(args[1] as Phase, t, Number(args[2]));
    process.send!(r);
    return;
  }
  const rows = Number(args[0] ?? 1_000_000);
  const server = process.env.BENCH_DATABASE_URL;
  let target: Target;
  let cleanup: () => Promise<void>;
  let label: string;
  if (server) {
    const name = `bench_export_${process.pid}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    label = `PostgreSQL server (${(await admin.query("SHOW server_version")).rows[0].server_version})`;
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(server);
    u.pathname = "/" + name;
    target = { url: u.toString() };
    cleanup = async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "bench-export-"));
    label = "embedded PGlite";
    target = { dataDir: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  try {
    const t0 = performance.now();
    const db = await openTarget(target);
    await seed(db, rows);
    await db.close();
    console.log(`bench/export: ${fmt(rows)} feedback rows on ${label}; seeded in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
    const results: Result[] = [];
    for (const phase of ["copy", "csv", "xlsx", "index"] as Phase[]) results.push(await inChild(phase, target, rows));
    const base = results[0]!;
    const header = ["phase", "time", "rows/s", "× COPY time", "peak RSS", "RSS before", "output"];
    const lines = results.map((r) => [
      r.phase === "copy" ? "COPY (baseline)" : r.phase === "index" ? "index unit×month" : `export ${r.phase.toUpperCase()}`,
      `${fmt(r.ms / 1000, 2)} s`,
      r.phase === "index" ? "-" : fmt(r.rows / (r.ms / 1000)),
      r.phase === "copy" ? "1.00" : r.phase === "index" ? "-" : fmt(r.ms / base.ms, 2),
      `${fmt(r.peakRssMb)} MB`,
      r.startRssMb === undefined ? "-" : `${fmt(r.startRssMb)} MB`,
      r.bytes ? `${fmt(r.bytes / MB, 1)} MB` : "-",
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    console.log(row(header));
    for (const l of lines) console.log(row(l));
    for (const r of results) if (r.note) console.log(`  ${r.phase}: ${r.note}`);
    for (const r of results)
      if (r.rssCurveMb) console.log(`  ${r.phase}: RSS at 25/50/75/100% of the export: ${r.rssCurveMb.map((x) => fmt(x)).join(" / ")} MB`);
    console.log("  peak RSS = VmHWM of the phase's own process; RSS before = after connecting, before the phase.");
  } finally {
    await cleanup();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
