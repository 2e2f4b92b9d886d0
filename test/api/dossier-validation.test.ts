// Bad input at the boundary (issue 10, findings 5 and 8): every mistake answers 4xx and leaves
// the database as it was; nothing stored is later unreadable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statsRoutes } from "../../src/api/routes/stats.ts";
import { CSV_COLUMNS } from "../../src/core/dossier-import.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({}, () => ({ routeModules: [statsRoutes] }));
});
afterAll(async () => {
  await svc?.close();
});

const UNIT = "000.00.15.H32";
const put = (code: string, body: Record<string, unknown>) => svc.api(`/api/v1/dossiers/${code}`, { method: "PUT", json: body });
const count = () => svc.ctx.prisma.dossier.count();

describe("dossier writes refuse what the database cannot hold", () => {
  it.each([
    ["feeAmount 3,000,000,000 (beyond the 32-bit money column)", { feeAmount: 3_000_000_000 }, "feeAmount"],
    ["receivedAt in year 9999", { receivedAt: "9999-01-12T09:00:00+07:00", appointmentAt: undefined }, "receivedAt"],
    ["receivedAt in year 0000", { receivedAt: "0000-01-12T09:00:00+07:00" }, "receivedAt"],
    ["an appointment more than a year ahead", { appointmentAt: "2099-01-01T09:00:00+07:00" }, "appointmentAt"],
    ["procedureDurationDays 1000", { procedureCode: "9.100001", procedureName: "Thủ tục dài", procedureDurationDays: 1000, appointmentAt: undefined }, "procedureDurationDays"],
    // The text rule of every JSON body (src/api/json-body.ts) answers these first, with 400.
    ["U+0000 in the applicant's name", { applicant: { name: "Nguyễn\u0000Văn A" } }, "applicant.name", 400],
    ["an escape character in currentStep", { currentStep: "Thẩm định\u001b[31m" }, "currentStep", 400],
  ])("%s → 4xx naming the field, nothing written", async (_, over, field, status = 422) => {
    const before = await count();
    const res = await put(`${UNIT}-230112-0901`, specDossier(over));
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(JSON.stringify(body.error)).toContain(field);
    expect(await count()).toBe(before);
    expect(await svc.ctx.prisma.procedure.count({ where: { code: "9.100001" } })).toBe(0);
  });

  it("a request that fails after the catalogue step commits nothing (no orphan unit or procedure)", async () => {
    const res = await put(`000.00.88.H32-230112-0001`, {
      ...specDossier({ unitCode: "000.00.88.H32", unitName: "UBND xã Thử", procedureCode: "9.880001", procedureName: "Thủ tục không thời hạn" }),
      procedureDurationDays: undefined,
      appointmentAt: undefined,
    });
    expect(res.status).toBe(422);
    expect(await svc.ctx.prisma.unit.count({ where: { code: "000.00.88.H32" } })).toBe(0);
    expect(await svc.ctx.prisma.procedure.count({ where: { code: "9.880001" } })).toBe(0);
  });

  it("control characters are refused on every route (admin unit name too), not stripped", async () => {
    const res = await svc.api("/api/v1/units/000.00.66.H32", { method: "PUT", json: { name: "UBND\u0000xã" } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain("name");
    expect(await svc.ctx.prisma.unit.count({ where: { code: "000.00.66.H32" } })).toBe(0);
  });

  it("an event dated 9999 is refused, so it cannot freeze the dossier; later real events apply", async () => {
    const code = `${UNIT}-230112-0902`;
    expect((await put(code, specDossier())).status).toBe(201);
    const far = await svc.api(`/api/v1/dossiers/${code}/events`, { method: "POST", json: { eventId: "far", status: 9, at: "9999-01-01T00:00:00+07:00" } });
    expect(far.status).toBe(422);
    const soon = await svc.api(`/api/v1/dossiers/${code}/events`, { method: "POST", json: { eventId: "soon", status: 9, at: new Date(Date.now() + 10 * 60_000).toISOString() } });
    expect(soon.status).toBe(422);
    const real = await svc.api(`/api/v1/dossiers/${code}/events`, { method: "POST", json: { eventId: "real", status: 9, at: new Date().toISOString() } });
    expect(real.status).toBe(201);
    expect((await real.json()).applied).toBe(true);
    const got = await svc.api(`/api/v1/dossiers/${code}`);
    expect(got.status).toBe(200);
    expect((await got.json()).history.map((h: { eventId: string }) => h.eventId)).not.toContain("far");
  });

  it("statistics from 0001-01-01 → 400", async () => {
    const res = await svc.api("/api/v1/stats/satisfaction?from=0001-01-01&to=2024-01-01");
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain("from");
    expect((await svc.api("/api/v1/stats/timeliness?from=2024-01-01&to=9999-12-31")).status).toBe(400);
  });

  it("a CSV cell with a quote inside an unquoted field → 422 with its line, nothing written", async () => {
    const before = await count();
    const good = `${UNIT}-230112-0903,${UNIT},,,,,1.004227,,,Nguyễn Văn B,,,2023-01-12T09:00:00+07:00,2023-02-02T09:00:00+07:00,4,,`;
    const bad = `${UNIT}-230112-0904,${UNIT},,,,,1.004227,,,Nguyễn "Văn" C,,,2023-01-12T09:00:00+07:00,2023-02-02T09:00:00+07:00,4,,`;
    const res = await svc.api("/api/v1/dossiers/import", { method: "POST", body: [CSV_COLUMNS.join(","), good, bad].join("\n"), headers: { "content-type": "text/csv" } });
    expect(res.status).toBe(422);
    const errors = (await res.json()).error.details.errors;
    expect(errors).toEqual([expect.objectContaining({ line: 3, message: expect.stringContaining("malformed CSV") })]);
    expect(await count()).toBe(before);
  });

  it("an import row with a NUL or a fee beyond the column → 422 with its line, nothing written", async () => {
    const before = await count();
    const rows = [
      { code: `${UNIT}-230112-0905`, ...specDossier() },
      { code: `${UNIT}-230112-0906`, ...specDossier({ applicant: { name: "A\u0000B" } }) },
      { code: `${UNIT}-230112-0907`, ...specDossier({ feeAmount: 3_000_000_000 }) },
    ];
    const res = await svc.api("/api/v1/dossiers/import", { method: "POST", json: rows });
    expect(res.status).toBe(422);
    expect((await res.json()).error.details.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [2, "applicant.name"],
      [3, "feeAmount"],
    ]);
    expect(await count()).toBe(before);
  });
});
