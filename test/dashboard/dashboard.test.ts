// /dashboard over HTTP: a self-contained Vietnamese page under a strict CSP whose inline
// script parses and calls only API routes that exist. (The page was also checked by hand in
// Chromium; see docs/dashboard.md.)
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardRouter } from "../../src/api/pages/dashboard.ts";
import { broadcastRoutes } from "../../src/api/routes/broadcasts.ts";
import { feedbackRoutes } from "../../src/api/routes/feedback.ts";
import { statsRoutes } from "../../src/api/routes/stats.ts";
import { features } from "../../src/features.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
let html: string;
let res: Response;
beforeAll(async () => {
  svc = await startTestService({}, () => ({
    routers: [createDashboardRouter()],
    routeModules: [feedbackRoutes, statsRoutes, (api, c) => broadcastRoutes(api, c, { channels: ["telegram", "zalo"], quietHours: null })],
  }));
  // No Authorization header: the page itself is public, the data behind it is not.
  res = await fetch(svc.url + "/dashboard");
  html = await res.text();
});
afterAll(async () => {
  await svc?.close();
});

/** The executable inline script (not the JSON boot block). */
function inlineScript(page: string): string {
  const m = /<script>([\s\S]*?)<\/script>/.exec(page);
  if (!m) throw new Error("no inline script");
  return m[1]!;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("base64");

describe("GET /dashboard", () => {
  it("serves a Vietnamese HTML page, not cached, with the five tabs and the key box", () => {
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(html).toMatch(/^<!doctype html>\s*<html lang="vi">/);
    for (const tab of ["Chỉ số hài lòng", "Đúng hạn", "Hồ sơ", "Thông báo", "Nhật ký"]) expect(html).toMatch(new RegExp(`role="tab"[^>]*>${tab}</button>`));
    expect(html).toContain('id="key-input"');
    expect(html).toContain('type="password"');
    for (const b of ["Tải CSV", "Tải XLSX", "Xem trước (chạy thử)", ">Gửi<"]) expect(html).toContain(b);
  });

  it("has a strict CSP that allows exactly its own inline script and style", () => {
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
    expect(directives["default-src"]).toBe("'none'");
    expect(directives["connect-src"]).toBe("'self'");
    expect(directives["base-uri"]).toBe("'none'");
    expect(directives["form-action"]).toBe("'none'");
    expect(directives["frame-ancestors"]).toBe("'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(directives["script-src"]).toBe(`'sha256-${sha256(inlineScript(html))}'`);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(directives["style-src"]).toBe(`'sha256-${sha256(style)}'`);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("loads nothing from elsewhere and has no inline event handlers or style attributes (the CSP would block them)", () => {
    expect(html).not.toMatch(/\s(src|href)=/i);
    // The one URL is the SVG namespace name, which is never fetched.
    expect(html.replaceAll('"http://www.w3.org/2000/svg"', "")).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html.match(/<script[\s>]/g)).toHaveLength(2);
  });

  it("has an inline script that parses, and a boot block with the status names of the chat catalog", () => {
    const script = inlineScript(html);
    expect(() => new Function(script)).not.toThrow();
    expect(script).toContain("sessionStorage");
    expect(script).not.toContain("localStorage");
    expect(script).toContain('"Bearer "');
    const boot = JSON.parse(/<script type="application\/json" id="boot">([\s\S]*?)<\/script>/.exec(html)![1]!);
    expect(boot.statuses["4"]).toBe("Đang giải quyết");
    expect(boot.statuses["10"]).toBe("Đã trả kết quả");
    expect(Object.keys(boot.statuses)).toHaveLength(10);
  });

  it("calls only API routes that the OpenAPI document lists", async () => {
    const doc = (await (await svc.api("/api/v1/openapi.json")).json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(doc.paths);
    const used = [...new Set([...inlineScript(html).matchAll(/"(\/api\/v1\/[a-z0-9/-]*)/g)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThanOrEqual(8);
    for (const prefix of used) expect(paths.some((p) => p.startsWith(prefix)), `${prefix} is not in the API`).toBe(true);
    for (const p of ["/api/v1/stats/satisfaction", "/api/v1/stats/timeliness", "/api/v1/feedback/export", "/api/v1/broadcasts", "/api/v1/audit-log"])
      expect(used.some((u) => p.startsWith(u.replace(/\/$/, "")))).toBe(true);
  });

  it("is served at a trailing slash too, and other methods are not answered by it", async () => {
    const slash = await fetch(svc.url + "/dashboard/");
    expect(slash.status).toBe(200);
    expect(await slash.text()).toBe(html);
    const post = await fetch(svc.url + "/dashboard", { method: "POST" });
    expect(post.status).toBe(404);
  });
});

describe("the dashboard feature", () => {
  it("mounts the router and prints where the page is", async () => {
    const f = features(svc.config).find((x) => x.name === "dashboard");
    expect(f).toBeDefined();
    const extras = { routers: [], readinessChecks: [], routeModules: [] } as Parameters<NonNullable<typeof f>["start"]>[1];
    const started = await f!.start(svc.ctx, extras);
    expect(extras.routers).toHaveLength(1);
    expect(started && started.lines).toEqual(["  Dashboard: {url}/dashboard (staff and analysts, with an API key)"]);
  });
});
