// GET /metrics (Prometheus): behind METRICS_TOKEN; HTTP requests by route pattern and status;
// the shared queue and inbox read from the database; request ids on every response.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

const TOKEN = "metrics-token-0123456789abcdef";
let s: TestService;
beforeAll(async () => {
  s = await startTestService({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  await s?.close();
});

const scrape = (token: string | null = TOKEN) => fetch(s.url + "/metrics", { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("metrics", () => {
  it("are refused without the token and served with it", async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape("wrong-token-0123456789abcdef")).status).toBe(401);
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
  });

  it("count HTTP requests by route pattern and status, and read queue, inbox and survey figures from the database", async () => {
    expect((await s.api("/api/v1/dossiers/000.00.15.H32-230112-0001", { method: "PUT", json: specDossier() })).status).toBe(201);
    expect((await s.api("/api/v1/dossiers/000.00.15.H32-230112-0001")).status).toBe(200);
    expect((await s.api("/api/v1/dossiers/000.00.15.H32-230112-0999")).status).toBe(404);
    await s.ctx.prisma.outboundMessage.create({
      data: { kind: "notice", dedupeKey: "m1", channel: "telegram", payload: { replies: [] }, account: { create: { channel: "telegram", platformUserId: "m1" } } },
    });
    await s.ctx.prisma.inboundUpdate.create({ data: { channel: "zalo", externalId: "z1", payload: {} } });
    await s.ctx.conversation.handle({ channel: "telegram", userId: "m2", input: { kind: "text", text: "brrr brrr" } });
    await new Promise((r) => setTimeout(r, 5_100)); // past the gauges' cache
    const text = await (await scrape()).text();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/dossiers\/:code",status="200"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/dossiers\/:code",status="404"\} 1/);
    // No raw URL (with a dossier code) ever becomes a label.
    expect(text).not.toContain("230112-0001");
    expect(text).toMatch(/outbound_messages\{channel="telegram",state="queued"\} 1/);
    expect(text).toMatch(/inbox_updates\{channel="zalo",state="pending"\} 1/);
    expect(text).toMatch(/inbox_oldest_pending_seconds\{channel="zalo"\} \d/);
    expect(text).toMatch(/unrecognised_messages\{labelled="false"\} 1/);
    for (const name of ["outbound_sent_last_minute", "blocked_accounts", "zalo_token_refresh_failing", "survey_invitations", "survey_responses", "outbound_send_results_total", "outbound_rate_limited_total", "process_resident_memory_bytes"])
      expect(text).toContain(name);
  });

  it("gives every response a request id, keeping a well-formed one from the caller", async () => {
    const a = await fetch(s.url + "/healthz");
    expect(a.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const b = await fetch(s.url + "/healthz", { headers: { "x-request-id": "lb-1234.abc" } });
    expect(b.headers.get("x-request-id")).toBe("lb-1234.abc");
    const c = await fetch(s.url + "/healthz", { headers: { "x-request-id": "<script>" } });
    expect(c.headers.get("x-request-id")).not.toBe("<script>");
  });
});

describe("metrics off", () => {
  it("answer 404 with how to turn them on", async () => {
    const off = await startTestService();
    try {
      const res = await fetch(off.url + "/metrics");
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("METRICS_TOKEN");
    } finally {
      await off.close();
    }
  });
});
