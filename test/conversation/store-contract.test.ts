// The two conversation stores — in memory (for tests without a database) and over the
// database — behave the same: the same scenario, the same observable results.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/app/config.ts";
import { createContext, type AppContext } from "../../src/app/context.ts";
import type { CitizenDossier } from "../../src/core/conversation/citizen-view.ts";
import { MemoryConversationStore } from "../../src/core/conversation/memory-store.ts";
import { PrismaConversationStore } from "../../src/core/conversation/prisma-store.ts";
import type { ConversationStore } from "../../src/core/conversation/store.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { silentLogger } from "../../src/logger.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { NOW, specDossier, UNIT } from "./helpers.ts";

const CODE = "000.00.15.H32-230112-0001";
const PHONE = "0905000001";

let db: TestDatabase;
let ctx: AppContext;
beforeAll(async () => {
  db = await createTestDatabase();
  ctx = await createContext(loadConfig({ HASH_PEPPER: "test-pepper-0123456789abcdef", LOG_LEVEL: "silent" }), db, silentLogger);
});
afterAll(async () => {
  await db?.close();
});

/** Each store with one dossier of the applicant PHONE / ID …1234; returns the dossier id. */
async function stores(): Promise<[string, ConversationStore, number][]> {
  const { dossier } = await ctx.dossiers.upsert(CODE, dossierInputSchema.parse(specDossier({ applicant: { name: "B", phone: PHONE, idNumber: "056089001234" } })), "test");
  await ctx.prisma.unit.updateMany({ where: { code: UNIT.code }, data: { hotline: UNIT.hotline } });
  const dbId = (await ctx.prisma.dossier.findUniqueOrThrow({ where: { code: dossier.code } })).id;
  const mem = new MemoryConversationStore();
  const view = (await ctx.prisma.dossier.findUniqueOrThrow({ where: { id: dbId }, select: (await import("../../src/core/conversation/citizen-view.ts")).citizenDossierSelect })) as CitizenDossier;
  mem.addDossier({ dossier: { ...view, id: 1 }, applicantPhone: PHONE, idLast4: "1234", demo: false });
  return [
    ["memory", mem, 1],
    ["database", new PrismaConversationStore(ctx.prisma, ctx.hasher), dbId],
  ];
}

