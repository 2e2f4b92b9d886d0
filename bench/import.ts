// Bulk import benchmark: `npx tsx bench/import.ts [rows=100000]`.
//
// For each database (a fresh in-memory PGlite; and, when BENCH_DATABASE_URL is set, a fresh
// PostgreSQL database created and dropped here) two phases run, each in its own child
// process on its own fresh database so that peak RSS is not inherited from the other:
//   baseline  a plain multi-row INSERT of the same rows into "Dossier" (same batch size,
//             units/procedures created beforehand, no validation, no history);
//   import    importDossiers(csvRows(file)) over a CSV of the same rows (written to a temp
//             file before timing): streaming parse, validation, hashing, computed
//             appointments, catalogue upserts, upsert + status history, one transaction.
// Printed: rows/s per phase, ours/baseline ratio, and peak RSS (sampled every 50 ms).
import { fork } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { once } from "node:events";
import pg from "pg";
import { CalendarStore } from "../src/core/calendar-store.ts";
import { CSV_COLUMNS, csvRows, importDossiers } from "../src/core/dossier-import.ts";
import { IdentityHasher } from "../src/core/identity.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { benchDbKind, ratioOf, writeResults } from "./lib.ts";

const BATCH = 500;

// ---------------------------------------------------------------------------------------
// Deterministic realistic rows

