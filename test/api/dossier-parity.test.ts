// One set of rules (issue 10): the same rows through PUT and through the bulk import store the
// same dossiers (catalogue, derived columns, computed appointment, history).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

const rows = (prefix: string) => [
  { code: `000.00.15.H32-${prefix}-0001`, ...specDossier() },
  { code: `000.00.15.H32-${prefix}-0002`, ...specDossier({ status: 9, appointmentAt: undefined, currentStep: null }) },
  { code: `000.00.15.H32-${prefix}-0003`, ...specDossier({ status: 6, feeAmount: 50000, unitName: "Tên khác", procedureDurationDays: 3 }) },
  { code: `000.00.15.H32-${prefix}-0004`, ...specDossier({ status: 10, returnMethod: "postal", postalDelivered: true, applicant: { name: "Lê Thị B" } }) },
];

async function stored(prefix: string) {
  const ds = await svc.ctx.prisma.dossier.findMany({
    where: { code: { startsWith: `000.00.15.H32-${prefix}` } },
    orderBy: { code: "asc" },
    include: { unit: true, procedure: true, history: true },
  });
  return ds.map((d) => ({
    seq: d.code.slice(-4),
    unit: d.unit.name,
    procedure: [d.procedure.name, d.procedure.durationDays],
    applicant: [d.applicantName, d.applicantPhone, d.applicantIdMasked],
    dates: [d.receivedAt.toISOString(), d.appointmentAt.toISOString(), d.appointmentComputed, d.originalAppointmentAt?.toISOString()],
    status: [d.status, d.currentStep, d.returnMethod, d.postalDelivered, d.feeStatus, d.feeAmount],
    derived: [d.finishedAt !== null, d.returnedAt !== null, d.finishedAt?.getTime() === d.statusAt.getTime()],
    history: d.history.map((h) => [h.status, h.applied]),
  }));
}

describe("PUT and import store the same dossiers", () => {
  it("four varied rows, once each way", async () => {
    for (const r of rows("230112")) {
      const { code, ...body } = r;
      expect((await svc.api(`/api/v1/dossiers/${code}`, { method: "PUT", json: body })).status).toBe(201);
    }
    const res = await svc.api("/api/v1/dossiers/import", { method: "POST", json: rows("230113") });
    expect(res.status).toBe(200);
    const viaPut = await stored("230112");
    const viaImport = await stored("230113");
    expect(viaPut).toHaveLength(4);
    expect(viaImport).toEqual(viaPut);
  });
});