describe("conversation stores keep the same contract", () => {
  it("accounts, state, proofs, limits, links, notices and erasure", async () => {
    const results: Record<string, unknown>[] = [];
    for (const [name, store, dossierId] of await stores()) {
      const r: Record<string, unknown> = {};
      const a = await store.touchAccount("telegram", `${name}-1`, NOW);
      r.fresh = { citizenId: a.citizenId, language: a.language, chosen: a.languageChosen, state: a.state };
      await store.saveState(a.id, { step: "await_proof", code: CODE, since: NOW.toISOString() });
      r.state = (await store.touchAccount("telegram", `${name}-1`, NOW)).state;
      await store.recordConsent(a.id, NOW, null);
      const acc = { id: a.id, channel: "telegram" as const, consentAt: NOW };
      r.wrong = [];
      for (const digits of ["0000", "1111", "2222", "3333"]) (r.wrong as unknown[]).push(await store.prove(acc, CODE, { kind: "id_last4", digits }, "vi", NOW));
      r.gateBefore = await store.proofGate(acc, CODE, "id_last4", NOW);
      r.fifth = await store.prove(acc, CODE, { kind: "id_last4", digits: "4444" }, "vi", NOW);
      r.gateAfter = await store.proofGate(acc, CODE, null, NOW);
      // Another account of the owner proves with the shared phone.
      const owner = await store.touchAccount("zalo", `${name}-owner`, NOW);
      await store.recordConsent(owner.id, NOW, null);
      const linked = await store.prove({ id: owner.id, channel: "zalo", consentAt: NOW }, CODE, { kind: "phone", phone: "+84 905 000 001" }, "vi", NOW);
      r.linked = linked.kind === "linked" ? { kind: linked.kind, dossier: linked.dossierId === dossierId, verifiedBy: linked.verifiedBy, phone: linked.phone } : linked;
      const citizenId = linked.kind === "linked" ? linked.citizenId : -1;
      r.dossiers = (await store.linkedDossiers(citizenId)).map((d) => ({ code: d.code, status: d.status }));
      r.card = (await store.citizenDossier(citizenId, dossierId))?.code;
      // The cards read with the account touch are the linked cards, and the account keeps its own id.
      const touched = await store.touchAccount("zalo", `${name}-owner`, NOW, { withCards: true });
      r.touchedCards = { sameAccount: touched.id === owner.id, cards: touched.linkedCards?.map((c) => c.code), equal: JSON.stringify(touched.linkedCards) === JSON.stringify(await store.linkedCards(citizenId)) };
      r.strangerCards = (await store.touchAccount("zalo", `${name}-stranger`, NOW, { withCards: true })).linkedCards;
      r.noCardsUnasked = "linkedCards" in (await store.touchAccount("zalo", `${name}-owner`, NOW));
      r.notCard = await store.citizenDossier(citizenId, dossierId + 1000);
      r.units = (await store.unitContacts(citizenId)).map((u) => u.hotline);
      r.channels = await store.noticeChannels(citizenId);
      await store.setNoticeChoice(citizenId, "zalo");
      r.choice = await store.noticeChoice(citizenId);
      await store.recordUnrecognised({ accountId: owner.id, channel: "zalo", text: "brrr", guessed: "unknown", confidence: 0, band: "fallback", language: null, at: NOW });
      r.unlinkOther = await store.unlink(citizenId, dossierId + 1000, "zalo");
      const erased = await store.erase(owner.id, NOW);
      r.erased = { ...erased, attemptsKeptUntil: erased.attemptsKeptUntil.toISOString() };
      r.afterErase = (await store.touchAccount("zalo", `${name}-owner`, NOW)).citizenId;
      results.push(r);
    }
    expect(results[1]).toEqual(results[0]);
    // And the content is what the rules say.
    expect(results[0]).toMatchObject({
      wrong: [
        { kind: "wrong", attemptsLeft: 4 },
        { kind: "wrong", attemptsLeft: 3 },
        { kind: "wrong", attemptsLeft: 2 },
        { kind: "wrong", attemptsLeft: 1 },
      ],
      gateBefore: { kind: "open" },
      fifth: { kind: "locked" },
      gateAfter: { kind: "locked" },
      linked: { kind: "linked", dossier: true, verifiedBy: "zalo_phone", phone: PHONE },
      dossiers: [{ code: CODE, status: 4 }],
      card: CODE,
      touchedCards: { sameAccount: true, cards: [CODE], equal: true },
      strangerCards: [],
      noCardsUnasked: false,
      notCard: null,
      units: [UNIT.hotline],
      channels: ["zalo"],
      choice: "zalo",
      unlinkOther: null,
      erased: { unlinkedCodes: [CODE], citizenDeleted: true, citizenPhone: PHONE, consentWithdrawn: true, messagesDeleted: 1 },
      afterErase: null,
    });
  });
});

describe("the database store's status-card read", () => {
  it("returns exactly what the Prisma select of citizen-view.ts returns, for a dossier with every field set and one with most empty", async () => {
    const store = new PrismaConversationStore(ctx.prisma, ctx.hasher);
    const citizen = await ctx.prisma.citizen.create({ data: {} });
    const full = await ctx.dossiers.upsert(
      "000.00.15.H32-230112-0071",
      dossierInputSchema.parse(
        specDossier({
          status: 9,
          returnMethod: "postal",
          postalDelivered: true,
          feeStatus: "due",
          feeAmount: 150000,
          supplementReason: "Thiếu bản sao",
          currentStep: "Trả kết quả",
        }),
      ),
      "test",
    );
    const sparse = await ctx.dossiers.upsert("000.00.15.H32-230112-0072", dossierInputSchema.parse(specDossier({ currentStep: undefined })), "test");
    for (const code of [full.dossier.code, sparse.dossier.code]) {
      const { id } = await ctx.prisma.dossier.findUniqueOrThrow({ where: { code } });
      await ctx.prisma.dossierLink.create({ data: { citizenId: citizen.id, dossierId: id, verifiedBy: "staff", consentAt: new Date() } });
      const expected = await ctx.prisma.dossier.findUniqueOrThrow({ where: { id }, select: (await import("../../src/core/conversation/citizen-view.ts")).citizenDossierSelect });
      expect(await store.citizenDossier(citizen.id, id)).toEqual(expected);
    }
    // The list read and the read with the account touch give the same cards, in link order.
    const expectedAll = await ctx.prisma.dossierLink.findMany({
      where: { citizenId: citizen.id },
      orderBy: { id: "asc" },
      select: { dossier: { select: (await import("../../src/core/conversation/citizen-view.ts")).citizenDossierSelect } },
    });
    expect(expectedAll).toHaveLength(2);
    expect(await store.linkedCards(citizen.id)).toEqual(expectedAll.map((l) => l.dossier));
    const account = await ctx.prisma.channelAccount.create({ data: { channel: "telegram", platformUserId: "cards-1", citizenId: citizen.id } });
    const touched = await store.touchAccount("telegram", "cards-1", new Date(), { withCards: true });
    expect(touched.id).toBe(account.id);
    expect(touched.citizenId).toBe(citizen.id);
    expect(touched.linkedCards).toEqual(expectedAll.map((l) => l.dossier));
    // Not linked to this citizen: nothing.
    const other = await ctx.prisma.citizen.create({ data: {} });
    expect(await store.citizenDossier(other.id, (await ctx.prisma.dossier.findUniqueOrThrow({ where: { code: full.dossier.code } })).id)).toBeNull();
  });
});

