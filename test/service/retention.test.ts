// The retention sweep deletes exactly what has expired — each kind after its own period —
// and nothing else: not the rows just inside their period, not unprocessed deliveries, not
// queued messages; emptied outbound bodies stay emptied; and it runs on one instance at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExclusive, sweepExpired } from "../../src/core/retention.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

const NOW = new Date("2026-06-01T00:00:00Z");
const ago = (days: number, extraMs = 0) => new Date(NOW.getTime() - days * 86_400_000 + extraMs);
const settings = { inboxDays: 14, conversationDays: 30, unrecognisedDays: 90, outboundBodyDays: 90, auditDays: 730 };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe("retention sweep", () => {
  it("deletes exactly the expired rows of each kind", async () => {
    const p = db.prisma;
    const acc = await p.channelAccount.create({ data: { channel: "telegram", platformUserId: "r1" } });
    const acc2 = await p.channelAccount.create({ data: { channel: "telegram", platformUserId: "r2" } });
    // Inbox: processed 15 days ago (expired), processed 13 days ago (kept), never processed 100 days ago (kept).
    await p.inboundUpdate.createMany({
      data: [
        { channel: "telegram", externalId: "old", payload: { text: "x" }, receivedAt: ago(15), processedAt: ago(15) },
        { channel: "telegram", externalId: "recent", payload: { text: "x" }, receivedAt: ago(13), processedAt: ago(13) },
        { channel: "telegram", externalId: "stuck", payload: { text: "x" }, receivedAt: ago(100), processedAt: null },
      ],
    });
    // Conversation states: updatedAt is set by Prisma on write, so set it with raw SQL.
    await p.conversation.create({ data: { accountId: acc.id, state: { step: "idle" } } });
    await p.conversation.create({ data: { accountId: acc2.id, state: { step: "idle" } } });
    await p.$executeRaw`UPDATE "Conversation" SET "updatedAt" = ${ago(31)} WHERE "accountId" = ${acc.id}`;
    await p.$executeRaw`UPDATE "Conversation" SET "updatedAt" = ${ago(29)} WHERE "accountId" = ${acc2.id}`;
    await p.unrecognisedMessage.createMany({
      data: [
        { text: "old", channel: "telegram", guessed: "unknown", confidence: 0, band: "fallback", createdAt: ago(91) },
        { text: "new", channel: "telegram", guessed: "unknown", confidence: 0, band: "fallback", createdAt: ago(89) },
      ],
    });
    const out = (key: string, state: "sent" | "queued", days: number) =>
      p.outboundMessage.create({ data: { kind: "notice", dedupeKey: key, accountId: acc.id, channel: "telegram", payload: { replies: [{ kind: "text", text: "Hồ sơ X đã có kết quả" }] }, state } });
    const sentOld = await out("o1", "sent", 91);
    const sentNew = await out("o2", "sent", 89);
    const queuedOld = await out("o3", "queued", 200);
    await p.$executeRaw`UPDATE "OutboundMessage" SET "updatedAt" = ${ago(91)} WHERE id = ${sentOld.id}`;
    await p.$executeRaw`UPDATE "OutboundMessage" SET "updatedAt" = ${ago(89)} WHERE id = ${sentNew.id}`;
    await p.$executeRaw`UPDATE "OutboundMessage" SET "updatedAt" = ${ago(200)} WHERE id = ${queuedOld.id}`;
    await p.auditLog.createMany({ data: [{ actor: "t", action: "old", at: ago(731) }, { actor: "t", action: "new", at: ago(729) }] });

    const r = await sweepExpired(p, settings, NOW);
    expect(r).toEqual({ inbox: 1, conversations: 1, unrecognised: 1, outboundBodies: 1, audit: 1, trySessions: 0 });
    expect((await p.inboundUpdate.findMany({ orderBy: { externalId: "asc" } })).map((x) => x.externalId)).toEqual(["recent", "stuck"]);
    expect((await p.conversation.findMany()).map((c) => c.accountId)).toEqual([acc2.id]);
    expect((await p.unrecognisedMessage.findMany()).map((m) => m.text)).toEqual(["new"]);
    const bodies = await p.outboundMessage.findMany({ orderBy: { id: "asc" } });
    expect(JSON.stringify(bodies[0]!.payload)).not.toContain("Hồ sơ X");
    expect(bodies[0]!.state).toBe("sent");
    expect(JSON.stringify(bodies[1]!.payload)).toContain("Hồ sơ X");
    expect(JSON.stringify(bodies[2]!.payload)).toContain("Hồ sơ X");
    expect((await p.auditLog.findMany({ where: { actor: "t" } })).map((a) => a.action)).toEqual(["new"]);
    // A second sweep finds nothing more to do.
    expect(await sweepExpired(p, settings, NOW)).toEqual({ inbox: 0, conversations: 0, unrecognised: 0, outboundBodies: 0, audit: 0, trySessions: 0 });
  });

  it("/try sessions expire: an idle web account and the citizen made for it go; an active one and telegram accounts stay", async () => {
    const p = db.prisma;
    const idleCitizen = await p.citizen.create({ data: {} });
    const idle = await p.channelAccount.create({ data: { channel: "web", platformUserId: "try-idle", citizenId: idleCitizen.id, lastInboundAt: ago(2) } });
    await p.conversation.create({ data: { accountId: idle.id, state: { step: "idle" } } });
    const active = await p.channelAccount.create({ data: { channel: "web", platformUserId: "try-active", lastInboundAt: ago(0, -3_600_000) } });
    const tg = await p.channelAccount.create({ data: { channel: "telegram", platformUserId: "tg-old", lastInboundAt: ago(400) } });
    const r = await sweepExpired(p, settings, NOW);
    expect(r.trySessions).toBe(1);
    expect(await p.channelAccount.findUnique({ where: { id: idle.id } })).toBeNull();
    expect(await p.citizen.findUnique({ where: { id: idleCitizen.id } })).toBeNull();
    expect(await p.conversation.count({ where: { accountId: idle.id } })).toBe(0);
    expect(await p.channelAccount.findUnique({ where: { id: active.id } })).not.toBeNull();
    expect(await p.channelAccount.findUnique({ where: { id: tg.id } })).not.toBeNull();
  });

  it("runs a job on one instance at a time", async () => {
    let inside = 0;
    let max = 0;
    const job = () =>
      runExclusive(db.prisma, "test-job", async () => {
        inside++;
        max = Math.max(max, inside);
        await new Promise((r) => setTimeout(r, 200));
        inside--;
        return "ran";
      });
    const results = await Promise.all([job(), job()]);
    expect(max).toBe(1);
    expect(results.filter((r) => r === "ran").length).toBeGreaterThanOrEqual(1);
  });
});
