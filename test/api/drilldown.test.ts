// GET /me, error messages in the caller's language, the dossier list behind a count, lookups.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/core/api-keys.ts";
import { statsRoutes } from "../../src/api/routes/stats.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
let analyst: string;
let staff: string;
beforeAll(async () => {
  svc = await startTestService({}, () => ({ routeModules: [statsRoutes] }));
  analyst = (await createApiKey(svc.ctx.prisma, "analyst", "Chị Phân Tích", "test")).key;
  staff = (await createApiKey(svc.ctx.prisma, "staff", "Anh Một Cửa", "test")).key;
  const put = (code: string, over: Record<string, unknown>) => svc.api(`/api/v1/dossiers/${code}`, { method: "PUT", json: specDossier(over) });
  // Open past its appointment (late), finished on time, finished late in another ward.
  expect((await put("000.00.15.H32-230112-0001", { status: 4 })).status).toBe(201);
  expect((await put("000.00.15.H32-230112-0002", { status: 10, finishedAt: "2023-01-30T09:00:00+07:00", returnedAt: "2023-01-31T09:00:00+07:00" })).status).toBe(201);
  expect(
    (await put("000.00.16.H32-230112-0003", { unitCode: "000.00.16.H32", unitName: "UBND phường Cam Nghĩa", status: 9, finishedAt: "2023-02-10T09:00:00+07:00" })).status,
  ).toBe(201);
});
afterAll(async () => {
  await svc?.close();
});

describe("GET /api/v1/me", () => {
  it("tells each key its role, name and the areas it may open", async () => {
    const a = await (await svc.api("/api/v1/me", { key: analyst })).json();
    expect(a).toMatchObject({ role: "analyst", keyName: "Chị Phân Tích", lang: "en" });
    expect(a.actor).toMatch(/^api-key:\d+$/);
    expect(a.can).toMatchObject({ stats: true, dossiers: true, broadcasts: false, audit: false, dossierWrite: false });
    const s = await (await svc.api("/api/v1/me", { key: staff, headers: { "accept-language": "vi-VN,vi;q=0.9,en;q=0.5" } })).json();
    expect(s).toMatchObject({ role: "staff", keyName: "Anh Một Cửa", lang: "vi" });
    expect(s.can).toMatchObject({ stats: false, dossiers: true, dossierWrite: true });
    const admin = await (await svc.api("/api/v1/me")).json();
    expect(admin.can).toMatchObject({ stats: true, dossiers: true, dossierWrite: true, audit: true, admin: true });
    // Areas whose routes are not mounted in this app (broadcasts: the delivery feature) are closed to everyone.
    expect(admin.can.broadcasts).toBe(false);
  });

  it("answers 401 without a key, in Vietnamese when asked", async () => {
    const res = await svc.api("/api/v1/me", { key: null, headers: { "accept-language": "vi" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-language")).toBe("vi");
    expect((await res.json()).error).toEqual({ code: "unauthorized", message: "Thiếu khóa API hoặc khóa không hợp lệ (Authorization: Bearer <khóa>)." });
  });
});

describe("error bodies", () => {
  it("keep the code, carry the roles needed, and speak the caller's language", async () => {
    const vi = await svc.api("/api/v1/nothing-here", { key: staff, headers: { "accept-language": "vi" } });
    expect(vi.status).toBe(404);
    expect((await vi.json()).error.message).toBe("Không có đường dẫn GET /api/v1/nothing-here.");
    const forbidden = await svc.api("/api/v1/units/X", { key: staff, method: "PUT", json: {}, headers: { "accept-language": "vi" } });
    expect(forbidden.status).toBe(403);
    const body = await forbidden.json();
    expect(body.error.code).toBe("forbidden");
    expect(body.error.message).toBe("Chức năng này cần vai trò quản trị; khóa của bạn có vai trò cán bộ.");
    expect(body.error.details).toEqual({ requiredRoles: ["admin"], role: "staff" });
    const en = await svc.api("/api/v1/dossiers/000.00.15.H32-230112-0099", { key: staff });
    expect((await en.json()).error).toEqual({ code: "not_found", message: "No dossier 000.00.15.H32-230112-0099" });
    const viNotFound = await svc.api("/api/v1/dossiers/000.00.15.H32-230112-0099", { key: staff, headers: { "accept-language": "vi" } });
    expect((await viNotFound.json()).error.message).toBe("Không có hồ sơ 000.00.15.H32-230112-0099.");
  });
});

describe("GET /api/v1/dossiers", () => {
  it("lists the late dossiers of a unit and its wards without any identity field", async () => {
    const res = await svc.api("/api/v1/dossiers?late=true&unitCode=000.00.15.H32", { key: analyst });
    expect(res.status).toBe(200);
    const page = await res.json();
    expect(page.total).toBe(1);
    expect(page.items.map((i: { code: string }) => i.code)).toEqual(["000.00.15.H32-230112-0001"]);
    expect(page.items[0].timeliness.state).toBe("overdue");
    expect(page.items[0].timeliness.workingDaysLeft).toBeLessThan(0);
    const text = JSON.stringify(page);
    for (const personal of ["Nguyễn Văn A", "0905123456", "056*", "applicant"]) expect(text).not.toContain(personal);
  });

  it("filters by status, finished date and lateness, and pages with a cursor", async () => {
    const late = await (await svc.api("/api/v1/dossiers?finishedLate=true&dateField=finished&from=2023-02-01&to=2023-02-28", { key: staff })).json();
    expect(late.items.map((i: { code: string }) => i.code)).toEqual(["000.00.16.H32-230112-0003"]);
    const byStatus = await (await svc.api("/api/v1/dossiers?status=9,10", { key: staff })).json();
    expect(byStatus.total).toBe(2);
    const first = await (await svc.api("/api/v1/dossiers?limit=2", { key: staff })).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = await (await svc.api(`/api/v1/dossiers?limit=2&cursor=${first.nextCursor}`, { key: staff })).json();
    expect(second.items).toHaveLength(1);
    expect(second.total).toBeNull();
    const all = [...first.items, ...second.items].map((i: { code: string }) => i.code);
    expect(new Set(all).size).toBe(3);
  });

  it("exports the same rows as CSV with Vietnamese headers", async () => {
    const res = await svc.api("/api/v1/dossiers?format=csv&headers=vi&status=9,10", { key: analyst });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toContain("Mã hồ sơ,Mã đơn vị,Đơn vị");
    expect(lines).toHaveLength(3);
    expect(lines.join("\n")).toContain("Đã trả kết quả");
  });

  it("refuses bad filters with 400 and names them", async () => {
    const res = await svc.api("/api/v1/dossiers?status=4,11&late=maybe", { key: staff });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["status.1", "late"]));
    expect((await svc.api("/api/v1/dossiers?unitCode=NOPE", { key: staff })).status).toBe(404);
  });
});

describe("GET /api/v1/lookups", () => {
  it("gives units by name with their parent, procedures and labelled statuses", async () => {
    const l = await (await svc.api("/api/v1/lookups", { key: analyst })).json();
    expect(l.units.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(["UBND phường Cam Lộc", "UBND phường Cam Nghĩa"]));
    expect(l.procedures[0]).toMatchObject({ code: "1.004227", durationDays: 10, fieldCode: "DD" });
    expect(l.statuses.find((s: { code: number }) => s.code === 5)).toMatchObject({ key: "supplement_requested", finished: false, label: { vi: "Chờ bổ sung hồ sơ" } });
    expect(l.satisfactionTarget).toBe(84);
  });
});
