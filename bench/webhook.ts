// Telegram webhook benchmark: `npx tsx bench/webhook.ts [updates=3000] [concurrency=16]`.
// Database: embedded PGlite, or a fresh database on the BENCH_DATABASE_URL PostgreSQL server
// (created and dropped here). Writes bench/results/webhook-<db>.json.
//
// One process, one fake Bot API on loopback (real HTTP), the same load for both phases:
//   baseline  a bare grammY echo bot (bot.on("message", ctx => ctx.reply(text))) behind
//             express + webhookCallback(bot, "express", { secretToken }) — no database;
//   ours      the real service: createApp + the Telegram router, a database holding
//             100,000 dossiers of which 2,000 are linked to 2,000 Telegram users; every
//             update is a status question ("hồ sơ của tôi đến đâu rồi?") that goes through
//             the secret check, the durable inbox, the conversation core (account upsert,
//             links, status card, audit row), sendMessage to the fake, and markProcessed.
// Each update has a distinct update_id; the client keeps `concurrency` requests in flight.
// Both targets run side by side; BENCH_ROUNDS (3; 1 with BENCH_QUICK) rounds of `updates` each
// alternate floor, ours, floor, ours …, and the medians are compared.
// Printed: updates/s, p50/p99 latency (client-side, per webhook request), the ratio
// ours/baseline, RSS, and where an update's time goes: database round trips per update and
// their time (measured at the driver adapter), the understanding step, the reply to the fake.
import { databaseConversation } from "../src/core/conversation/database.ts";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { PGlite } from "@electric-sql/pglite";
import express from "express";
import { Bot, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { createApp } from "../src/api/app.ts";
import { startTelegram } from "../src/bot/telegram/index.ts";
import { loadConfig } from "../src/app/config.ts";
import { createContext } from "../src/app/context.ts";
import { ConversationService } from "../src/core/conversation/index.ts";
import { ratioOf, writeResults } from "./lib.ts";
import pg from "pg";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQueryable } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "../src/generated/prisma/client.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { bindSql, pgliteSql, poolSql, type Sql } from "../src/db/sql.ts";
import { corpusUnderstanding } from "../src/core/conversation/understanding/service.ts";
import { silentLogger } from "../src/logger.ts";
import { BOT_USER, startFakeTelegram, type FakeTelegram } from "../test/fakes/telegram-server.ts";

const N = Number(process.argv[2] ?? (process.env.BENCH_QUICK ? 300 : 3000));
const CONCURRENCY = Number(process.argv[3] ?? 16);
const DOSSIERS = 100_000;
const LINKED_USERS = 2_000;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const SECRET = "bench-webhook-secret";
const USER_BASE = 700_000_000;
const QUESTION = "hồ sơ của tôi đến đâu rồi?";

interface Result {
  name: string;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** CPU of this whole process (load generator, fake Bot API and the target, all threads) per update. */
  cpuMsPerUpdate?: number;
  /** CPU of the local PostgreSQL server's processes per update (null: not visible). */
  serverCpuMsPerUpdate?: number | null;
}

let nextUpdateId = 1;
function statusQuestion(i: number): Update {
  const uid = USER_BASE + (i % LINKED_USERS);
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: i + 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: uid, type: "private", first_name: "Dân" },
      from: { id: uid, is_bot: false, first_name: "Dân", language_code: "vi" },
      text: QUESTION,
    },
  } as Update;
}

async function load(name: string, url: string, count: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  async function worker(): Promise<void> {
    while (next < count) {
      const body = JSON.stringify(statusQuestion(next++));
      const s = performance.now();
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET }, body });
      await res.arrayBuffer();
      latencies.push(performance.now() - s);
      if (res.status !== 200) errors++;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { name, seconds, perSecond: count / seconds, p50: pct(50), p99: pct(99), max: latencies.at(-1)!, errors };
}

function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

// ---------------------------------------------------------------------------------------

