// Issue 4: the survey invitation is asked on the chat the citizen used last — among the chosen
// notice channel's accounts when they chose one, falling back to the others when that
// channel's account is blocked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickAccount } from "../../src/core/survey/invite.ts";
import { createSurveyHarness, HOUR, type SurveyHarness } from "./helpers.ts";

let h: SurveyHarness;
let n = 700;
const code = () => `000.00.15.H32-230112-${String(++n).padStart(4, "0")}`;

beforeAll(async () => {
  h = await createSurveyHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A citizen on Zalo (used an hour ago) who also has a Telegram chat (used just now). */
async function citizenOnBoth(dossierId: number, noticeChannel: "telegram" | "zalo" | null) {
  const zl = await h.citizen({ channel: "zalo", dossierIds: [dossierId], lastInboundAt: new Date(Date.now() - HOUR) });
  const tg = await h.ctx.prisma.channelAccount.create({
    data: { channel: "telegram", platformUserId: `tg-${n}`, citizenId: zl.citizenId, consentAt: new Date(), lastInboundAt: new Date() },
  });
  await h.ctx.prisma.citizen.update({ where: { id: zl.citizenId }, data: { noticeChannel } });
  return { citizenId: zl.citizenId, zaloAccountId: zl.accountId, telegramAccountId: tg.id };
}

async function askedOn(dossierId: number) {
  const inv = await h.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId } });
  const msg = await h.ctx.prisma.outboundMessage.findFirstOrThrow({ where: { dossierId, kind: "survey" } });
  return { state: inv.state, channel: inv.channel, accountId: msg.accountId };
}

describe("survey invitation and the notice channel", () => {
  it("no choice: the chat used last", async () => {
    const d = await h.dossier(code());
    const c = await citizenOnBoth(d.id, null);
    await h.returned(d.code);
    expect(await askedOn(d.id)).toEqual({ state: "sent", channel: "telegram", accountId: c.telegramAccountId });
  });

  it("Zalo chosen: asked on Zalo although Telegram was used later", async () => {
    const d = await h.dossier(code());
    const c = await citizenOnBoth(d.id, "zalo");
    await h.returned(d.code);
    expect(await askedOn(d.id)).toEqual({ state: "sent", channel: "zalo", accountId: c.zaloAccountId });
  });

  it("Zalo chosen but blocked: asked on Telegram rather than not at all", async () => {
    const d = await h.dossier(code());
    const c = await citizenOnBoth(d.id, "zalo");
    await h.ctx.prisma.channelAccount.update({ where: { id: c.zaloAccountId }, data: { blockedAt: new Date(), lastInboundAt: null } });
    await h.returned(d.code);
    expect(await askedOn(d.id)).toEqual({ state: "sent", channel: "telegram", accountId: c.telegramAccountId });
  });

  it("pickAccount: the chosen channel only when it has a usable account", () => {
    const at = (ms: number) => new Date(1_700_000_000_000 + ms);
    const accounts = [
      { id: 1, channel: "telegram", language: null, consentAt: at(0), blockedAt: null, lastInboundAt: at(2) },
      { id: 2, channel: "zalo", language: "en", consentAt: at(0), blockedAt: null, lastInboundAt: at(1) },
    ];
    expect(pickAccount(accounts, ["telegram", "zalo"])?.id).toBe(1);
    expect(pickAccount(accounts, ["telegram", "zalo"], null)?.id).toBe(1);
    expect(pickAccount(accounts, ["telegram", "zalo"], "zalo")).toEqual({ id: 2, channel: "zalo", language: "en" });
    // Zalo has no sender in this process: Telegram.
    expect(pickAccount(accounts, ["telegram"], "zalo")?.id).toBe(1);
    // Zalo account without consent: Telegram.
    expect(pickAccount([accounts[0]!, { ...accounts[1]!, consentAt: null }], ["telegram", "zalo"], "zalo")?.id).toBe(1);
  });
});
