// A citizen on Zalo, end to end: signed webhook deliveries into the service, the real
// conversation, replies to the fake Zalo. Forged deliveries change nothing; repeats have no
// second effect; ids beyond 2^53 stay exact; token expiry and window errors are handled.
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConversationService } from "../../src/core/conversation/index.ts";
import { accept } from "../../src/core/inbox.ts";
import { bareNumber, signedWebhook, zaloBody, zaloEvents, zaloSignature } from "../fakes/zalo-server.ts";
import { ADMIN_KEY, specDossier } from "../helpers/app.ts";
import { startZaloHarness, type ZaloHarness } from "./harness.ts";

const CODE = "000.00.15.H32-230112-0001";
let h: ZaloHarness;
let failNextConversation = false;
let seq = 0;
/** A fresh Zalo user id per test (beyond 2^53, like real ones). */
const newUser = () => `85123456789012${String(10000 + ++seq)}`;

beforeAll(async () => {
  h = await startZaloHarness({
    conversation: (ctx) => {
      // The real conversation, with a switch to make one turn fail (as a crash would).
      const real = databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher });
      return {
        handle(msg) {
          if (failNextConversation) {
            failNextConversation = false;
            return Promise.reject(new Error("simulated crash"));
          }
          return real.handle(msg);
        },
      };
    },
  });
  const put = await h.svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", json: specDossier() });
  expect(put.status).toBe(201);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.fake.reset();
});

async function inboxRows() {
  return h.svc.ctx.prisma.inboundUpdate.count({ where: { channel: "zalo" } });
}

/** Link CODE for `user` by consent + shared phone, as a citizen would. */
async function linkByPhone(user: string, phone = "84905123456"): Promise<void> {
  await h.deliver(zaloEvents.text(user, CODE));
  await h.deliver(zaloEvents.text(user, "c:y"));
  await h.deliver(zaloEvents.submitInfo(user, phone));
}

describe("webhook authentication", () => {
  it("accepts a correctly signed event and answers the citizen", async () => {
    const user = newUser();
    const before = await inboxRows();
    const body = await h.deliver(zaloEvents.text(user, "xin chào"));
    expect(body).toEqual({ ok: true, outcome: "accepted" });
    expect(await inboxRows()).toBe(before + 1);
    expect(h.fake.texts(user)[0]).toContain("Xin chào");
  });

  it("forged, absent, tampered, foreign-app or stale signatures → 401 and no effect", async () => {
    const user = newUser();
    const before = await inboxRows();
    const event = zaloEvents.text(user, "xin chào");
    const good = signedWebhook(event);
    const stale = zaloEvents.text(user, "xin chào", { timestamp: String(Date.now() - 11 * 60_000) });
    const foreign = zaloEvents.text(user, "xin chào", { appId: "1111111111111111111" });
    const deliveries = [
      signedWebhook(event, { secret: "not-the-secret" }),
      { body: good.body, headers: { "content-type": "application/json" } },
      { body: good.body, headers: { "content-type": "application/json", "x-zevent-signature": "mac=" + "0".repeat(64) } },
      { body: good.body, headers: { "content-type": "application/json", "x-zevent-signature": "sha256=garbage" } },
      { body: good.body.replace("xin chào", "xin chao"), headers: good.headers },
      signedWebhook(stale),
      signedWebhook(foreign),
      { body: "not json", headers: { "x-zevent-signature": zaloSignature("not json", "", "", h.fake.webhookSecret) } },
    ];
    for (const d of deliveries) {
      const res = await h.post(d);
      expect(res.status).toBe(401);
    }
    await h.zalo.processor.idle();
    expect(await inboxRows()).toBe(before);
    expect(h.fake.calls).toHaveLength(0);
    expect(await h.svc.ctx.prisma.channelAccount.count({ where: { platformUserId: user } })).toBe(0);
  });

  it("a signed body that is not a Zalo event → 200 rejected (no redelivery), nothing stored; unknown events → 200 and ignored", async () => {
    const before = await inboxRows();
    const bad = await h.post(signedWebhook({ app_id: h.fake.appId, timestamp: String(Date.now()) }));
    expect(bad.status).toBe(200);
    expect(await bad.json()).toEqual({ ok: true, outcome: "rejected" });
    const unknown = await h.post(signedWebhook({ app_id: h.fake.appId, timestamp: String(Date.now()), event_name: "oa_send_text", sender: { id: "1" }, recipient: { id: "2" } }));
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ ok: true, outcome: "ignored" });
    expect(await inboxRows()).toBe(before);
    expect(h.fake.calls).toHaveLength(0);
  });
});

