// The delivery engine against an in-process scripted sender: idempotent enqueue, retries,
// permanent errors, blocks, the Zalo window with ZNS fallback, quiet hours, crash reclaim
// and two workers sharing one queue.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeliveryWorker, enqueue, PRIORITY, type DeliveryWorkerOptions } from "../../src/core/delivery/engine.ts";
import { deferredUntil, quietUntil } from "../../src/core/delivery/quiet-hours.ts";
import { silentLogger } from "../../src/logger.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { makeAccount, ScriptedSender, ScriptedZns } from "./helpers.ts";

let db: TestDatabase;
const workers: DeliveryWorker[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await db?.close();
});

function worker(senders: ScriptedSender[], o: Partial<DeliveryWorkerOptions> = {}): DeliveryWorker {
  const w = new DeliveryWorker({
    prisma: db.prisma,
    senders,
    logger: silentLogger,
    quietHours: null,
    backoff: { baseMs: 20, maxMs: 100 },
    pollMs: 20,
    limits: { telegram: { perSecond: 1000, perChatPerSecond: 1000 }, zalo: { perSecond: 1000, perChatPerSecond: 1000 } },
    ...o,
  });
  workers.push(w);
  return w;
}

const text = (t: string) => [{ kind: "text" as const, text: t }];
let keySeq = 0;
const key = (p = "t") => `${p}:${process.pid}:${++keySeq}`;

async function row(dedupeKey: string) {
  return db.prisma.outboundMessage.findUniqueOrThrow({ where: { dedupeKey } });
}

describe("enqueue", () => {
  it("is idempotent by dedupeKey", async () => {
    const a = await makeAccount(db.prisma);
    const k = key();
    const first = await enqueue(db.prisma, { kind: "notice", dedupeKey: k, accountId: a.id, channel: "telegram", replies: text("một"), priority: PRIORITY.notice });
    const again = await enqueue(db.prisma, { kind: "notice", dedupeKey: k, accountId: a.id, channel: "telegram", replies: text("hai"), priority: PRIORITY.notice });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    expect(await db.prisma.outboundMessage.count({ where: { dedupeKey: k } })).toBe(1);
    expect(((await row(k)).payload as { replies: { text: string }[] }).replies[0]!.text).toBe("một");
  });
});

