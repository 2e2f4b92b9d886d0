// A fresh demo, as `npm start` makes it: the reports have something to show (index, trend,
// reasons, timeliness per ward, at-risk list), and a broadcast made by one demo staff key,
// approved by the other, reaches the demo citizen's /try chat.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.ts";
import { loadConfig } from "../../src/app/config.ts";
import { createContext, type AppContext } from "../../src/app/context.ts";
import { createApiKey } from "../../src/core/api-keys.ts";
import { DEMO_APPLICANT, seedDemoData } from "../../src/demo/seed.ts";
import { modules } from "../../src/app/modules.ts";
import { buildChannels, type Channels } from "../../src/app/channels.ts";
import { composeModules, type ComposedModules } from "../../src/app/service.ts";
import { runDigest } from "../../src/core/at-risk-digest.ts";
import { silentLogger } from "../../src/logger.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

let db: TestDatabase;
let ctx: AppContext;
let server: Server;
let url: string;
let codes: string[];
const stops: (() => Promise<void>)[] = [];
const keys = { staff: "", approver: "", analyst: "" };

beforeAll(async () => {
  const config = loadConfig({ HASH_PEPPER: "test-pepper-0123456789abcdef", LOG_LEVEL: "silent", OPEN_DATA: "off" });
  db = await createTestDatabase();
  ctx = await createContext(config, db, silentLogger);
  codes = await seedDemoData(ctx);
  keys.staff = (await createApiKey(ctx.prisma, "staff", "demo staff", "test")).key;
  keys.approver = (await createApiKey(ctx.prisma, "staff", "demo approver", "test")).key;
  keys.analyst = (await createApiKey(ctx.prisma, "analyst", "demo analyst", "test")).key;
  const channels: Channels = await buildChannels(ctx);
  const composed: ComposedModules = await composeModules(ctx, channels, modules().filter((m) => ["try-page", "survey", "delivery"].includes(m.name)));
  stops.push(() => channels.stop(), () => composed.stop());
  server = await new Promise((resolve) => {
    const s = createApp(ctx, composed.extras).listen(0, "127.0.0.1", () => resolve(s));
  });
  composed.start();
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await db?.close();
});

const api = (path: string, key: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(url + "/api/v1" + path, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.json !== undefined ? { "content-type": "application/json" } : {}) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });

