// /dashboard over HTTP: a Vietnamese page under a strict CSP (script-src 'self') whose bundled
// script parses and calls only API routes that exist. What it does in a real browser is
// tested in test/browser/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardRouter } from "../../src/api/pages/dashboard.ts";
import { broadcastRoutes } from "../../src/api/routes/broadcasts.ts";
import { feedbackRoutes } from "../../src/api/routes/feedback.ts";
import { statsRoutes } from "../../src/api/routes/stats.ts";
import { dashboardModule } from "../../src/app/modules.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
let html: string;
let res: Response;
let script: string;
let style: string;
beforeAll(async () => {
  svc = await startTestService({}, () => ({
    routers: [createDashboardRouter({ quietHours: { start: "21:00", end: "07:00" } })],
    routeModules: [feedbackRoutes, statsRoutes, (api, c) => broadcastRoutes(api, c, { channels: ["telegram", "zalo"], quietHours: null })],
  }));
  // No Authorization header: the page itself is public, the data behind it is not.
  res = await fetch(svc.url + "/dashboard");
  html = await res.text();
  script = await (await fetch(svc.url + /<script src="([^"]+)"/.exec(html)![1]!)).text();
  style = await (await fetch(svc.url + /<link rel="stylesheet" href="([^"]+)"/.exec(html)![1]!)).text();
});
afterAll(async () => {
  await svc?.close();
});

describe("GET /dashboard", () => {
  it("serves a Vietnamese page shell, not cached, with the key box; the tabs come from the script", () => {
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(html).toMatch(/^<!doctype html>\s*<html lang="vi">/);
    expect(html).toContain('id="key-input"');
    expect(html).toContain('type="password"');
    expect(html).toContain('role="tablist"');
    for (const tab of ["Chỉ số hài lòng", "Đúng hạn", "Hồ sơ", "Sắp trễ hạn", "Thông báo", "Nhật ký"]) expect(script).toContain(`"${tab}"`);
    for (const b of ["Tải CSV", "Tải XLSX", "Xem trước (chạy thử)", "Gửi"]) expect(script).toContain(b);
  });

  it("has a strict CSP: scripts and styles only from its own files, nothing inline", () => {
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
    expect(directives["default-src"]).toBe("'none'");
    expect(directives["script-src"]).toBe("'self'");
    expect(directives["style-src"]).toBe("'self'");
    expect(directives["connect-src"]).toBe("'self'");
    expect(directives["base-uri"]).toBe("'none'");
    expect(directives["form-action"]).toBe("'none'");
    expect(directives["frame-ancestors"]).toBe("'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("loads nothing from elsewhere and has no inline script, event handlers or style attributes", () => {
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/<style|<script>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
    // One bundled script (by content hash) and one JSON data block, which is never executed.
    expect(html.match(/<script[\s>]/g)).toHaveLength(2);
    expect(html).toMatch(/<script src="\/assets\/dashboard\.js\?v=[\w-]{16}" defer><\/script>/);
  });

  it("serves the bundle as cacheable files: a script that parses and the styles, including the chart library's", async () => {
    const js = /<script src="([^"]+)"/.exec(html)![1]!;
    const r = await fetch(svc.url + js);
    expect(r.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(() => new Function(script)).not.toThrow();
    expect(script).toContain("sessionStorage");
    expect(script).not.toContain("localStorage");
    expect(script).toContain('"Bearer "');
    expect(style).toContain(".u-legend"); // uPlot's own styles
    expect(style).toContain("td.heat");
  });

  it("has a boot block with the status names of the chat catalog, the broadcast channels and the quiet hours", () => {
    const boot = JSON.parse(/<script type="application\/json" id="boot">([\s\S]*?)<\/script>/.exec(html)![1]!);
    expect(boot.statuses["4"]).toBe("Đang giải quyết");
    expect(boot.statuses["10"]).toBe("Đã trả kết quả");
    expect(Object.keys(boot.statuses)).toHaveLength(10);
    expect(boot.channels).toEqual(expect.arrayContaining(["telegram", "zalo"]));
    expect(boot.quietHours).toEqual({ start: "21:00", end: "07:00" });
  });

  it("calls only API routes that the OpenAPI document lists (or optional ones it feature-detects)", async () => {
    const doc = (await (await svc.api("/api/v1/openapi.json")).json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(doc.paths);
    const used = [...new Set([...script.matchAll(/["`](\/api\/v1\/[a-z0-9/-]*)/g)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThanOrEqual(8);
    // The OpenAPI document itself, and routes of the full service that this smaller service does not mount.
    const mountedElsewhere = ["/api/v1/openapi", "/api/v1/me", "/api/v1/lookups", "/api/v1/dossiers", "/api/v1/dossiers/at-risk", "/api/v1/api-keys", "/api/v1/audit-log"];
    for (const prefix of used) expect(paths.some((p) => p.startsWith(prefix)) || mountedElsewhere.includes(prefix.replace(/[/?]$/, "")), `${prefix} is not in the API`).toBe(true);
    for (const p of ["/api/v1/stats/satisfaction", "/api/v1/stats/timeliness", "/api/v1/feedback/export", "/api/v1/broadcasts", "/api/v1/audit-log", "/api/v1/me"])
      expect(used.some((u) => p.startsWith(u.replace(/\/$/, ""))), p).toBe(true);
  });

  it("is served at a trailing slash too, and other methods are not answered by it", async () => {
    const slash = await fetch(svc.url + "/dashboard/");
    expect(slash.status).toBe(200);
    expect(await slash.text()).toBe(html);
    const post = await fetch(svc.url + "/dashboard", { method: "POST" });
    expect(post.status).toBe(404);
  });
});

describe("the dashboard module", () => {
  it("serves the page with the configured quiet hours and prints where it is", async () => {
    const mod = await startTestService({ QUIET_HOURS: "22:00-06:30" }, undefined, { modules: [dashboardModule] });
    try {
      expect(mod.lines).toEqual(["  Dashboard: {url}/dashboard (staff and analysts, with an API key)"]);
      const html = await (await fetch(mod.url + "/dashboard")).text();
      expect(html).toContain('"quietHours":{"start":"22:00","end":"06:30"}');
    } finally {
      await mod.close();
    }
  });
});