/** Counts and times every statement the service sends through the driver adapter. */
const dbStats = { queries: 0, ms: 0, transactions: 0 };
function instrument<T extends SqlQueryable>(q: T): T {
  return new Proxy(q, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === "queryRaw" || prop === "executeRaw")
        return async (...args: unknown[]) => {
          const t = performance.now();
          try {
            return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            dbStats.queries++;
            dbStats.ms += performance.now() - t;
          }
        };
      if (prop === "startTransaction")
        return async (...args: unknown[]) => {
          dbStats.transactions++;
          return instrument((await (v as (...a: unknown[]) => Promise<SqlQueryable>).apply(target, args)) as SqlQueryable);
        };
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
/** The same counting for the statements that go to the driver directly (src/db/sql.ts). */
function instrumentSql(sql: Sql): Sql {
  return {
    async rows<T>(text: string, values?: readonly unknown[]): Promise<T[]> {
      const t = performance.now();
      try {
        return await sql.rows<T>(text, values);
      } finally {
        dbStats.queries++;
        dbStats.ms += performance.now() - t;
      }
    },
  };
}
function instrumentFactory(f: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return new Proxy(f, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === "connect") return async () => instrument((await (v as () => Promise<SqlDriverAdapter>).apply(target)) as SqlDriverAdapter);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const SERVER = process.env.BENCH_DATABASE_URL;
const DB_LABEL = SERVER ? "postgres" : "pglite";

/** A fresh, migrated, seeded database; the service's Prisma client goes through the counting adapter. */
async function benchDatabase(): Promise<{ db: Database; exec: (sql: string) => Promise<unknown>; drop: () => Promise<void> }> {
  if (SERVER) {
    const name = `bench_webhook_${process.pid}`;
    const admin = new pg.Client({ connectionString: SERVER });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(SERVER);
    u.pathname = `/${name}`;
    const url = u.toString();
    const migrated = await openDatabase({ url });
    await migrated.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // As openDatabase does: one pool for Prisma's adapter and the direct statements.
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const prisma = new PrismaClient({ adapter: instrumentFactory(new PrismaPg(pool)) as never });
    bindSql(prisma, instrumentSql(poolSql(pool)));
    const db: Database = { prisma, kind: "server", appliedMigrations: [], ready: async () => true, close: async () => { await prisma.$disconnect(); await pool.end(); } };
    return {
      db,
      exec: (sql) => client.query(sql),
      drop: async () => {
        await client.end();
        const a = new pg.Client({ connectionString: SERVER });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await a.end();
      },
    };
  }
  // On disk, as the service keeps it (DATA_DIR): an in-memory PGlite pays for growing its
  // files in WebAssembly memory instead (MEMFS copies a file each time it grows).
  const dir = mkdtempSync(path.join(tmpdir(), "bench-webhook-"));
  const pglite = await PGlite.create(path.join(dir, "pgdata"));
  const migrated = await openDatabase({ pglite });
  await migrated.prisma.$disconnect();
  const prisma = new PrismaClient({ adapter: instrumentFactory(new PrismaPGlite(pglite)) as never });
  bindSql(prisma, instrumentSql(pgliteSql(pglite)));
  const db: Database = { prisma, kind: "embedded", appliedMigrations: [], ready: async () => true, close: () => prisma.$disconnect() };
  return {
    db,
    exec: (sql) => pglite.exec(sql),
    drop: async () => {
      await pglite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function seed(exec: (sql: string) => Promise<unknown>): Promise<void> {
  // Set-based multi-row inserts: the data is what the benchmark reads, not what it measures.
  await exec(`
    INSERT INTO "Unit" ("code", "name", "hotline", "updatedAt")
      SELECT '000.' || lpad((g % 100)::text, 2, '0') || '.' || (15 + g / 100)::text || '.H32', 'UBND phường số ' || g, '0233 385' || lpad(g::text, 4, '0'), now()
      FROM generate_series(0, 49) g;
    INSERT INTO "Field" ("code", "name") VALUES ('DD', 'Đất đai'), ('HT', 'Hộ tịch'), ('XD', 'Xây dựng');
    INSERT INTO "Procedure" ("code", "name", "fieldId", "durationDays", "updatedAt") VALUES
      ('1.004227', 'Đăng ký biến động quyền sử dụng đất', 1, 10, now()),
      ('1.003583', 'Tách thửa hoặc hợp thửa đất', 1, 20, now()),
      ('1.001193', 'Đăng ký khai sinh', 2, 1, now()),
      ('1.009994', 'Cấp giấy phép xây dựng nhà ở riêng lẻ', 3, 15, now());
  `);
  // 100,000 dossiers: code = <unit>-<yymmdd>-<seq>, a mix of statuses, received over a year.
  await exec(`
    INSERT INTO "Dossier" ("code", "unitId", "procedureId", "applicantName", "applicantPhone", "receivedAt", "appointmentAt",
                           "originalAppointmentAt", "status", "statusAt", "currentStep", "supplementReason", "updatedAt")
    SELECT u.code || '-' || to_char(d.received, 'YYMMDD') || '-' || lpad((1 + g % 9000)::text, 4, '0'),
           u.id, 1 + g % 4, 'Công dân ' || g, '09' || lpad((10000000 + g)::text, 8, '0'),
           d.received, d.received + interval '14 days', d.received + interval '14 days',
           (ARRAY[2, 4, 4, 4, 5, 6, 9, 10])[1 + g % 8], d.received, 'Thẩm định hồ sơ',
           CASE WHEN g % 8 = 4 THEN 'Bổ sung bản sao sổ hộ khẩu' END, now()
    FROM generate_series(0, ${DOSSIERS - 1}) g
    JOIN "Unit" u ON u.id = 1 + (g / 9000) % 50
    CROSS JOIN LATERAL (SELECT timestamp '2025-01-02 02:00' + ((g / 9000) * 7 + g % 7) * interval '1 day' AS received) d;
  `);
  // 2,000 citizens, each with a Telegram account that consented and one linked dossier.
  await exec(`
    INSERT INTO "Citizen" ("phone", "updatedAt") SELECT '09' || lpad((10000000 + k * 50)::text, 8, '0'), now() FROM generate_series(0, ${LINKED_USERS - 1}) k;
    INSERT INTO "ChannelAccount" ("channel", "platformUserId", "citizenId", "consentAt")
      SELECT 'telegram', (${USER_BASE} + k)::text, k + 1, now() FROM generate_series(0, ${LINKED_USERS - 1}) k;
    INSERT INTO "DossierLink" ("citizenId", "dossierId", "verifiedBy", "consentAt")
      SELECT k + 1, 1 + k * 50, 'phone_contact', now() FROM generate_series(0, ${LINKED_USERS - 1}) k;
    ANALYZE;
  `);
}

interface Target {
  url: string;
  /** What every reply of this target must look like. */
  replyOk: (text: string) => boolean;
  close: () => Promise<void>;
}

async function startBaseline(fake: FakeTelegram): Promise<Target> {
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: BOT_USER });
  bot.on("message", (ctx) => ctx.reply(ctx.message.text ?? ""));
  const app = express();
  app.use(express.json());
  app.post("/webhooks/telegram", webhookCallback(bot, "express", { secretToken: SECRET }));
  const { server, url } = await listen(app);
  return { url: `${url}/webhooks/telegram`, replyOk: (t) => t === QUESTION, close: () => close(server) };
}

interface Breakdown {
  queriesPerUpdate: number;
  dbMsPerUpdate: number;
  transactionsPerUpdate: number;
  understandMs: number;
}

async function startOurs(fake: FakeTelegram): Promise<Target & { pending: () => Promise<number> }> {
  const t0 = performance.now();
  const { db, exec, drop } = await benchDatabase();
  await seed(exec);
  const counts = await db.prisma.$queryRawUnsafe<{ d: number; l: number }[]>(`SELECT (SELECT count(*) FROM "Dossier")::int AS d, (SELECT count(*) FROM "DossierLink")::int AS l`);
  console.log(`${SERVER ? "PostgreSQL server" : "embedded PGlite"}: ${counts[0]!.d} dossiers, ${counts[0]!.l} linked to Telegram users (seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: fake.apiRoot,
    HASH_PEPPER: "bench-pepper-0123456789abcdef",
    LOG_LEVEL: "silent",
    ...(SERVER ? { DATABASE_URL: SERVER } : {}),
  });
  const ctx = await createContext(config, db, silentLogger);
  const conversation = databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher });
  const telegram = startTelegram(ctx, conversation, { replayIntervalMs: 0 });
  const app = createApp(ctx, { routers: [telegram.router], readinessChecks: [telegram.readinessCheck] });
  const { server, url } = await listen(app);
  return {
    url: `${url}/webhooks/telegram`,
    replyOk: (t) => t.startsWith("Hồ sơ 000."),
    // The processed mark commits just after the webhook's answer: give the last ones a moment.
    async pending() {
      let n = 0;
      for (let i = 0; i < 50; i++) {
        n = await ctx.prisma.inboundUpdate.count({ where: { processedAt: null } });
        if (!n) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return n;
    },
    async close() {
      await telegram.stop();
      await close(server);
      await db.close();
      await drop();
    },
  };
}

/**
 * CPU seconds used so far by the PostgreSQL server's processes on this machine (ended backends
 * included, through the postmaster's reaped-children times); null when none is visible (a
 * remote server, or not Linux).
 */
function serverCpuSeconds(): number | null {
  let ticks = 0;
  let seen = false;
  try {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
        // utime, stime, cutime, cstime (fields 14–17; index 11–14 after the command name)
        ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
        seen = true;
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return null;
  }
  return seen ? ticks / 100 : null;
}

/** One measured round against a target; every update must have had exactly one good reply. */
async function round(name: string, fake: FakeTelegram, target: Target): Promise<Result> {
  const before = fake.calls.length;
  const cpu0 = process.cpuUsage();
  const server0 = serverCpuSeconds();
  const r = await load(name, target.url, N);
  const cpu = process.cpuUsage(cpu0);
  const server1 = serverCpuSeconds();
  check(fake, before, N, target.replyOk);
  fake.reset();
  r.cpuMsPerUpdate = (cpu.user + cpu.system) / 1000 / N;
  r.serverCpuMsPerUpdate = server0 !== null && server1 !== null ? ((server1 - server0) * 1000) / N : null;
  return r;
}

function median(rs: Result[], key: "perSecond" | "p50" | "p99" | "max"): number {
  const v = rs.map((r) => r[key]).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
}

/** Every update must have produced exactly one sendMessage with the expected text. */
function check(fake: FakeTelegram, before: number, expected: number, ok: (text: string) => boolean): void {
  const sent = fake.calls.slice(before).filter((c) => c.method === "sendMessage");
  const good = sent.filter((c) => c.status === 200 && ok(String(c.body.text)));
  if (sent.length !== expected || good.length !== expected)
    throw new Error(`expected ${expected} good sendMessage calls, got ${sent.length} (${good.length} good); first: ${JSON.stringify(sent[0]?.body).slice(0, 200)}`);
}

function row(r: Result): string {
  const cpu = r.cpuMsPerUpdate === undefined ? "" : `   CPU/update: process ${r.cpuMsPerUpdate.toFixed(2)} ms${r.serverCpuMsPerUpdate != null ? `, server ${r.serverCpuMsPerUpdate.toFixed(2)} ms` : ""}`;
  return `${r.name.padEnd(36)} ${r.perSecond.toFixed(0).padStart(7)} updates/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   max ${r.max.toFixed(1).padStart(7)} ms   errors ${r.errors}${cpu}`;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (process.env.BENCH_QUICK ? 1 : 3));

async function main(): Promise<void> {
  console.log(`Telegram webhook benchmark — ${ROUNDS} rounds of ${N} updates each for the floor and for ours, alternating; concurrency ${CONCURRENCY}, ${DB_LABEL}, node ${process.version}`);
  const fake = await startFakeTelegram({ record: true });
  const baseline = await startBaseline(fake);
  const ours = await startOurs(fake);
  try {
    await load("warm-up", baseline.url, WARMUP);
    await load("warm-up", ours.url, WARMUP);
    fake.reset();
    // Alternating rounds: a slow spell of the machine (another process, the server's
    // autovacuum) falls on both sides instead of deciding the ratio; the medians are compared.
    const floorRounds: Result[] = [];
    const ourRounds: Result[] = [];
    let queries = 0, dbMs = 0, transactions = 0;
    for (let i = 0; i < ROUNDS; i++) {
      floorRounds.push(await round(`grammY echo bot (baseline) #${i + 1}`, fake, baseline));
      console.log(row(floorRounds.at(-1)!));
      dbStats.queries = 0;
      dbStats.ms = 0;
      dbStats.transactions = 0;
      ourRounds.push(await round(`ours: status question #${i + 1}`, fake, ours));
      console.log(row(ourRounds.at(-1)!));
      queries += dbStats.queries;
      dbMs += dbStats.ms;
      transactions += dbStats.transactions;
    }
    const pending = await ours.pending();
    if (pending) throw new Error(`${pending} updates left unprocessed`);
    const understanding = await corpusUnderstanding();
    const u0 = performance.now();
    for (let i = 0; i < 2000; i++) understanding.understand(QUESTION);
    const b: Breakdown = {
      queriesPerUpdate: queries / (N * ROUNDS),
      dbMsPerUpdate: dbMs / (N * ROUNDS),
      transactionsPerUpdate: transactions / (N * ROUNDS),
      understandMs: (performance.now() - u0) / 2000,
    };
    const summary = (name: string, rs: Result[]) => ({ name, seconds: 0, perSecond: median(rs, "perSecond"), p50: median(rs, "p50"), p99: median(rs, "p99"), max: median(rs, "max"), errors: rs.reduce((n, r) => n + r.errors, 0) });
    const floor = summary("grammY echo bot, median", floorRounds);
    const oursMedian = summary("ours, median", ourRounds);
    console.log("");
    console.log(row(floor));
    console.log(row(oursMedian));
    console.log("");
    const ratio = oursMedian.perSecond / floor.perSecond;
    const p99Ratio = oursMedian.p99 / floor.p99;
    const target = SERVER ? 0.5 : 0.3;
    console.log(`ratio ours/baseline (medians): throughput ${ratio.toFixed(3)} (target ≥ ${target})   p50 latency ${(oursMedian.p50 / floor.p50).toFixed(1)}×   p99 latency ${p99Ratio.toFixed(1)}× (target ≤ 3×)`);
    console.log(
      `where an update's time goes: ${b.queriesPerUpdate.toFixed(2)} database statements (${b.transactionsPerUpdate.toFixed(2)} transactions), ` +
        `${b.dbMsPerUpdate.toFixed(2)} ms summed over them (from send to result, including waits for a connection and for the event loop); understanding ${b.understandMs.toFixed(3)} ms`,
    );
    console.log(`RSS at end: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
    writeResults("webhook", DB_LABEL, [
      { path: "Telegram webhook, status question (throughput)", db: DB_LABEL, floor: "bare grammY echo bot, same run", floorValue: floor.perSecond, ours: oursMedian.perSecond, unit: "updates/s", ratio: ratioOf(oursMedian.perSecond, floor.perSecond), target: `≥ ${target}× floor`, met: ratio >= target },
      { path: "Telegram webhook, status question (p99)", db: DB_LABEL, floor: "echo bot p99, same run", floorValue: floor.p99, ours: oursMedian.p99, unit: "ms", ratio: ratioOf(oursMedian.p99, floor.p99), target: "≤ 3× floor", met: p99Ratio <= 3 },
    ]);
  } finally {
    await ours.close();
    await baseline.close();
    await fake.close();
  }
}

await main();
