// Automatic notices through the API and the fake Telegram and Zalo servers: a status event
// reaches every linked, consenting, unblocked account exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catchUpNotices, enqueueStatusNotices } from "../../src/core/notices/index.ts";
import { specDossier } from "../helpers/app.ts";
import { startDeliveryHarness, type DeliveryHarness } from "./harness.ts";
import { makeAccount, makeCitizen } from "./helpers.ts";

let h: DeliveryHarness;
beforeAll(async () => {
  h = await startDeliveryHarness({ zalo: true });
});
afterAll(async () => {
  await h?.close();
});

let seq = 100;
async function dossier(over: Record<string, unknown> = {}): Promise<{ id: number; code: string }> {
  const code = `000.00.15.H32-260302-${String(++seq).padStart(4, "0")}`;
  const res = await h.svc.api(`/api/v1/dossiers/${code}`, { method: "PUT", json: specDossier({ receivedAt: "2026-03-02T09:00:00+07:00", appointmentAt: "2026-03-16T09:00:00+07:00", ...over }) });
  expect(res.status).toBe(201);
  const d = await h.svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code }, select: { id: true } });
  await h.svc.ctx.prisma.unit.update({ where: { code: "000.00.15.H32" }, data: { address: "01 Hùng Vương, Cam Lộc", openingHours: "Thứ Hai–Thứ Sáu 7:00–11:30, 13:30–17:00" } });
  return { id: d.id, code };
}

let ev = 0;
function event(code: string, body: Record<string, unknown>) {
  return h.svc.api(`/api/v1/dossiers/${code}/events`, { method: "POST", json: { eventId: `ev-${++ev}`, at: new Date(Date.now() + ev).toISOString(), ...body } });
}

const chat = (userId: string) => Number(userId);