const UNITS: [string, string][] = [
  ["000.00.15.H32", "UBND phường Cam Lộc"],
  ["000.01.15.H32", "UBND phường Đông Giang"],
  ["000.02.15.H32", "UBND phường Đông Lễ"],
  ["000.03.15.H32", "UBND phường Đông Lương"],
  ["000.04.15.H32", "UBND phường Đông Thanh"],
  ["000.05.15.H32", "UBND phường Đông Hà"],
  ["000.06.15.H32", "UBND phường Nam Đông Hà"],
  ["000.07.15.H32", "UBND phường Quảng Trị"],
  ["000.00.16.H32", "UBND xã Hải Thượng"],
  ["000.01.16.H32", "UBND xã Hải Lâm"],
  ["000.02.16.H32", "UBND xã Cửa Việt"],
  ["000.03.16.H32", "UBND xã Gio Linh"],
];
const FIELDS: [string, string][] = [
  ["DD", "Đất đai"],
  ["HT", "Hộ tịch"],
  ["CT", "Chứng thực"],
  ["XD", "Xây dựng"],
  ["BTXH", "Bảo trợ xã hội"],
];
const PROCEDURES: [code: string, name: string, field: string, days: number][] = [
  ["1.004227", "Đăng ký biến động quyền sử dụng đất", "DD", 10],
  ["1.003583", "Tách thửa hoặc hợp thửa đất", "DD", 20],
  ["1.001193", "Đăng ký khai sinh", "HT", 1],
  ["1.000894", "Đăng ký kết hôn", "HT", 3],
  ["1.004873", "Cấp bản sao trích lục hộ tịch", "HT", 1],
  ["2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "CT", 1],
  ["1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", 15],
  ["1.010801", "Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội", "BTXH", 20],
];
const SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"];
const MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Ngọc", "Quang", "Thu", "Xuân"];
const GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Tuyết", "Việt", "Yến"];
const STEPS = ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Trình lãnh đạo ký", "Chờ ký, đóng dấu", "Đã có kết quả, chờ trả"];
const STATUS_WEIGHTS: [number, number][] = [[1, 2], [2, 8], [3, 1], [4, 35], [5, 5], [6, 2], [7, 1], [8, 1], [9, 20], [10, 25]];
const RETURN = ["counter", "counter", "counter", "postal", "online"];

interface BenchRow {
  code: string;
  unit: number;
  procedure: number;
  applicantName: string;
  applicantPhone: string;
  applicantIdNumber: string;
  receivedAt: string;
  appointmentAt: string | undefined;
  status: number;
  returnMethod: string;
  currentStep: string;
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function* generateRows(n: number): Generator<BenchRow> {
  const rnd = mulberry32(20230112);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const digits = (k: number) => Array.from({ length: k }, () => Math.floor(rnd() * 10)).join("");
  const statusTotal = STATUS_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const seq = new Map<string, number>();
  const pad = (v: number, w = 2) => String(v).padStart(w, "0");
  const start = Date.UTC(2023, 0, 3);
  for (let i = 0; i < n; i++) {
    const unit = Math.floor(rnd() * UNITS.length);
    const procedure = Math.floor(rnd() * PROCEDURES.length);
    // A local (+07:00) working-hours instant in 2023–2024.
    const day = new Date(start + Math.floor(rnd() * 700) * 86_400_000);
    const hour = 7 + Math.floor(rnd() * 10);
    const minute = Math.floor(rnd() * 60);
    const y = day.getUTCFullYear();
    const mo = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    const yymmdd = `${pad(y % 100)}${pad(mo)}${pad(d)}`;
    const key = UNITS[unit]![0] + yymmdd;
    const s = (seq.get(key) ?? 0) + 1;
    seq.set(key, s);
    const receivedAt = `${y}-${pad(mo)}-${pad(d)}T${pad(hour)}:${pad(minute)}:00+07:00`;
    let appointmentAt: string | undefined;
    if (rnd() < 0.75) {
      const due = new Date(Date.parse(receivedAt) + Math.ceil(PROCEDURES[procedure]![3] * 1.4) * 86_400_000);
      appointmentAt = due.toISOString().replace(/\.\d{3}Z$/, "Z");
    }
    let w = rnd() * statusTotal;
    let status = 4;
    for (const [st, weight] of STATUS_WEIGHTS) if ((w -= weight) < 0) {
      status = st;
      break;
    }
    yield {
      code: `${UNITS[unit]![0]}-${yymmdd}-${pad(s, 4)}`,
      unit,
      procedure,
      applicantName: `${pick(SURNAMES)} ${pick(MIDDLE)} ${pick(GIVEN)}`,
      applicantPhone: `09${digits(8)}`,
      applicantIdNumber: `0${digits(11)}`,
      receivedAt,
      appointmentAt,
      status,
      returnMethod: pick(RETURN),
      currentStep: pick(STEPS),
    };
  }
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line + "\r\n")) await once(out, "drain");
  };
  await write("\uFEFF" + CSV_COLUMNS.join(","));
  for (const r of generateRows(n)) {
    const [unitCode, unitName] = UNITS[r.unit]!;
    const [procedureCode, procedureName, fieldCode, days] = PROCEDURES[r.procedure]!;
    const fieldName = FIELDS.find((f) => f[0] === fieldCode)![1];
    const cells: Record<(typeof CSV_COLUMNS)[number], string | number | undefined> = {
      code: r.code,
      unitCode,
      unitName,
      parentUnitCode: undefined,
      fieldCode,
      fieldName,
      procedureCode,
      procedureName,
      procedureDurationDays: days,
      applicantName: r.applicantName,
      applicantPhone: r.applicantPhone,
      applicantIdNumber: r.applicantIdNumber,
      receivedAt: r.receivedAt,
      appointmentAt: r.appointmentAt,
      status: r.status,
      returnMethod: r.returnMethod,
      currentStep: r.currentStep,
    };
    await write(CSV_COLUMNS.map((c) => csvCell(cells[c])).join(","));
  }
  out.end();
  await once(out, "finish");
}

// ---------------------------------------------------------------------------------------
// One phase (child process)

interface PhaseResult {
  seconds: number;
  peakRssMb: number;
  startRssMb: number;
  dossiers: number;
}

