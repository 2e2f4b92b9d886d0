// Issue 10, finding 10: rate limits on failed API authentication, wrong webhook secrets and /try,
// per client address, with counters in the database (shared by every instance); 429 + Retry-After.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimiter, limitRules, requestLimit } from "../../src/api/rate-limit.ts";
import { createTelegramWebhookRouter } from "../../src/bot/telegram/webhook.ts";
import { createZaloWebhookRouter } from "../../src/bot/zalo/webhook.ts";
import { webhookAuthLimit } from "../../src/bot/webhook-limit.ts";
import { silentLogger } from "../../src/logger.ts";
import { ADMIN_KEY, startTestService, type TestService } from "../helpers/app.ts";
import express from "express";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ RATE_LIMIT_AUTH_FAILURES: "5", RATE_LIMIT_WEBHOOK_FAILURES: "3", RATE_LIMIT_TRY: "4" }, (ctx) => {
    const stub = express.Router();
    stub.post("/try/api/message", (_req, res) => void res.json({ ok: true }));
    const never = { receive: () => Promise.reject(new Error("not reached")) } as never;
    return {
      routers: [
        createTelegramWebhookRouter({ secret: "right-secret", processor: never, logger: silentLogger, authLimit: webhookAuthLimit(ctx) }),
        createZaloWebhookRouter({ appId: "123", secret: "right-secret", processor: never, logger: silentLogger, authLimit: webhookAuthLimit(ctx) }),
        requestLimit(ctx.rateLimiter, limitRules(ctx.config).try, ["/try/api/message"]),
        stub,
      ],
    };
  });
});
afterAll(() => svc.close());

const from = (ip: string) => ({ "x-forwarded-for": ip });

describe("failed API authentication", () => {
  it("after 5 wrong keys from one address: 429 with Retry-After, even for the right key; other addresses unaffected", async () => {
    for (let i = 0; i < 5; i++) expect((await svc.api("/api/v1/units", { key: `dbk_wrong_${i}`, headers: from("198.51.100.7") })).status).toBe(401);
    const limited = await svc.api("/api/v1/units", { key: "dbk_wrong_x", headers: from("198.51.100.7") });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((await limited.json()).error.code).toBe("rate_limited");
    expect((await svc.api("/api/v1/units", { key: ADMIN_KEY, headers: from("198.51.100.7") })).status).toBe(429);
    expect((await svc.api("/api/v1/units", { key: ADMIN_KEY, headers: from("198.51.100.8") })).status).toBe(200);
    // Successful requests never count.
    for (let i = 0; i < 10; i++) expect((await svc.api("/api/v1/units", { key: ADMIN_KEY, headers: from("198.51.100.9") })).status).toBe(200);
  });

  it("the count is shared through the database: two instances (limiters) count one address together", async () => {
    const a = new RateLimiter(svc.ctx.prisma);
    const b = new RateLimiter(svc.ctx.prisma);
    const rule = { name: "shared_test", max: 5, windowMs: 60_000 };
    const results = [await a.hit(rule, "x"), await b.hit(rule, "x"), await a.hit(rule, "x"), await b.hit(rule, "x"), await a.hit(rule, "x"), await b.hit(rule, "x")];
    expect(results.map((r) => r.limited)).toEqual([false, false, false, false, false, true]);
  });

  it("parallel hits are counted atomically (no lost update)", async () => {
    const rule = { name: "parallel_test", max: 1000, windowMs: 60_000 };
    const limiters = [new RateLimiter(svc.ctx.prisma), new RateLimiter(svc.ctx.prisma)];
    const r = await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % 2]!.hit(rule, "y")));
    expect(new Set(r.map((x) => x.hits)).size).toBe(30);
    expect(Math.max(...r.map((x) => x.hits))).toBe(30);
  });

  it("a new window starts once the old one ended", async () => {
    let now = Date.now();
    const l = new RateLimiter(svc.ctx.prisma, () => now);
    const rule = { name: "window_test", max: 1, windowMs: 1_000 };
    expect((await l.hit(rule, "z")).limited).toBe(false);
    expect((await l.hit(rule, "z")).limited).toBe(true);
    now += 1_500;
    expect(l.blockedFor(rule, "z")).toBe(0);
    expect((await l.hit(rule, "z")).limited).toBe(false);
  });
});

describe("webhooks' unauthenticated paths", () => {
  it("Telegram: after 3 wrong secrets from one address → 429; the limit counts per address", async () => {
    const post = (secret: string, ip: string) =>
      fetch(`${svc.url}/webhooks/telegram`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret, ...from(ip) }, body: "{}" });
    for (let i = 0; i < 3; i++) expect((await post("wrong", "203.0.113.1")).status).toBe(401);
    const r = await post("wrong", "203.0.113.1");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBeTruthy();
    expect((await post("wrong", "203.0.113.2")).status).toBe(401);
  });

  it("Zalo: after 3 bad signatures from one address → 429", async () => {
    const post = () => fetch(`${svc.url}/webhooks/zalo`, { method: "POST", headers: { "content-type": "application/json", "x-zevent-signature": "mac=00", ...from("203.0.113.9") }, body: "{}" });
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(401);
    expect((await post()).status).toBe(429);
  });
});

describe("/try", () => {
  it("more than 4 messages a minute from one address → 429", async () => {
    const post = (ip: string) => fetch(`${svc.url}/try/api/message`, { method: "POST", headers: { "content-type": "application/json", ...from(ip) }, body: "{}" });
    for (let i = 0; i < 4; i++) expect((await post("192.0.2.1")).status).toBe(200);
    const r = await post("192.0.2.1");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBeTruthy();
    expect((await post("192.0.2.2")).status).toBe(200);
  });
});
