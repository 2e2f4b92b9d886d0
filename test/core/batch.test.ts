import { describe, expect, it } from "vitest";
import { Batcher } from "../../src/core/batch.ts";

describe("group commit", () => {
  it("writes what is asked in one turn as one group and answers each caller with its own result", async () => {
    const groups: number[][] = [];
    const b = new Batcher<number, number>(async (items) => {
      groups.push(items);
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([1, 2, 3].map((i) => b.add(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(groups).toEqual([[1, 2, 3]]);
    expect(await b.add(4)).toBe(40);
    expect(groups).toHaveLength(2);
  });

  it("does not fail the neighbours of a bad item: the group is retried one by one", async () => {
    const b = new Batcher<string, string>(async (items) => {
      if (items.includes("bad")) throw new Error("cannot store bad");
      return items.map((i) => i.toUpperCase());
    });
    const settled = await Promise.allSettled(["a", "bad", "c"].map((i) => b.add(i)));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(settled[0]).toEqual({ status: "fulfilled", value: "A" });
  });
});

describe("group commit under load", () => {
  it("keeps one group in flight: what arrives meanwhile goes as the next group, not as more statements", async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const b = new Batcher<number>(async (items) => {
      groups.push(items);
      if (groups.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = b.add(1);
    await new Promise((r) => setImmediate(r));
    expect(groups).toEqual([[1]]);
    // While the first group is written, three more arrive over several turns of the loop.
    const later = [b.add(2)];
    await new Promise((r) => setImmediate(r));
    later.push(b.add(3));
    await new Promise((r) => setTimeout(r, 5));
    later.push(b.add(4));
    expect(groups).toEqual([[1]]);
    release();
    await Promise.all([first, ...later]);
    expect(groups).toEqual([[1], [2, 3, 4]]);
  });
});
