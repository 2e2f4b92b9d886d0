import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/core/api-keys.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
let staffKey: string;
beforeAll(async () => {
  svc = await startTestService();
  staffKey = (await createApiKey(svc.ctx.prisma, "staff", "clerk", "test")).key;
});
afterAll(async () => {
  await svc?.close();
});

async function put(path: string, json: unknown, key?: string): Promise<Response> {
  return svc.api(path, { method: "PUT", json, ...(key ? { key } : {}) });
}
async function del(path: string, key?: string): Promise<Response> {
  return svc.api(path, { method: "DELETE", ...(key ? { key } : {}) });
}
async function getJson(path: string, key?: string) {
  const res = await svc.api(path, key ? { key } : {});
  expect(res.status, `GET ${path}`).toBe(200);
  return res.json();
}

/** Every item of a list route, following nextCursor. */
async function walk<T>(path: string, limit: number): Promise<{ pages: T[][]; items: T[] }> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const body: { items: T[]; nextCursor: string | null } = await getJson(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    pages.push(body.items);
    cursor = body.nextCursor;
    if (pages.length > 100) throw new Error("pagination does not end");
  } while (cursor);
  return { pages, items: pages.flat() };
}

describe("units", () => {
  it("creates (201), updates (200) and reads a unit with parent and children", async () => {
    const root = await put("/api/v1/units/T.ROOT", { name: "Tỉnh Thử", level: "province", hotline: "0233 3852 000" });
    expect(root.status).toBe(201);
    expect((await root.json()).unit).toMatchObject({ code: "T.ROOT", name: "Tỉnh Thử", level: "province", parentCode: null, childrenCodes: [] });

    expect((await put("/api/v1/units/T.D1", { name: "Huyện Một", level: "district", parentCode: "T.ROOT" })).status).toBe(201);
    expect((await put("/api/v1/units/T.W1", { name: "Xã Một", parentCode: "T.D1", address: "1 Lê Lợi", openingHours: "T2–T6 7:00–17:00" })).status).toBe(201);

    const upd = await put("/api/v1/units/T.ROOT", { name: "Tỉnh Thử Nghiệm" });
    expect(upd.status).toBe(200);
    const u = (await upd.json()).unit;
    // Omitted fields are kept.
    expect(u).toMatchObject({ name: "Tỉnh Thử Nghiệm", level: "province", hotline: "0233 3852 000", childrenCodes: ["T.D1"], dossierCount: 0 });

    const w1 = await getJson("/api/v1/units/T.W1");
    expect(w1).toMatchObject({ code: "T.W1", level: "ward", parentCode: "T.D1", address: "1 Lê Lợi", childrenCodes: [] });
    expect((await getJson("/api/v1/units/T.D1")).childrenCodes).toEqual(["T.W1"]);

    // null clears a text field.
    expect((await (await put("/api/v1/units/T.ROOT", { name: "Tỉnh Thử Nghiệm", hotline: null })).json()).unit.hotline).toBeNull();
  });

  it("lists with parentCode and q filters", async () => {
    const children = await getJson("/api/v1/units?parentCode=T.ROOT");
    expect(children.items.map((u: { code: string }) => u.code)).toEqual(["T.D1"]);
    expect(children.nextCursor).toBeNull();
    const found = await getJson(`/api/v1/units?q=${encodeURIComponent("xã một")}`);
    expect(found.items.map((u: { code: string }) => u.code)).toEqual(["T.W1"]);
  });

  it("refuses a parent cycle with 422 and changes nothing", async () => {
    const cycle = await put("/api/v1/units/T.ROOT", { name: "Tỉnh Thử Nghiệm", parentCode: "T.W1" });
    expect(cycle.status).toBe(422);
    const err = (await cycle.json()).error;
    expect(err.code).toBe("unprocessable");
    expect(err.message).toMatch(/cycle/);
    expect(err.details.path).toEqual(["T.ROOT", "T.D1", "T.W1"]);

    const self = await put("/api/v1/units/T.D1", { name: "Huyện Một", parentCode: "T.D1" });
    expect(self.status).toBe(422);
    expect((await getJson("/api/v1/units/T.ROOT")).parentCode).toBeNull();
    expect((await getJson("/api/v1/units/T.D1")).parentCode).toBe("T.ROOT");
  });

  it("moves a unit to another parent when there is no cycle", async () => {
    await put("/api/v1/units/T.D2", { name: "Huyện Hai", level: "district", parentCode: "T.ROOT" });
    const moved = await put("/api/v1/units/T.W1", { name: "Xã Một", parentCode: "T.D2" });
    expect(moved.status).toBe(200);
    expect((await moved.json()).unit.parentCode).toBe("T.D2");
    expect((await getJson("/api/v1/units/T.D1")).childrenCodes).toEqual([]);
  });

  it("unknown parent → 422; bad body → 422; unknown unit → 404", async () => {
    const res = await put("/api/v1/units/T.X", { name: "X", parentCode: "NOPE" });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toContain("NOPE");
    expect((await put("/api/v1/units/T.X", { name: "X", level: "village" })).status).toBe(422);
    expect((await put("/api/v1/units/T.X", { name: "" })).status).toBe(422);
    expect((await put("/api/v1/units/T.X", { name: "X", parent: "T.ROOT" })).status).toBe(422);
    expect((await svc.api("/api/v1/units/T.X")).status).toBe(404);
    expect((await del("/api/v1/units/T.X")).status).toBe(404);
  });

  it("delete: 409 with children, 204 without", async () => {
    const busy = await del("/api/v1/units/T.ROOT");
    expect(busy.status).toBe(409);
    expect((await busy.json()).error.details).toEqual({ dossiers: 0, children: 2 });
    expect((await del("/api/v1/units/T.D1")).status).toBe(204);
    expect((await svc.api("/api/v1/units/T.D1")).status).toBe(404);
  });

  it("delete: 409 while the unit or procedure has dossiers", async () => {
    expect((await put("/api/v1/dossiers/000.00.15.H32-230112-0001", specDossier())).status).toBe(201);
    const unit = await del("/api/v1/units/000.00.15.H32");
    expect(unit.status).toBe(409);
    expect((await unit.json()).error).toMatchObject({ code: "conflict", details: { dossiers: 1, children: 0 } });
    expect((await getJson("/api/v1/units/000.00.15.H32")).dossierCount).toBe(1);
    const proc = await del("/api/v1/procedures/1.004227");
    expect(proc.status).toBe(409);
    expect((await svc.api("/api/v1/procedures/1.004227")).status).toBe(200);
  });

  it("walks 120 units in pages of 50 with no duplicates and no gaps", async () => {
    await put("/api/v1/units/PAG", { name: "Pagination root", level: "province" });
    const codes = Array.from({ length: 120 }, (_, i) => `PAG.${String(i).padStart(3, "0")}`);
    for (let i = 0; i < codes.length; i += 20) {
      const batch = await Promise.all(codes.slice(i, i + 20).map((c) => put(`/api/v1/units/${c}`, { name: `Đơn vị ${c}`, parentCode: "PAG" })));
      expect(batch.map((r) => r.status)).toEqual(Array(batch.length).fill(201));
    }
    const { pages, items } = await walk<{ code: string }>("/api/v1/units?parentCode=PAG", 50);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    const seen = items.map((u) => u.code);
    expect(new Set(seen).size).toBe(120);
    expect(seen).toEqual(codes);

    // Unfiltered, the whole table is walked too (the 120 plus the other units).
    const all = await walk<{ code: string }>("/api/v1/units", 50);
    const allCodes = all.items.map((u) => u.code);
    expect(new Set(allCodes).size).toBe(allCodes.length);
    expect(allCodes).toEqual(expect.arrayContaining(codes));
    expect(allCodes).toEqual([...allCodes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("a bad cursor or limit is a 400", async () => {
    expect((await svc.api("/api/v1/units?cursor=garbage")).status).toBe(400);
    expect((await svc.api(`/api/v1/units?cursor=${Buffer.from('{"k":5}').toString("base64url")}`)).status).toBe(400);
    expect((await svc.api("/api/v1/units?limit=0")).status).toBe(400);
    expect((await svc.api("/api/v1/units?limit=1000")).status).toBe(400);
    expect((await svc.api("/api/v1/units?limit=abc")).status).toBe(400);
  });
});

describe("fields and procedures", () => {
  it("field upsert and list", async () => {
    const created = await put("/api/v1/fields/HT", { name: "Hộ tịch" });
    expect(created.status).toBe(201);
    expect((await created.json()).field).toEqual({ code: "HT", name: "Hộ tịch", procedureCount: 0, demo: false });
    const renamed = await put("/api/v1/fields/HT", { name: "Hộ tịch (đổi tên)" });
    expect(renamed.status).toBe(200);
    const list = await getJson("/api/v1/fields");
    expect(list.items).toEqual(expect.arrayContaining([expect.objectContaining({ code: "HT", name: "Hộ tịch (đổi tên)" })]));
    expect((await put("/api/v1/fields/HT", {})).status).toBe(422);
  });

  it("procedure CRUD with field filter and validation", async () => {
    const created = await put("/api/v1/procedures/2.000001", { name: "Đăng ký khai sinh", fieldCode: "HT", durationDays: 1 });
    expect(created.status).toBe(201);
    expect((await created.json()).procedure).toMatchObject({ code: "2.000001", fieldCode: "HT", fieldName: "Hộ tịch (đổi tên)", durationDays: 1, dossierCount: 0 });

    const updated = await put("/api/v1/procedures/2.000001", { name: "Đăng ký khai sinh", durationDays: 3 });
    expect(updated.status).toBe(200);
    expect((await updated.json()).procedure).toMatchObject({ fieldCode: "HT", durationDays: 3 });

    await put("/api/v1/procedures/2.000002", { name: "Không lĩnh vực" });
    const byField = await getJson("/api/v1/procedures?fieldCode=HT");
    expect(byField.items.map((p: { code: string }) => p.code)).toEqual(["2.000001"]);
    expect((await getJson("/api/v1/fields")).items.find((f: { code: string }) => f.code === "HT").procedureCount).toBe(1);

    expect((await put("/api/v1/procedures/2.000003", { name: "X", fieldCode: "NOPE" })).status).toBe(422);
    expect((await put("/api/v1/procedures/2.000003", { name: "X", durationDays: 1001 })).status).toBe(422);
    expect((await put("/api/v1/procedures/2.000003", { name: "X", durationDays: -1 })).status).toBe(422);
    expect((await put("/api/v1/procedures/2.000003", { name: "X", durationDays: 1.5 })).status).toBe(422);
    expect((await svc.api("/api/v1/procedures/2.000003")).status).toBe(404);

    expect((await del("/api/v1/procedures/2.000002")).status).toBe(204);
    expect((await svc.api("/api/v1/procedures/2.000002")).status).toBe(404);
    expect((await del("/api/v1/procedures/2.000002")).status).toBe(404);
  });
});

describe("holidays and the calendar", () => {
  // 2030 is not in the shipped holiday data. 2030-03-04 is a Monday.
  const received = "2030-03-04T09:00:00+07:00";
  const appointment = async (days = 3) => getJson(`/api/v1/calendar/appointment?receivedAt=${encodeURIComponent(received)}&days=${days}`);

  it("adding and removing a day off moves the computed appointment", async () => {
    const before = await appointment();
    expect(before.appointmentAt).toBe("2030-03-07T02:00:00.000Z");
    expect(before.appointmentLocal).toBe("07/03/2030 09:00");

    const res = await put("/api/v1/holidays/2030-03-05", { kind: "day_off", name: "Ngày thử", source: "test" });
    expect(res.status).toBe(201);
    expect((await res.json()).day).toEqual({ date: "2030-03-05", kind: "day_off", name: "Ngày thử", source: "test" });
    expect((await appointment()).appointmentAt).toBe("2030-03-08T02:00:00.000Z");

    // A worked Saturday pulls a longer appointment back in: Mon + 5 → Tue 12/3 with the day
    // off, Mon 11/3 with Saturday 9/3 worked.
    expect((await appointment(5)).appointmentAt).toBe("2030-03-12T02:00:00.000Z");
    expect((await put("/api/v1/holidays/2030-03-09", { kind: "extra_working_day" })).status).toBe(201);
    expect((await appointment(5)).appointmentAt).toBe("2030-03-11T02:00:00.000Z");

    expect((await del("/api/v1/holidays/2030-03-09")).status).toBe(204);
    expect((await appointment(5)).appointmentAt).toBe("2030-03-12T02:00:00.000Z");
  });

  it("a dossier PUT without appointmentAt uses the edited calendar", async () => {
    // Dossier dates lie between 2000 and a year ahead, so this one is received in March 2025
    // (Monday 3/3; the day off is Tuesday 4/3).
    expect((await put("/api/v1/holidays/2025-03-04", { kind: "day_off", name: "Ngày thử", source: "test" })).status).toBe(201);
    const body = specDossier({ appointmentAt: undefined, receivedAt: "2025-03-03T09:00:00+07:00", procedureCode: "2.000001", procedureName: "Đăng ký khai sinh", procedureDurationDays: 3 });
    const withHoliday = await put("/api/v1/dossiers/000.00.15.H32-230112-0101", body);
    expect(withHoliday.status).toBe(201);
    expect((await withHoliday.json()).dossier).toMatchObject({ appointmentAt: "2025-03-07T02:00:00.000Z", appointmentComputed: true });

    expect((await del("/api/v1/holidays/2025-03-04")).status).toBe(204);
    const without = await put("/api/v1/dossiers/000.00.15.H32-230112-0102", body);
    expect((await without.json()).dossier.appointmentAt).toBe("2025-03-06T02:00:00.000Z");

    expect((await del("/api/v1/holidays/2030-03-05")).status).toBe(204);
    expect((await appointment()).appointmentAt).toBe("2030-03-07T02:00:00.000Z");
  });

  it("workingDaysLeft is counted from now (or the given now)", async () => {
    const r = await getJson(`/api/v1/calendar/appointment?receivedAt=${encodeURIComponent(received)}&days=3&now=${encodeURIComponent("2030-03-05T09:00:00+07:00")}`);
    expect(r).toMatchObject({ days: 3, countingStartsAt: "2030-03-04T02:00:00.000Z", now: "2030-03-05T02:00:00.000Z", workingDaysLeft: 2 });
    expect((await appointment()).workingDaysLeft).toBeGreaterThan(500);
    expect((await svc.api("/api/v1/calendar/appointment?receivedAt=yesterday&days=3")).status).toBe(400);
    expect((await svc.api(`/api/v1/calendar/appointment?receivedAt=${encodeURIComponent(received)}&days=-1`)).status).toBe(400);
  });

  it("refuses a day_off on a weekend and an extra_working_day on a weekday with 422", async () => {
    const weekend = await put("/api/v1/holidays/2030-03-09", { kind: "day_off" });
    expect(weekend.status).toBe(422);
    expect((await weekend.json()).error.message).toMatch(/2030-03-09 is a Saturday.*Monday–Friday/);
    const weekday = await put("/api/v1/holidays/2030-03-06", { kind: "extra_working_day" });
    expect(weekday.status).toBe(422);
    expect((await weekday.json()).error.message).toMatch(/Wednesday.*Saturday or Sunday/);
    expect((await getJson("/api/v1/holidays?year=2030")).items).toEqual([]);
  });

  it("refuses dates that do not exist", async () => {
    for (const d of ["2030-02-30", "2030-13-01", "2029-02-29", "tomorrow", "2030-3-5"]) {
      const res = await put(`/api/v1/holidays/${d}`, { kind: "day_off" });
      expect(res.status, d).toBe(400);
    }
    expect((await del("/api/v1/holidays/2030-02-30")).status).toBe(400);
    expect((await put("/api/v1/holidays/2030-03-05", { kind: "holiday" })).status).toBe(422);
    expect((await del("/api/v1/holidays/2030-03-05")).status).toBe(404);
  });

  it("updates an entry in place (200) and lists a year", async () => {
    expect((await put("/api/v1/holidays/2030-09-02", { kind: "day_off", name: "Quốc khánh" })).status).toBe(201);
    const again = await put("/api/v1/holidays/2030-09-02", { kind: "day_off", name: "Quốc khánh 2/9", source: "Luật" });
    expect(again.status).toBe(200);
    const list = await getJson("/api/v1/holidays?year=2030");
    expect(list).toEqual({ items: [{ date: "2030-09-02", kind: "day_off", name: "Quốc khánh 2/9", source: "Luật" }], nextCursor: null });
    // The shipped data is there for other years.
    expect((await getJson("/api/v1/holidays?year=2023")).items).toEqual(
      expect.arrayContaining([expect.objectContaining({ date: "2023-01-20", kind: "day_off" })]),
    );
  });

  it("import replaces a year atomically", async () => {
    await put("/api/v1/holidays/2031-01-02", { kind: "day_off", name: "old" });
    await put("/api/v1/holidays/2032-01-01", { kind: "day_off", name: "other year" });
    const res = await svc.api("/api/v1/holidays/import", {
      method: "POST",
      json: {
        year: 2031,
        daysOff: ["2031-01-01", { date: "2031-01-22", name: "Tết" }, "2031-01-23"],
        extraWorkingDays: [{ date: "2031-01-18", name: "Làm bù" }],
        source: "Quyết định thử",
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ year: 2031, removed: 1, daysOff: 3, extraWorkingDays: 1 });
    const list = await getJson("/api/v1/holidays?year=2031");
    expect(list.items).toEqual([
      { date: "2031-01-01", kind: "day_off", name: null, source: "Quyết định thử" },
      { date: "2031-01-18", kind: "extra_working_day", name: "Làm bù", source: "Quyết định thử" },
      { date: "2031-01-22", kind: "day_off", name: "Tết", source: "Quyết định thử" },
      { date: "2031-01-23", kind: "day_off", name: null, source: "Quyết định thử" },
    ]);
    expect((await getJson("/api/v1/holidays?year=2032")).items).toHaveLength(1);
    // Thursday 2031-01-23 off: received Wed 22/1 (also off) → counting starts Fri 24/1.
    const a = await getJson(`/api/v1/calendar/appointment?receivedAt=${encodeURIComponent("2031-01-22T09:00:00+07:00")}&days=1`);
    expect(a.countingStartsAt).toBe("2031-01-24T00:00:00.000Z");
  });

  it("a bad import changes nothing and lists every problem", async () => {
    const res = await svc.api("/api/v1/holidays/import", {
      method: "POST",
      json: { year: 2031, daysOff: ["2031-01-01", "2030-12-31", "2031-01-04", "2031-01-01"], extraWorkingDays: ["2031-01-06"] },
    });
    expect(res.status).toBe(422);
    const err = (await res.json()).error;
    expect(err.details.map((d: { path: string }) => d.path)).toEqual(["daysOff.1", "daysOff.2", "daysOff.3", "extraWorkingDays.0"]);
    expect((await getJson("/api/v1/holidays?year=2031")).items).toHaveLength(4);

    const badDate = await svc.api("/api/v1/holidays/import", { method: "POST", json: { year: 2031, daysOff: ["2031-02-29"], extraWorkingDays: [] } });
    expect(badDate.status).toBe(422);
    expect((await badDate.json()).error.details[0].path).toBe("daysOff.0");
    expect((await getJson("/api/v1/holidays?year=2031")).items).toHaveLength(4);
  });

  it("an empty import clears a year", async () => {
    const res = await svc.api("/api/v1/holidays/import", { method: "POST", json: { year: 2032, daysOff: [], extraWorkingDays: [] } });
    expect(await res.json()).toEqual({ year: 2032, removed: 1, daysOff: 0, extraWorkingDays: 0 });
    expect((await getJson("/api/v1/holidays?year=2032")).items).toEqual([]);
  });
});

describe("API keys", () => {
  it("a key created over the API works for its role and stops after DELETE", async () => {
    const res = await svc.api("/api/v1/api-keys", { method: "POST", json: { role: "staff", name: "Bộ phận một cửa" } });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ id: expect.any(Number), role: "staff", name: "Bộ phận một cửa" });
    expect(created.key).toMatch(/^dbk_/);
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const q = `/api/v1/calendar/appointment?receivedAt=${encodeURIComponent("2030-03-04T09:00:00+07:00")}&days=1`;
    expect((await svc.api(q, { key: created.key })).status).toBe(200);
    expect((await svc.api("/api/v1/dossiers/000.00.15.H32-230112-0001", { key: created.key })).status).toBe(200);
    expect((await svc.api("/api/v1/units", { key: created.key })).status).toBe(403);

    const list = await getJson("/api/v1/api-keys");
    const row = list.items.find((k: { id: number }) => k.id === created.id);
    expect(Object.keys(row).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "prefix", "revokedAt", "role"]);
    expect(row.lastUsedAt).not.toBeNull();
    expect(row.revokedAt).toBeNull();
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect(JSON.stringify(list)).not.toMatch(/"hash"/);

    expect((await del(`/api/v1/api-keys/${created.id}`)).status).toBe(204);
    expect((await svc.api(q, { key: created.key })).status).toBe(401);
    const after = (await getJson("/api/v1/api-keys")).items.find((k: { id: number }) => k.id === created.id);
    expect(after.revokedAt).not.toBeNull();
    // Revoking again is harmless.
    expect((await del(`/api/v1/api-keys/${created.id}`)).status).toBe(204);
  });

  it("an admin key created over the API can administer; unknown id → 404; bad body → 422", async () => {
    const { key, id } = await (await svc.api("/api/v1/api-keys", { method: "POST", json: { role: "admin", name: "second admin" } })).json();
    expect((await put("/api/v1/fields/TP", { name: "Tư pháp" }, key)).status).toBe(201);
    const audit = await getJson(`/api/v1/audit-log?actor=${encodeURIComponent(`api-key:${id}`)}`);
    expect(audit.items.map((e: { action: string; target: string }) => [e.action, e.target])).toEqual([["field.upsert", "field:TP"]]);

    expect((await del("/api/v1/api-keys/999999")).status).toBe(404);
    expect((await del("/api/v1/api-keys/abc")).status).toBe(400);
    expect((await svc.api("/api/v1/api-keys", { method: "POST", json: { role: "root", name: "x" } })).status).toBe(422);
    expect((await svc.api("/api/v1/api-keys", { method: "POST", json: { role: "staff" } })).status).toBe(422);
  });
});

describe("roles", () => {
  it("a staff key gets 403 on every admin route and changes nothing", async () => {
    const calls: [string, string, unknown?][] = [
      ["GET", "/api/v1/units"],
      ["GET", "/api/v1/units/T.ROOT"],
      ["PUT", "/api/v1/units/STAFF.X", { name: "X" }],
      ["DELETE", "/api/v1/units/T.ROOT"],
      ["GET", "/api/v1/fields"],
      ["PUT", "/api/v1/fields/STAFF", { name: "X" }],
      ["GET", "/api/v1/procedures"],
      ["PUT", "/api/v1/procedures/STAFF", { name: "X" }],
      ["DELETE", "/api/v1/procedures/2.000001"],
      ["GET", "/api/v1/holidays?year=2030"],
      ["PUT", "/api/v1/holidays/2030-03-05", { kind: "day_off" }],
      ["DELETE", "/api/v1/holidays/2030-09-02"],
      ["POST", "/api/v1/holidays/import", { year: 2030, daysOff: [], extraWorkingDays: [] }],
      ["GET", "/api/v1/api-keys"],
      ["POST", "/api/v1/api-keys", { role: "admin", name: "escalate" }],
      ["DELETE", "/api/v1/api-keys/1"],
      ["GET", "/api/v1/audit-log"],
    ];
    for (const [method, path, json] of calls) {
      const res = await svc.api(path, { method, key: staffKey, ...(json !== undefined ? { json } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await res.json()).error.code).toBe("forbidden");
    }
    expect((await svc.api("/api/v1/units/STAFF.X")).status).toBe(404);
    expect((await getJson("/api/v1/holidays?year=2030")).items).toHaveLength(1);
    expect(await svc.ctx.prisma.apiKey.count({ where: { name: "escalate" } })).toBe(0);
  });

  it("an analyst cannot use the calendar check; no key → 401", async () => {
    const { key } = await createApiKey(svc.ctx.prisma, "analyst", "reader", "test");
    const q = `/api/v1/calendar/appointment?receivedAt=${encodeURIComponent("2030-03-04T09:00:00+07:00")}&days=1`;
    expect((await svc.api(q, { key })).status).toBe(403);
    expect((await svc.api(q, { key: staffKey })).status).toBe(200);
    expect((await svc.api("/api/v1/units", { key: null })).status).toBe(401);
  });
});

describe("audit log", () => {
  it("lists the admin mutations, newest first", async () => {
    const all = await walk<{ id: string; at: string; actor: string; action: string; target: string | null; details: unknown }>("/api/v1/audit-log", 50);
    const actions = new Set(all.items.map((e) => e.action));
    for (const a of ["unit.upsert", "unit.delete", "field.upsert", "procedure.upsert", "procedure.delete", "holiday.upsert", "holiday.delete", "holiday.import", "api_key.create", "api_key.revoke"])
      expect(actions, a).toContain(a);
    expect(new Set(all.items.map((e) => e.id)).size).toBe(all.items.length);
    for (let i = 1; i < all.items.length; i++) {
      const [prev, cur] = [all.items[i - 1]!, all.items[i]!];
      expect(prev.at >= cur.at).toBe(true);
      if (prev.at === cur.at) expect(BigInt(prev.id) > BigInt(cur.id)).toBe(true);
    }

    const units = all.items.filter((e) => e.action === "unit.upsert");
    expect(units.length).toBeGreaterThanOrEqual(125);
    expect(units.every((e) => e.actor === "bootstrap")).toBe(true);
    const cycleFree = all.items.filter((e) => e.target === "unit:T.W1");
    expect(cycleFree[0]).toMatchObject({ action: "unit.upsert", details: { created: false, input: { parentCode: "T.D2" }, before: { parentCode: "T.D1" } } });

    // Filtered and paged the same way.
    const filtered = await walk<{ action: string; id: string }>("/api/v1/audit-log?action=unit.upsert", 40);
    expect(filtered.items.map((e) => e.id)).toEqual(units.map((e) => e.id));
    const holidays = await walk<{ action: string }>(`/api/v1/audit-log?action=${encodeURIComponent("holiday.*")}`, 3);
    expect(holidays.items.length).toBe(all.items.filter((e) => e.action.startsWith("holiday.")).length);
    expect(holidays.items.every((e) => e.action.startsWith("holiday."))).toBe(true);
  });

  it("filters by since/until", async () => {
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    await put("/api/v1/fields/SINCE", { name: "Sau mốc" });
    await del("/api/v1/units/T.W1");
    const after = await getJson(`/api/v1/audit-log?since=${encodeURIComponent(since)}`);
    expect(after.items.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toEqual(["unit.delete unit:T.W1", "field.upsert field:SINCE"]);
    expect(after.items[0].details.before).toMatchObject({ name: "Xã Một" });
    const before = await getJson(`/api/v1/audit-log?until=${encodeURIComponent(since)}&action=field.upsert`);
    expect(before.items.map((e: { target: string }) => e.target)).not.toContain("field:SINCE");
    expect((await svc.api("/api/v1/audit-log?since=yesterday")).status).toBe(400);
  });
});

describe("OpenAPI", () => {
  it("documents the admin routes with named schemas", async () => {
    const doc = await (await fetch(svc.url + "/api/v1/openapi.json")).json();
    expect(doc.paths["/api/v1/units/{code}"].put.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/UnitInput" });
    expect(doc.paths["/api/v1/units"].get.parameters.map((p: { name: string }) => p.name)).toEqual(["limit", "cursor", "parentCode", "q"]);
    expect(doc.paths["/api/v1/holidays/import"].post).toBeDefined();
    expect(doc.paths["/api/v1/calendar/appointment"].get.description).toContain("staff");
    for (const id of ["Unit", "UnitDetail", "UnitPage", "Field", "Procedure", "CalendarDay", "HolidayImport", "ApiKey", "ApiKeyCreated", "AuditLogEntry", "Appointment"])
      expect(doc.components.schemas, id).toHaveProperty(id);
    expect(doc.paths["/api/v1/api-keys/{id}"].delete.responses).toHaveProperty("204");
  });
});
