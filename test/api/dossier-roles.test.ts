// Roles see what their job needs (issue 10, finding 1): an analyst, who has feedback with
// dossier codes and pseudonyms, must not get the applicant's identity from the dossier API;
// staff and admins do, and every such read is audit-logged with the key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/core/api-keys.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
let analyst: string;
let staff: { id: number; key: string };
const CODE = "000.00.15.H32-230112-0801";
beforeAll(async () => {
  svc = await startTestService();
  analyst = (await createApiKey(svc.ctx.prisma, "analyst", "Phân tích", "test")).key;
  staff = await createApiKey(svc.ctx.prisma, "staff", "Một cửa", "test");
  expect((await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", json: specDossier() })).status).toBe(201);
});
afterAll(async () => {
  await svc?.close();
});

const reads = () => svc.ctx.prisma.auditLog.findMany({ where: { action: "dossier.read", target: CODE }, orderBy: { id: "asc" } });

describe("GET /api/v1/dossiers/{code} by role", () => {
  it("an analyst gets the dossier without the applicant's name, phone or ID", async () => {
    const res = await svc.api(`/api/v1/dossiers/${CODE}`, { key: analyst });
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.applicant).toBeNull();
    expect(body.status).toBe(4);
    for (const secret of ["Nguyễn Văn A", "0905123456", "056*"]) expect(text).not.toContain(secret);
    expect(await reads()).toHaveLength(0);
  });

  it("staff and admins see the identity, and each read is audit-logged with the key", async () => {
    const s = await (await svc.api(`/api/v1/dossiers/${CODE}`, { key: staff.key })).json();
    expect(s.applicant).toEqual({ name: "Nguyễn Văn A", phone: "0905123456", idNumberMasked: expect.stringMatching(/^056\*+$/) });
    const a = await (await svc.api(`/api/v1/dossiers/${CODE}`)).json();
    expect(a.applicant.name).toBe("Nguyễn Văn A");
    expect((await reads()).map((r) => r.actor)).toEqual([`api-key:${staff.id}`, "bootstrap"]);
  });
});
