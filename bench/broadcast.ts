// Broadcast delivery benchmark: `npx tsx bench/broadcast.ts`
//
// 1. Throttled: 3,000 recipients against a fake Bot API that enforces Telegram's limits the
//    way Telegram does (a 30 msg/s token bucket across chats, 1 msg/s per chat, 429 with
//    retry_after when exceeded) → achieved rate / allowed rate, 429s, duplicates, losses.
// 2. Unthrottled: a fake that never refuses, engine limits raised → how many messages per
//    second the engine itself (claim, pace, send, record) dispatches.
// The fake Bot API runs in a child process (Telegram is not in our process either). The
// database is the embedded one unless TEST_DB=postgres and TEST_DATABASE_URL are set.
// Options (env): BENCH_RECIPIENTS (3000), BENCH_UNTHROTTLED (10000).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { seedRecipients } from "../test/scale-out/harness.ts";

const TOKEN = "123456789:AAFakeTokenForBenchmarksOnly_abcdefgh";

// ------------------------------------------------------------------ the fake Bot API (child)

async function serve(mode: "throttled" | "open"): Promise<void> {
  const rate = 30;
  const chatRate = 1;
  let tokens = rate; // bucket of one second's worth, refilled continuously
  let last = performance.now();
  const chatNext = new Map<string, number>();
  const ok: { chat: string; at: number }[] = [];
  let limited = 0;
  let nextId = 1;

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const tooMany = (res: ServerResponse, waitMs: number) => {
    limited++;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    answer(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/stats") return answer(res, 200, { ok, limited });
      if (req.url === "/reset") {
        ok.length = 0;
        limited = 0;
        return answer(res, 200, { ok: true });
      }
      if (!req.url?.endsWith("/sendMessage")) return answer(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { chat_id?: string | number; text?: string };
      const chat = String(body.chat_id);
      const now = performance.now();
      if (mode === "throttled") {
        tokens = Math.min(rate, tokens + ((now - last) * rate) / 1000);
        last = now;
        const chatAt = chatNext.get(chat) ?? 0;
        if (chatAt > now) return tooMany(res, chatAt - now);
        if (tokens < 1) return tooMany(res, ((1 - tokens) * 1000) / rate);
        tokens -= 1;
        chatNext.set(chat, now + 1000 / chatRate);
      }
      ok.push({ chat, at: Date.now() });
      answer(res, 200, { ok: true, result: { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(chat), type: "private" }, text: body.text } });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`));
}

function startFake(mode: "throttled" | "open"): Promise<{ child: ChildProcess; apiRoot: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--serve", mode], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.on("data", (b: Buffer) => {
      const m = /port (\d+)/.exec(b.toString());
      if (m) resolve({ child, apiRoot: `http://127.0.0.1:${m[1]}` });
    });
  });
}

// ------------------------------------------------------------------ the benchmark (parent)

