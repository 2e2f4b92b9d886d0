// Issue 10, finding 8 (webhooks): an authentic Telegram update or Zalo event holding U+0000,
// invalid UTF-8 or 50,000-deep JSON is answered 200 — stored with U+FFFD in place of what the
// database cannot hold, or acknowledged as rejected and counted — never 500, so the platform
// does not redeliver it forever; later deliveries are still processed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { citizen, updates } from "../fakes/telegram-server.ts";
import { signedWebhook, zaloEvents } from "../fakes/zalo-server.ts";
import { startTelegramHarness, SECRET, type TelegramHarness } from "../telegram/harness.ts";
import { startZaloHarness, type ZaloHarness } from "../zalo/harness.ts";

const DEEP = 50_000;
const poisonCount = async (h: { svc: { ctx: { metrics: { registry: { getSingleMetricAsString(n: string): Promise<string> } } } } }, outcome: string) => {
  const text = await h.svc.ctx.metrics.registry.getSingleMetricAsString("webhook_poison_total");
  return Number(new RegExp(`outcome="${outcome}"} (\\d+)`).exec(text)?.[1] ?? 0);
};

describe("Telegram", () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness((ctx) => databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher }));
  });
  afterAll(() => h?.close());

  it("U+0000 in a message: 200, stored with U+FFFD, answered; the next update too", async () => {
    const who = citizen(9101);
    const res = await h.post(updates.text(who, "xin\u0000 chào"));
    expect(res.status).toBe(200);
    const row = await h.svc.ctx.prisma.inboundUpdate.findFirstOrThrow({ where: { channel: "telegram" }, orderBy: { id: "desc" } });
    expect(JSON.stringify(row.payload)).toContain("xin\uFFFD chào");
    // The processed mark commits just after the webhook's answer (src/bot/telegram/processor.ts).
    await expect.poll(async () => (await h.svc.ctx.prisma.inboundUpdate.findUniqueOrThrow({ where: { id: row.id } })).processedAt).toBeInstanceOf(Date);
    expect(h.fake.texts(9101).length).toBeGreaterThan(0);
    expect(await poisonCount(h, "sanitised")).toBe(1);
    await h.deliver(updates.text(who, "hồ sơ của tôi"));
    expect(h.fake.texts(9101).length).toBeGreaterThan(1);
  });

  it("invalid UTF-8 bytes: 200 and stored with U+FFFD", async () => {
    const u = updates.text(citizen(9102), "AB");
    const bytes = Buffer.from(JSON.stringify(u));
    const i = bytes.indexOf("AB");
    bytes[i] = 0xff;
    const res = await fetch(`${h.svc.url}/webhooks/telegram`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET }, body: bytes });
    expect(res.status).toBe(200);
    const row = await h.svc.ctx.prisma.inboundUpdate.findFirstOrThrow({ where: { externalId: String(u.update_id) } });
    expect(JSON.stringify(row.payload)).toContain("\uFFFDB");
  });

  it("a lone surrogate escaped in the JSON: stored with U+FFFD, answered", async () => {
    const u = updates.text(citizen(9103), "chào \ud800 bạn");
    const body = JSON.stringify(u);
    expect(body).toContain("\\ud800");
    const res = await fetch(`${h.svc.url}/webhooks/telegram`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET }, body });
    expect(res.status).toBe(200);
    const row = await h.svc.ctx.prisma.inboundUpdate.findFirstOrThrow({ where: { externalId: String(u.update_id) } });
    expect((row.payload as { message: { text: string } }).message.text).toBe("chào \uFFFD bạn");
  });

  it("an ordinary update is stored as it came, whatever its layout", async () => {
    const u = updates.text(citizen(9104), "hồ sơ của tôi 🙂 \"đến đâu\" rồi\\");
    const res = await fetch(`${h.svc.url}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(u, null, 2),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({ ok: true, outcome: "processed" });
    const row = await h.svc.ctx.prisma.inboundUpdate.findFirstOrThrow({ where: { externalId: String(u.update_id) } });
    expect(row.payload).toEqual(JSON.parse(JSON.stringify(u)));
  });

  it("50,000-deep JSON: 200 rejected, nothing stored, counted; the next update is processed", async () => {
    const before = await h.svc.ctx.prisma.inboundUpdate.count();
    const id = updates.nextId();
    const res = await h.post(`{"update_id":${id},"message":${"[".repeat(DEEP)}${"]".repeat(DEEP)}}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, outcome: "rejected" });
    expect(await h.svc.ctx.prisma.inboundUpdate.count()).toBe(before);
    expect(await poisonCount(h, "rejected_too_deep")).toBe(1);
    // Telegram redelivers nothing, and the next update is handled.
    await h.deliver(updates.text(citizen(9103), "xin chào"));
    expect(h.fake.texts(9103).length).toBeGreaterThan(0);
  });
});

describe("Zalo", () => {
  let h: ZaloHarness;
  beforeAll(async () => {
    h = await startZaloHarness();
  });
  afterAll(() => h?.close());

  it("U+0000 in a message: 200, stored with U+FFFD and answered", async () => {
    const user = "8512345678901299001";
    const body = await h.deliver(zaloEvents.text(user, "xin\u0000 chào"));
    expect(body.ok).toBe(true);
    const row = await h.svc.ctx.prisma.inboundUpdate.findFirstOrThrow({ where: { channel: "zalo" }, orderBy: { id: "desc" } });
    expect(JSON.stringify(row.payload)).toContain("xin\uFFFD chào");
    expect(h.fake.texts(user).length).toBeGreaterThan(0);
  });

  it("50,000-deep JSON, correctly signed: 200 rejected, nothing stored; the next event is processed", async () => {
    const before = await h.svc.ctx.prisma.inboundUpdate.count();
    const user = "8512345678901299002";
    const event = zaloEvents.text(user, "xin chào") as Record<string, unknown>;
    const raw = JSON.stringify(event).replace(/}$/, `,"deep":${"[".repeat(DEEP)}${"]".repeat(DEEP)}}`);
    const res = await h.post(signedWebhook(event, { body: raw }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, outcome: "rejected" });
    expect(await h.svc.ctx.prisma.inboundUpdate.count()).toBe(before);
    expect(await poisonCount(h, "rejected_too_deep")).toBe(1);
    await h.deliver(zaloEvents.text(user, "xin chào"));
    expect(h.fake.texts(user).length).toBeGreaterThan(0);
  });
});
