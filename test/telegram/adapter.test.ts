// The Telegram adapter on its own, with a scripted conversation core: how updates become
// InboundMessages, how replies are rendered, and what the webhook does with bad callers,
// repeats, rate limits, blocked chats and failures.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InboundMessage, Reply } from "../../src/core/conversation/types.ts";
import { setTelegramWebhook } from "../../src/bot/telegram/index.ts";
import { loadConfig } from "../../src/app/config.ts";
import { citizen, inlineKeyboard, replyMarkup, startFakeTelegram, updates } from "../fakes/telegram-server.ts";
import { ADMIN_KEY } from "../helpers/app.ts";
import { SECRET, startTelegramHarness, type TelegramHarness } from "./harness.ts";

const received: InboundMessage[] = [];
let script: (msg: InboundMessage) => Reply[] | Promise<Reply[]> = () => [{ kind: "text", text: "ok" }];
let h: TelegramHarness;

beforeAll(async () => {
  h = await startTelegramHarness(() => ({
    async handle(msg) {
      received.push(msg);
      return script(msg);
    },
  }));
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  // Failures left by earlier tests are not this test's to replay.
  await h.svc.ctx.prisma.inboundUpdate.updateMany({ where: { processedAt: null }, data: { processedAt: new Date() } });
  received.length = 0;
  script = () => [{ kind: "text", text: "ok" }];
  h.fake.reset();
});

const an = citizen(7001, { language_code: "vi" });

describe("updates become channel-neutral messages", () => {
  it("plain text, with the sender's id, name and language", async () => {
    await h.deliver(updates.text(an, "hồ sơ của tôi đến đâu rồi?"));
    expect(received).toEqual([
      expect.objectContaining({ channel: "telegram", userId: "7001", displayName: "Citizen 7001", input: { kind: "text", text: "hồ sơ của tôi đến đâu rồi?" } }),
    ]);
    expect(h.fake.texts(7001)).toEqual(["ok"]);
  });

  it("commands, with the deep-link payload and an @mention of this bot", async () => {
    await h.deliver(updates.command(an, "start", "H32-230112-0001"));
    await h.deliver(updates.command(an, "status", "", { mention: "hoso_test_bot" }));
    for (const c of ["help", "link", "unlink", "language", "delete"]) await h.deliver(updates.command(an, c));
    await h.deliver(updates.command(an, "weird"));
    expect(received.map((m) => m.input)).toEqual([
      { kind: "command", command: "start", args: "H32-230112-0001" },
      { kind: "command", command: "status", args: "" },
      { kind: "command", command: "help", args: "" },
      { kind: "command", command: "link", args: "" },
      { kind: "command", command: "unlink", args: "" },
      { kind: "command", command: "language", args: "" },
      { kind: "command", command: "delete", args: "" },
      { kind: "command", command: "menu", args: "" },
    ]);
  });

  it("a contact counts as the sender's own only when contact.user_id is the sender", async () => {
    await h.deliver(updates.contact(an, "+84905123456"));
    await h.deliver(updates.contact(an, "84905123456", { userId: 9999 }));
    await h.deliver(updates.contact(an, "0905123456", { userId: null }));
    expect(received.map((m) => m.input)).toEqual([
      { kind: "contact", phone: "+84905123456", own: true },
      { kind: "contact", phone: "84905123456", own: false },
      { kind: "contact", phone: "0905123456", own: false },
    ]);
  });

  it("a sticker gets the menu, never silence", async () => {
    await h.deliver(updates.sticker(an));
    expect(received.map((m) => m.input)).toEqual([{ kind: "command", command: "menu", args: "" }]);
    expect(h.fake.texts(7001)).toEqual(["ok"]);
  });

  it("a button press becomes a button input and the callback is answered", async () => {
    await h.deliver(updates.callback(an, "s:42"));
    expect(received.map((m) => m.input)).toEqual([{ kind: "button", data: "s:42" }]);
    expect(h.fake.sent("answerCallbackQuery")).toHaveLength(1);
  });

  it("the callback is answered even when handling it fails", async () => {
    script = () => {
      throw new Error("core down");
    };
    const res = await h.post(updates.callback(an, "s:1"));
    expect(res.status).toBe(200);
    expect(h.fake.sent("answerCallbackQuery")).toHaveLength(1);
  });
});

describe("groups are declined politely", () => {
  const group = { chat: { id: -100123, type: "supergroup" as const, title: "Tổ dân phố" } };

  it("a command in a group gets one pointer to the private chat and reaches no dossier logic", async () => {
    await h.deliver(updates.command(an, "status", "", group));
    expect(received).toHaveLength(0);
    const texts = h.fake.texts(-100123);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("https://t.me/hoso_test_bot");
  });

  it("ordinary group chatter is ignored", async () => {
    await h.deliver(updates.text(an, "000.00.15.H32-230112-0001 đến đâu rồi", group));
    expect(received).toHaveLength(0);
    expect(h.fake.sent("sendMessage")).toHaveLength(0);
  });

  it("a button pressed in a group is answered with a notice, not handled", async () => {
    await h.deliver(updates.callback(an, "s:1", { chatId: -100123 }));
    expect(received).toHaveLength(0);
    const answers = h.fake.sent("answerCallbackQuery");
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body.show_alert).toBe(true);
  });
});

