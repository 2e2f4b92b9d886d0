// Timeliness across Tết 2023 (days off 20–26 January): appointments computed by the
// working-day calendar, counts by SQL, checked against assessTimeliness() per dossier.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statsRoutes } from "../../src/api/routes/stats.ts";
import { createApiKey } from "../../src/core/api-keys.ts";
import { assessTimeliness } from "../../src/core/calendar.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { isFinished } from "../../src/core/status.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
let analystKey: string;
const AS_OF = "2023-02-10T12:00:00+07:00";
const PROVINCE = "000.00.00.H32";
const W1 = "000.00.15.H32";
const W2 = "000.00.16.H32";

/** A dossier of 10 working days, appointment computed by the calendar. */
async function dossier(code: string, unitCode: string, receivedAt: string, over: Record<string, unknown> = {}): Promise<void> {
  const input = dossierInputSchema.parse(
    specDossier({ unitCode, unitName: unitCode === W1 ? "UBND phường Cam Lộc" : "UBND phường Cam Nghĩa", parentUnitCode: PROVINCE, receivedAt, appointmentAt: undefined, ...over }),
  );
  await svc.ctx.dossiers.upsert(code, input, "test");
}

beforeAll(async () => {
  svc = await startTestService({}, () => ({ routeModules: [statsRoutes] }));
  analystKey = (await createApiKey(svc.ctx.prisma, "analyst", "analyst", "test")).key;
  await svc.ctx.prisma.unit.create({ data: { code: PROVINCE, name: "UBND tỉnh Khánh Hòa", level: "province" } });
  // W1 — A: received Mon 16/01 09:00; 10 working days skip Tết → appointment Mon 06/02 09:00;
  //          finished Fri 03/02: on time (without the holidays it would have been due 30/01: late).
  await dossier(`${W1}-230116-0001`, W1, "2023-01-16T09:00:00+07:00", { status: 10, finishedAt: "2023-02-03T10:00:00+07:00", returnedAt: "2023-02-03T14:00:00+07:00" });
  //      B: same receipt, finished Tue 07/02: late.
  await dossier(`${W1}-230116-0002`, W1, "2023-01-16T09:00:00+07:00", { status: 9, finishedAt: "2023-02-07T10:00:00+07:00" });
  //      C: received Tue 17/01 → due Tue 07/02 09:00, still processing on 10/02: open past due.
  await dossier(`${W1}-230117-0001`, W1, "2023-01-17T09:00:00+07:00", { status: 4 });
  //      D: refused at reception the next day.
  await dossier(`${W1}-230118-0001`, W1, "2023-01-18T09:00:00+07:00", { status: 3, finishedAt: "2023-01-18T10:00:00+07:00", stopReason: "Hồ sơ không thuộc thẩm quyền giải quyết" });
  // W2 — E withdrawn, F suspended, G finished on time after two supplement requests, H not due yet.
  await dossier(`${W2}-230116-0001`, W2, "2023-01-16T09:00:00+07:00", { status: 7, finishedAt: "2023-01-30T09:00:00+07:00", stopReason: "Công dân xin rút hồ sơ" });
  await dossier(`${W2}-230119-0001`, W2, "2023-01-19T09:00:00+07:00", { status: 8, finishedAt: "2023-02-01T09:00:00+07:00", stopReason: "Chờ kết quả xác minh" });
  await dossier(`${W2}-230119-0002`, W2, "2023-01-19T09:00:00+07:00", { status: 10, finishedAt: "2023-02-03T09:00:00+07:00" });
  await svc.ctx.prisma.dossier.update({ where: { code: `${W2}-230119-0002` }, data: { supplementCount: 2 } });
  await dossier(`${W2}-230201-0001`, W2, "2023-02-01T09:00:00+07:00", { status: 4 });
});
afterAll(async () => {
  await svc?.close();
});

