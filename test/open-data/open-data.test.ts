// Open data over HTTP: the satisfaction index and timeliness per unit and month, generated
// from real rows, small cells withheld so that no published figure — alone or subtracted
// from a total — reveals fewer than 10 people; served from the stored generation with
// cache validators; nothing personal in it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenDataRouter } from "../../src/api/pages/open-data.ts";
import { OpenDataPublisher } from "../../src/core/open-data/index.ts";
import { openDataSettings } from "../../src/app/modules.ts";
import { currentSurvey } from "../../src/core/survey/versions.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { silentLogger } from "../../src/logger.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

const NOW = new Date("2023-04-10T03:00:00Z");
const UNITS = {
  P: { code: "000.00.00.H32", name: "UBND tỉnh Khánh Hòa", level: "province" as const, parent: null },
  D: { code: "000.00.10.H32", name: "UBND thành phố Cam Ranh", level: "district" as const, parent: "P" },
  W1: { code: "000.00.15.H32", name: "UBND phường Cam Lộc", level: "ward" as const, parent: "D" },
  W2: { code: "000.00.16.H32", name: "UBND phường Cam Nghĩa", level: "ward" as const, parent: "D" },
  W3: { code: "000.00.17.H32", name: "UBND phường Cam Phú", level: "ward" as const, parent: "D" },
  W4: { code: "000.00.20.H32", name: "UBND xã Cam Thành Bắc", level: "ward" as const, parent: "P" },
};
type UnitId = keyof typeof UNITS;

/** Ratings per unit's own dossiers: January and February are settled on NOW; March is not. */
const RATINGS: Record<string, Partial<Record<UnitId, number>>> = {
  "2023-01-16T10:00:00+07:00": { W1: 30, W2: 12, W3: 4, W4: 25, P: 3 },
  "2023-02-15T10:00:00+07:00": { W1: 15, W2: 9 },
  "2023-03-10T10:00:00+07:00": { W1: 3 },
};

let seq = 0;
async function seed(prisma: PrismaClient): Promise<void> {
  const ids = new Map<UnitId, number>();
  for (const [id, u] of Object.entries(UNITS) as [UnitId, (typeof UNITS)[UnitId]][]) {
    const row = await prisma.unit.create({ data: { code: u.code, name: u.name, level: u.level, parentId: u.parent ? ids.get(u.parent as UnitId)! : null } });
    ids.set(id, row.id);
  }
  const field = await prisma.field.create({ data: { code: "DD", name: "Đất đai" } });
  const proc = await prisma.procedure.create({ data: { code: "1.004227", name: "Đăng ký biến động", fieldId: field.id, durationDays: 10 } });
  const survey = await currentSurvey(prisma);
  for (const [at, perUnit] of Object.entries(RATINGS)) {
    for (const [unit, n] of Object.entries(perUnit) as [UnitId, number][]) {
      for (let i = 0; i < n; i++) await ratedDossier(prisma, { unitId: ids.get(unit)!, unitCode: UNITS[unit].code, procedureId: proc.id, surveyId: survey.id, at: new Date(at), satisfied: i % 4 !== 0 });
    }
  }
}

async function ratedDossier(prisma: PrismaClient, o: { unitId: number; unitCode: string; procedureId: number; surveyId: number; at: Date; satisfied: boolean }): Promise<void> {
  const s = String(++seq).padStart(4, "0");
  const d = await prisma.dossier.create({
    data: {
      code: `${o.unitCode}-221201-${s}`,
      unitId: o.unitId,
      procedureId: o.procedureId,
      applicantName: `Trần Văn Mẫu ${s}`,
      applicantPhone: `09061${s.padStart(5, "0")}`,
      receivedAt: new Date(o.at.getTime() - 10 * 86_400_000),
      appointmentAt: new Date(o.at.getTime() + 86_400_000),
      status: 10,
      statusAt: o.at,
      finishedAt: o.at,
      returnedAt: o.at,
    },
  });
  const citizen = await prisma.citizen.create({ data: { phone: `09061${s.padStart(5, "0")}` } });
  const inv = await prisma.surveyInvitation.create({
    data: { dossierId: d.id, citizenId: citizen.id, surveyVersionId: o.surveyId, channel: "zalo", state: "completed", invitedAt: o.at, expiresAt: new Date(o.at.getTime() + 30 * 86_400_000) },
  });
  await prisma.feedbackResponse.create({
    data: {
      invitationId: inv.id,
      dossierId: d.id,
      citizenId: citizen.id,
      channel: "zalo",
      surveyVersionId: o.surveyId,
      overall: o.satisfied ? "satisfied" : "not_satisfied",
      reasons: o.satisfied ? [] : ["overdue"],
      answers: {},
      firstAnsweredAt: new Date(o.at.getTime() + 3_600_000),
      editableUntil: new Date(o.at.getTime() + 14 * 86_400_000),
    },
  });
}

