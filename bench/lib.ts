// Shared harness of the bench/ scripts (docs/benchmarks.md):
//  - a fresh bench database: PGlite in a temporary folder by default; with BENCH_DATABASE_URL
//    a new database created on that server and dropped at the end; migrated by openDatabase
//    (src/db/migrate.ts), so both run the schema the service runs;
//  - peak RSS (VmHWM) of this process or a child, and child processes for phases whose
//    memory must not be inherited from seeding; a child runs the compiled build (dist/, made
//    by scripts/build.mjs as `npm start` makes it) with plain node, as the service runs;
//  - percentiles and formatting;
//  - writeResults(): bench/results/<name>-<db>.json, the rows `npm run bench` summarises.
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adminQuery } from "../src/db/server-admin.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { build } from "../scripts/build.mjs";

export type BenchDb = "postgres" | "pglite";

/** Where a bench database lives: enough for a child process to open it again. */
export interface BenchTarget {
  db: BenchDb;
  /** postgresql:// URL of the fresh database (postgres). */
  url?: string;
  /** Folder of the embedded database (pglite). */
  dataDir?: string;
}

export interface BenchDatabase {
  target: BenchTarget;
  /** e.g. "PostgreSQL 15.14" or "embedded PGlite". */
  label: string;
  /** Drops the database (postgres) or deletes the folder (pglite). Idempotent. */
  cleanup(): Promise<void>;
}

export const RESULTS_DIR = path.resolve(import.meta.dirname, "results");

/** The database kind of this run: "postgres" when BENCH_DATABASE_URL is set. */
export function benchDbKind(): BenchDb {
  return process.env.BENCH_DATABASE_URL ? "postgres" : "pglite";
}

/**
 * Creates a fresh, empty database for a bench and returns where it is (open it with
 * openTarget(), in this process or in a child). The schema is applied on first open.
 */
