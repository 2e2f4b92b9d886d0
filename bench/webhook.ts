// Telegram webhook benchmark: `npx tsx bench/webhook.ts [updates=3000] [concurrency=16]`.
//
// One process, one fake Bot API on loopback (real HTTP), the same load for both phases:
//   baseline  a bare grammY echo bot (bot.on("message", ctx => ctx.reply(text))) behind
//             express + webhookCallback(bot, "express", { secretToken }) — no database;
//   ours      the real service: createApp + the Telegram router, embedded PGlite holding
//             100,000 dossiers of which 2,000 are linked to 2,000 Telegram users; every
//             update is a status question ("hồ sơ của tôi đến đâu rồi?") that goes through
//             the secret check, the durable inbox, the conversation core (account upsert,
//             links, status card, audit row), sendMessage to the fake, and markProcessed.
// Each update has a distinct update_id; the client keeps `concurrency` requests in flight.
// Printed: updates/s, p50/p99 latency (client-side, per webhook request), the ratio
// ours/baseline, and RSS.
import { databaseConversation } from "../src/core/conversation/database.ts";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { PGlite } from "@electric-sql/pglite";
import express from "express";
import { Bot, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { createApp } from "../src/api/app.ts";
import { startTelegram } from "../src/bot/telegram/index.ts";
import { loadConfig } from "../src/config.ts";
import { createContext } from "../src/context.ts";
import { ConversationService } from "../src/core/conversation/index.ts";
import { openDatabase } from "../src/db/database.ts";
import { silentLogger } from "../src/logger.ts";
import { BOT_USER, startFakeTelegram, type FakeTelegram } from "../test/fakes/telegram-server.ts";

const N = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const DOSSIERS = 100_000;
const LINKED_USERS = 2_000;
const WARMUP = 300;
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

async function seed(pglite: PGlite): Promise<void> {
  // Set-based multi-row inserts: the data is what the benchmark reads, not what it measures.
  await pglite.exec(`
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
  await pglite.exec(`
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
  await pglite.exec(`
    INSERT INTO "Citizen" ("phone", "updatedAt") SELECT '09' || lpad((10000000 + k * 50)::text, 8, '0'), now() FROM generate_series(0, ${LINKED_USERS - 1}) k;
    INSERT INTO "ChannelAccount" ("channel", "platformUserId", "citizenId", "consentAt")
      SELECT 'telegram', (${USER_BASE} + k)::text, k + 1, now() FROM generate_series(0, ${LINKED_USERS - 1}) k;
    INSERT INTO "DossierLink" ("citizenId", "dossierId", "verifiedBy", "consentAt")
      SELECT k + 1, 1 + k * 50, 'phone_contact', now() FROM generate_series(0, ${LINKED_USERS - 1}) k;
    ANALYZE;
  `);
}

async function runBaseline(fake: FakeTelegram): Promise<Result> {
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: BOT_USER });
  bot.on("message", (ctx) => ctx.reply(ctx.message.text ?? ""));
  const app = express();
  app.use(express.json());
  app.post("/webhooks/telegram", webhookCallback(bot, "express", { secretToken: SECRET }));
  const { server, url } = await listen(app);
  try {
    await load("warm-up", `${url}/webhooks/telegram`, WARMUP);
    const before = fake.calls.length;
    const r = await load("grammY echo bot (baseline)", `${url}/webhooks/telegram`, N);
    check(fake, before, N, (t) => t === QUESTION);
    return r;
  } finally {
    await close(server);
  }
}

async function runOurs(fake: FakeTelegram): Promise<Result> {
  const t0 = performance.now();
  const pglite = await PGlite.create();
  const db = await openDatabase({ pglite });
  await seed(pglite);
  const counts = await pglite.query<{ d: number; l: number }>(`SELECT (SELECT count(*) FROM "Dossier")::int AS d, (SELECT count(*) FROM "DossierLink")::int AS l`);
  console.log(`embedded PGlite: ${counts.rows[0]!.d} dossiers, ${counts.rows[0]!.l} linked to Telegram users (seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: fake.apiRoot,
    HASH_PEPPER: "bench-pepper-0123456789abcdef",
    LOG_LEVEL: "silent",
  });
  const ctx = await createContext(config, db, silentLogger);
  const conversation = databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher });
  const telegram = startTelegram(ctx, conversation, { replayIntervalMs: 0 });
  const app = createApp(ctx, { routers: [telegram.router], readinessChecks: [telegram.readinessCheck] });
  const { server, url } = await listen(app);
  try {
    await load("warm-up", `${url}/webhooks/telegram`, WARMUP);
    const before = fake.calls.length;
    const r = await load("ours: status question via webhook", `${url}/webhooks/telegram`, N);
    check(fake, before, N, (t) => t.startsWith("Hồ sơ 000."));
    const pending = await ctx.prisma.inboundUpdate.count({ where: { processedAt: null } });
    if (pending) throw new Error(`${pending} updates left unprocessed`);
    return r;
  } finally {
    await telegram.stop();
    await close(server);
    await db.close();
    await pglite.close();
  }
}

/** Every update must have produced exactly one sendMessage with the expected text. */
function check(fake: FakeTelegram, before: number, expected: number, ok: (text: string) => boolean): void {
  const sent = fake.calls.slice(before).filter((c) => c.method === "sendMessage");
  const good = sent.filter((c) => c.status === 200 && ok(String(c.body.text)));
  if (sent.length !== expected || good.length !== expected)
    throw new Error(`expected ${expected} good sendMessage calls, got ${sent.length} (${good.length} good); first: ${JSON.stringify(sent[0]?.body).slice(0, 200)}`);
}

function row(r: Result): string {
  return `${r.name.padEnd(36)} ${r.perSecond.toFixed(0).padStart(7)} updates/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   max ${r.max.toFixed(1).padStart(7)} ms   errors ${r.errors}`;
}

async function main(): Promise<void> {
  console.log(`Telegram webhook benchmark — ${N} updates, concurrency ${CONCURRENCY}, node ${process.version}`);
  const fake = await startFakeTelegram();
  try {
    const baseline = await runBaseline(fake);
    fake.reset();
    const ours = await runOurs(fake);
    console.log("");
    console.log(row(baseline));
    console.log(row(ours));
    console.log("");
    console.log(`ratio ours/baseline: throughput ${(ours.perSecond / baseline.perSecond).toFixed(3)}   p50 latency ${(ours.p50 / baseline.p50).toFixed(1)}×   p99 latency ${(ours.p99 / baseline.p99).toFixed(1)}×`);
    console.log(`RSS at end: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
  } finally {
    await fake.close();
  }
}

await main();
