// Issue 4: a citizen with chats on Telegram and Zalo gets notices on both unless they chose
// one (Citizen.noticeChannel); when the chosen channel's account cannot be written to, the
// other one gets the notice instead of nobody. Broadcasts follow the same choice.
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConversationService } from "../../src/core/conversation/index.ts";
import { specDossier } from "../helpers/app.ts";
import { startDeliveryHarness, type DeliveryHarness } from "./harness.ts";
import { makeCitizen } from "./helpers.ts";

let h: DeliveryHarness;
beforeAll(async () => {
  h = await startDeliveryHarness({ zalo: true });
});
afterAll(async () => {
  await h?.close();
});

let seq = 500;
async function dossier(): Promise<{ id: number; code: string }> {
  const code = `000.00.15.H32-260302-${String(++seq).padStart(4, "0")}`;
  const res = await h.svc.api(`/api/v1/dossiers/${code}`, { method: "PUT", json: specDossier({ receivedAt: "2026-03-02T09:00:00+07:00", appointmentAt: "2026-03-16T09:00:00+07:00" }) });
  expect(res.status).toBe(201);
  return { id: (await h.svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code }, select: { id: true } })).id, code };
}

let ev = 0;
async function resultReady(code: string): Promise<void> {
  const res = await h.svc.api(`/api/v1/dossiers/${code}/events`, { method: "POST", json: { eventId: `nc-${++ev}`, status: 9, at: new Date(Date.now() + ev).toISOString() } });
  expect(res.status).toBe(201);
}

/** The accounts an enqueued notice about the dossier went to. */
async function noticedAccounts(dossierId: number): Promise<number[]> {
  const rows = await h.svc.ctx.prisma.outboundMessage.findMany({ where: { dossierId, kind: "notice" }, orderBy: { accountId: "asc" }, select: { accountId: true } });
  return rows.map((r) => r.accountId);
}

/** A citizen with one Telegram and one Zalo account (one person, joined by the proven phone). */
async function bothChannels(dossierIds: number[]) {
  const c = await makeCitizen(h.svc.ctx.prisma, { channels: ["telegram", "zalo"], dossierIds, phone: null });
  const [tg, zl] = c.accounts as [(typeof c.accounts)[number], (typeof c.accounts)[number]];
  return { citizenId: c.citizenId, tg, zl };
}

function conversation(): ConversationService {
  const ctx = h.svc.ctx;
  return databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher });
}