describe("a citizen on Zalo", () => {
  it("links a dossier by sharing their phone (user_submit_info), then asks for the status", async () => {
    const user = newUser();
    await h.deliver(zaloEvents.text(user, `Mã hồ sơ của tôi: ${CODE}`));
    // The consent question carries its answers as query buttons.
    const consent = h.fake.sent("oa/message/cs", user).at(-1)!;
    const buttons = (consent.body.message as { attachment: { payload: { buttons: { payload: string; type: string }[] } } }).attachment.payload.buttons;
    expect(buttons.map((b) => b.payload)).toEqual(["c:y", "c:n"]);
    expect(buttons[0]!.type).toBe("oa.query.hide");

    // Pressing "Đồng ý" sends its payload back as user_send_text.
    await h.deliver(zaloEvents.text(user, "c:y"));
    const ask = h.fake.sent("oa/message/cs", user).at(-1)!;
    expect((ask.body.message as { attachment: { payload: { template_type: string } } }).attachment.payload.template_type).toBe("request_user_info");

    await h.deliver(zaloEvents.submitInfo(user, "84905123456"));
    expect(h.fake.texts(user).some((t) => t.includes(`Đã liên kết hồ sơ ${CODE}`))).toBe(true);
    const account = await h.svc.ctx.prisma.channelAccount.findUniqueOrThrow({
      where: { channel_platformUserId: { channel: "zalo", platformUserId: user } },
      include: { citizen: { include: { links: true } } },
    });
    expect(account.citizen?.phone).toBe("0905123456");
    expect(account.citizen?.links.map((l) => l.verifiedBy)).toEqual(["zalo_phone"]);
    expect(account.lastInboundAt).toBeInstanceOf(Date);

    h.fake.reset();
    await h.deliver(zaloEvents.text(user, "hồ sơ của tôi đến đâu rồi?"));
    const card = h.fake.texts(user).join("\n");
    expect(card).toContain(CODE);
    expect(card).toContain("Thẩm định hồ sơ");
  });

  it("a phone that is not the applicant's does not link", async () => {
    const user = newUser();
    await h.deliver(zaloEvents.text(user, CODE));
    await h.deliver(zaloEvents.text(user, "c:y"));
    await h.deliver(zaloEvents.submitInfo(user, "84912999888"));
    expect(h.fake.texts(user).join("\n")).not.toContain("Đã liên kết");
    const account = await h.svc.ctx.prisma.channelAccount.findUniqueOrThrow({ where: { channel_platformUserId: { channel: "zalo", platformUserId: user } } });
    expect(account.citizenId).toBeNull();
  });

  it("the same msg_id twice → one reply", async () => {
    const user = newUser();
    const event = zaloEvents.text(user, "menu", { msgId: "f0e1d2c3b4a5968778695a4b3c2d1e0f" });
    expect(await h.deliver(event)).toMatchObject({ outcome: "accepted" });
    const replies = h.fake.sent("oa/message/cs", user).length;
    expect(replies).toBeGreaterThan(0);
    expect(await h.deliver(event)).toMatchObject({ outcome: "duplicate" });
    // Concurrent repeats too.
    await Promise.all([h.deliver(event), h.deliver(event)]);
    expect(h.fake.sent("oa/message/cs", user)).toHaveLength(replies);
    expect(await h.svc.ctx.prisma.inboundUpdate.count({ where: { externalId: "f0e1d2c3b4a5968778695a4b3c2d1e0f" } })).toBe(1);
  });

  it("a menu of 6 buttons is sent as messages of at most 5 query buttons", async () => {
    const user = newUser();
    await h.deliver(zaloEvents.text(user, "menu"));
    const sent = h.fake.sent("oa/message/cs", user).map((c) => (c.body.message as { attachment?: { payload: { buttons: unknown[] } } }).attachment?.payload.buttons.length ?? 0);
    expect(sent).toEqual([4, 2]);
  });

  it("keeps ids beyond 2^53 exact when the body carries them as bare numbers", async () => {
    const user = "8512345678901234567";
    const msgId = "123456789012345678901";
    const event = {
      app_id: bareNumber(h.fake.appId),
      user_id_by_app: bareNumber("5529128733342187123"),
      event_name: "user_send_text",
      timestamp: String(Date.now()),
      sender: { id: bareNumber(user) },
      recipient: { id: bareNumber("579745863508352884") },
      message: { msg_id: bareNumber(msgId), text: "xin chào" },
    };
    const body = zaloBody(event);
    expect(body).toContain(`"id":${user}`);
    // What JSON.parse would have done to these ids:
    expect(String((JSON.parse(body) as { sender: { id: number } }).sender.id)).not.toBe(user);

    await h.deliver(event);
    const [reply] = h.fake.sent("oa/message/cs", user);
    expect(reply!.rawBody).toContain(`"user_id":"${user}"`);
    expect(await h.svc.ctx.prisma.channelAccount.count({ where: { channel: "zalo", platformUserId: user } })).toBe(1);
    expect(await h.svc.ctx.prisma.inboundUpdate.count({ where: { channel: "zalo", externalId: msgId } })).toBe(1);
  });

  it("token expiry mid-conversation: -216 → refresh → the reply is delivered", async () => {
    const user = newUser();
    await h.deliver(zaloEvents.text(user, "xin chào"));
    const oldToken = h.fake.currentAccessToken();
    h.fake.expireAccessToken();
    h.fake.reset();
    await h.deliver(zaloEvents.text(user, "hồ sơ của tôi đến đâu rồi?"));
    const [rejected, oauth, delivered] = h.fake.calls;
    expect(rejected).toMatchObject({ endpoint: "oa/message/cs", accessToken: oldToken });
    expect(rejected!.answer.error).toBe(-216);
    expect(oauth!.endpoint).toBe("oauth/access_token");
    expect(delivered).toMatchObject({ endpoint: "oa/message/cs", accessToken: h.fake.currentAccessToken() });
    expect(h.fake.texts(user).length).toBeGreaterThan(0);
    const row = await h.svc.ctx.prisma.channelToken.findUniqueOrThrow({ where: { channel: "zalo" } });
    expect(row.refreshToken).toBe(h.fake.currentRefreshToken());
    const ready = await fetch(`${h.svc.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it("-230 window error is reported as window_closed and not retried", async () => {
    const user = newUser();
    h.fake.closeWindow(user, -230);
    const outcome = await h.zalo.sender.send(user, [{ kind: "text", text: "Hồ sơ của bạn đã có kết quả." }]);
    expect(outcome).toEqual({ ok: false, kind: "window_closed", code: "-230", message: expect.stringContaining("-230") });
    expect(h.fake.calls).toHaveLength(1);

    // In a conversation the reply is dropped, and the event is done (no replay would help).
    await h.deliver(zaloEvents.text(user, "xin chào", { msgId: "window-1" }));
    const row = await h.svc.ctx.prisma.inboundUpdate.findUniqueOrThrow({ where: { channel_externalId: { channel: "zalo", externalId: "window-1" } } });
    expect(row.processedAt).toBeInstanceOf(Date);
  });

  it("maps rate limits and refusals to SendOutcome kinds", async () => {
    const user = newUser();
    h.fake.failNext(3, -32);
    expect(await h.zalo.sender.send(user, [{ kind: "text", text: "x" }])).toMatchObject({ ok: false, kind: "rate_limited", code: "-32" });
    h.fake.failNext(1, -32);
    expect(await h.zalo.sender.send(user, [{ kind: "text", text: "x" }])).toMatchObject({ ok: true });
    expect(await h.zalo.sender.send("not-an-id", [{ kind: "text", text: "x" }])).toMatchObject({ ok: false, kind: "permanent", code: "-201" });
  });

  it("a failure after 200 leaves the event in the inbox; the replay answers it once", async () => {
    const user = newUser();
    failNextConversation = true;
    await h.deliver(zaloEvents.text(user, "menu", { msgId: "crash-1" }));
    expect(h.fake.sent("oa/message/cs", user)).toHaveLength(0);
    let row = await h.svc.ctx.prisma.inboundUpdate.findUniqueOrThrow({ where: { channel_externalId: { channel: "zalo", externalId: "crash-1" } } });
    expect(row).toMatchObject({ processedAt: null, lastError: expect.stringContaining("simulated crash") });

    // A process that died right after answering 200 left a row like this one, too.
    const other = newUser();
    await accept(h.svc.ctx.prisma, "zalo", "crash-2", zaloEvents.text(other, "menu", { msgId: "crash-2" }));

    // A cutoff a little in the future: rows written in this same millisecond count too.
    const r = await h.zalo.processor.replayPending({ olderThanMs: -1000 });
    expect(r).toMatchObject({ processed: 2, failed: 0 });
    expect(h.fake.sent("oa/message/cs", user).length).toBeGreaterThan(0);
    expect(h.fake.sent("oa/message/cs", other).length).toBeGreaterThan(0);
    row = await h.svc.ctx.prisma.inboundUpdate.findUniqueOrThrow({ where: { channel_externalId: { channel: "zalo", externalId: "crash-1" } } });
    expect(row.processedAt).toBeInstanceOf(Date);
    expect((await h.zalo.processor.replayPending({ olderThanMs: 0 })).claimed).toBe(0);
  });

  it("unfollow marks the account blocked; writing again (or following) clears it", async () => {
    const user = newUser();
    await h.deliver(zaloEvents.text(user, "xin chào"));
    await h.deliver(zaloEvents.unfollow(user));
    const where = { channel_platformUserId: { channel: "zalo" as const, platformUserId: user } };
    expect(await h.svc.ctx.prisma.channelAccount.findUniqueOrThrow({ where })).toMatchObject({ blockedReason: "unfollow", blockedAt: expect.any(Date) });
    await h.deliver(zaloEvents.follow(user, { timestamp: String(Date.now() + 1) }));
    expect(await h.svc.ctx.prisma.channelAccount.findUniqueOrThrow({ where })).toMatchObject({ blockedAt: null, blockedReason: null });
    await h.deliver(zaloEvents.unfollow(user, { timestamp: String(Date.now() + 2) }));
    await h.deliver(zaloEvents.text(user, "xin chào"));
    expect(await h.svc.ctx.prisma.channelAccount.findUniqueOrThrow({ where })).toMatchObject({ blockedAt: null });
  });

  it("delivery receipts are accepted without effect", async () => {
    const user = newUser();
    const body = await h.deliver(zaloEvents.received(user, ["abc123"], { trackingId: "notice-1" }));
    expect(body).toMatchObject({ outcome: "accepted" });
    expect(h.fake.calls).toHaveLength(0);
  });

  it("linking on Zalo and Telegram with the same phone ends as one citizen with two channel accounts", async () => {
    const zaloUser = newUser();
    await linkByPhone(zaloUser);
    const tgUser = "777000111";
    const conversation = databaseConversation({ prisma: h.svc.ctx.prisma, calendar: h.svc.ctx.calendar, hasher: h.svc.ctx.hasher });
    await conversation.handle({ channel: "telegram", userId: tgUser, input: { kind: "text", text: CODE } });
    await conversation.handle({ channel: "telegram", userId: tgUser, input: { kind: "button", data: "c:y" } });
    const linked = await conversation.handle({ channel: "telegram", userId: tgUser, input: { kind: "contact", phone: "+84905123456", own: true } });
    expect(linked[0]).toMatchObject({ kind: "text", text: expect.stringContaining("Đã liên kết") });

    const citizens = await h.svc.ctx.prisma.citizen.findMany({ where: { phone: "0905123456" }, include: { accounts: true, links: true } });
    expect(citizens).toHaveLength(1);
    const accounts = citizens[0]!.accounts.filter((a) => a.platformUserId === zaloUser || a.platformUserId === tgUser);
    expect(accounts.map((a) => a.channel).sort()).toEqual(["telegram", "zalo"]);
    expect(citizens[0]!.links).toHaveLength(1);
  });
});

describe("readiness", () => {
  it("/readyz fails while the Zalo token cannot be refreshed", async () => {
    h.fake.failOAuthNext(1);
    await expect(h.zalo.tokens.refresh("test")).rejects.toMatchObject({ endpoint: "oauth/access_token" });
    const res = await fetch(`${h.svc.url}/readyz?details=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: { name: string; ok: boolean; detail?: string }[] };
    const check = body.checks.find((c) => c.name === "zalo-token")!;
    expect(check.ok).toBe(false);
    expect(check.detail).toContain("refresh failed");
    expect(check.detail).not.toContain(h.fake.currentRefreshToken());
  });
});
