import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/core/api-keys.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

const CODE = "000.00.15.H32-230112-0001";

describe("PUT /api/v1/dossiers/{code}", () => {
  it("creates a dossier from the sync contract and reads it back", async () => {
    const put = await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", json: specDossier() });
    expect(put.status).toBe(201);
    const got = await svc.api(`/api/v1/dossiers/${CODE}`);
    expect(got.status).toBe(200);
    const d = await got.json();
    expect(d.code).toBe(CODE);
    expect(d.unit).toEqual({ code: "000.00.15.H32", name: "UBND phường Cam Lộc" });
    expect(d.procedure.durationDays).toBe(10);
    expect(d.applicant.idNumberMasked).toBe("056*********");
    expect(JSON.stringify(d)).not.toContain("056089001234");
    expect(d.appointmentAt).toBe("2023-02-02T02:00:00.000Z");
  });

  it("accepts a sloppily typed code in the path and stores the canonical one", async () => {
    const res = await svc.api(`/api/v1/dossiers/${encodeURIComponent("000 00 15 h32 – 230112 – 0002")}`, { method: "PUT", json: specDossier() });
    expect(res.status).toBe(201);
    expect((await res.json()).dossier.code).toBe("000.00.15.H32-230112-0002");
  });

  it("computes the appointment from the working-day calendar when it is omitted (across Tết 2023)", async () => {
    const body = specDossier({ appointmentAt: undefined, receivedAt: "2023-01-12T18:30:00+07:00" });
    const res = await svc.api(`/api/v1/dossiers/000.00.15.H32-230112-0003`, { method: "PUT", json: body });
    expect(res.status).toBe(201);
    const d = (await res.json()).dossier;
    // After 17:00 counts from Friday 13/1 07:00; +10 working days skipping Tết 20–26/1.
    expect(d.appointmentAt).toBe("2023-02-03T00:00:00.000Z");
    expect(d.appointmentComputed).toBe(true);
  });

  it("rejects a bad body with 422 and field details, and changes nothing", async () => {
    const res = await svc.api(`/api/v1/dossiers/000.00.15.H32-230112-0009`, {
      method: "PUT",
      json: specDossier({ status: 11, applicant: { name: "" } }),
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["status", "applicant.name"]));
    expect((await svc.api(`/api/v1/dossiers/000.00.15.H32-230112-0009`)).status).toBe(404);
  });

  it("rejects an invalid phone number with 422", async () => {
    const res = await svc.api(`/api/v1/dossiers/000.00.15.H32-230112-0010`, {
      method: "PUT",
      json: specDossier({ applicant: { name: "B", phone: "12ab" } }),
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.details).toHaveProperty(["applicant.phone"]);
  });

  it("rejects a garbage code with 400", async () => {
    const res = await svc.api(`/api/v1/dossiers/hello`, { method: "PUT", json: specDossier() });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("bad_request");
  });

  it("needs procedureName for a new procedure", async () => {
    const res = await svc.api(`/api/v1/dossiers/000.00.15.H32-230112-0011`, {
      method: "PUT",
      json: specDossier({ procedureCode: "9.999999", procedureName: undefined }),
    });
    expect(res.status).toBe(422);
  });
});

describe("auth", () => {
  it("no key → 401 with the JSON error shape", async () => {
    const res = await svc.api(`/api/v1/dossiers/${CODE}`, { key: null });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
  });

  it("wrong key → 401", async () => {
    expect((await svc.api(`/api/v1/dossiers/${CODE}`, { key: "dbk_nope" })).status).toBe(401);
  });

  it("wrong role → 403 and nothing changes", async () => {
    const { key } = await createApiKey(svc.ctx.prisma, "analyst", "reader", "test");
    const res = await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", key, json: specDossier({ applicantName: "X", status: 9 }) });
    expect(res.status).toBe(403);
    const d = await (await svc.api(`/api/v1/dossiers/${CODE}`, { key })).json();
    expect(d.status).toBe(4);
  });

  it("a staff key can write; a revoked key cannot", async () => {
    const { key, id } = await createApiKey(svc.ctx.prisma, "staff", "clerk", "test");
    expect((await svc.api(`/api/v1/dossiers/${CODE}`, { method: "PUT", key, json: specDossier() })).status).toBe(200);
    await svc.ctx.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    expect((await svc.api(`/api/v1/dossiers/${CODE}`, { key })).status).toBe(401);
  });
});

describe("POST /api/v1/dossiers/{code}/events", () => {
  const EV = "000.00.15.H32-230112-0020";
  beforeAll(async () => {
    await svc.api(`/api/v1/dossiers/${EV}`, { method: "PUT", json: specDossier() });
  });

  it("records a status change in the history", async () => {
    const res = await svc.api(`/api/v1/dossiers/${EV}/events`, {
      method: "POST",
      json: { eventId: "e-1", status: 9, at: new Date(Date.now() + 1000).toISOString(), note: "Đã ký" },
    });
    expect(res.status).toBe(201);
    const out = await res.json();
    expect(out).toMatchObject({ duplicate: false, applied: true });
    expect(out.dossier.status).toBe(9);
    expect(out.dossier.history.map((h: { eventId: string }) => h.eventId)).toContain("e-1");
  });

  it("the same eventId twice has no second effect", async () => {
    const body = { eventId: "e-2", status: 10, at: new Date(Date.now() + 2000).toISOString() };
    const first = await svc.api(`/api/v1/dossiers/${EV}/events`, { method: "POST", json: body });
    const second = await svc.api(`/api/v1/dossiers/${EV}/events`, { method: "POST", json: { ...body, status: 4 } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    const out = await second.json();
    expect(out.duplicate).toBe(true);
    expect(out.dossier.status).toBe(10);
    expect(out.dossier.history.filter((h: { eventId: string }) => h.eventId === "e-2")).toHaveLength(1);
  });

  it("an out-of-order (older) event is kept in history but does not move the status back", async () => {
    const res = await svc.api(`/api/v1/dossiers/${EV}/events`, {
      method: "POST",
      json: { eventId: "e-old", status: 4, at: "2023-01-13T09:00:00+07:00" },
    });
    const out = await res.json();
    expect(out.applied).toBe(false);
    expect(out.dossier.status).toBe(10);
    expect(out.dossier.history.find((h: { eventId: string }) => h.eventId === "e-old").applied).toBe(false);
  });

  it("concurrent deliveries of one event apply once", async () => {
    const body = { eventId: "e-race", status: 8, at: new Date(Date.now() + 5000).toISOString(), reason: "Dừng theo yêu cầu" };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => svc.api(`/api/v1/dossiers/${EV}/events`, { method: "POST", json: body }).then((r) => r.json())),
    );
    expect(results.filter((r) => r.duplicate === false)).toHaveLength(1);
    const d = await (await svc.api(`/api/v1/dossiers/${EV}`)).json();
    expect(d.history.filter((h: { eventId: string }) => h.eventId === "e-race")).toHaveLength(1);
    expect(d.status).toBe(8);
  });

  it("returning a ready result keeps the time it was ready (timeliness counts the agency's time)", async () => {
    const code = "000.00.15.H32-230112-0021";
    const day = 86_400_000;
    const t = (d: number) => new Date(Date.now() + d * day).toISOString();
    // Events may be dated at most 5 minutes ahead of the server clock.
    const minute = 60_000;
    await svc.api(`/api/v1/dossiers/${code}`, { method: "PUT", json: specDossier({ receivedAt: t(-3), appointmentAt: t(5) }) });
    await svc.api(`/api/v1/dossiers/${code}/events`, { method: "POST", json: { eventId: "r-9", status: 9, at: new Date(Date.now() + minute).toISOString() } });
    const returned = new Date(Date.now() + 2 * minute).toISOString();
    const out = await (await svc.api(`/api/v1/dossiers/${code}/events`, { method: "POST", json: { eventId: "r-10", status: 10, at: returned } })).json();
    expect(out.applied).toBe(true);
    expect(Date.parse(out.dossier.finishedAt)).toBeLessThan(Date.parse(out.dossier.appointmentAt));
    expect(out.dossier.returnedAt).toBe(returned);
    expect(out.dossier.timeliness.state).toBe("on_time");
  });

  it("unknown dossier → 404", async () => {
    const res = await svc.api(`/api/v1/dossiers/000.00.15.H32-230112-0999/events`, {
      method: "POST",
      json: { eventId: "x", status: 9, at: "2023-01-13T09:00:00+07:00" },
    });
    expect(res.status).toBe(404);
  });
});

describe("OpenAPI", () => {
  it("documents the dossier routes with their schemas", async () => {
    const res = await fetch(svc.url + "/api/v1/openapi.json");
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/v1/dossiers/{code}"].put.requestBody.content["application/json"].schema).toBeDefined();
    expect(JSON.stringify(doc.components.schemas)).toContain("procedureDurationDays");
  });
});
