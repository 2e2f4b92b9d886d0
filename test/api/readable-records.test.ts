// Records staff can read: the audit log names keys and speaks in sentences, a broadcast says why
// it is not sending (quiet hours until 07:00), the dossier view says a supplement is awaited and why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/core/api-keys.ts";
import { BroadcastService } from "../../src/core/broadcasts/service.ts";
import { silentLogger } from "../../src/logger.ts";
import { makeCitizen, makeDossiers } from "../delivery/helpers.ts";
import { specDossier, startTestService, type TestService } from "../helpers/app.ts";

let svc: TestService;
let staff: { id: number; key: string };
beforeAll(async () => {
  svc = await startTestService();
  staff = await createApiKey(svc.ctx.prisma, "staff", "Chị Lan", "test");
});
afterAll(async () => {
  await svc?.close();
});

describe("audit log", () => {
  it("shows the key's name and a sentence in both languages", async () => {
    const code = "000.00.15.H32-230112-0001";
    expect((await svc.api(`/api/v1/dossiers/${code}`, { method: "PUT", json: specDossier(), key: staff.key })).status).toBe(201);
    // After the sync (an older event would be kept in the history only).
    const at = new Date(Date.now() + 1000).toISOString();
    const ev = { eventId: "e-1", status: 5, at, reason: "Thiếu bản sao sổ hộ khẩu" };
    expect((await svc.api(`/api/v1/dossiers/${code}/events`, { method: "POST", json: ev, key: staff.key })).status).toBe(201);
    const page = await (await svc.api("/api/v1/audit-log?action=dossier.*")).json();
    const [event, create] = page.items;
    expect(event.actor).toBe(`api-key:${staff.id}`);
    expect(event.actorName).toEqual({ vi: "Chị Lan", en: "Chị Lan" });
    expect(event.summary.vi).toBe(`Ghi trạng thái “Chờ bổ sung hồ sơ” cho hồ sơ ${code}.`);
    expect(event.summary.en).toBe(`Recorded status “Waiting for additional documents” for dossier ${code}.`);
    expect(create.summary.vi).toBe(`Tạo hồ sơ ${code} (đồng bộ).`);
    const keys = await (await svc.api("/api/v1/audit-log?action=api_key.create")).json();
    expect(keys.items[0].actorName.vi).toBe("test");

    // The dossier view: waiting for the supplement, with what the citizen was told.
    const view = await (await svc.api(`/api/v1/dossiers/${code}`, { key: staff.key })).json();
    expect(view).toMatchObject({ supplementPending: true, supplementReason: "Thiếu bản sao sổ hộ khẩu", supplementRequestedAt: at });
  });
});

describe("broadcast state", () => {
  it("explains that quiet hours hold it, and until when", async () => {
    const prisma = svc.ctx.prisma;
    const dossiers = await makeDossiers(prisma, 1, { unitCode: "000.00.17.H32", unitName: "UBND phường Ba" });
    await makeCitizen(prisma, { dossierIds: [dossiers[0]!.id] });
    // 22:00 in Vietnam: a non-urgent announcement waits for 07:00 the next morning.
    const now = new Date("2026-03-02T22:00:00+07:00");
    const service = new BroadcastService({ prisma, logger: silentLogger, approvalThreshold: 100, quietHours: { start: "21:00", end: "07:00" }, channels: ["telegram"], now: () => now });
    const r = await service.create({ text: "Thông báo {code}", audience: { unitCodes: ["000.00.17.H32"] }, urgent: false, dryRun: false }, `api-key:${staff.id}`);
    if (r.dryRun) throw new Error("not a dry run");
    expect(r.broadcast.status).toBe("sending");
    expect(r.broadcast.createdByName.vi).toBe("Chị Lan");
    expect(r.broadcast.waiting).toEqual({
      reason: "quiet_hours",
      until: "2026-03-03T00:00:00.000Z",
      message: { vi: "Tạm giữ vì giờ yên lặng, sẽ gửi lúc 07:00 ngày 03/03/2026", en: "Held by quiet hours until 07:00 on 03/03/2026" },
    });
    const approval = new BroadcastService({ prisma, logger: silentLogger, approvalThreshold: 1, quietHours: null, channels: ["telegram"], now: () => now });
    const waiting = await approval.create({ text: "Thông báo {code}", audience: { unitCodes: ["000.00.17.H32"] }, urgent: false, dryRun: false }, "bootstrap");
    if (waiting.dryRun) throw new Error("not a dry run");
    expect(waiting.broadcast.waiting?.message.vi).toBe("Đang chờ một cán bộ khác phê duyệt");
    expect(waiting.broadcast.createdByName.vi).toBe("khóa quản trị ADMIN_API_KEY");
  });
});