type Row = Record<string, string | number | boolean | null>;

let svc: TestService;
let publisher: OpenDataPublisher;

beforeAll(async () => {
  svc = await startTestService({ PUBLIC_URL: "https://hoso.example.gov.vn", OPEN_DATA_PUBLISHER: "UBND thành phố Cam Ranh" }, (ctx) => {
    publisher = new OpenDataPublisher({ prisma: ctx.prisma, settings: openDataSettings(ctx.config), logger: silentLogger, now: () => NOW });
    return { routers: [createOpenDataRouter({ publisher })] };
  });
  await seed(svc.ctx.prisma);
});
afterAll(async () => {
  await publisher?.stop();
  await svc?.close();
});

async function json(path: string): Promise<{ rows: Row[]; months: { first: string; last: string } }> {
  const res = await fetch(svc.url + path);
  expect(res.status).toBe(200);
  return (await res.json()) as { rows: Row[]; months: { first: string; last: string } };
}

/**
 * What anyone can compute from the published rows: every published figure, and every
 * published figure minus the published figures of its nearest published descendants.
 */
function revealed(rows: Row[], base: string): number[] {
  const out: number[] = [];
  for (const month of new Set(rows.map((r) => r.month))) {
    const cells = rows.filter((r) => r.month === month);
    const kids = (code: unknown) => cells.filter((r) => r.parent_unit_code === code);
    for (const p of cells) {
      if (p.suppressed) continue;
      let sum = 0;
      const walk = (code: unknown) => {
        for (const c of kids(code)) {
          if (c.suppressed) walk(c.unit_code);
          else sum += Number(c[base]);
        }
      };
      walk(p.unit_code);
      out.push(Number(p[base]), Number(p[base]) - sum);
    }
  }
  return out;
}

