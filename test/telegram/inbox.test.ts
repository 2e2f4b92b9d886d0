// The durable inbox: a delivery is stored once, a repeat has no second effect, and what a
// crash left unprocessed is replayed — by exactly one of several concurrent replayers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accept, markFailed, markProcessed, MAX_ATTEMPTS, processPending } from "../../src/core/inbox.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const ago = (ms: number) => new Date(Date.now() - ms);

describe("inbox", () => {
  it("stores a delivery once; the same external id again is a duplicate with the same row", async () => {
    const first = await accept(db.prisma, "telegram", "1001", { update_id: 1001, message: { text: "xin chào" } });
    const again = await accept(db.prisma, "telegram", "1001", { update_id: 1001, message: { text: "changed" } });
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, duplicate: true });
    const rows = await db.prisma.inboundUpdate.findMany({ where: { externalId: "1001" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).toEqual({ update_id: 1001, message: { text: "xin chào" } });
    // Another channel may use the same id.
    expect((await accept(db.prisma, "zalo", "1001", {})).duplicate).toBe(false);
  });

  it("lets concurrent deliveries of one id through exactly once", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => accept(db.prisma, "telegram", "2002", { update_id: 2002 })));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
  });

  it("records failures and processed state", async () => {
    const { id } = await accept(db.prisma, "telegram", "3003", {});
    await markFailed(db.prisma, id, new Error("boom"));
    let row = await db.prisma.inboundUpdate.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ attempts: 1, lastError: "Error: boom", processedAt: null });
    await markProcessed(db.prisma, id);
    row = await db.prisma.inboundUpdate.findUniqueOrThrow({ where: { id } });
    expect(row.processedAt).toBeInstanceOf(Date);
    expect(row.lastError).toBeNull();
  });

  it("replays old unprocessed rows in order, leaves young and processed ones, stops after 5 attempts", async () => {
    await db.prisma.inboundUpdate.deleteMany();
    const old = ago(120_000);
    await db.prisma.inboundUpdate.createMany({
      data: [
        { channel: "telegram", externalId: "a", payload: { n: 1 }, receivedAt: old },
        { channel: "telegram", externalId: "b", payload: { n: 2 }, receivedAt: old },
        { channel: "telegram", externalId: "young", payload: { n: 3 } },
        { channel: "telegram", externalId: "done", payload: { n: 4 }, receivedAt: old, processedAt: old },
        { channel: "telegram", externalId: "dead", payload: { n: 5 }, receivedAt: old, attempts: MAX_ATTEMPTS },
        { channel: "zalo", externalId: "z", payload: { n: 6 }, receivedAt: old },
      ],
    });
    const seen: unknown[] = [];
    const r = await processPending(db.prisma, async (u) => void seen.push(u.payload), { olderThanMs: 60_000, limit: 10, channel: "telegram" });
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    expect(r).toEqual({ claimed: 2, processed: 2, failed: 0 });
    const rows = await db.prisma.inboundUpdate.findMany({ where: { externalId: { in: ["a", "b"] } } });
    expect(rows.every((x) => x.processedAt && x.attempts === 1)).toBe(true);
    // Nothing left for telegram; zalo's row is still there for its own replayer.
    expect((await processPending(db.prisma, async () => {}, { olderThanMs: 60_000, limit: 10, channel: "telegram" })).claimed).toBe(0);
    expect((await processPending(db.prisma, async () => {}, { olderThanMs: 60_000, limit: 10 })).claimed).toBe(1);
  });

  it("counts each replay as an attempt and gives up after five", async () => {
    await db.prisma.inboundUpdate.deleteMany();
    const { id } = await accept(db.prisma, "telegram", "poison", {});
    let calls = 0;
    for (let i = 0; i < 7; i++) {
      await db.prisma.inboundUpdate.update({ where: { id }, data: { receivedAt: ago(120_000) } });
      await processPending(
        db.prisma,
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { olderThanMs: 60_000, limit: 10 },
      );
    }
    expect(calls).toBe(MAX_ATTEMPTS);
    const row = await db.prisma.inboundUpdate.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ attempts: MAX_ATTEMPTS, lastError: `Error: fail ${MAX_ATTEMPTS}`, processedAt: null });
  });

  it("a claimed row is not claimed again by a concurrent replayer (claim works as a lease)", async () => {
    await db.prisma.inboundUpdate.deleteMany();
    await db.prisma.inboundUpdate.createMany({
      data: Array.from({ length: 20 }, (_, i) => ({ channel: "telegram" as const, externalId: `c${i}`, payload: { i }, receivedAt: ago(120_000) })),
    });
    const seen: number[] = [];
    const handler = async (u: { payload: unknown }) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push((u.payload as { i: number }).i);
    };
    await Promise.all([1, 2, 3].map(() => processPending(db.prisma, handler, { olderThanMs: 60_000, limit: 20 })));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