export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const server = process.env.BENCH_DATABASE_URL;
  if (server) {
    const dbName = `bench_${name.replace(/[^a-z0-9_]/gi, "_")}_${process.pid}`;
    const version = await adminQuery(server, "SHOW server_version");
    await adminQuery(server, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await adminQuery(server, `CREATE DATABASE "${dbName}"`);
    const u = new URL(server);
    u.pathname = "/" + dbName;
    let dropped = false;
    return {
      target: { db: "postgres", url: u.toString() },
      label: `PostgreSQL ${String(version.rows[0]?.server_version ?? "").split(" ")[0]}`,
      async cleanup() {
        if (dropped) return;
        dropped = true;
        await adminQuery(server, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${name}-`));
  return {
    target: { db: "pglite", dataDir: dir },
    label: "embedded PGlite",
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens (and on first open migrates) the bench database through the service's own code. */
export function openTarget(t: BenchTarget): Promise<Database> {
  return t.url ? openDatabase({ url: t.url }) : openDatabase({ dataDir: t.dataDir! });
}

export { adminQuery } from "../src/db/server-admin.ts";

// ------------------------------------------------------------------------------ memory

export const MB = 1024 * 1024;

/** Peak resident set size (VmHWM) in MB of this process or of `pid`; 0 when unknown. */
export function peakRssMb(pid: number | "self" = "self"): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples RSS every `everyMs` while running; `curve()` gives RSS at 25/50/75/100% of the time. */
export function rssSampler(everyMs = 50): { stop(): void; curve(): number[] } {
  const t0 = performance.now();
  const samples: [number, number][] = [];
  const timer = setInterval(() => samples.push([performance.now() - t0, process.memoryUsage.rss() / MB]), everyMs);
  let end = 0;
  return {
    stop() {
      clearInterval(timer);
      end = performance.now() - t0;
    },
    curve() {
      const total = end || performance.now() - t0;
      return [0.25, 0.5, 0.75, 1].map((q) => samples.find(([t]) => t >= q * total)?.[1] ?? process.memoryUsage.rss() / MB);
    },
  };
}

// ------------------------------------------------------------------------------ children

const CHILD_FLAG = "--bench-child";

/**
 * Runs `phase` of the calling script in a child process (so its peak RSS is its own) and
 * resolves with what the child's handler returned. The script must call childMain() at
 * top level with its phase handlers.
 */
export async function inChild<T>(scriptUrl: string, phase: string, payload: unknown): Promise<T> {
  const script = await compiled(fileURLToPath(scriptUrl));
  return new Promise((resolve, reject) => {
    const child = fork(script, [CHILD_FLAG, phase], {
      env: { ...process.env, BENCH_CHILD_PAYLOAD: JSON.stringify(payload) },
      execArgv: withoutTsx(process.execArgv),
    });
    let result: { ok: true; value: T } | { ok: false; error: string } | undefined;
    child.on("message", (m) => (result = m as typeof result));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (result?.ok) resolve(result.value);
      else reject(new Error(`bench child "${phase}" failed (exit ${code}): ${result && !result.ok ? result.error : "no result"}`));
    });
  });
}

const ROOT = path.resolve(import.meta.dirname, "..");
let built: Promise<number> | undefined;

/**
 * The compiled twin of a bench script (dist/bench/…): the service runs from dist/ under
 * `npm start`, without tsx's loader thread (≈32 MB), so the phases measured run that way too.
 * Built once per bench run, from the sources as they are.
 */
async function compiled(script: string): Promise<string> {
  built ??= build(path.join(ROOT, "dist"));
  await built;
  return path.join(ROOT, "dist", path.relative(ROOT, script)).replace(/\.ts$/, ".js");
}

/** Node's flags without the ones that load tsx (the child runs JavaScript). */
export function withoutTsx(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (["--import", "--require", "-r", "--loader", "--experimental-loader"].includes(a) && argv[i + 1]?.includes("tsx")) {
      i++;
      continue;
    }
    if (/^--(import|require|loader|experimental-loader)=.*tsx/.test(a)) continue;
    out.push(a);
  }
  return out;
}

/**
 * In a child started by inChild(): runs the phase handler and sends its result back.
 * Returns true when this process is such a child (the script should then do nothing else).
 */
export async function childMain(handlers: Record<string, (payload: never) => Promise<unknown>>): Promise<boolean> {
  const i = process.argv.indexOf(CHILD_FLAG);
  if (i < 0) return false;
  const phase = process.argv[i + 1]!;
  try {
    const handler = handlers[phase];
    if (!handler) throw new Error(`unknown phase ${phase}`);
    const value = await handler(JSON.parse(process.env.BENCH_CHILD_PAYLOAD ?? "null") as never);
    await new Promise<void>((r) => process.send!({ ok: true, value }, () => r()));
  } catch (err) {
    await new Promise<void>((r) => process.send!({ ok: false, error: String((err as Error)?.stack ?? err) }, () => r()));
    process.exitCode = 1;
  }
  return true;
}

// ------------------------------------------------------------------------------ numbers

/** p-th percentile (0–100) by nearest rank; the input need not be sorted. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain-text table with the first column left-aligned, the others right-aligned. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

// ------------------------------------------------------------------------------ results

/**
 * One measured path. `ratio` is ours ÷ floor for throughputs (higher is better) or
 * floor ÷ ours for times (so that ≥ target is always "met"); `target` is the ratio or the
 * absolute value asked for, as the bench states it.
 */
export interface ResultRow {
  path: string;
  db: BenchDb;
  /** What the floor is, e.g. "COPY TO STDOUT of the same join". */
  floor: string;
  floorValue: number | null;
  ours: number;
  /** Unit of floorValue and ours, e.g. "rows/s", "ms", "MB". */
  unit: string;
  ratio: number | null;
  /** Human-readable target, e.g. "≥ 0.5× floor" or "< 500 ms". */
  target: string;
  met: boolean;
}

export interface ResultFile {
  name: string;
  rows: ResultRow[];
}

/** Writes bench/results/<name>-<db>.json (the summary of `npm run bench` reads these). */
export function writeResults(name: string, db: BenchDb, rows: ResultRow[]): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}-${db}.json`);
  const body: ResultFile = { name, rows };
  writeFileSync(file, JSON.stringify(body, null, 2) + "\n");
  return file;
}

/** ours ÷ floor, rounded to 2 decimals (null without a floor). */
export function ratioOf(ours: number, floor: number | null | undefined): number | null {
  if (floor === null || floor === undefined || floor === 0 || !Number.isFinite(floor)) return null;
  return Math.round((ours / floor) * 100) / 100;
}