describe("open data", () => {
  it("publishes the satisfaction index per unit and settled month, withholding small cells and what totals would give away", async () => {
    const sat = await json("/open-data/satisfaction.json");
    expect(sat.months.last).toBe("2023-02");
    const jan = Object.fromEntries(sat.rows.filter((r) => r.month === "2023-01").map((r) => [r.unit_code, r]));
    // W3 has 4 ratings; D − W1 − W2 would reveal them, so W2 is withheld too; P − D − W4
    // would reveal P's own 3 ratings, so W4 is withheld.
    expect(jan[UNITS.W3.code]).toMatchObject({ suppressed: true, responses: null, satisfied_pct: null });
    expect(jan[UNITS.W2.code]).toMatchObject({ suppressed: true, responses: null });
    expect(jan[UNITS.W4.code]).toMatchObject({ suppressed: true, responses: null });
    expect(jan[UNITS.W1.code]).toMatchObject({ suppressed: false, responses: 30, satisfied_pct: 73.33 });
    expect(jan[UNITS.D.code]).toMatchObject({ suppressed: false, responses: 46, parent_unit_code: UNITS.P.code });
    expect(jan[UNITS.P.code]).toMatchObject({ suppressed: false, responses: 74 });
    // The interval and Decision 766 come from the analysts' report code.
    expect(jan[UNITS.W1.code]!.ci95_low).toBeGreaterThan(50);
    expect(jan[UNITS.W1.code]!.ci95_high).toBeLessThan(90);
    expect(jan[UNITS.W1.code]!.d766_dossiers).toBe(30);
    expect(typeof jan[UNITS.W1.code]!.d766_s_pct).toBe("number");
    // March is not settled yet: absent.
    expect(sat.rows.some((r) => r.month === "2023-03")).toBe(false);
  });

  it("no published cell reveals a group smaller than 10, alone or by subtraction", async () => {
    const sat = await json("/open-data/satisfaction.json");
    const tim = await json("/open-data/timeliness.json");
    expect(sat.rows.length).toBeGreaterThan(5);
    for (const [rows, bases] of [
      [sat.rows, ["responses", "d766_dossiers"]],
      [tim.rows, ["received"]],
    ] as const) {
      for (const base of bases) for (const g of revealed(rows, base)) expect(g === 0 || g >= 10, `${base}: ${g}`).toBe(true);
      for (const r of rows) if (r.suppressed) for (const b of bases) expect(r[b]).toBeNull();
    }
    for (const r of tim.rows) {
      if (r.suppressed) continue;
      const judged = Number(r.finished) + Number(r.open_past_due);
      expect(judged === 0 || judged >= 10, `judged ${judged}`).toBe(true);
    }
  });

  it("contains no personal data and no dossier codes", async () => {
    for (const name of ["satisfaction.csv", "satisfaction.json", "timeliness.csv", "timeliness.json", "catalog.json"]) {
      const body = await (await fetch(`${svc.url}/open-data/${name}`)).text();
      expect(body, name).not.toMatch(/-221201-\d{4}/);
      expect(body, name).not.toContain("Trần Văn Mẫu");
      expect(body, name).not.toMatch(/0906\d{6}/);
    }
  });

  it("serves CSV with a header and the same figures as the JSON", async () => {
    const res = await fetch(`${svc.url}/open-data/satisfaction.csv`);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toBe("month,unit_code,unit_name,unit_level,parent_unit_code,responses,satisfied_pct,ci95_low,ci95_high,d766_dossiers,d766_s_pct,d766_score,suppressed");
    expect(lines).toContain(`2023-01,${UNITS.W3.code},UBND phường Cam Phú,ward,${UNITS.D.code},,,,,,,,true`);
    expect(lines.some((l) => l.startsWith(`2023-01,${UNITS.W1.code},UBND phường Cam Lộc,ward,${UNITS.D.code},30,73.33,`))).toBe(true);
  });

  it("describes the datasets in a DCAT catalogue with licence, publisher, update frequency and columns", async () => {
    const cat = (await (await fetch(`${svc.url}/open-data/catalog.json`)).json()) as Record<string, unknown>;
    expect(cat["@type"]).toBe("dcat:Catalog");
    expect(cat["dct:license"]).toBe("https://creativecommons.org/licenses/by/4.0/");
    expect((cat["dct:publisher"] as Record<string, unknown>)["foaf:name"]).toBe("UBND thành phố Cam Ranh");
    const datasets = cat["dcat:dataset"] as Record<string, unknown>[];
    expect(datasets.map((d) => d["dct:identifier"])).toEqual(["satisfaction", "timeliness"]);
    const sat = datasets[0]!;
    expect(sat["dct:accrualPeriodicity"]).toBe("http://purl.org/cld/freq/daily");
    expect((sat["dcat:distribution"] as Record<string, unknown>[]).map((d) => d["dcat:downloadURL"])).toEqual([
      "https://hoso.example.gov.vn/open-data/satisfaction.csv",
      "https://hoso.example.gov.vn/open-data/satisfaction.json",
    ]);
    const columns = ((sat["csvw:tableSchema"] as Record<string, unknown>)["csvw:column"] as Record<string, unknown>[]).map((c) => c["csvw:name"]);
    expect(columns).toContain("ci95_low");
    expect(columns).toContain("suppressed");
  });

  it("serves the stored generation with validators until the next generation", async () => {
    const first = await fetch(`${svc.url}/open-data/timeliness.json`);
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    expect((await fetch(`${svc.url}/open-data/timeliness.json`, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await fetch(`${svc.url}/open-data/timeliness.json`, { headers: { "if-modified-since": lastModified } })).status).toBe(304);

    // New data changes nothing until the next generation…
    const unit = await svc.ctx.prisma.unit.findUniqueOrThrow({ where: { code: UNITS.W1.code } });
    const proc = await svc.ctx.prisma.procedure.findFirstOrThrow();
    const survey = await currentSurvey(svc.ctx.prisma);
    for (let i = 0; i < 10; i++)
      await ratedDossier(svc.ctx.prisma, { unitId: unit.id, unitCode: UNITS.W1.code, procedureId: proc.id, surveyId: survey.id, at: new Date("2023-02-20T10:00:00+07:00"), satisfied: true });
    const same = await fetch(`${svc.url}/open-data/timeliness.json`);
    expect(same.headers.get("etag")).toBe(etag);
    // …which picks it up.
    await publisher.regenerate();
    const fresh = await fetch(`${svc.url}/open-data/timeliness.json`);
    expect(fresh.headers.get("etag")).not.toBe(etag);
    expect((await fetch(`${svc.url}/open-data/timeliness.json`, { headers: { "if-none-match": etag } })).status).toBe(200);
  });

  it("answers 404 for unknown files, and for everything when publishing is off", async () => {
    expect((await fetch(`${svc.url}/open-data/dossiers.csv`)).status).toBe(404);
    const off = await startTestService({ OPEN_DATA: "off" }, () => ({ routers: [createOpenDataRouter({ publisher: null })] }));
    try {
      for (const name of ["catalog.json", "satisfaction.csv", "timeliness.json"]) expect((await fetch(`${off.url}/open-data/${name}`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