async function bench(): Promise<void> {
  const { createTestDatabase } = await import("../test/helpers/db.ts");
  const { DeliveryWorker } = await import("../src/core/delivery/engine.ts");
  const { BroadcastService } = await import("../src/core/broadcasts/service.ts");
  const { TelegramSender } = await import("../src/bot/telegram/sender.ts");
  const { createLogger } = await import("../src/logger.ts");
  type Prisma = Awaited<ReturnType<typeof createTestDatabase>>["prisma"];

  const recipients = Number(process.env.BENCH_RECIPIENTS ?? 3000);
  const unthrottledN = Number(process.env.BENCH_UNTHROTTLED ?? 10_000);
  const logger = createLogger("warn");
  const db = await createTestDatabase();
  const prisma = db.prisma;
  console.log(
    `database: ${db.kind === "server" ? "PostgreSQL server" : "embedded PGlite"}; node ${process.version}; ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );

  /** n citizens, each with one Telegram account and one dossier of unit `unitCode`. */
  const seed = (n: number, unitCode: string, firstChat: number) => seedRecipients(prisma as Prisma, n, unitCode, firstChat);


  async function broadcast(unitCode: string): Promise<{ id: number; ms: number; count: number }> {
    const service = new BroadcastService({ prisma: prisma as Prisma, logger, approvalThreshold: 1_000_000, quietHours: null, channels: ["telegram"] });
    const t0 = performance.now();
    const r = await service.create({ text: "Kết quả hồ sơ {code} đã sẵn sàng tại {unit}.", audience: { unitCodes: [unitCode] }, urgent: false, dryRun: false }, "bench");
    if (r.dryRun) throw new Error("unexpected dry run");
    return { id: r.broadcast.id, ms: performance.now() - t0, count: r.broadcast.audienceCount };
  }

  /**
   * Until every message of the broadcast is in a final state. The worker's own counters are
   * watched (polling the table would cost the engine CPU it is being measured on), then the
   * database confirms.
   */
  async function waitAllDone(worker: InstanceType<typeof DeliveryWorker>, broadcastId: number, total: number, timeoutMs: number): Promise<number> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (worker.stats.sent + worker.stats.final >= total && worker.inFlight === 0) {
        const at = performance.now();
        const done = await prisma.outboundMessage.count({ where: { broadcastId, state: { notIn: ["queued", "sending"] } } });
        if (done >= total) return at;
      }
      if (Date.now() > until) throw new Error(`timed out with ${worker.stats.sent} sent`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async function stats(apiRoot: string): Promise<{ ok: { chat: string; at: number }[]; limited: number }> {
    return (await fetch(`${apiRoot}/stats`)).json() as Promise<{ ok: { chat: string; at: number }[]; limited: number }>;
  }

  function integrity(ok: { chat: string }[], expectedChats: (i: number) => string, n: number) {
    const seen = new Map<string, number>();
    for (const c of ok) seen.set(c.chat, (seen.get(c.chat) ?? 0) + 1);
    let duplicates = 0;
    for (const v of seen.values()) duplicates += v - 1;
    let losses = 0;
    for (let i = 0; i < n; i++) if (!seen.has(expectedChats(i))) losses++;
    return { duplicates, losses };
  }

  // ---------------------------------------------------------------- 1. throttled
  {
    const fake = await startFake("throttled");
    try {
      const unitCode = "000.00.01.H32";
      const firstChat = 800_000_000;
      await seed(recipients, unitCode, firstChat);
      const b = await broadcast(unitCode);
      const worker = new DeliveryWorker({
        prisma: prisma as Prisma,
        senders: [new TelegramSender({ token: TOKEN, apiRoot: fake.apiRoot })],
        logger,
        quietHours: null,
        // Telegram's published limits, as configured by default.
        limits: { telegram: { perSecond: 30, perChatPerSecond: 1 } },
      });
      const t0 = performance.now();
      worker.start();
      await waitAllDone(worker, b.id, b.count, 30 * 60_000);
      await worker.stop();
      const s = await stats(fake.apiRoot);
      const times = s.ok.map((o) => o.at).sort((x, y) => x - y);
      const span = (times[times.length - 1]! - times[0]!) / 1000;
      const achieved = (times.length - 1) / span;
      const { duplicates, losses } = integrity(s.ok, (i) => String(firstChat + i), recipients);
      const states = await prisma.outboundMessage.groupBy({ by: ["state"], where: { broadcastId: b.id }, _count: { _all: true } });
      console.log(`\n[throttled] fake Bot API: 30 msg/s token bucket + 1 msg/s per chat, 429 + retry_after beyond`);
      console.log(`  recipients            ${recipients} (broadcast queued in ${b.ms.toFixed(0)} ms)`);
      console.log(`  delivered             ${s.ok.length} in ${span.toFixed(1)} s (first to last accepted message; ${((performance.now() - t0) / 1000).toFixed(1)} s wall)`);
      console.log(`  achieved rate         ${achieved.toFixed(2)} msg/s`);
      console.log(`  allowed rate          30 msg/s`);
      console.log(`  achieved / allowed    ${(achieved / 30).toFixed(3)}  (target ≥ 0.95)`);
      console.log(`  429 answers           ${s.limited}`);
      console.log(`  duplicates / losses   ${duplicates} / ${losses}`);
      console.log(`  final states          ${states.map((g) => `${g.state}=${g._count._all}`).join(", ")}`);
    } finally {
      fake.child.kill("SIGTERM");
    }
  }

  // ---------------------------------------------------------------- 2. unthrottled
  {
    const fake = await startFake("open");
    try {
      const unitCode = "000.00.02.H32";
      const firstChat = 900_000_000;
      await seed(unthrottledN, unitCode, firstChat);
      const b = await broadcast(unitCode);
      const worker = new DeliveryWorker({
        prisma: prisma as Prisma,
        senders: [new TelegramSender({ token: TOKEN, apiRoot: fake.apiRoot })],
        logger,
        quietHours: null,
        limits: { telegram: { perSecond: 1_000_000, burst: 1_000, perChatPerSecond: 1_000, maxInFlight: 500, concurrency: 64 } },
      });
      const t0 = performance.now();
      worker.start();
      const t1 = await waitAllDone(worker, b.id, b.count, 10 * 60_000);
      await worker.stop();
      const s = await stats(fake.apiRoot);
      const { duplicates, losses } = integrity(s.ok, (i) => String(firstChat + i), unthrottledN);
      const rate = b.count / ((t1 - t0) / 1000);
      console.log(`\n[unthrottled] fake Bot API that never refuses; engine limits raised`);
      console.log(`  messages              ${b.count} (broadcast queued in ${b.ms.toFixed(0)} ms)`);
      console.log(`  claimed, sent and recorded in ${((t1 - t0) / 1000).toFixed(2)} s`);
      console.log(`  engine dispatch rate  ${rate.toFixed(0)} msg/s  (target ≥ 2000)`);
      console.log(`  duplicates / losses   ${duplicates} / ${losses}`);
    } finally {
      fake.child.kill("SIGTERM");
    }
  }
  await db.close();
}

if (process.argv[2] === "--serve") await serve(process.argv[3] === "open" ? "open" : "throttled");
else await bench();