describe("the cards read with the account touch", () => {
  it("are dropped by the first store call that could change the links, kept by reads", async () => {
    const { keepingCards } = await import("../../src/core/conversation/index.ts");
    const store = (await stores())[1]![1];
    const account = await store.touchAccount("telegram", "keep-1", NOW, { withCards: true });
    expect(account.linkedCards).toEqual([]);
    const turnStore = keepingCards(store, account);
    await turnStore.linkedDossiers(1);
    await turnStore.citizenDossier(1, 1);
    await turnStore.recordCardView(1, CODE, "telegram");
    expect(account.linkedCards).toEqual([]);
    // A proof may link a dossier: what was read before no longer holds.
    await turnStore.prove({ id: account.id, channel: "telegram", consentAt: NOW }, CODE, { kind: "id_last4", digits: "0000" }, "vi", NOW);
    expect(account.linkedCards).toBeUndefined();
  });
});

describe("the account touch", () => {
  it("writes the account only when it is new, blocked or its last message is a minute old; otherwise not even a row lock", async () => {
    const store = new PrismaConversationStore(ctx.prisma, ctx.hasher);
    const row = async (id: number) =>
      (await ctx.prisma.$queryRawUnsafe<{ last: Date; xmax: string; blocked: Date | null }[]>(`SELECT "lastInboundAt" AS "last", xmax::text AS "xmax", "blockedAt" AS "blocked" FROM "ChannelAccount" WHERE "id" = $1`, id))[0]!;
    const t0 = new Date("2026-03-02T03:00:00.000Z");
    const a = await store.touchAccount("telegram", "touch-1", t0);
    expect(await row(a.id)).toMatchObject({ last: t0, xmax: "0" });
    // The next messages of the same minute: the same row version, never locked (xmax 0).
    await store.touchAccount("telegram", "touch-1", new Date(t0.getTime() + 30_000));
    await store.touchAccount("telegram", "touch-1", new Date(t0.getTime() + 59_000), { withCards: true });
    expect(await row(a.id)).toMatchObject({ last: t0, xmax: "0" });
    // A replayed older message leaves it; one more than a minute later moves it.
    await store.touchAccount("telegram", "touch-1", new Date(t0.getTime() - 3_600_000));
    expect((await row(a.id)).last).toEqual(t0);
    const t1 = new Date(t0.getTime() + 61_000);
    expect((await store.touchAccount("telegram", "touch-1", t1)).id).toBe(a.id);
    expect((await row(a.id)).last).toEqual(t1);
    // A blocked account (the citizen had blocked the bot) is unblocked by their next message at once.
    await ctx.prisma.channelAccount.update({ where: { id: a.id }, data: { blockedAt: t1, blockedReason: "403" } });
    await store.touchAccount("telegram", "touch-1", new Date(t1.getTime() + 1_000));
    expect((await row(a.id)).blocked).toBeNull();
  });
});
