// Parallel writers of one dossier (issue 10, findings 3 and 4): N staff systems syncing the same
// change at once give one history row and one message in the citizen's chat; concurrent
// creation never fails on the unique key; an apology answered 409 changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { DossierService } from "../../src/core/dossiers.ts";
import { specDossier } from "../helpers/app.ts";
import { startDeliveryHarness, type DeliveryHarness } from "../delivery/harness.ts";
import { makeCitizen } from "../delivery/helpers.ts";

let h: DeliveryHarness;
beforeAll(async () => {
  h = await startDeliveryHarness();
});
afterAll(async () => {
  await h?.close();
});

const UNIT = "000.00.15.H32";
let seq = 0;
const nextCode = () => `${UNIT}-260302-${String(++seq + 7000).padStart(4, "0")}`;
const put = (code: string, over: Record<string, unknown> = {}) =>
  h.svc.api(`/api/v1/dossiers/${code}`, {
    method: "PUT",
    json: specDossier({ receivedAt: "2026-03-02T09:00:00+07:00", appointmentAt: "2026-03-16T09:00:00+07:00", ...over }),
  });

async function history(code: string) {
  const d = await h.svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code }, include: { history: { orderBy: [{ at: "asc" }, { id: "asc" }] } } });
  return d;
}

describe("parallel writers of one dossier", () => {
  it("50 parallel PUTs moving a linked dossier 4 → 9: one history row, one 'result ready' message", async () => {
    const code = nextCode();
    expect((await put(code)).status).toBe(201);
    const d = await h.svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code } });
    const citizen = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id] });

    const answers = await Promise.all(Array.from({ length: 50 }, () => put(code, { status: 9 })));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));

    const stored = await history(code);
    expect(stored.status).toBe(9);
    expect(stored.history.map((e) => e.status)).toEqual([4, 9]);
    await h.worker.drain();
    const texts = h.tg.texts(Number(citizen.accounts[0]!.platformUserId));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("đã có kết quả");
  });

  it("five service instances (no shared in-process queue) writing one change: one history row", async () => {
    const code = nextCode();
    expect((await put(code)).status).toBe(201);
    const { prisma, calendar, hasher } = h.svc.ctx;
    const instances = Array.from({ length: 5 }, () => new DossierService({ prisma, calendar, hasher }));
    const input = dossierInputSchema.parse(specDossier({ receivedAt: "2026-03-02T09:00:00+07:00", appointmentAt: "2026-03-16T09:00:00+07:00", status: 9 }));
    await Promise.all(Array.from({ length: 25 }, (_, i) => instances[i % 5]!.upsert(code, input, "test")));
    expect((await history(code)).history.map((e) => e.status)).toEqual([4, 9]);
  });

  it("mixed-status parallel PUTs leave the dossier at the status of its last history row", async () => {
    const code = nextCode();
    expect((await put(code)).status).toBe(201);
    const statuses = Array.from({ length: 30 }, (_, i) => [2, 4, 5, 6, 9][i % 5]!);
    const answers = await Promise.all(statuses.map((status) => put(code, { status })));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const stored = await history(code);
    expect(stored.history.at(-1)!.status).toBe(stored.status);
    expect(stored.history.at(-1)!.at.getTime()).toBe(stored.statusAt.getTime());
    // Every history row is a real change from the one before it.
    for (let i = 1; i < stored.history.length; i++) expect(stored.history[i]!.status).not.toBe(stored.history[i - 1]!.status);
  });

  it("20 parallel PUTs creating the same new dossier (and new unit): no 500, one created, one history row", async () => {
    const unit = "000.00.77.H32";
    const code = `${unit}-260302-0001`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => put(code, { unitCode: unit, unitName: "UBND xã Song Song", procedureCode: "9.770001", procedureName: "Thủ tục song song" })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201]);
    const stored = await history(code);
    expect(stored.history).toHaveLength(1);
    expect(await h.svc.ctx.prisma.unit.count({ where: { code: unit } })).toBe(1);
  });

  it("20 parallel apologies: one 201, nineteen 409, and the stored appointment is the 201's", async () => {
    const code = nextCode();
    expect((await put(code)).status).toBe(201);
    const dates = Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2026, 3, 1 + i, 2)).toISOString());
    const answers = await Promise.all(
      dates.map((newAppointmentAt, i) =>
        h.svc.api(`/api/v1/dossiers/${code}/apology`, { method: "POST", json: { reason: `Lý do ${i}`, newAppointmentAt } }).then(async (r) => ({ status: r.status, i })),
      ),
    );
    const ok = answers.filter((a) => a.status === 201);
    expect(ok).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
    const stored = await history(code);
    expect(stored.appointmentAt.toISOString()).toBe(dates[ok[0]!.i]);
    // One re-dating event; one apology marker.
    expect(stored.history.filter((e) => e.eventId.startsWith("apology:"))).toHaveLength(1);
    expect(await h.svc.ctx.prisma.auditLog.count({ where: { action: "notice.apology", target: code } })).toBe(1);
  });
});

describe("the catalogue belongs to admins", () => {
  it("a PUT naming an existing unit or procedure differently: warning + audit row, nothing renamed or re-timed", async () => {
    const code = nextCode();
    expect((await put(code)).status).toBe(201);
    const before = await h.svc.ctx.prisma.procedure.findUniqueOrThrow({ where: { code: "1.004227" } });
    const code2 = nextCode();
    const res = await put(code2, { unitName: "Tên khác", procedureName: "Thủ tục đổi tên", procedureDurationDays: 2, appointmentAt: undefined });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.warnings.map((w: { kind: string }) => w.kind).sort()).toEqual(["procedure.durationDays", "procedure.name", "unit.name"]);
    expect(body.dossier.unit.name).toBe("UBND phường Cam Lộc");
    expect(body.dossier.procedure).toMatchObject({ name: before.name, durationDays: before.durationDays });
    // The appointment comes from the statutory (stored) duration, not from the row.
    expect(body.dossier.appointmentComputed).toBe(true);
    const cal = await h.svc.ctx.calendar.get();
    expect(body.dossier.appointmentAt).toBe(cal.appointmentDate(new Date("2026-03-02T09:00:00+07:00"), before.durationDays!).toISOString());
    const after = await h.svc.ctx.prisma.procedure.findUniqueOrThrow({ where: { code: "1.004227" } });
    expect(after).toMatchObject({ name: before.name, durationDays: before.durationDays });
    const audits = await h.svc.ctx.prisma.auditLog.findMany({ where: { action: "catalogue.mismatch", details: { path: ["dossier"], equals: code2 } } });
    expect(audits.map((a) => a.target).sort()).toEqual(["procedure:1.004227", "procedure:1.004227", `unit:${UNIT}`]);
  });

  it("durations change through the admin API, audit-logged with the old and the new value", async () => {
    const res = await h.svc.api("/api/v1/procedures/1.004227", { method: "PUT", json: { name: "Đăng ký biến động quyền sử dụng đất", durationDays: 12 } });
    expect(res.status).toBe(200);
    const audit = await h.svc.ctx.prisma.auditLog.findFirstOrThrow({ where: { action: "procedure.upsert", target: "procedure:1.004227" }, orderBy: { id: "desc" } });
    expect(audit.details).toMatchObject({ changes: { durationDays: { from: 10, to: 12 } } });
  });
});
