// `npm run bench [-- --only export,import] [-- --quick]`: runs every benchmark that follows
// the contract of bench/lib.ts (a script in bench/ that calls writeResults) on the embedded
// PGlite and, when BENCH_DATABASE_URL is set, again on that PostgreSQL server; then prints a
// markdown summary of bench/results/*.json written by this run and puts it in
// docs/benchmarks.md between the "results" markers.
// --quick sets BENCH_QUICK=1, which each bench reads as "use small sizes" (a smoke run).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { RESULTS_DIR, fmt, type ResultFile, type ResultRow } from "./lib.ts";

const BENCH_DIR = import.meta.dirname;
const DOC = path.resolve(BENCH_DIR, "../docs/benchmarks.md");
const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

/** Scripts that write results (found by reading them, so a new bench joins by itself). */
export function contractBenches(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".ts") && f !== "lib.ts" && f !== "all.ts")
    .filter((f) => /\bwriteResults\(/.test(readFileSync(path.join(BENCH_DIR, f), "utf8")))
    .sort();
}

function run(script: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, path.join(BENCH_DIR, script)], { env, stdio: "inherit" });
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

function num(v: number | null, unit: string): string {
  if (v === null) return "—";
  const digits = unit === "ms" && v < 10 ? 2 : unit === "ms" && v < 100 ? 1 : 0;
  return `${fmt(v, digits)} ${unit}`;
}

export function summaryTable(rows: ResultRow[]): string {
  const lines = [
    "| path | db | floor (same run) | ours | ratio | target | met |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.path} | ${r.db} | ${r.floor}${r.floorValue === null ? "" : `: ${num(r.floorValue, r.unit)}`} | ${num(r.ours, r.unit)} | ${r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.met ? "yes" : "**no**"} |`,
    ),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: "string" }, quick: { type: "boolean", default: false } } });
  const only = values.only?.split(",").map((s) => s.trim().replace(/\.ts$/, ""));
  const scripts = contractBenches().filter((f) => !only || only.includes(f.replace(/\.ts$/, "")));
  const server = process.env.BENCH_DATABASE_URL;
  const started = Date.now();
  const failed: string[] = [];
  const base: NodeJS.ProcessEnv = { ...process.env, ...(values.quick ? { BENCH_QUICK: "1" } : {}) };
  for (const script of scripts) {
    const passes: [string, NodeJS.ProcessEnv][] = [["pglite", { ...base, BENCH_DATABASE_URL: "" }]];
    if (server) passes.push(["postgres", { ...base, BENCH_DATABASE_URL: server }]);
    for (const [db, env] of passes) {
      if (!env.BENCH_DATABASE_URL) delete env.BENCH_DATABASE_URL;
      console.log(`\n=== ${script} on ${db} ===`);
      const code = await run(script, env);
      if (code !== 0) failed.push(`${script} (${db}, exit ${code})`);
    }
  }
  const rows: ResultRow[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith(".json"));
  } catch {
    files = [];
  }
  for (const f of files.sort()) {
    const p = path.join(RESULTS_DIR, f);
    if (statSync(p).mtimeMs < started) continue; // not from this run
    rows.push(...(JSON.parse(readFileSync(p, "utf8")) as ResultFile).rows);
  }
  const stamp = new Date().toISOString().slice(0, 16).replace("T", " ");
  const table = `Run of ${stamp} UTC (node ${process.version}, ${process.platform}/${process.arch}${values.quick ? ", --quick sizes" : ""}).\n\n${summaryTable(rows)}${
    failed.length ? `\n\nFailed: ${failed.join(", ")}` : ""
  }`;
  console.log(`\n${table}\n`);
  if (!values.quick && !only) {
    const doc = readFileSync(DOC, "utf8");
    const a = doc.indexOf(START);
    const b = doc.indexOf(END);
    if (a >= 0 && b > a) {
      writeFileSync(DOC, `${doc.slice(0, a + START.length)}\n${table}\n${doc.slice(b)}`);
      console.log(`Summary written to ${path.relative(process.cwd(), DOC)}.`);
    }
  }
  if (failed.length) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
