// Backtest of the at-risk warnings (src/core/at-risk.ts, docs/at-risk.md) on the demo year:
// every dossier still open 3 working days before its appointment is judged at that instant,
// with only the history finished before it; flagged = risk ≥ threshold. Precision: of the
// flagged, how many went late; recall: of the late ones, how many were flagged.
// The floor, measured on the same dossiers: flag every dossier open at that point (its
// precision is the base rate of lateness, its recall 100%).
// `npm run bench:at-risk -- [threshold=0.5] [dossiers=520]`; BENCH_DATABASE_URL adds PostgreSQL.
import { mkdirSync, writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { loadConfig } from "../src/app/config.ts";
import { createContext } from "../src/app/context.ts";
import { estimateRisk, SampleIndex, toSample } from "../src/core/at-risk.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { seedDemoData } from "../src/demo/seed.ts";
import { silentLogger } from "../src/logger.ts";

const threshold = Number(process.argv[2] ?? 0.3);
const SWEEP = [0.2, 0.3, 0.4, 0.5];
const AHEAD_DAYS = 3;

interface Outcome {
  db: "pglite" | "postgres";
  judged: number;
  late: number;
  flagged: number;
  flaggedLate: number;
  precision: number;
  recall: number;
  basePrecision: number;
  seconds: number;
  sweep: { threshold: number; flagged: number; precision: number; recall: number }[];
}

async function backtest(db: Database, kind: Outcome["db"]): Promise<Outcome> {
  const ctx = await createContext(loadConfig({ HASH_PEPPER: "bench-pepper-0123456789abcdef", LOG_LEVEL: "silent" }), db, silentLogger);
  const now = new Date();
  await seedDemoData(ctx, now);
  const cal = await ctx.calendar.get();
  const t = performance.now();
  const rows = await ctx.prisma.dossier.findMany({
    select: { unitId: true, procedureId: true, receivedAt: true, appointmentAt: true, finishedAt: true, status: true, procedure: { select: { durationDays: true } } },
  });
  const index = new SampleIndex(rows.filter((r) => (r.status === 9 || r.status === 10) && r.finishedAt).map((r) => toSample(cal, { ...r, finishedAt: r.finishedAt! })));
  let judged = 0;
  let late = 0;
  let flagged = 0;
  let flaggedLate = 0;
  const judgedRisks: { risk: number; late: boolean }[] = [];
  for (const r of rows) {
    if (r.status === 3 || r.status === 7 || r.status === 8) continue;
    const at = cal.addWorkingMinutes(r.appointmentAt, -AHEAD_DAYS * cal.minutesPerWorkingDay);
    // Judged only if it had been received, was still open then, and its outcome is known now.
    if (at <= r.receivedAt || at > now || (r.finishedAt && r.finishedAt <= at)) continue;
    const wentLate = r.finishedAt ? r.finishedAt > r.appointmentAt : r.appointmentAt < now;
    if (!r.finishedAt && !wentLate) continue;
    judged++;
    const e = estimateRisk(cal, index, { unitId: r.unitId, procedureId: r.procedureId, durationDays: r.procedure.durationDays, receivedAt: r.receivedAt, appointmentAt: r.appointmentAt }, at);
    judgedRisks.push({ risk: e.risk, late: wentLate });
    const flag = e.risk >= threshold;
    if (wentLate) late++;
    if (flag) flagged++;
    if (flag && wentLate) flaggedLate++;
  }
  const seconds = (performance.now() - t) / 1000;
  return {
    db: kind,
    judged,
    late,
    flagged,
    flaggedLate,
    precision: flagged ? flaggedLate / flagged : 0,
    recall: late ? flaggedLate / late : 0,
    basePrecision: judged ? late / judged : 0,
    seconds,
    sweep: SWEEP.map((th) => {
      const f = judgedRisks.filter((x) => x.risk >= th);
      const fl = f.filter((x) => x.late).length;
      return { threshold: th, flagged: f.length, precision: f.length ? fl / f.length : 0, recall: late ? fl / late : 0 };
    }),
  };
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

const outcomes: Outcome[] = [];
{
  const db = await openDatabase({ pglite: await PGlite.create() });
  try {
    outcomes.push(await backtest(db, "pglite"));
  } finally {
    await db.close();
  }
}
const server = process.env.BENCH_DATABASE_URL;
if (server) {
  const name = `bench_atrisk_${process.pid}`;
  await admin(server, `CREATE DATABASE "${name}"`);
  const u = new URL(server);
  u.pathname = "/" + name;
  const db = await openDatabase({ url: u.toString() });
  try {
    outcomes.push(await backtest(db, "postgres"));
  } finally {
    await db.close();
    await admin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`At-risk backtest on the demo year: judged ${AHEAD_DAYS} working days before each appointment, flagged when risk ≥ ${threshold}`);
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
for (const o of outcomes) {
  console.log(
    `${o.db}: ${o.judged} dossiers open ${AHEAD_DAYS} working days ahead, ${o.late} went late; flagged ${o.flagged}, of which ${o.flaggedLate} went late\n` +
      `  precision ${pct(o.precision)} (floor: flag every open dossier = base rate ${pct(o.basePrecision)}; ratio ${(o.precision / (o.basePrecision || 1)).toFixed(2)}x)\n` +
      `  recall    ${pct(o.recall)} (floor: 100% by flagging all ${o.judged})\n` +
      `  other thresholds: ${o.sweep.map((w) => `≥${w.threshold}: flagged ${w.flagged}, precision ${pct(w.precision)}, recall ${pct(w.recall)}`).join("; ")}\n` +
      `  ${o.seconds.toFixed(2)} s for the estimates (not a speed claim; load on this machine varies)`,
  );
  const result = {
    name: "at-risk",
    rows: [
      { path: "precision at 3 working days ahead", db: o.db, floor: "flag every open dossier (base rate)", floorValue: o.basePrecision, ours: o.precision, unit: "share", ratio: o.basePrecision ? o.precision / o.basePrecision : null, target: "> 2x the base rate", met: o.basePrecision > 0 && o.precision >= 2 * o.basePrecision },
      { path: "recall at 3 working days ahead", db: o.db, floor: "flag every open dossier", floorValue: 1, ours: o.recall, unit: "share", ratio: o.recall, target: "≥ 0.5", met: o.recall >= 0.5 },
    ],
    details: o,
  };
  writeFileSync(new URL(`./results/at-risk-${o.db}.json`, import.meta.url), JSON.stringify(result, null, 2) + "\n");
}
