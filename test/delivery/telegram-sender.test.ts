// TelegramSender against the fake Bot API: rendering (text + inline keyboard) and how each
// platform answer is classified for the engine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TelegramSender } from "../../src/bot/telegram/sender.ts";
import { deliveryModule } from "../../src/app/delivery.ts";
import { inlineKeyboard, startFakeTelegram, type FakeTelegram } from "../fakes/telegram-server.ts";
import { startTestService } from "../helpers/app.ts";

let tg: FakeTelegram;
let sender: TelegramSender;
beforeAll(async () => {
  tg = await startFakeTelegram();
  sender = new TelegramSender({ token: tg.token, apiRoot: tg.apiRoot });
});
afterAll(async () => {
  await tg?.close();
});

const reply = [{ kind: "text" as const, text: "Kết quả đã sẵn sàng", buttons: [[{ label: "Xem hồ sơ", data: "s:1" }]] }];

describe("TelegramSender", () => {
  it("sends text with its inline keyboard and returns the message id", async () => {
    const out = await sender.send("4242", reply);
    expect(out).toEqual({ ok: true, platformMessageId: expect.stringMatching(/^\d+$/) });
    const call = tg.sent("sendMessage", 4242)[0];
    expect(call?.body.text).toBe("Kết quả đã sẵn sàng");
    expect(inlineKeyboard(call)).toEqual([[{ text: "Xem hồ sơ", callback_data: "s:1" }]]);
    expect(sender.callsFor([{ kind: "text", text: "x".repeat(5000) }])).toBe(2);
  });

  it("429 → rate_limited with retry_after; 403 → blocked; 5xx → temporary; other 4xx → permanent", async () => {
    tg.failNext(1, "429", { retryAfter: 7 });
    expect(await sender.send("1", reply)).toMatchObject({ ok: false, kind: "rate_limited", code: "429", retryAfterMs: 7000 });
    tg.failNext(1, "403");
    expect(await sender.send("1", reply)).toMatchObject({ ok: false, kind: "blocked", code: "403", message: "Forbidden: bot was blocked by the user" });
    tg.failNext(1, "500");
    expect(await sender.send("1", reply)).toMatchObject({ ok: false, kind: "temporary", code: "500" });
    tg.failNext(1, "400", { description: "Bad Request: chat not found" });
    expect(await sender.send("1", reply)).toMatchObject({ ok: false, kind: "permanent", code: "400", message: "Bad Request: chat not found" });
  });

  it("a network failure is temporary", async () => {
    const dead = new TelegramSender({ token: tg.token, apiRoot: "http://127.0.0.1:9", timeoutSeconds: 2 });
    expect(await dead.send("1", reply)).toMatchObject({ ok: false, kind: "temporary", code: "network" });
  });
});

describe("the delivery module", () => {
  it("without channel credentials: routes mounted, nothing sent, says why", async () => {
    // No Telegram or Zalo credentials, and no /try chat (DEMO_DATA=off) to deliver to either.
    const svc = await startTestService({ DEMO_DATA: "off" }, undefined, { modules: [deliveryModule({ catchUpMs: 0 })] });
    try {
      expect(svc.lines.join("\n")).toContain("no channel configured");
      const res = await svc.api("/api/v1/broadcasts", { method: "POST", json: { text: "x", audience: {}, dryRun: true } });
      expect(res.status).toBe(422);
      expect((await res.json()).error.message).toContain("No channel to send on");
      const doc = await (await svc.api("/api/v1/openapi.json")).json();
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/broadcasts", "/api/v1/broadcasts/{id}", "/api/v1/broadcasts/{id}/cancel", "/api/v1/broadcasts/{id}/approve"]));
    } finally {
      await svc.close();
    }
  });
});