describe("DeliveryWorker", () => {
  it("sends due messages, notices before broadcasts, and records sent", async () => {
    const s = new ScriptedSender("telegram");
    const a = await makeAccount(db.prisma);
    const kb = key("b");
    const kn = key("n");
    await enqueue(db.prisma, { kind: "broadcast", dedupeKey: kb, accountId: a.id, channel: "telegram", replies: text("thông báo"), priority: PRIORITY.broadcast });
    await enqueue(db.prisma, { kind: "notice", dedupeKey: kn, accountId: a.id, channel: "telegram", replies: text("kết quả"), priority: PRIORITY.notice });
    const w = worker([s]);
    w.start();
    await w.drain();
    expect(s.to(a.platformUserId).map((c) => (c.replies[0] as { text: string }).text)).toEqual(["kết quả", "thông báo"]);
    const r = await row(kn);
    expect(r.state).toBe("sent");
    expect(r.sentAt).not.toBeNull();
    expect(r.platformMessageId).toBeTruthy();
    expect(r.lockedBy).toBeNull();
  });

  it("retries temporary errors with backoff, then sends", async () => {
    const s = new ScriptedSender("telegram");
    const a = await makeAccount(db.prisma);
    s.byUser.set(a.platformUserId, [
      { ok: false, kind: "temporary", code: "500", message: "Internal Server Error" },
      { ok: false, kind: "temporary", message: "socket hang up" },
    ]);
    const k = key();
    await enqueue(db.prisma, { kind: "notice", dedupeKey: k, accountId: a.id, channel: "telegram", replies: text("x"), priority: 10 });
    const w = worker([s]);
    w.start();
    await w.drain();
    const r = await row(k);
    expect(r.state).toBe("sent");
    expect(r.attempts).toBe(3);
    expect(s.to(a.platformUserId)).toHaveLength(3);
    const [c1, c2, c3] = s.to(a.platformUserId).map((c) => c.at) as [number, number, number];
    expect(c2 - c1).toBeGreaterThanOrEqual(15); // base 20 ms ± jitter
    expect(c3 - c2).toBeGreaterThanOrEqual(30); // doubled
  });

  it("gives up after maxAttempts temporary errors with the last reason", async () => {
    const s = new ScriptedSender("telegram");
    const a = await makeAccount(db.prisma);
    s.byUser.set(a.platformUserId, Array.from({ length: 10 }, () => ({ ok: false as const, kind: "temporary" as const, code: "502", message: "Bad Gateway" })));
    const k = key();
    await enqueue(db.prisma, { kind: "notice", dedupeKey: k, accountId: a.id, channel: "telegram", replies: text("x"), priority: 10 });
    const w = worker([s], { maxAttempts: 3 });
    w.start();
    await w.drain();
    const r = await row(k);
    expect(r.state).toBe("failed");
    expect(r.error).toContain("502: Bad Gateway");
    expect(s.to(a.platformUserId)).toHaveLength(3);
  });

  it("does not retry a permanent error and keeps the platform's reason", async () => {
    const s = new ScriptedSender("telegram");
    const a = await makeAccount(db.prisma);
    s.byUser.set(a.platformUserId, [{ ok: false, kind: "permanent", code: "400", message: "Bad Request: chat not found" }]);
    const k = key();
    await enqueue(db.prisma, { kind: "notice", dedupeKey: k, accountId: a.id, channel: "telegram", replies: text("x"), priority: 10 });
    const w = worker([s]);
    w.start();
    await w.drain();
    const r = await row(k);
    expect(r.state).toBe("failed");
    expect(r.error).toBe("400: Bad Request: chat not found");
    expect(s.to(a.platformUserId)).toHaveLength(1);
  });

  it("marks a blocked account, skips it afterwards, and resumes once the citizen writes again", async () => {
    const s = new ScriptedSender("telegram");
    const a = await makeAccount(db.prisma);
    s.byUser.set(a.platformUserId, [{ ok: false, kind: "blocked", code: "403", message: "Forbidden: bot was blocked by the user" }]);
    const k1 = key();
    await enqueue(db.prisma, { kind: "notice", dedupeKey: k1, accountId: a.id, channel: "telegram", replies: text("1"), priority: 10 });
    const w = worker([s]);
    w.start();
    await w.drain();
    expect((await row(k1)).state).toBe("blocked");
    const acc = await db.prisma.channelAccount.findUniqueOrThrow({ where: { id: a.id } });
    expect(acc.blockedAt).not.toBeNull();
    expect(acc.blockedReason).toContain("blocked by the user");

    const k2 = key();
    await enqueue(db.prisma, { kind: "broadcast", dedupeKey: k2, accountId: a.id, channel: "telegram", replies: text("2"), priority: 100 });
    await w.drain();
    expect(await row(k2)).toMatchObject({ state: "skipped", error: expect.stringContaining("blocked") });
    expect(s.to(a.platformUserId)).toHaveLength(1);

    // The conversation stamps lastInboundAt when the citizen writes: that lifts the block.
    await db.prisma.channelAccount.update({ where: { id: a.id }, data: { lastInboundAt: new Date(Date.now() + 1000) } });
    const k3 = key();
    await enqueue(db.prisma, { kind: "notice", dedupeKey: k3, accountId: a.id, channel: "telegram", replies: text("3"), priority: 10 });
    await w.drain();
    expect((await row(k3)).state).toBe("sent");
  });

  it("Zalo window closed: sends the ZNS template by phone when configured, else records undeliverable", async () => {
    const zalo = new ScriptedSender("zalo");
    const zns = new ScriptedZns();
    const a = await makeAccount(db.prisma, { channel: "zalo" });
    const b = await makeAccount(db.prisma, { channel: "zalo" });
    for (const u of [a, b])
      zalo.byUser.set(u.platformUserId, [{ ok: false, kind: "window_closed", code: "-230", message: "User has not interacted with the OA in the last 7 days" }]);
    const ka = key();
    const kb = key();
    const day = new Date("2026-03-02T03:00:00Z"); // 10:00 in Vietnam
    await enqueue(db.prisma, {
      kind: "notice",
      dedupeKey: ka,
      accountId: a.id,
      channel: "zalo",
      replies: text("Kết quả đã sẵn sàng"),
      priority: 10,
      zns: { phone: "84905123456", data: { dossier_code: "X-1" } },
      notBefore: day,
    });
    await enqueue(db.prisma, { kind: "notice", dedupeKey: kb, accountId: b.id, channel: "zalo", replies: text("Kết quả"), priority: 10, notBefore: day });
    // A daytime clock: Zalo's night rule must not interfere.
    const w = worker([zalo], { zns: { sender: zns, templateId: "tpl-status" }, now: () => day });
    w.start();
    await w.drain();
    expect(zns.calls).toHaveLength(1);
    expect(zns.calls[0]).toMatchObject({ phone: "84905123456", templateId: "tpl-status", data: { dossier_code: "X-1" } });
    expect(await row(ka)).toMatchObject({ state: "sent", platformMessageId: "zns:zns-1" });
    expect(await row(kb)).toMatchObject({ state: "undeliverable", error: expect.stringContaining("window closed") });
  });

  it("pauses the channel on rate_limited for retry_after, then delivers everything once", async () => {
    const s = new ScriptedSender("telegram");
    s.script.push({ ok: false, kind: "rate_limited", code: "429", message: "Too Many Requests: retry after 1", retryAfterMs: 300 });
    const accounts = await Promise.all(Array.from({ length: 5 }, () => makeAccount(db.prisma)));
    for (const a of accounts)
      await enqueue(db.prisma, { kind: "broadcast", dedupeKey: key(), accountId: a.id, channel: "telegram", replies: text("x"), priority: 100 });
    const w = worker([s]);
    w.start();
    await w.drain();
    const limited = s.calls[0]!;
    const after = s.calls.slice(1);
    // Nothing went out during the pause (in-flight sends may have started just before it).
    expect(after.filter((c) => c.at > limited.at + 5 && c.at < limited.at + 280)).toHaveLength(0);
    for (const a of accounts) expect(s.to(a.platformUserId).length).toBeGreaterThanOrEqual(1);
    const sent = await db.prisma.outboundMessage.findMany({ where: { accountId: { in: accounts.map((a) => a.id) } } });
    expect(sent.every((m) => m.state === "sent")).toBe(true);
    expect(sent.every((m) => m.attempts <= 1)).toBe(true); // a 429 is not an attempt
  });

  it("quiet hours: non-urgent broadcasts wait for the morning, notices and urgent ones do not; Zalo never 22:00–06:00", async () => {
    const tg = new ScriptedSender("telegram");
    const zalo = new ScriptedSender("zalo");
    const t = await makeAccount(db.prisma);
    const z = await makeAccount(db.prisma, { channel: "zalo" });
    const night = new Date("2026-03-02T15:30:00Z"); // 22:30 in Vietnam
    const kb = key();
    const ku = key();
    const kn = key();
    const kz = key();
    await enqueue(db.prisma, { kind: "broadcast", dedupeKey: kb, accountId: t.id, channel: "telegram", replies: text("b"), priority: 100, notBefore: night });
    await enqueue(db.prisma, { kind: "broadcast", dedupeKey: ku, accountId: t.id, channel: "telegram", replies: text("u"), priority: 50, urgent: true, notBefore: night });
    await enqueue(db.prisma, { kind: "notice", dedupeKey: kn, accountId: t.id, channel: "telegram", replies: text("n"), priority: 10, notBefore: night });
    await enqueue(db.prisma, { kind: "notice", dedupeKey: kz, accountId: z.id, channel: "zalo", replies: text("z"), priority: 10, notBefore: night });
    const w = worker([tg, zalo], { quietHours: { start: "21:00", end: "07:00" }, now: () => night });
    w.start();
    await w.drain();
    expect(await row(kb)).toMatchObject({ state: "queued", notBefore: new Date("2026-03-03T00:00:00Z"), attempts: 0 }); // 07:00
    expect(await row(kz)).toMatchObject({ state: "queued", notBefore: new Date("2026-03-02T23:00:00Z") }); // 06:00
    expect((await row(ku)).state).toBe("sent");
    expect((await row(kn)).state).toBe("sent");
    expect(zalo.calls).toHaveLength(0);
  });

  it("takes back the rows of a worker that died mid-send once their lock expires", async () => {
    const s = new ScriptedSender("telegram");
    const a = await makeAccount(db.prisma);
    const k = key();
    await enqueue(db.prisma, { kind: "notice", dedupeKey: k, accountId: a.id, channel: "telegram", replies: text("x"), priority: 10 });
    await db.prisma.outboundMessage.update({ where: { dedupeKey: k }, data: { state: "sending", lockedBy: "dead-worker", lockedUntil: new Date(Date.now() - 1000), attempts: 1 } });
    const w = worker([s]);
    w.start();
    await w.drain();
    expect(await row(k)).toMatchObject({ state: "sent", attempts: 2 });
    expect(s.to(a.platformUserId)).toHaveLength(1);
  });

  it("two workers on one queue send every message exactly once", async () => {
    const s1 = new ScriptedSender("telegram");
    const s2 = new ScriptedSender("telegram");
    const accounts = await Promise.all(Array.from({ length: 40 }, () => makeAccount(db.prisma)));
    for (const a of accounts)
      for (let i = 0; i < 5; i++)
        await enqueue(db.prisma, { kind: "broadcast", dedupeKey: key("two"), accountId: a.id, channel: "telegram", replies: text(`m${i}`), priority: 100 });
    const w1 = worker([s1], { workerId: "w1", limits: { telegram: { perSecond: 2000, perChatPerSecond: 1000, maxInFlight: 20 } } });
    const w2 = worker([s2], { workerId: "w2", limits: { telegram: { perSecond: 2000, perChatPerSecond: 1000, maxInFlight: 20 } } });
    w1.start();
    w2.start();
    await Promise.all([w1.drain(), w2.drain()]);
    const all = [...s1.calls, ...s2.calls].filter((c) => accounts.some((a) => a.platformUserId === c.userId));
    expect(all).toHaveLength(200);
    const keys = new Set(all.map((c) => `${c.userId}:${(c.replies[0] as { text: string }).text}`));
    expect(keys.size).toBe(200);
    expect(s1.calls.length).toBeGreaterThan(0);
    expect(s2.calls.length).toBeGreaterThan(0);
  });

  it("does not send cancelled messages; a stopped worker hands back what it had not sent", async () => {
    const s = new ScriptedSender("telegram");
    const a = await makeAccount(db.prisma);
    const kc = key();
    await enqueue(db.prisma, { kind: "broadcast", dedupeKey: kc, accountId: a.id, channel: "telegram", replies: text("c"), priority: 100 });
    await db.prisma.outboundMessage.update({ where: { dedupeKey: kc }, data: { state: "cancelled" } });
    // Per-chat pacing of 1 per 2 s: the second message waits in memory when we stop.
    const k1 = key();
    const k2 = key();
    await enqueue(db.prisma, { kind: "notice", dedupeKey: k1, accountId: a.id, channel: "telegram", replies: text("1"), priority: 10 });
    await enqueue(db.prisma, { kind: "notice", dedupeKey: k2, accountId: a.id, channel: "telegram", replies: text("2"), priority: 10 });
    const w = worker([s], { limits: { telegram: { perSecond: 100, perChatPerSecond: 0.5 } } });
    w.start();
    for (let i = 0; i < 100 && s.calls.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    await w.stop();
    expect(s.calls).toHaveLength(1);
    expect((await row(k1)).state).toBe("sent");
    expect(await row(k2)).toMatchObject({ state: "queued", attempts: 0, lockedBy: null });
    expect((await row(kc)).state).toBe("cancelled");
  });
});

describe("quiet hours", () => {
  it("computes the end of a window that wraps midnight, in Vietnam time", () => {
    const w = { start: "21:00", end: "07:00" };
    expect(quietUntil(new Date("2026-03-02T13:59:00Z"), w)).toBeNull(); // 20:59
    expect(quietUntil(new Date("2026-03-02T14:00:00Z"), w)).toEqual(new Date("2026-03-03T00:00:00Z")); // 21:00 → 07:00 next day
    expect(quietUntil(new Date("2026-03-02T20:00:00Z"), w)).toEqual(new Date("2026-03-03T00:00:00Z")); // 03:00
    expect(quietUntil(new Date("2026-03-03T00:00:00Z"), w)).toBeNull(); // 07:00
    expect(quietUntil(new Date("2026-03-02T05:00:00Z"), { start: "12:00", end: "13:00" })).toEqual(new Date("2026-03-02T06:00:00Z"));
  });

  it("applies Zalo's night rule even when quiet hours are off or shorter", () => {
    const at = new Date("2026-03-02T15:30:00Z"); // 22:30
    expect(deferredUntil(at, { channel: "zalo", kind: "notice", urgent: true }, null)).toEqual(new Date("2026-03-02T23:00:00Z"));
    expect(deferredUntil(at, { channel: "telegram", kind: "notice", urgent: false }, { start: "21:00", end: "07:00" })).toBeNull();
    expect(deferredUntil(at, { channel: "zalo", kind: "broadcast", urgent: false }, { start: "23:00", end: "05:00" })).toEqual(
      new Date("2026-03-02T23:00:00Z"),
    );
  });
});