describe("replies are rendered as Telegram messages", () => {
  it("buttons become an inline keyboard; data over 64 bytes is dropped, not sent", async () => {
    script = () => [
      { kind: "text", text: "Chọn hồ sơ", buttons: [[{ label: "A", data: "s:1" }, { label: "B", data: "s:2" }], [{ label: "too long", data: "x".repeat(65) }]] },
    ];
    await h.deliver(updates.text(an, "tra cứu"));
    const [call] = h.fake.sent("sendMessage", 7001);
    expect(inlineKeyboard(call)).toEqual([[{ text: "A", callback_data: "s:1" }, { text: "B", callback_data: "s:2" }]]);
  });

  it("a phone request is a one-time reply keyboard with request_contact; the contact removes it", async () => {
    script = () => [{ kind: "request_phone", text: "Chia sẻ số điện thoại", buttonLabel: "📱 Chia sẻ số" }];
    await h.deliver(updates.text(an, "000.00.15.H32-230112-0001"));
    expect(replyMarkup(h.fake.sent("sendMessage", 7001)[0])).toEqual({
      keyboard: [[{ text: "📱 Chia sẻ số", request_contact: true }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
    script = () => [{ kind: "text", text: "Đã liên kết" }];
    await h.deliver(updates.contact(an, "0905123456"));
    expect(replyMarkup(h.fake.sent("sendMessage", 7001)[1])).toEqual({ remove_keyboard: true });
  });

  it("a text longer than Telegram's 4096 characters is split", async () => {
    const line = "Thủ tục: đăng ký biến động quyền sử dụng đất.\n";
    script = () => [{ kind: "text", text: line.repeat(200) }];
    await h.deliver(updates.text(an, "chi tiết"));
    const texts = h.fake.texts(7001);
    expect(texts.length).toBe(3);
    expect(texts.every((t) => t.length <= 4096)).toBe(true);
    expect(texts.join("\n").trimEnd()).toBe(line.repeat(200).trimEnd());
  });
});

describe("the webhook", () => {
  it("refuses a wrong or missing secret with 401 and stores nothing", async () => {
    const before = await h.svc.ctx.prisma.inboundUpdate.count();
    const u = updates.text(an, "hello");
    expect((await h.post(u, "wrong-secret")).status).toBe(401);
    expect((await h.post(u, SECRET + "x")).status).toBe(401);
    expect((await h.post(u, "")).status).toBe(401);
    expect((await h.post(u, null)).status).toBe(401);
    expect(await h.svc.ctx.prisma.inboundUpdate.count()).toBe(before);
    expect(received).toHaveLength(0);
    expect(h.fake.calls).toHaveLength(0);
  });

  it("acknowledges garbage and a body without an integer update_id as rejected (200, so Telegram does not redeliver), storing nothing", async () => {
    const before = await h.svc.ctx.prisma.inboundUpdate.count();
    for (const bad of ["{not json", { message: { text: "x" } }, { update_id: "12" }, { update_id: 1.5 }]) {
      const res = await h.post(bad);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, outcome: "rejected" });
    }
    expect(await h.svc.ctx.prisma.inboundUpdate.count()).toBe(before);
    expect(received).toHaveLength(0);
  });

  it("a repeated update_id has no second effect", async () => {
    const u = updates.text(an, "tình trạng");
    await h.deliver(u);
    await h.deliver(u);
    await Promise.all([h.deliver(u), h.deliver(u)]);
    expect(received).toHaveLength(1);
    expect(h.fake.texts(7001)).toEqual(["ok"]);
  });

  it("a 429 with retry_after is waited out and the message delivered once", async () => {
    h.fake.failNext(1, "429", { method: "sendMessage", retryAfter: 1 });
    const t0 = Date.now();
    await h.deliver(updates.text(an, "khi nào xong"));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(h.fake.calls.filter((c) => c.method === "sendMessage").map((c) => c.status)).toEqual([429, 200]);
    expect(h.fake.texts(7001)).toEqual(["ok"]);
  });

  it("a 500 from Telegram is retried after a back-off and the message delivered once", async () => {
    h.fake.failNext(1, "500", { method: "sendMessage" });
    await h.deliver(updates.text(an, "trễ hẹn"));
    expect(h.fake.calls.filter((c) => c.method === "sendMessage").map((c) => c.status)).toEqual([500, 200]);
    expect(h.fake.texts(7001)).toEqual(["ok"]);
  });

  it("a chat that blocked the bot is marked blocked; the update counts as processed", async () => {
    await h.svc.ctx.prisma.channelAccount.upsert({
      where: { channel_platformUserId: { channel: "telegram", platformUserId: "7002" } },
      create: { channel: "telegram", platformUserId: "7002" },
      update: {},
    });
    h.fake.failNext(1, "403", { method: "sendMessage" });
    const u = updates.text(citizen(7002), "xin chào");
    await h.deliver(u);
    const acct = await h.svc.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "7002" } });
    expect(acct.blockedAt).toBeInstanceOf(Date);
    // The processed mark commits just after the webhook's answer (src/bot/telegram/processor.ts).
    await expect.poll(async () => (await h.svc.ctx.prisma.inboundUpdate.findFirstOrThrow({ where: { externalId: String(u.update_id) } })).processedAt).toBeInstanceOf(Date);
    // Unblocking when they write again is the conversation's job (test/conversation/flow.test.ts).
  });

  it("a processing failure answers 200, is recorded, and is processed by the next replay", async () => {
    script = () => {
      throw new Error("database hiccup");
    };
    const u = updates.text(an, "hạn trả");
    expect((await h.post(u)).status).toBe(200);
    const row = await h.svc.ctx.prisma.inboundUpdate.findFirstOrThrow({ where: { externalId: String(u.update_id) } });
    expect(row).toMatchObject({ processedAt: null, attempts: 1, lastError: "Error: database hiccup" });
    script = () => [{ kind: "text", text: "recovered" }];
    const r = await h.tg.processor!.replayPending({ olderThanMs: -1000 });
    expect(r).toMatchObject({ claimed: 1, processed: 1 });
    expect(h.fake.texts(7001)).toEqual(["recovered"]);
    const after = await h.svc.ctx.prisma.inboundUpdate.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ attempts: 2, lastError: null });
    expect(after.processedAt).toBeInstanceOf(Date);
  });

  it("readiness includes the Telegram channel", async () => {
    const res = await fetch(`${h.svc.url}/readyz?details=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const body = await res.json();
    expect(body.checks).toContainEqual({ name: "telegram", ok: true, detail: "webhook; @hoso_test_bot" });
  });
});

describe("long polling feeds the same inbox", () => {
  it("handles polled updates once, even when one was already delivered by webhook", async () => {
    const polled: InboundMessage[] = [];
    const p = await startTelegramHarness(
      () => ({
        async handle(msg) {
          polled.push(msg);
          return [{ kind: "text", text: "polled ok" }];
        },
      }),
      { TELEGRAM_MODE: "polling" },
    );
    try {
      const u1 = updates.text(an, "một");
      const u2 = updates.text(an, "hai");
      // u1 already in the inbox (e.g. it came by webhook before switching modes).
      await p.tg.processor!.receive(u1);
      p.fake.queueUpdates(u1, u2);
      await p.fake.waitFor(() => polled.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(polled.map((m) => m.input)).toEqual([
        { kind: "text", text: "một" },
        { kind: "text", text: "hai" },
      ]);
      expect(p.fake.calls.some((c) => c.method === "getUpdates")).toBe(true);
      expect((await p.post(updates.text(an, "x"))).status).toBe(404);
    } finally {
      await p.close();
    }
  });
});

describe("setTelegramWebhook (CLI)", () => {
  it("registers PUBLIC_URL/webhooks/telegram with the secret and the update types", async () => {
    const fake = await startFakeTelegram();
    try {
      const config = loadConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot, PUBLIC_URL: "https://bot.example.gov.vn/" });
      const text = await setTelegramWebhook(config);
      expect(text).toContain("https://bot.example.gov.vn/webhooks/telegram");
      const [call] = fake.sent("setWebhook");
      expect(call!.body).toMatchObject({ url: "https://bot.example.gov.vn/webhooks/telegram", secret_token: SECRET, allowed_updates: ["message", "callback_query"] });
    } finally {
      await fake.close();
    }
  });

  it("fails with a clear message when PUBLIC_URL or the token is missing", async () => {
    await expect(setTelegramWebhook(loadConfig({ TELEGRAM_WEBHOOK_SECRET: SECRET, PUBLIC_URL: "https://x.vn" }))).rejects.toThrow(/TELEGRAM_BOT_TOKEN is not set/);
    await expect(setTelegramWebhook(loadConfig({ TELEGRAM_BOT_TOKEN: "1:" + "a".repeat(30), TELEGRAM_WEBHOOK_SECRET: SECRET }))).rejects.toThrow(/PUBLIC_URL is not set/);
  });

  it("reports Telegram's refusal readably", async () => {
    const fake = await startFakeTelegram();
    try {
      fake.failNext(1, "400", { method: "setWebhook", description: "Bad Request: bad webhook: An HTTPS URL must be provided for webhook" });
      const config = loadConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot, PUBLIC_URL: "http://localhost:3000" });
      await expect(setTelegramWebhook(config)).rejects.toThrow(/Telegram refused setWebhook .*HTTPS URL must be provided/);
    } finally {
      await fake.close();
    }
  });
});
