// Issue 10, finding 11: security headers on every route; pages allow exactly their own inline
// blocks by hash (never 'unsafe-inline' scripts); HSTS only when HSTS_MAX_AGE is set.
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.ts";
import { createDashboardRouter } from "../../src/api/pages/dashboard.ts";
import { createOpenDataRouter } from "../../src/api/pages/open-data.ts";
import { createSlipLinkRouter } from "../../src/api/pages/slip.ts";
import { createTryRouter } from "../../src/api/pages/try.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({}, (ctx) => ({
    routers: [
      createTryRouter({ enabled: true, conversation: { handleTurn: async () => ({ replies: [], lang: "vi" }) }, demo: { phone: "0900000000", codes: [] } }),
      createDashboardRouter(),
      createSlipLinkRouter(ctx),
      createOpenDataRouter({ publisher: null }),
    ],
  }));
});
afterAll(() => svc.close());

const csp = (res: Response) => res.headers.get("content-security-policy") ?? "";

function expectBaseline(res: Response, what: string): void {
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(csp(res), what).toContain("frame-ancestors 'none'");
  expect(csp(res), what).toContain("default-src 'none'");
  expect(csp(res), what).not.toContain("unsafe-inline");
  expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  expect(res.headers.get("strict-transport-security"), what).toBeNull();
}

describe("every route", () => {
  it("API answers (200, 401, 404, 422), health and readiness carry nosniff, a deny-all CSP and no referrer", async () => {
    const cases: [string, Promise<Response>][] = [
      ["GET /api/v1/units", svc.api("/api/v1/units")],
      ["401", svc.api("/api/v1/units", { key: null })],
      ["404", svc.api("/api/v1/nothing")],
      ["422", svc.api("/api/v1/units/X", { method: "PUT", json: {} })],
      ["openapi", svc.api("/api/v1/openapi.json")],
      ["healthz", fetch(`${svc.url}/healthz`)],
      ["readyz", fetch(`${svc.url}/readyz`)],
      ["webhook 404", fetch(`${svc.url}/webhooks/telegram`, { method: "POST" })],
      ["open data", fetch(`${svc.url}/open-data/catalog.json`)],
    ];
    for (const [what, p] of cases) {
      const res = await p;
      expectBaseline(res, what);
      expect(csp(res), what).not.toContain("script-src");
    }
  });

  it("pages: /, /try, /dashboard, /l/<token> allow only their inline blocks, by hash", async () => {
    for (const path of ["/", "/try", "/dashboard", "/l/not-a-token"]) {
      const res = await fetch(svc.url + path);
      expectBaseline(res, path);
      const html = await res.text();
      for (const m of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g)) {
        if (/src=|application\/json/.test(m[1] ?? "")) continue;
        const hash = createHash("sha256").update(m[2]!, "utf8").digest("base64");
        expect(csp(res), `${path} script`).toContain(`'sha256-${hash}'`);
      }
      for (const m of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) {
        const hash = createHash("sha256").update(m[1]!, "utf8").digest("base64");
        expect(csp(res), `${path} style`).toContain(`'sha256-${hash}'`);
      }
    }
    // Scripts come from the service itself (files) or by hash, never 'unsafe-inline'.
    expect(csp(await fetch(`${svc.url}/try`))).toMatch(/script-src ('self'|'sha256-)/);
  });
});

describe("HSTS", () => {
  it("is sent only when HSTS_MAX_AGE is set", async () => {
    const app = createApp({ ...svc.ctx, config: { ...svc.ctx.config, http: { ...svc.ctx.config.http, hstsMaxAge: 31_536_000 } } });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    } finally {
      server.close();
    }
  });
});
