// Issue 10, finding 8: one text rule on every route (U+0000, control characters, invalid UTF-8,
// lone surrogates → 400 with a code naming the rule), deep JSON → 400, values the database cannot
// hold → 400; never a 500, and nothing stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broadcastRoutes } from "../../src/api/routes/broadcasts.ts";
import { startTestService, specDossier, type TestService } from "../helpers/app.ts";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({}, () => ({ routeModules: [(api, c) => broadcastRoutes(api, c)] }));
});
afterAll(() => svc.close());

const CODE = "000.00.15.H32-230112-0001";
const put = (body: string | Uint8Array) => svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", headers: { "content-type": "application/json" }, body: body as BodyInit });
const rows = async () => ({ dossiers: await svc.ctx.prisma.dossier.count(), units: await svc.ctx.prisma.unit.count(), audit: await svc.ctx.prisma.auditLog.count() });

async function expectRefused(res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status);
  expect((await res.json()).error.code).toBe(code);
}

describe("the text rule", () => {
  it("U+0000 in a text field → 400 invalid_text naming the field, nothing stored", async () => {
    const before = await rows();
    const res = await put(JSON.stringify(specDossier({ applicant: { name: "Nguyễn\u0000A", phone: "0905123456" } })));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_text");
    expect(body.error.message).toContain("applicant.name");
    expect(await rows()).toEqual(before);
  });

  it("other control characters, C1 controls and lone surrogates → 400; a key counts too", async () => {
    for (const bad of ["a\u0007b", "a\u001bb", "a\u0085b", "a\ud800b", "\udc00"]) await expectRefused(await put(JSON.stringify(specDossier({ currentStep: bad }))), 400, "invalid_text");
    await expectRefused(await put(JSON.stringify({ ...specDossier(), "k\u0000": 1 })), 400, "invalid_text");
    expect((await rows()).dossiers).toBe(0);
  });

  it("tab, line feed, carriage return and a proper surrogate pair are fine", async () => {
    const res = await put(JSON.stringify(specDossier({ currentStep: "Thẩm định\t(bước 2)\r\n😀" })));
    expect(res.status).toBe(201);
    expect((await svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code: CODE } })).currentStep).toBe("Thẩm định\t(bước 2)\r\n😀");
  });

  it("invalid UTF-8 bytes → 400 invalid_utf8", async () => {
    const json = Buffer.from(JSON.stringify(specDossier({ currentStep: "XX" })));
    const i = json.indexOf("XX");
    json[i] = 0xc3;
    json[i + 1] = 0x28; // a lead byte followed by a non-continuation byte
    await expectRefused(await put(json), 400, "invalid_utf8");
  });

  it("50,000-deep JSON → 400 too_deep (objects and arrays), on a route that takes 2 MB", async () => {
    const post = (body: string) => svc.api("/api/v1/broadcasts", { method: "POST", headers: { "content-type": "application/json" }, body });
    await expectRefused(await post("[".repeat(50_000) + "]".repeat(50_000)), 400, "too_deep");
    await expectRefused(await post('{"a":'.repeat(50_000) + "1" + "}".repeat(50_000)), 400, "too_deep");
    await expectRefused(await put('{"a":'.repeat(1_000) + "1" + "}".repeat(1_000)), 400, "too_deep");
    expect(await svc.ctx.prisma.broadcast.count()).toBe(0);
  });

  it("path and query values obey the rule", async () => {
    await expectRefused(await svc.api(`/api/v1/dossiers/%00`), 400, "bad_request");
    await expectRefused(await svc.api(`/api/v1/units?q=a%00b`), 400, "bad_request");
  });

  it("a number beyond its column → 400 out_of_range, nothing stored", async () => {
    const code = "000.00.15.H32-230112-0002";
    const res = await svc.api(`/api/v1/dossiers/${code}`, { method: "PUT", json: specDossier({ feeAmount: 3_000_000_000 }) });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await svc.ctx.prisma.dossier.count({ where: { code } })).toBe(0);
  });

  it("numbers JSON cannot hold (1e400) are refused by the schema, not a 500", async () => {
    const res = await put(JSON.stringify(specDossier()).replace('"status":4', '"status":1e400'));
    expect(res.status).toBe(422);
  });

  it("the try page obeys the same rule", async () => {
    const res = await fetch(`${svc.url}/try/api/message`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sessionId: "abcdefgh12", input: { kind: "text", text: "a\u0000" } }) });
    // 404 when the try page is not mounted (no demo data in this service); never a 500.
    expect(res.status).toBeLessThan(500);
  });
});