async function report(query: string) {
  const res = await svc.api(`/api/v1/stats/timeliness?asOf=${encodeURIComponent(AS_OF)}&${query}`, { key: analystKey });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

describe("GET /api/v1/stats/timeliness", () => {
  it("the calendar skipped Tết when it computed the appointment", async () => {
    const a = await svc.ctx.dossiers.view(`${W1}-230116-0001`, new Date(AS_OF));
    expect(a.appointmentAt).toBe("2023-02-06T02:00:00.000Z"); // 06/02 09:00 in Vietnam
    expect(a.timeliness.state).toBe("on_time");
  });

  it("counts received, on time, late, open past due, the national rule and stopped dossiers", async () => {
    const r = await report("groupBy=");
    expect(r.totals).toMatchObject({
      received: 8,
      finished: 6, // A B D E F G
      finishedOnTime: 5, // A D E F G
      finishedLate: 1, // B
      openPastDue: 1, // C
      onTimePct: 83.33,
      multipleSupplements: 1, // G: on time but two supplement requests
      overdueNationally: 3,
      late: 2,
      wards: 2,
      wardsWithoutLate: 1, // W2
      wardsWithoutLatePct: 50,
      refused: 1,
      suspended: 1,
      withdrawn: 1,
      stoppedPct: 37.5, // 3 / 8
    });
    expect(r.stopReasons).toEqual(
      expect.arrayContaining([
        { status: "refused", reason: "Hồ sơ không thuộc thẩm quyền giải quyết", count: 1 },
        { status: "withdrawn", reason: "Công dân xin rút hồ sơ", count: 1 },
        { status: "suspended", reason: "Chờ kết quả xác minh", count: 1 },
      ]),
    );
  });

  it("agrees with assessTimeliness() dossier by dossier", async () => {
    const cal = await svc.ctx.calendar.get();
    const rows = await svc.ctx.prisma.dossier.findMany();
    const counts = { on_time: 0, late: 0, overdue: 0, open: 0, national: 0 };
    for (const d of rows) {
      const t = assessTimeliness(cal, {
        appointmentAt: d.appointmentAt,
        finishedAt: isFinished(d.status) ? (d.finishedAt ?? d.statusAt) : null,
        now: new Date(AS_OF),
        supplementRequests: d.supplementCount,
      });
      counts[t.state]++;
      if (t.countsAsOverdueNationally) counts.national++;
    }
    const r = await report("groupBy=");
    expect([r.totals.finishedOnTime, r.totals.finishedLate, r.totals.openPastDue, r.totals.overdueNationally]).toEqual([
      counts.on_time,
      counts.late,
      counts.overdue,
      counts.national,
    ]);
  });

  it("per unit with roll-up, and per unit and month", async () => {
    const r = await report("groupBy=unit");
    const row = (code: string) => r.groups.find((g: { key: { unit: { code: string } } }) => g.key.unit.code === code);
    expect(row(W1)).toMatchObject({ received: 4, finishedOnTime: 2, finishedLate: 1, openPastDue: 1, wards: 1, wardsWithoutLate: 0, wardsWithoutLatePct: 0 });
    expect(row(W2)).toMatchObject({ received: 4, finishedOnTime: 3, finishedLate: 0, openPastDue: 0, wards: 1, wardsWithoutLate: 1, wardsWithoutLatePct: 100, stoppedPct: 50 });
    expect(row(PROVINCE)).toMatchObject({ received: 8, finished: 6, wards: 2, wardsWithoutLate: 1 });

    const m = await report("groupBy=unit,month");
    const cell = (code: string, period: string) => m.groups.find((g: { key: { unit: { code: string }; period: string } }) => g.key.unit.code === code && g.key.period === period);
    // Received: 7 in January, 1 in February. Finished by finish date: D, E in January; A, B, F, G in February.
    expect(cell(PROVINCE, "2023-01")).toMatchObject({ received: 7, finished: 2, openPastDue: 0 });
    expect(cell(PROVINCE, "2023-02")).toMatchObject({ received: 1, finished: 4, finishedLate: 1, openPastDue: 1 });
  });

  it("filters by unit and period", async () => {
    const w2 = await report(`unitCode=${W2}`);
    expect(w2.totals).toMatchObject({ received: 4, wards: 1, wardsWithoutLatePct: 100 });
    const feb = await report("from=2023-02-01&to=2023-02-28&groupBy=");
    expect(feb.totals).toMatchObject({ received: 1, finished: 4 });
  });
});