async function runPhase(phase: "baseline" | "import", n: number, csvFile: string, url: string | undefined): Promise<PhaseResult> {
  // PGlite is loaded only when used: the module alone weighs ≈45 MB of RSS.
  const pglite = url ? undefined : await (await import("@electric-sql/pglite")).PGlite.create();
  const db: Database = await openDatabase(url ? { url } : { pglite: pglite! });
  try {
    const { prisma } = db;
    const calendar = new CalendarStore(prisma);
    await calendar.seedIfEmpty();
    let rows: BenchRow[] = [];
    let unitIds: number[] = [];
    let procIds: number[] = [];
    if (phase === "baseline") {
      rows = [...generateRows(n)];
      await prisma.field.createMany({ data: FIELDS.map(([code, name]) => ({ code, name })) });
      const fieldIds = new Map((await prisma.field.findMany()).map((f) => [f.code, f.id]));
      for (const [code, name] of UNITS) unitIds.push((await prisma.unit.create({ data: { code, name } })).id);
      for (const [code, name, field, durationDays] of PROCEDURES)
        procIds.push((await prisma.procedure.create({ data: { code, name, durationDays, fieldId: fieldIds.get(field)! } })).id);
    }
    global.gc?.();
    const startRss = process.memoryUsage().rss;
    let peak = startRss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const t0 = performance.now();
    if (phase === "baseline") {
      const now = new Date();
      await prisma.$transaction(
        async (tx) => {
          for (let i = 0; i < rows.length; i += BATCH) {
            const batch = rows.slice(i, i + BATCH);
            const params: unknown[] = [now];
            const tuples: string[] = [];
            for (const r of batch) {
              const b = params.length;
              const received = new Date(r.receivedAt);
              const appointment = r.appointmentAt ? new Date(r.appointmentAt) : new Date(received.getTime() + PROCEDURES[r.procedure]![3] * 86_400_000);
              params.push(r.code, unitIds[r.unit], procIds[r.procedure], r.applicantName, r.applicantPhone, r.applicantIdNumber.slice(0, 3) + "*********");
              params.push(received, appointment, !r.appointmentAt, appointment, r.status, r.returnMethod, r.currentStep);
              tuples.push(`(${Array.from({ length: 13 }, (_, k) => `$${b + k + 1}`).join(", ")}, $1, $1)`);
            }
            await tx.$executeRawUnsafe(
              `INSERT INTO "Dossier" ("code", "unitId", "procedureId", "applicantName", "applicantPhone", "applicantIdMasked", "receivedAt", "appointmentAt",
                 "appointmentComputed", "originalAppointmentAt", "status", "returnMethod", "currentStep", "statusAt", "updatedAt") VALUES ${tuples.join(",")}`,
              ...params,
            );
          }
        },
        { timeout: 10 * 60_000, maxWait: 60_000 },
      );
    } else {
      const out = await importDossiers(
        { prisma, calendar, hasher: new IdentityHasher("bench-pepper-0123456789"), databaseUrl: url },
        csvRows(createReadStream(csvFile)),
        "bench",
        { fieldNames: "csv" },
      );
      if (!out.ok) throw new Error(`import failed: ${JSON.stringify(out.errors.slice(0, 3))} (${out.errorCount} errors)`);
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    rows = [];
    unitIds = [];
    procIds = [];
    const dossiers = await prisma.dossier.count();
    return { seconds, peakRssMb: peak / 2 ** 20, startRssMb: startRss / 2 ** 20, dossiers };
  } finally {
    await db.close();
    await pglite?.close();
  }
}

// ---------------------------------------------------------------------------------------
// Orchestration (parent)

function inChild(args: string[]): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, args, { execArgv: [...process.execArgv, "--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let result: PhaseResult | undefined;
    child.on("message", (m) => (result = m as PhaseResult));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 && result ? resolve(result) : reject(new Error(`phase ${args.join(" ")} exited with ${code}`))));
  });
}