describe("a fresh demo", () => {
  it("shows the index, its monthly trend towards the target, reasons and timeliness per ward", async () => {
    const trend = await (await api("/stats/trend", keys.analyst)).json();
    const rated = trend.points.filter((p: { rated: number }) => p.rated > 0);
    expect(rated.length).toBeGreaterThanOrEqual(10);
    expect(trend.overall.satisfactionPct).toBeGreaterThan(75);
    expect(trend.overall.satisfactionPct).toBeLessThan(90);
    // The climb: the last quarter is better than the first.
    const mean = (xs: { satisfactionPct: number }[]) => xs.reduce((s, p) => s + p.satisfactionPct, 0) / xs.length;
    expect(mean(rated.slice(-4, -1))).toBeGreaterThan(mean(rated.slice(0, 3)));
    expect(rated[0].ci95.low).toBeLessThan(rated[0].satisfactionPct);

    const index = await (await api("/stats/satisfaction", keys.analyst)).json();
    expect(index.totals.rated).toBeGreaterThan(200);
    expect(index.reasons.map((r: { reason: string }) => r.reason)).toContain("overdue");

    const wards = await (await api("/stats/wards", keys.analyst)).json();
    expect(wards.wards).toBe(5);
    expect(wards.rows[0].late).toBeGreaterThan(0);
    // Clicking the worst ward's count lists exactly that many dossiers.
    const worst = wards.rows[0];
    const list = await (await api(`/dossiers?unitCode=${worst.unit.code}&late=true&limit=1`, keys.analyst)).json();
    expect(list.total).toBeGreaterThanOrEqual(worst.finishedLate);

    const heat = await (await api("/stats/heatmap", keys.analyst)).json();
    expect(heat.units).toHaveLength(5);
    expect(heat.cells.length).toBeGreaterThan(20);
  });

  it("lists dossiers at risk, with the reason, most at risk first", async () => {
    const r = await (await api("/dossiers/at-risk?minRisk=0", keys.staff)).json();
    expect(r.items.length).toBeGreaterThan(3);
    const risks = r.items.map((i: { risk: number }) => i.risk);
    expect(risks).toEqual([...risks].sort((a, b) => b - a));
    expect(r.items[0].reason.vi).toMatch(/^thường mất \d+ ngày làm việc.*, còn \d+$/);
    // The slow Cam Phú land dossier of the demo is among the most at risk.
    const camPhu = r.items.findIndex((i: { code: string }) => i.code.startsWith("000.00.18.H99") && i.code.endsWith("-0009"));
    expect(camPhu).toBeGreaterThanOrEqual(0);
    expect(r.items[camPhu].risk).toBeGreaterThanOrEqual(0.3);
  });

  it("a broadcast approved by a second staff key reaches the demo citizen's /try chat", async () => {
    const sid = "demo-test-session-1";
    const send = async (input: unknown) =>
      (await fetch(url + "/try/api/message", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sessionId: sid, input }) })).json();
    await send({ kind: "text", text: codes[0] });
    await send({ kind: "button", data: "c:y" });
    const linked = await send({ kind: "contact", phone: DEMO_APPLICANT.phone, own: true });
    expect(JSON.stringify(linked)).toContain("Đã liên kết hồ sơ");

    const body = { text: "Thông báo thử: hồ sơ {code} — bộ phận một cửa nghỉ chiều thứ Sáu.", audience: { dossierCodes: [codes[0]] }, urgent: true };
    const dry = await (await api("/broadcasts", keys.staff, { method: "POST", json: { ...body, dryRun: true } })).json();
    expect(dry.byChannel.web).toBe(1);
    expect(dry.requiresApproval).toBe(true);
    const created = await (await api("/broadcasts", keys.staff, { method: "POST", json: body })).json();
    expect(created.broadcast.status).toBe("awaiting_approval");
    const id = created.broadcast.id;
    expect((await api(`/broadcasts/${id}/approve`, keys.staff, { method: "POST" })).status).toBe(409);
    expect((await api(`/broadcasts/${id}/approve`, keys.approver, { method: "POST" })).status).toBe(200);

    let updates: { replies: { text: string }[] }[] = [];
    for (let i = 0; i < 100 && !updates.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      updates = (await (await fetch(`${url}/try/api/updates?sessionId=${sid}`)).json()).updates;
    }
    expect(updates.map((u) => u.replies[0]!.text)).toEqual([`Thông báo thử: hồ sơ ${codes[0]} — bộ phận một cửa nghỉ chiều thứ Sáu.`]);
    const receipts = await (await api(`/broadcasts/${id}`, keys.approver)).json();
    expect(receipts.counts.sent).toBe(1);
  });

  it("the morning digest goes to the staff chats once per working day, whichever instance runs it", async () => {
    const sent: { chat: string; text: string }[] = [];
    const deps = { prisma: ctx.prisma, calendar: ctx.calendar, settings: { chatIds: ["-100123", "456"], minRisk: 0.3 }, send: async (chat: string, text: string) => void sent.push({ chat, text }) };
    const cal = await ctx.calendar.get();
    // The next working day, before and after 07:00.
    let day = new Date(Date.now() + 86_400_000);
    while (!cal.isWorkingDay(cal.localDate(day))) day = new Date(day.getTime() + 86_400_000);
    const at = (hhmm: string) => new Date(`${cal.localDate(day)}T${hhmm}:00+07:00`);
    expect(await runDigest(deps, at("06:30"))).toBeNull();
    // Two instances at once: one sends.
    const both = await Promise.all([runDigest(deps, at("07:05")), runDigest(deps, at("07:05"))]);
    expect(both.filter((r) => r !== null)).toHaveLength(1);
    expect(sent.map((s) => s.chat)).toEqual(["-100123", "456"]);
    expect(sent[0]!.text).toMatch(/^Hồ sơ có nguy cơ trễ hạn \(\d\d\/\d\d\/\d{4}\): \d+ \/ \d+ hồ sơ đang giải quyết/);
    expect(sent[0]!.text).toContain("thường mất");
    expect(await runDigest(deps, at("09:00"))).toBeNull();
    expect(sent).toHaveLength(2);
  });
});