describe("notice channel", () => {
  it("result ready goes to both chats by default, and only to the chosen one after choosing", async () => {
    const first = await dossier();
    const second = await dossier();
    const c = await bothChannels([first.id, second.id]);

    await resultReady(first.code);
    expect(await noticedAccounts(first.id)).toEqual([c.tg.id, c.zl.id].sort((a, b) => a - b));
    await h.worker.drain();
    expect(h.tg.texts(Number(c.tg.platformUserId))).toEqual([expect.stringContaining("đã có kết quả")]);
    expect(h.zalo!.texts(c.zl.platformUserId)).toEqual([expect.stringContaining("đã có kết quả")]);

    // The citizen presses "Nhận thông báo qua Zalo" (from either chat).
    const replies = await conversation().handle({ channel: "telegram", userId: c.tg.platformUserId, input: { kind: "button", data: "n:zalo" } });
    expect(replies[0]!.text).toContain("chỉ được gửi qua Zalo");
    expect((await h.svc.ctx.prisma.citizen.findUniqueOrThrow({ where: { id: c.citizenId } })).noticeChannel).toBe("zalo");

    await resultReady(second.code);
    expect(await noticedAccounts(second.id)).toEqual([c.zl.id]);
    await h.worker.drain();
    expect(h.tg.texts(Number(c.tg.platformUserId))).toHaveLength(1);
    expect(h.zalo!.texts(c.zl.platformUserId)).toHaveLength(2);

    // "Cả hai" again: both.
    await conversation().handle({ channel: "zalo", userId: c.zl.platformUserId, input: { kind: "text", text: "nhận thông báo cả hai" } });
    const third = await dossier();
    await h.svc.ctx.prisma.dossierLink.create({ data: { citizenId: c.citizenId, dossierId: third.id, verifiedBy: "staff", consentAt: new Date() } });
    await resultReady(third.code);
    expect(await noticedAccounts(third.id)).toHaveLength(2);
  });

  it("falls back to the other chat when the chosen channel's account is blocked or gone", async () => {
    const blocked = await dossier();
    const gone = await dossier();
    const c = await bothChannels([blocked.id, gone.id]);
    await h.svc.ctx.prisma.citizen.update({ where: { id: c.citizenId }, data: { noticeChannel: "telegram" } });

    // Blocked the bot on Telegram (403 on an earlier send): the notice goes to Zalo.
    await h.svc.ctx.prisma.channelAccount.update({ where: { id: c.tg.id }, data: { blockedAt: new Date(Date.now() - 60_000), blockedReason: "403", lastInboundAt: null } });
    await resultReady(blocked.code);
    expect(await noticedAccounts(blocked.id)).toEqual([c.zl.id]);

    // The Telegram account is detached (its data deleted there): Zalo still gets it.
    await h.svc.ctx.prisma.channelAccount.update({ where: { id: c.tg.id }, data: { citizenId: null, blockedAt: null } });
    await resultReady(gone.code);
    expect(await noticedAccounts(gone.id)).toEqual([c.zl.id]);
    await h.worker.drain();
    expect(h.zalo!.texts(c.zl.platformUserId)).toHaveLength(2);
    expect(h.tg.texts(Number(c.tg.platformUserId))).toHaveLength(0);
  });

  it("the late apology follows the choice too", async () => {
    const d = await dossier();
    const c = await bothChannels([d.id]);
    await h.svc.ctx.prisma.citizen.update({ where: { id: c.citizenId }, data: { noticeChannel: "zalo" } });
    const res = await h.svc.api(`/api/v1/dossiers/${d.code}/apology`, { method: "POST", json: { reason: "Cần xác minh thực địa", newAppointmentAt: "2026-03-23T09:00:00+07:00" } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ notifiedAccounts: 1 });
    expect(await noticedAccounts(d.id)).toEqual([c.zl.id]);
  });

  it("broadcasts: only the chosen channel, the other one when the chosen account is blocked", async () => {
    const ds = [await dossier(), await dossier(), await dossier()] as const;
    const chose = await bothChannels([ds[0].id]);
    const both = await bothChannels([ds[1].id]);
    const choseBlocked = await bothChannels([ds[2].id]);
    await h.svc.ctx.prisma.citizen.updateMany({ where: { id: { in: [chose.citizenId, choseBlocked.citizenId] } }, data: { noticeChannel: "zalo" } });
    await h.svc.ctx.prisma.channelAccount.update({ where: { id: choseBlocked.zl.id }, data: { blockedAt: new Date(Date.now() - 60_000), blockedReason: "-213", lastInboundAt: null } });

    const res = await h.svc.api("/api/v1/broadcasts", { method: "POST", json: { text: "Thông báo về hồ sơ {code}", audience: { dossierCodes: ds.map((d) => d.code) } } });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { broadcast: { id: number } }).broadcast.id;
    const rows = await h.svc.ctx.prisma.outboundMessage.findMany({ where: { broadcastId: id }, select: { accountId: true, state: true } });
    // Queued rows may already be on their way (the worker runs): "reached" is anything but skipped.
    const stateOf = (accountId: number) => {
      const row = rows.find((r) => r.accountId === accountId);
      return !row ? "none" : row.state === "skipped" ? "skipped" : "reached";
    };
    expect(rows).toHaveLength(5);
    expect([stateOf(chose.zl.id), stateOf(chose.tg.id)]).toEqual(["reached", "none"]);
    expect([stateOf(both.zl.id), stateOf(both.tg.id)]).toEqual(["reached", "reached"]);
    // The blocked Zalo account keeps its skipped receipt; Telegram reaches the citizen.
    expect([stateOf(choseBlocked.zl.id), stateOf(choseBlocked.tg.id)]).toEqual(["skipped", "reached"]);
  });
});