async function admin(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--phase") {
    const [, , , phase, n, csvFile, url] = process.argv;
    const r = await runPhase(phase as "baseline" | "import", Number(n), csvFile!, url || undefined);
    process.send!(r);
    return;
  }
  // One database per run (bench/lib.ts contract): PostgreSQL when BENCH_DATABASE_URL is set.
  const db = benchDbKind();
  const server = process.env.BENCH_DATABASE_URL || undefined;
  const fallback = process.env.BENCH_QUICK ? 20_000 : db === "postgres" ? 500_000 : 200_000;
  const n = Number(process.argv[2] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error("usage: npx tsx bench/import.ts [rows]");
  const dir = mkdtempSync(path.join(tmpdir(), "bench-import-"));
  const csvFile = path.join(dir, "dossiers.csv");
  try {
    const t = performance.now();
    await writeCsv(csvFile, n);
    const { size } = await import("node:fs/promises").then((fs) => fs.stat(csvFile));
    console.log(`${n} rows, CSV ${(size / 2 ** 20).toFixed(1)} MB generated in ${((performance.now() - t) / 1000).toFixed(1)} s (not timed); baseline batch ${BATCH}; node ${process.version}`);

    const label = server ? "PostgreSQL" : "PGlite (embedded)";
    const table: string[][] = [["database", "phase", "seconds", "rows/s", "peak RSS MB", "RSS at start MB", "peak - start MB"]];
    const results: Record<string, PhaseResult> = {};
    for (const phase of ["baseline", "import"] as const) {
      let url: string | undefined;
      let name: string | undefined;
      if (server) {
        name = `bench_import_${process.pid}_${phase}`;
        await admin(server, `CREATE DATABASE "${name}"`);
        const u = new URL(server);
        u.pathname = "/" + name;
        url = u.toString();
      }
      try {
        const r = await inChild(["--phase", phase, String(n), csvFile, url ?? ""]);
        if (r.dossiers !== n) throw new Error(`${phase}: expected ${n} dossiers, found ${r.dossiers}`);
        results[phase] = r;
        table.push([
          label,
          phase === "baseline" ? "floor: plain multi-row INSERT" : "importDossiers(csvRows(file))",
          r.seconds.toFixed(2),
          Math.round(n / r.seconds).toString(),
          r.peakRssMb.toFixed(0),
          r.startRssMb.toFixed(0),
          (r.peakRssMb - r.startRssMb).toFixed(0),
        ]);
      } finally {
        if (server && name) await admin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
    }
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    for (const [k, row] of table.entries()) {
      console.log(row.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  "));
      if (k === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
    }
    const b = results.baseline!;
    const o = results.import!;
    const floorRate = Math.round(n / b.seconds);
    const ours = Math.round(n / o.seconds);
    const ratio = ratioOf(ours, floorRate);
    // ≥ 1× the plain INSERT is the target on PostgreSQL; on PGlite the figure is reported.
    const rateTarget = db === "postgres" ? 1 : 0.5;
    console.log(`${label}: ours/floor rows/s = ${ratio?.toFixed(2)}× (target ≥ ${rateTarget}×); peak RSS ${o.peakRssMb.toFixed(0)} MB for ${n} rows`);
    const file = writeResults("import", db, [
      {
        path: `bulk import ${n} rows (CSV → staged → merged)`,
        db,
        floor: "plain multi-row INSERT of the same rows",
        floorValue: floorRate,
        ours,
        unit: "rows/s",
        ratio,
        target: `≥ ${rateTarget}× floor`,
        met: ratio !== null && ratio >= rateTarget,
      },
      {
        path: `bulk import ${n} rows: peak RSS of the process`,
        db,
        floor: "peak RSS of the plain INSERT (rows held in memory)",
        floorValue: Math.round(b.peakRssMb),
        ours: Math.round(o.peakRssMb),
        unit: "MB",
        ratio: ratioOf(Math.round(b.peakRssMb), Math.round(o.peakRssMb)),
        target: n >= 500_000 ? "< 300 MB at 500,000 rows" : "< 300 MB (500,000 rows asked; fewer run)",
        met: o.peakRssMb < 300,
      },
    ]);
    console.log(`results: ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
