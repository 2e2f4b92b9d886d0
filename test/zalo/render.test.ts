// Rendering conversation replies for Zalo, mapping webhook events to conversation input,
// and the feature wiring.
import { describe, expect, it } from "vitest";
import { inboundFromSubmitInfo, inboundFromText, externalIdOf, zaloEventSchema } from "../../src/bot/zalo/events.ts";
import { channelsModule } from "../../src/app/modules.ts";
import { renderReplies, splitText } from "../../src/bot/zalo/render.ts";
import { verifyZaloDelivery } from "../../src/bot/zalo/webhook.ts";
import { signedWebhook, startFakeZalo, zaloEvents } from "../fakes/zalo-server.ts";
import { startTestService } from "../helpers/app.ts";

const b = (n: number) => ({ label: `Nút ${n}`, data: `m:${n}` });

describe("renderReplies", () => {
  it("splits long texts at line breaks within 2000 characters; buttons go on the last part", () => {
    const para = "Dòng thông tin hồ sơ. ".repeat(40).trim();
    const text = Array.from({ length: 6 }, () => para).join("\n");
    expect(text.length).toBeGreaterThan(4000);
    const out = renderReplies([{ kind: "text", text, buttons: [[b(1)]] }]);
    expect(out.length).toBeGreaterThan(1);
    for (const m of out) {
      expect(m.kind).toBe("text");
      if (m.kind === "text") expect(m.text.length).toBeLessThanOrEqual(2000);
    }
    expect(out.map((m) => (m.kind === "text" ? m.buttons.length : -1))).toEqual([...Array(out.length - 1).fill(0), 1]);
    expect(out.map((m) => (m.kind === "text" ? m.text : "")).join("\n")).toBe(text);
    // One endless line is cut hard, without breaking a surrogate pair.
    const emoji = "😀".repeat(1500);
    const parts = splitText(emoji);
    expect(parts.join("")).toBe(emoji);
    expect(parts.every((p) => p.length <= 2000 && !/[\ud800-\udbff]$/.test(p))).toBe(true);
  });

  it("packs button rows into messages of at most 5 query buttons, keeping rows together", () => {
    const out = renderReplies([{ kind: "text", text: "Chọn", buttons: [[b(1), b(2)], [b(3), b(4)], [b(5), b(6)]] }], { moreButtonsText: "Thêm:" });
    expect(out).toEqual([
      { kind: "text", text: "Chọn", buttons: [1, 2, 3, 4].map((n) => ({ title: `Nút ${n}`, payload: `m:${n}`, type: "oa.query.hide" })) },
      { kind: "text", text: "Thêm:", buttons: [5, 6].map((n) => ({ title: `Nút ${n}`, payload: `m:${n}`, type: "oa.query.hide" })) },
    ]);
    const wide = renderReplies([{ kind: "text", text: "x", buttons: [Array.from({ length: 7 }, (_, i) => b(i))] }], { queryButtonType: "oa.query.hide" });
    expect(wide.map((m) => (m.kind === "text" ? m.buttons.length : 0))).toEqual([5, 2]);
    expect(wide[0]).toMatchObject({ buttons: [{ type: "oa.query.hide" }, {}, {}, {}, {}] });
  });

  it("renders a phone request as the request_user_info template", () => {
    expect(renderReplies([{ kind: "request_phone", text: "Hãy chia sẻ số điện thoại.", buttonLabel: "Chia sẻ số điện thoại" }])).toEqual([
      { kind: "request_user_info", title: "Chia sẻ số điện thoại", subtitle: "Hãy chia sẻ số điện thoại." },
    ]);
    const long = "Giải thích. ".repeat(60);
    const out = renderReplies([{ kind: "request_phone", text: long, buttonLabel: "Chia sẻ" }]);
    expect(out[0]).toMatchObject({ kind: "text", text: long.trim() });
    expect(out[1]).toMatchObject({ kind: "request_user_info", title: "Chia sẻ" });
    expect(out[1]!.kind === "request_user_info" && out[1]!.subtitle.length).toBeLessThanOrEqual(500);
  });
});

