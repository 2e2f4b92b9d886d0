// The satisfaction index against the hand-counted fixture of fixture.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feedbackRoutes } from "../../src/api/routes/feedback.ts";
import { statsRoutes } from "../../src/api/routes/stats.ts";
import { surveyRoutes } from "../../src/api/routes/surveys.ts";
import { createApiKey } from "../../src/core/api-keys.ts";
import { decision766, wilsonInterval } from "../../src/core/stats/wilson.ts";
import { startTestService, type TestService } from "../helpers/app.ts";
import { PROVINCE, seedFixture, W1, W2 } from "./fixture.ts";

let svc: TestService;
let analystKey: string;
let staffKey: string;

beforeAll(async () => {
  svc = await startTestService({}, () => ({ routeModules: [statsRoutes, feedbackRoutes, surveyRoutes] }));
  await seedFixture(svc.ctx.prisma);
  analystKey = (await createApiKey(svc.ctx.prisma, "analyst", "analyst", "test")).key;
  staffKey = (await createApiKey(svc.ctx.prisma, "staff", "clerk", "test")).key;
});
afterAll(async () => {
  await svc?.close();
});

async function index(query: string, key = analystKey) {
  const res = await svc.api(`/api/v1/stats/satisfaction?${query}`, { key });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

type Row = Record<string, any>;
const byUnit = (rows: Row[], code: string): Row => rows.find((r) => r.key.unit.code === code) ?? expect.fail(`no row for unit ${code}`);

describe("Wilson interval and Decision 766 by hand", () => {
  it("matches worked examples", () => {
    // 15 of 20: p = .75, z = 1.96: centre = (.75 + 1.96²/40) / (1 + 1.96²/20) = .7097,
    // half-width = (1.96 / 1.1921) × √(.75 × .25 / 20 + 1.96² / 1600) = .1784.
    const w = wilsonInterval(15, 20)!;
    expect(w.low * 100).toBeCloseTo(53.13, 2);
    expect(w.high * 100).toBeCloseTo(88.81, 2);
    expect(wilsonInterval(0, 0)).toBeNull();
    // All satisfied: Wilson still leaves room below 100% (Wald would claim [100, 100]).
    const all = wilsonInterval(10, 10)!;
    expect(all.high).toBeCloseTo(1, 12);
    expect(all.low * 100).toBeCloseTo(72.25, 2);
    // S = 100 − (5 + 3) = 92 ≥ 90: full marks; S = 72: 72 × 2 / 90 = 1.6.
    expect(decision766(5, 3, 2)).toEqual({ s: 92, score: 2 });
    expect(decision766(18, 10, 2)).toEqual({ s: 72, score: 1.6 });
  });
});

describe("GET /api/v1/stats/satisfaction", () => {
  it("totals: 32 rated of 45 invited, 78.13%, CI, gap, 766 S, versions", async () => {
    const r = await index("from=2023-01-01&to=2023-02-28");
    expect(r.target).toBe(84);
    // 10 very + 15 satisfied + 7 not = 32 rated; 25/32 = 78.125% → 78.13.
    expect(r.totals).toMatchObject({
      rated: 32,
      verySatisfied: 10,
      satisfied: 15,
      notSatisfied: 7,
      satisfactionPct: 78.13,
      ci95: { low: 61.25, high: 88.98 },
      invited: 45,
      responseRatePct: 71.11, // 32 / 45
      smallSample: false,
      gapToTargetPct: -5.87, // 78.13 − 84
      complaints: 1,
      surveyVersions: [1, 2],
      severalVersions: true,
    });
    // 45 dossiers; overdue: 3 late in W1 + 1 late and 1 with two supplement requests in W2 = 5 (11.11%);
    // "not satisfied" or complaint: 5 + 2 + 1 = 8 (17.78%); S = 100 − 28.89 = 71.11; score = 71.11 / 90.
    expect(r.totals.decision766).toEqual({
      dossiers: 45,
      overdue: 5,
      overduePct: 11.11,
      dissatisfied: 8,
      dissatisfiedPct: 17.78,
      s: 71.11,
      score: 0.79,
      fullMarks: false,
    });
    expect(r.warnings.join(" ")).toMatch(/several survey versions \(1, 2\)/);
  });

  it("by unit: wards and the province roll-up (a province row sums its wards)", async () => {
    const r = await index("groupBy=unit&from=2023-01-01&to=2023-02-28");
    expect(r.groups.map((g: Row) => g.key.unit.code)).toEqual([PROVINCE.code, W1.code, W2.code]);
    const w1 = byUnit(r.groups, W1.code);
    expect(w1.key.unit).toEqual({ code: W1.code, name: W1.name, level: "ward", parentCode: PROVINCE.code });
    // 8 very + 7 satisfied of 20 = 75%; Wilson [53.13, 88.81]; 20/25 invited answered.
    expect(w1).toMatchObject({
      rated: 20,
      verySatisfied: 8,
      satisfied: 7,
      notSatisfied: 5,
      satisfactionPct: 75,
      ci95: { low: 53.13, high: 88.81 },
      invited: 25,
      responseRatePct: 80,
      smallSample: true,
      gapToTargetPct: -9,
      surveyVersions: [1],
      severalVersions: false,
    });
    // 25 dossiers, 3 late (12%), 5 not satisfied (20%): S = 68, score 68/90.
    expect(w1.decision766).toMatchObject({ dossiers: 25, overdue: 3, overduePct: 12, dissatisfied: 5, dissatisfiedPct: 20, s: 68, score: 0.756 });
    const w2 = byUnit(r.groups, W2.code);
    // 2 very + 8 satisfied of 12 = 83.33%, Wilson [55.20, 95.30]; 12/20 = 60%.
    expect(w2).toMatchObject({ rated: 12, satisfactionPct: 83.33, ci95: { low: 55.2, high: 95.3 }, invited: 20, responseRatePct: 60, smallSample: true, severalVersions: true });
    expect(w2.decision766).toMatchObject({ dossiers: 20, overdue: 2, dissatisfied: 3, s: 75, score: 0.833 });
    // The province row is the sum of its two wards, identical to the totals.
    const p = byUnit(r.groups, PROVINCE.code);
    expect(p.key.unit.level).toBe("province");
    expect(p.rated).toBe(w1.rated + w2.rated);
    expect(p.invited).toBe(w1.invited + w2.invited);
    expect({ ...p, key: {} }).toEqual(r.totals);
  });

  it("unitCode filter keeps that unit and the units below it", async () => {
    const r = await index(`groupBy=unit&unitCode=${W2.code}`);
    expect(r.groups.map((g: Row) => g.key.unit.code)).toEqual([W2.code]);
    expect(r.totals.rated).toBe(12);
    const p = await index(`unitCode=${PROVINCE.code}`);
    expect(p.totals.rated).toBe(32);
  });

  it("by unit and month, in Vietnam time (00:30 on 1 February is February)", async () => {
    const r = await index("groupBy=unit,month");
    const row = (code: string, period: string) => r.groups.find((g: Row) => g.key.unit.code === code && g.key.period === period);
    // Province January: 5 very + 3 satisfied of 10 = 80%, Wilson [49.02, 94.33].
    expect(row(PROVINCE.code, "2023-01")).toMatchObject({ rated: 10, satisfactionPct: 80, ci95: { low: 49.02, high: 94.33 }, invited: 10 });
    // Province February: (3 + 2) very + (4 + 8) satisfied of 22 = 77.27%, Wilson [56.56, 89.88].
    expect(row(PROVINCE.code, "2023-02")).toMatchObject({ rated: 22, verySatisfied: 5, satisfied: 12, satisfactionPct: 77.27, ci95: { low: 56.56, high: 89.88 }, invited: 35 });
    // W1 February: 3 very + 4 satisfied of 10 = 70%, Wilson [39.68, 89.22].
    expect(row(W1.code, "2023-02")).toMatchObject({ rated: 10, verySatisfied: 3, satisfactionPct: 70, ci95: { low: 39.68, high: 89.22 } });
    expect(row(W2.code, "2023-01")).toBeUndefined();
    const q = await index("groupBy=quarter");
    expect(q.groups.map((g: Row) => [g.key.period, g.rated])).toEqual([["2023-Q1", 32]]);
  });

  it("by channel, field and procedure; a channel filter", async () => {
    const r = await index("groupBy=channel");
    expect(r.groups.map((g: Row) => [g.key.channel, g.rated, g.invited])).toEqual([
      ["telegram", 20, 25],
      ["zalo", 12, 20],
    ]);
    expect(r.groups[0].decision766).toBeNull();
    expect(r.totals.decision766.s).toBe(71.11);
    const f = await index("groupBy=field,procedure");
    expect(f.groups).toHaveLength(1);
    expect(f.groups[0].key).toEqual({ field: { code: "DD", name: "Đất đai" }, procedure: { code: "1.004227", name: "Đăng ký biến động quyền sử dụng đất" } });
    const z = await index("channel=zalo");
    expect(z.totals).toMatchObject({ rated: 12, invited: 20 });
  });

  it("ranks reasons for dissatisfaction with their labels", async () => {
    const r = await index("");
    // overdue: 4 in W1 + 1 in W2; extra_fees 2; many_visits 2; staff_attitude 1 (of 7 "not satisfied").
    expect(r.reasons).toEqual([
      { reason: "overdue", label: { vi: "Quá hạn", en: "Late" }, count: 5, pctOfNotSatisfied: 71.43 },
      { reason: "extra_fees", label: { vi: "Thu phí ngoài quy định", en: "Unlawful fees" }, count: 2, pctOfNotSatisfied: 28.57 },
      { reason: "many_visits", label: { vi: "Phải đi lại nhiều lần", en: "Too many visits" }, count: 2, pctOfNotSatisfied: 28.57 },
      { reason: "staff_attitude", label: { vi: "Thái độ cán bộ", en: "Staff attitude" }, count: 1, pctOfNotSatisfied: 14.29 },
    ]);
  });

  it("period filters, minSample, an empty period", async () => {
    const jan = await index("from=2023-01-01&to=2023-01-31&minSample=5");
    expect(jan.totals).toMatchObject({ rated: 10, smallSample: false });
    const none = await index("from=2024-01-01");
    expect(none.totals).toMatchObject({ rated: 0, satisfactionPct: null, ci95: null, responseRatePct: null, gapToTargetPct: null, smallSample: true });
  });

  it("refuses bad input and the wrong role", async () => {
    expect((await svc.api("/api/v1/stats/satisfaction?groupBy=colour", { key: analystKey })).status).toBe(400);
    expect((await svc.api("/api/v1/stats/satisfaction?groupBy=month,year", { key: analystKey })).status).toBe(400);
    expect((await svc.api("/api/v1/stats/satisfaction?from=yesterday", { key: analystKey })).status).toBe(400);
    expect((await svc.api("/api/v1/stats/satisfaction?from=2023-02-01&to=2023-01-01", { key: analystKey })).status).toBe(400);
    expect((await svc.api("/api/v1/stats/satisfaction?unitCode=NOPE", { key: analystKey })).status).toBe(404);
    expect((await svc.api("/api/v1/stats/satisfaction", { key: staffKey })).status).toBe(403);
    expect((await svc.api("/api/v1/stats/satisfaction", { key: null })).status).toBe(401);
    // Admins may read it too.
    expect((await svc.api("/api/v1/stats/satisfaction")).status).toBe(200);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = await (await svc.api("/api/v1/openapi.json")).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/stats/satisfaction", "/api/v1/stats/timeliness", "/api/v1/feedback", "/api/v1/feedback/export", "/api/v1/surveys", "/api/v1/surveys/current"]),
    );
  });
});
