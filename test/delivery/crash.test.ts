// Kill the worker mid-broadcast (SIGKILL, a separate process against one PostgreSQL), start
// another: everything is delivered, and the only duplicates are messages that were in flight
// at the kill. Needs a PostgreSQL server (PGlite cannot share a database across processes).
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueMany, PRIORITY } from "../../src/core/delivery/engine.ts";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-server.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { makeAccount } from "./helpers.ts";

const N = 300;

describe.skipIf(!process.env.TEST_DATABASE_URL || process.env.TEST_DB !== "postgres")("worker crash mid-broadcast (PostgreSQL)", () => {
  let db: TestDatabase;
  let tg: FakeTelegram;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    tg = await startFakeTelegram();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await tg?.close();
    await db?.close();
  });

  function startWorker(id: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", "test/delivery/worker-child.ts"], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        CHILD_DATABASE_URL: db.url!,
        CHILD_TG_TOKEN: tg.token,
        CHILD_TG_API_ROOT: tg.apiRoot,
        CHILD_WORKER_ID: id,
        CHILD_RATE: "100",
        CHILD_LOCK_MS: "2000",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`worker ${id} exited early (${code})`)));
      child.stdout!.on("data", (b: Buffer) => {
        if (b.toString().includes("ready")) resolve(child);
      });
    });
  }

  it("SIGKILL mid-way, restart: all delivered, duplicates at most the in-flight count", async () => {
    const prisma = db.prisma;
    const accounts = [];
    for (let i = 0; i < N; i++) accounts.push(await makeAccount(prisma));
    await enqueueMany(
      prisma,
      accounts.map((a, i) => ({
        kind: "broadcast",
        dedupeKey: `crash:${i}`,
        accountId: a.id,
        channel: "telegram" as const,
        replies: [{ kind: "text" as const, text: `Thông báo ${i}` }],
        priority: PRIORITY.broadcast,
      })),
    );

    const first = await startWorker("first");
    await tg.waitFor((calls) => calls.filter((c) => c.method === "sendMessage").length >= N / 3, 30_000);
    // Any moment, not just the one after a result was recorded.
    await new Promise((r) => setTimeout(r, Math.random() * 40));
    first.removeAllListeners("exit");
    first.kill("SIGKILL");
    await once(first, "exit");
    await new Promise((r) => setTimeout(r, 100)); // requests already on the loopback socket
    const sentAtKill = tg.sent("sendMessage").length;
    const inFlight = await prisma.outboundMessage.count({ where: { state: "sending" } });
    const recordedSent = await prisma.outboundMessage.count({ where: { state: "sent" } });

    const second = await startWorker("second");
    const until = Date.now() + 60_000;
    while ((await prisma.outboundMessage.count({ where: { state: "sent" } })) < N) {
      if (Date.now() > until) throw new Error("the restarted worker did not finish the queue");
      await new Promise((r) => setTimeout(r, 100));
    }
    second.removeAllListeners("exit");
    second.kill("SIGTERM");
    await once(second, "exit");

    const sends = tg.sent("sendMessage");
    const chats = new Set(sends.map((c) => String(c.body.chat_id)));
    const duplicates = sends.length - chats.size;
    console.log(
      `crash test: ${sentAtKill} sendMessage calls answered before SIGKILL, ${recordedSent} recorded sent, ` +
        `${inFlight} claimed and unfinished (state sending) at the kill, of which ${sentAtKill - recordedSent} had reached Telegram; ` +
        `${duplicates} duplicate(s) after the restart, ${chats.size}/${N} delivered`,
    );
    expect(chats.size).toBe(N);
    for (const a of accounts) expect(chats.has(a.platformUserId)).toBe(true);
    expect(duplicates).toBeLessThanOrEqual(inFlight);
    // Exactly the messages Telegram accepted whose result the killed worker had not written.
    expect(duplicates).toBe(sentAtKill - recordedSent);
    expect(await prisma.outboundMessage.count({ where: { state: { not: "sent" } } })).toBe(0);
  }, 120_000);
});