describe("automatic notices", () => {
  it("result ready → one message per linked account; the same event twice → still one", async () => {
    const d = await dossier();
    const vi = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id], language: "vi" });
    const en = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id], language: "en" });
    // Linked but without consent, and linked but blocked: neither gets anything.
    const noConsent = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id] });
    await h.svc.ctx.prisma.channelAccount.update({ where: { id: noConsent.accounts[0]!.id }, data: { consentAt: null } });
    const blocked = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id] });
    await h.svc.ctx.prisma.channelAccount.update({ where: { id: blocked.accounts[0]!.id }, data: { blockedAt: new Date(), blockedReason: "403" } });
    // Not linked at all.
    const stranger = await makeAccount(h.svc.ctx.prisma);

    const body = { eventId: `ready-${d.id}`, status: 9, at: new Date().toISOString() };
    expect((await h.svc.api(`/api/v1/dossiers/${d.code}/events`, { method: "POST", json: body })).status).toBe(201);
    await h.worker.drain();
    const viTexts = h.tg.texts(chat(vi.accounts[0]!.platformUserId));
    const enTexts = h.tg.texts(chat(en.accounts[0]!.platformUserId));
    expect(viTexts).toHaveLength(1);
    expect(enTexts).toHaveLength(1);
    expect(viTexts[0]).toContain(`Hồ sơ ${d.code}`);
    expect(viTexts[0]).toContain("đã có kết quả");
    expect(viTexts[0]).toContain("01 Hùng Vương, Cam Lộc");
    expect(viTexts[0]).toContain("Thứ Hai–Thứ Sáu 7:00–11:30");
    expect(enTexts[0]).toContain(`The result of dossier ${d.code} (Đăng ký biến động quyền sử dụng đất) is ready`);
    for (const a of [noConsent, blocked]) expect(h.tg.texts(chat(a.accounts[0]!.platformUserId))).toHaveLength(0);
    expect(h.tg.texts(chat(stranger.platformUserId))).toHaveLength(0);

    // The same event again (the provincial software redelivers) and a repeated listener call.
    expect((await h.svc.api(`/api/v1/dossiers/${d.code}/events`, { method: "POST", json: body })).status).toBe(200);
    const change = { dossierId: d.id, code: d.code, from: 4, to: 9, at: new Date(body.at), eventId: body.eventId, reason: null };
    expect(await enqueueStatusNotices({ prisma: h.svc.ctx.prisma, calendar: h.svc.ctx.calendar, logger: h.svc.ctx.logger }, change)).toBe(0);
    await h.worker.drain();
    expect(h.tg.texts(chat(vi.accounts[0]!.platformUserId))).toHaveLength(1);
    expect(h.tg.texts(chat(en.accounts[0]!.platformUserId))).toHaveLength(1);
    const rows = await h.svc.ctx.prisma.outboundMessage.findMany({ where: { dossierId: d.id } });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.state === "sent" && r.dedupeKey.startsWith(`notice:${d.id}:${body.eventId}:`))).toBe(true);
  });

  it("postal and online returns say so instead of the counter", async () => {
    const postal = await dossier({ returnMethod: "postal" });
    const online = await dossier({ returnMethod: "online" });
    const c = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [postal.id, online.id] });
    await event(postal.code, { status: 9 });
    await event(online.code, { status: 9 });
    await h.worker.drain();
    const texts = h.tg.texts(chat(c.accounts[0]!.platformUserId)).join("\n---\n");
    expect(texts).toContain("bưu chính công ích");
    expect(texts).toContain("trả trực tuyến");
  });

  it("supplement requested (reason), fee due (amount), returned (thank-you leading to the survey)", async () => {
    const d = await dossier({ feeAmount: 1_500_000 });
    const c = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id] });
    const u = chat(c.accounts[0]!.platformUserId);
    await event(d.code, { status: 5, reason: "Thiếu bản sao sổ đỏ có chứng thực" });
    await h.worker.drain();
    await event(d.code, { status: 6 });
    await h.worker.drain();
    await event(d.code, { status: 10 });
    await h.worker.drain();
    const [supplement, fee, returned] = h.tg.texts(u) as [string, string, string];
    expect(h.tg.texts(u)).toHaveLength(3);
    expect(supplement).toContain("cần bổ sung");
    expect(supplement).toContain("Thiếu bản sao sổ đỏ có chứng thực");
    expect(fee).toContain("1.500.000 đồng");
    expect(returned).toContain("Cảm ơn Ông/Bà");
    expect(returned).toContain("mức độ hài lòng");
    // The status card is one button away (the conversation answers s:<dossierId>).
    const call = h.tg.sent("sendMessage", u)[0]!;
    expect(JSON.stringify(call.body.reply_markup)).toContain(`s:${d.id}`);
  });

  it("a processing event sends nothing", async () => {
    const d = await dossier({ status: 2 });
    const c = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id] });
    await event(d.code, { status: 4 });
    await h.worker.drain();
    expect(h.tg.texts(chat(c.accounts[0]!.platformUserId))).toHaveLength(0);
  });

  it("late: the apology with the reason and the new date, at most once per dossier", async () => {
    const d = await dossier();
    const c = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id] });
    const u = chat(c.accounts[0]!.platformUserId);
    const res = await h.svc.api(`/api/v1/dossiers/${d.code}/apology`, {
      method: "POST",
      json: { reason: "Cần xác minh thực địa", newAppointmentAt: "2026-03-23T09:00:00+07:00" },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ code: d.code, notifiedAccounts: 1 });
    await h.worker.drain();
    const texts = h.tg.texts(u);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("xin lỗi");
    expect(texts[0]).toContain("Cần xác minh thực địa");
    expect(texts[0]).toContain("23/03/2026");
    const view = await (await h.svc.api(`/api/v1/dossiers/${d.code}`)).json();
    expect(view.appointmentAt).toBe("2026-03-23T02:00:00.000Z");

    // A second apology is refused (Decree 61/2018: once), and a re-dating status event is silent.
    const again = await h.svc.api(`/api/v1/dossiers/${d.code}/apology`, { method: "POST", json: { reason: "x", newAppointmentAt: "2026-03-30T09:00:00+07:00" } });
    expect(again.status).toBe(409);
    const deps = { prisma: h.svc.ctx.prisma, calendar: h.svc.ctx.calendar, logger: h.svc.ctx.logger };
    const change = { dossierId: d.id, code: d.code, from: 4, to: 4, at: new Date(), eventId: "redate-2", reason: "y", newAppointmentAt: new Date("2026-03-30T02:00:00Z") };
    expect(await enqueueStatusNotices(deps, change)).toBe(0);
    await h.worker.drain();
    expect(h.tg.texts(u)).toHaveLength(1);
  });

  it("a re-dating status event carrying newAppointmentAt triggers the apology once", async () => {
    const d = await dossier();
    const c = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id], language: "en" });
    const deps = { prisma: h.svc.ctx.prisma, calendar: h.svc.ctx.calendar, logger: h.svc.ctx.logger };
    const change = { dossierId: d.id, code: d.code, from: 4, to: 4, at: new Date(), eventId: "redate-1", reason: "Site visit needed", newAppointmentAt: new Date("2026-04-06T02:00:00Z") };
    expect(await enqueueStatusNotices(deps, change)).toBe(1);
    expect(await enqueueStatusNotices(deps, change)).toBe(0);
    await h.worker.drain();
    const texts = h.tg.texts(chat(c.accounts[0]!.platformUserId));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("sincerely apologises");
    expect(texts[0]).toContain("06/04/2026");
  });

  it("status changes from a bulk import notify too", async () => {
    const d = await dossier();
    const c = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id] });
    const row = { code: d.code, ...specDossier({ receivedAt: "2026-03-02T09:00:00+07:00", appointmentAt: "2026-03-16T09:00:00+07:00", status: 9 }) };
    const res = await h.svc.api("/api/v1/dossiers/import", { method: "POST", json: [row] });
    expect(res.status).toBe(200);
    await h.worker.drain();
    expect(h.tg.texts(chat(c.accounts[0]!.platformUserId))).toEqual([expect.stringContaining("đã có kết quả")]);
  });

  it("an event committed before a crash (listener never ran) is noticed by the start-up catch-up, once", async () => {
    const d = await dossier();
    const c = await makeCitizen(h.svc.ctx.prisma, { dossierIds: [d.id] });
    const at = new Date();
    // What applyEvent commits, without the listener call that would follow it.
    await h.svc.ctx.prisma.$transaction([
      h.svc.ctx.prisma.dossierStatusEvent.create({ data: { dossierId: d.id, eventId: "lost-1", status: 9, at, applied: true } }),
      h.svc.ctx.prisma.dossier.update({ where: { id: d.id }, data: { status: 9, statusAt: at } }),
    ]);
    const deps = { prisma: h.svc.ctx.prisma, calendar: h.svc.ctx.calendar, logger: h.svc.ctx.logger };
    expect(await catchUpNotices(deps, new Date(Date.now() - 60_000))).toBeGreaterThanOrEqual(1);
    expect(await catchUpNotices(deps, new Date(Date.now() - 60_000))).toBe(0);
    await h.worker.drain();
    expect(h.tg.texts(chat(c.accounts[0]!.platformUserId))).toEqual([expect.stringContaining("đã có kết quả")]);
  });

  it("Zalo: the notice goes to the OA chat; with the window closed, to the phone by ZNS", async () => {
    const zalo = h.zalo!;
    const d = await dossier();
    const open = await makeCitizen(h.svc.ctx.prisma, { channels: ["zalo"], dossierIds: [d.id] });
    const closed = await makeCitizen(h.svc.ctx.prisma, { channels: ["zalo"], dossierIds: [d.id], phone: "0912345678" });
    zalo.closeWindow(closed.accounts[0]!.platformUserId);
    await event(d.code, { status: 9 });
    await h.worker.drain();
    expect(zalo.texts(open.accounts[0]!.platformUserId)).toEqual([expect.stringContaining("đã có kết quả")]);
    const zns = zalo.sent("zns/message/template");
    expect(zns).toHaveLength(1);
    expect(zns[0]!.body).toMatchObject({ phone: "84912345678", template_id: "zns-tpl-status", template_data: { dossier_code: d.code, status: "Đã có kết quả" } });
    const rows = await h.svc.ctx.prisma.outboundMessage.findMany({ where: { dossierId: d.id, channel: "zalo" }, orderBy: { accountId: "asc" } });
    expect(rows.map((r) => r.state)).toEqual(["sent", "sent"]);
    expect(rows[1]!.platformMessageId).toMatch(/^zns:/);
  });

  it("Zalo window closed without a phone number: undeliverable, window closed", async () => {
    const d = await dossier({ applicant: { name: "B" } });
    const c = await makeCitizen(h.svc.ctx.prisma, { channels: ["zalo"], dossierIds: [d.id] });
    h.zalo!.closeWindow(c.accounts[0]!.platformUserId, -213);
    await event(d.code, { status: 9 });
    await h.worker.drain();
    const row = await h.svc.ctx.prisma.outboundMessage.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(row.state).toBe("undeliverable");
    expect(row.error).toContain("window closed");
  });
});