describe("events → conversation input", () => {
  it("maps query-button payloads, commands, text and shared phones", () => {
    expect(inboundFromText("c:y")).toEqual({ kind: "button", data: "c:y" });
    expect(inboundFromText("m:status")).toEqual({ kind: "button", data: "m:status" });
    expect(inboundFromText("/start 000.00.15.H32-230112-0001")).toEqual({ kind: "command", command: "start", args: "000.00.15.H32-230112-0001" });
    expect(inboundFromText("hồ sơ của tôi")).toEqual({ kind: "text", text: "hồ sơ của tôi" });
    const info = zaloEventSchema.parse(zaloEvents.submitInfo("1", "84905123456"));
    expect(inboundFromSubmitInfo(info)).toEqual({ kind: "contact", phone: "0905123456", own: true });
    expect(inboundFromSubmitInfo(zaloEventSchema.parse({ ...zaloEvents.submitInfo("1", ""), info: {} }))).toBeNull();
  });

  it("uses msg_id as the inbox key, or event + timestamp + user without one", () => {
    expect(externalIdOf(zaloEventSchema.parse(zaloEvents.text("42", "x", { msgId: "abc" })))).toBe("abc");
    expect(externalIdOf(zaloEventSchema.parse(zaloEvents.follow("42", { timestamp: "1700000000000" })))).toBe("follow:1700000000000:42");
  });

  it("verifies the signature over the raw bytes with app_id and timestamp from the body", () => {
    const now = Date.now();
    const d = signedWebhook(zaloEvents.text("42", "xin chào", { timestamp: String(now) }));
    const deps = { appId: "4318912312312312312", secret: "fake-oa-secret-key-abcdef", now: () => now };
    expect(verifyZaloDelivery(Buffer.from(d.body), d.headers["x-zevent-signature"], deps)).toMatchObject({ ok: true });
    // Re-serialising (e.g. different spacing) breaks the signature: it is over the exact bytes.
    const reformatted = JSON.stringify(JSON.parse(d.body), null, 1);
    expect(verifyZaloDelivery(Buffer.from(reformatted), d.headers["x-zevent-signature"], deps)).toEqual({ ok: false, reason: "signature mismatch" });
    expect(verifyZaloDelivery(Buffer.from(d.body), d.headers["x-zevent-signature"], { ...deps, now: () => now + 11 * 60_000 })).toMatchObject({ ok: false });
  });
});

describe("the Zalo channel, built once", () => {
  it("mounts the webhook and the readiness check when configured; replies and deliveries share one token store", async () => {
    const fake = await startFakeZalo();
    const svc = await startTestService(fake.env({ ZALO_ZNS_TEMPLATE_STATUS: "tpl" }), undefined, { modules: [channelsModule] });
    try {
      expect(svc.lines).toEqual(["  Zalo webhook: POST {url}/webhooks/zalo"]);
      const zalo = svc.channels!.zalo!;
      expect(svc.channels!.senders).toContain(zalo.deliverySender);
      expect(zalo.zns?.templateId).toBe("tpl");
      const ready = (await (await svc.api("/readyz?details=1")).json()) as { checks: { name: string; ok: boolean }[] };
      expect(ready.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: "zalo-token", ok: true })]));
      // Refresh tokens are single-use: with two token stores in one process the second refresh
      // would present a spent token. After the access token expires, a delivery refreshes once and
      // a reply then goes out with the new token, no second refresh.
      fake.expireAccessToken();
      const sent = await zalo.deliverySender.send("70001", [{ kind: "text", text: "Thông báo" }]);
      expect(sent, JSON.stringify(sent)).toMatchObject({ ok: true });
      expect(await zalo.sender.send("70001", [{ kind: "text", text: "Trả lời" }])).toMatchObject({ ok: true });
      expect(fake.oauthCalls()).toHaveLength(1);
      expect(fake.texts("70001")).toEqual(["Thông báo", "Trả lời"]);
    } finally {
      await svc.close();
      await fake.close();
    }
  });

  it("is absent when Zalo is not configured: no webhook, the reason in the channels' notes", async () => {
    const svc = await startTestService({}, undefined, { modules: [channelsModule] });
    try {
      expect(svc.channels!.zalo).toBeUndefined();
      expect(svc.channels!.notes.join("\n")).toContain("Zalo: ZALO_APP_ID, ZALO_APP_SECRET, ZALO_WEBHOOK_SECRET, ZALO_REFRESH_TOKEN not set");
      expect((await fetch(svc.url + "/webhooks/zalo", { method: "POST", body: "{}" })).status).toBe(404);
    } finally {
      await svc.close();
    }
  });
});
