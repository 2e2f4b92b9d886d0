// Several instances on one PostgreSQL: `npm run bench:scale-out` (needs BENCH_DATABASE_URL,
// default postgresql://postgres@127.0.0.1:5432/postgres; a fresh database is created and dropped).
//
// 1. Broadcast: 3,000 recipients (BENCH_RECIPIENTS) through three instances against a fake
//    Bot API that answers 429 above 30 messages/s for the bot (1-second bucket) and 1/s per
//    chat; the second instance is SIGKILLed a third of the way. Printed: delivered, lost,
//    duplicates vs messages in flight at the kill, 429s, aggregate rate / limit.
// 2. Webhook: status questions spread round-robin over 1, 2 and 3 instances (as a load
//    balancer would), one per linked citizen, a tenth of them delivered a second time to
//    another instance (Telegram's redelivery). Printed per instance count: updates/s, p50/p99,
//    errors, duplicate replies. The floor is one instance (same run).
// On a 2-core machine the instances share the cores with PostgreSQL and the load generator:
// expect the bottleneck to be CPU, not linear gains.
import { withDatabase } from "../src/db/server-admin.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import pg from "pg";
import { openDatabase } from "../src/db/database.ts";
import {
  broadcastAcross,
  seedRecipients,
  startInstance,
  startThrottledTelegram,
  stopInstance,
  WEBHOOK_SECRET,
  type Instance,
} from "../test/scale-out/harness.ts";

const SERVER = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 3000);
const UPDATES = Number(process.env.BENCH_UPDATES ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const QUESTION = "hồ sơ của tôi đến đâu rồi?";

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}


interface WebhookRun {
  instances: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  duplicateReplies: number;
  missingReplies: number;
}

let updateId = 1;
async function spreadWebhooks(instances: Instance[], users: number[], fake: Awaited<ReturnType<typeof startThrottledTelegram>>): Promise<WebhookRun> {
  fake.reset();
  // Each user asks once; every tenth update is delivered again to the next instance.
  const jobs: { body: string; to: number }[] = [];
  users.forEach((uid, i) => {
    const body = JSON.stringify({
      update_id: updateId++,
      message: { message_id: i + 1, date: Math.floor(Date.now() / 1000), chat: { id: uid, type: "private", first_name: "Dân" }, from: { id: uid, is_bot: false, first_name: "Dân" }, text: QUESTION },
    });
    jobs.push({ body, to: i % instances.length });
    if (i % 10 === 0) jobs.push({ body, to: (i + 1) % instances.length });
  });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const s = performance.now();
        try {
          const r = await fetch(`${instances[job.to]!.url}/webhooks/telegram`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
            body: job.body,
          });
          await r.arrayBuffer();
          if (r.status !== 200) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  // Replies of a redelivered update may still be on their way: wait a moment for stragglers.
  await new Promise((r) => setTimeout(r, 1000));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  const perChat = new Map<string, number>();
  for (const m of fake.ok) perChat.set(m.chat, (perChat.get(m.chat) ?? 0) + 1);
  return {
    instances: instances.length,
    perSecond: jobs.length / seconds,
    p50: pct(50),
    p99: pct(99),
    errors,
    duplicateReplies: [...perChat.values()].reduce((s, n) => s + Math.max(0, n - 1), 0),
    missingReplies: users.filter((u) => !perChat.has(String(u))).length,
  };
}

async function main(): Promise<void> {
  console.log(`scale-out benchmark — node ${process.version}; ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const name = `bench_scale_${process.pid}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = withDatabase(SERVER, name);
  const db = await openDatabase({ url });
  const instances: Instance[] = [];
  const rows: unknown[] = [];
  try {
    // ---------------------------------------------------------------- broadcast
    const throttled = await startThrottledTelegram({ rate: 30 });
    await seedRecipients(db.prisma, RECIPIENTS, "SOB", 710_000_000);
    instances.push(...(await Promise.all(["inst-1", "inst-2", "inst-3"].map((n) => startInstance(n, url, throttled.apiRoot)))));
    const b = await broadcastAcross({ prisma: db.prisma, fake: throttled, instances, recipients: RECIPIENTS, unitCode: "SOB", killAt: 1 / 3, timeoutMs: 900_000 });
    console.log(
      `broadcast, 3 instances, one killed at a third: ${b.delivered}/${b.recipients} delivered, ${b.lost} lost, ${b.duplicates} duplicates ` +
        `(in flight at the kill: ${b.inFlightAtKill}), ${b.limited} answered 429, ${b.rate.toFixed(2)} msg/s = ${(b.rate / 30).toFixed(3)} of the limit, ${b.seconds.toFixed(1)} s`,
    );
    rows.push({ path: "broadcast over 3 instances (aggregate rate / limit)", db: "postgres", floor: "the platform's limit, 30 msg/s", floorValue: 30, ours: b.rate, unit: "msg/s", ratio: b.rate / 30, target: "0.95–1.0, 0 lost, 0 × 429", met: b.rate / 30 >= 0.95 && b.rate / 30 <= 1 && b.lost === 0 && b.limited === 0 && b.duplicates <= b.inFlightAtKill });
    await Promise.all(instances.map(stopInstance));
    instances.length = 0;
    await throttled.close();

    // ---------------------------------------------------------------- webhook spread
    const open = await startThrottledTelegram({ rate: 1e9, chatRate: 1e9 });
    const users = Array.from({ length: UPDATES * 3 }, (_, i) => 710_000_000 + i).slice(0, RECIPIENTS);
    const all = await Promise.all(["w-1", "w-2", "w-3"].map((n) => startInstance(n, url, open.apiRoot)));
    instances.push(...all);
    const perRound = Math.floor(users.length / 3);
    const results: WebhookRun[] = [];
    for (const k of [1, 2, 3]) {
      const r = await spreadWebhooks(all.slice(0, k), users.slice((k - 1) * perRound, k * perRound), open);
      results.push(r);
      console.log(
        `webhook over ${k} instance(s): ${r.perSecond.toFixed(0)} updates/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ` +
          `${r.errors} errors, ${r.duplicateReplies} duplicate replies, ${r.missingReplies} unanswered`,
      );
    }
    for (const r of results)
      rows.push({ path: `webhook over ${r.instances} instance(s)`, db: "postgres", floor: "one instance, same run", floorValue: results[0]!.perSecond, ours: r.perSecond, unit: "updates/s", ratio: r.perSecond / results[0]!.perSecond, target: "0 errors, 0 duplicate replies", met: r.errors === 0 && r.duplicateReplies === 0 && r.missingReplies === 0 });
    await open.close();
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/scale-out-postgres.json", JSON.stringify({ name: "scale-out", rows }, null, 2));
  } finally {
    await Promise.all(instances.map(stopInstance));
    await db.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

await main();
