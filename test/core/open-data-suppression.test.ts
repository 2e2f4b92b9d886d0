// Small-cell suppression: no published cell, alone or subtracted from another, reveals a
// group smaller than the threshold. Checked on hand-made trees and on many random ones.
import { describe, expect, it } from "vitest";
import { suppressedCells, type Cell } from "../../src/core/open-data/suppression.ts";
import { prng } from "../slip/photo-generator.ts";

const T = 10;

/**
 * What subtraction reveals: for every published cell, its bases minus those of its nearest
 * published descendants. Each must be 0 or at least T (computed here independently of
 * the implementation's own loop).
 */
function revealedGroups(cells: Cell[], hidden: Set<string>): number[] {
  const out: number[] = [];
  const kids = (id: string) => cells.filter((c) => c.parent === id);
  for (const p of cells) {
    if (hidden.has(p.id)) continue;
    const nearest: Cell[] = [];
    const walk = (id: string) => {
      for (const c of kids(id)) {
        if (hidden.has(c.id)) walk(c.id);
        else nearest.push(c);
      }
    };
    walk(p.id);
    p.bases.forEach((n, i) => out.push(n, n - nearest.reduce((s, c) => s + c.bases[i]!, 0)));
  }
  return out;
}

describe("small-cell suppression", () => {
  it("hides small cells and, where a total would give them away, the next smallest cell too", () => {
    // Province P (own 3) → district D (own 0) → wards W1 30, W2 12, W3 4; ward W4 25 under P.
    const cells: Cell[] = [
      { id: "P", parent: null, bases: [74] },
      { id: "D", parent: "P", bases: [46] },
      { id: "W1", parent: "D", bases: [30] },
      { id: "W2", parent: "D", bases: [12] },
      { id: "W3", parent: "D", bases: [4] },
      { id: "W4", parent: "P", bases: [25] },
    ];
    const hidden = suppressedCells(cells, T);
    // W3 is small; D − W1 − W2 would be 4, so W2 goes too; P − D − W4 would be P's own 3, so W4 goes.
    expect([...hidden].sort()).toEqual(["W2", "W3", "W4"]);
    for (const g of revealedGroups(cells, hidden)) expect(g === 0 || g >= T, String(g)).toBe(true);
  });

  it("checks every base: a cell with enough ratings but few dossiers is hidden too", () => {
    const cells: Cell[] = [
      { id: "P", parent: null, bases: [40, 40] },
      { id: "A", parent: "P", bases: [20, 15] },
      { id: "B", parent: "P", bases: [20, 25] },
      { id: "C", parent: "B", bases: [10, 3] },
    ];
    const hidden = suppressedCells(cells, T);
    expect(hidden.has("C")).toBe(true);
    for (const g of revealedGroups(cells, hidden)) expect(g === 0 || g >= T, String(g)).toBe(true);
  });

  it("publishes everything when every cell and every difference is large enough", () => {
    const cells: Cell[] = [
      { id: "P", parent: null, bases: [60] },
      { id: "A", parent: "P", bases: [30] },
      { id: "B", parent: "P", bases: [30] },
    ];
    expect(suppressedCells(cells, T).size).toBe(0);
  });

  it("never reveals a group under the threshold on 2,000 random unit trees", () => {
    const rnd = prng(766);
    let hiddenTotal = 0;
    for (let trial = 0; trial < 2000; trial++) {
      // A random tree of up to 25 units; each unit has its own counts; a cell counts its subtree.
      const size = 2 + Math.floor(rnd() * 24);
      const parent: (number | null)[] = [null];
      for (let i = 1; i < size; i++) parent.push(Math.floor(rnd() * i));
      const bases = 1 + Math.floor(rnd() * 2);
      const own = Array.from({ length: size }, () => Array.from({ length: bases }, () => (rnd() < 0.3 ? 0 : Math.floor(rnd() * (rnd() < 0.5 ? 12 : 40)))));
      const total = (i: number): number[] => {
        const t = [...own[i]!];
        for (let j = 0; j < size; j++) if (parent[j] === i) total(j).forEach((v, k) => (t[k]! += v));
        return t;
      };
      const cells: Cell[] = [];
      for (let i = 0; i < size; i++) {
        const b = total(i);
        // Units without any case in the month have no cell (as in the reports).
        if (b.some((v) => v > 0)) cells.push({ id: `u${i}`, parent: parent[i] === null ? null : `u${parent[i]}`, bases: b });
      }
      const hidden = suppressedCells(cells, T);
      hiddenTotal += hidden.size;
      for (const g of revealedGroups(cells, hidden)) expect(g === 0 || g >= T, `trial ${trial}: ${g}`).toBe(true);
      // Nothing is hidden needlessly at the top: a published root is at least T or zero.
      for (const c of cells) if (!hidden.has(c.id)) for (const v of c.bases) expect(v === 0 || v >= T).toBe(true);
    }
    expect(hiddenTotal).toBeGreaterThan(1000);
  });
});
