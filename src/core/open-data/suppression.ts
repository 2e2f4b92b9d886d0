/**
 * Small-cell suppression for the published index (docs/open-data.md).
 *
 * A cell is one unit in one month. Units form a tree and every cell counts its whole
 * subtree (a ward's ratings are also in its district's and the city's cells). A cell has
 * one or more bases — the groups it counts (ratings; dossiers judged for Decision 766;
 * dossiers received …). Publishing a cell reveals each of its bases.
 *
 * Primary suppression: a base between 1 and threshold − 1 hides the cell.
 * Secondary suppression: whoever holds a published cell and the published cells below it
 * can subtract. For a published cell P, take its nearest published descendants (walk down;
 * stop at the first published cell on each path): P − Σ them is the mass of everything
 * hidden under P (P's own cases plus every suppressed cell there). That mass must be 0 or
 * at least the threshold, for every base; if not, hide the smallest nearest published
 * descendant (or P itself when it has none) and check again until nothing changes. Masses
 * of different published cells never overlap (each hidden case belongs to exactly one
 * nearest published ancestor), so no combination of published cells isolates a smaller
 * group. Months are independent: nothing across months is published.
 */

export interface Cell {
  /** Unique within the month (the unit code). */
  id: string;
  /** The parent unit's cell id, or null at the top. A parent without a cell counts as 0. */
  parent: string | null;
  /** The counts the cell reveals, in the same order for every cell. */
  bases: number[];
}

/** Ids of the cells that must not be published (primary and secondary). */
export function suppressedCells(cells: readonly Cell[], threshold: number): Set<string> {
  const byId = new Map(cells.map((c) => [c.id, c]));
  const children = new Map<string, Cell[]>();
  for (const c of cells) {
    if (c.parent === null || !byId.has(c.parent)) continue;
    const list = children.get(c.parent) ?? [];
    list.push(c);
    children.set(c.parent, list);
  }
  const small = (n: number) => n > 0 && n < threshold;
  const hidden = new Set(cells.filter((c) => c.bases.some(small)).map((c) => c.id));

  /** The nearest published cells below `id`. */
  const nearestPublished = (id: string): Cell[] => {
    const out: Cell[] = [];
    const stack = [...(children.get(id) ?? [])];
    while (stack.length) {
      const c = stack.pop()!;
      if (hidden.has(c.id)) stack.push(...(children.get(c.id) ?? []));
      else out.push(c);
    }
    return out;
  };

  for (let changed = true; changed; ) {
    changed = false;
    for (const p of cells) {
      if (hidden.has(p.id)) continue;
      const below = nearestPublished(p.id);
      const mass = p.bases.map((n, i) => n - below.reduce((s, c) => s + (c.bases[i] ?? 0), 0));
      if (!mass.some(small)) continue;
      // Hide the least informative cell that fixes the difference: the smallest one below,
      // else the cell itself.
      const victim = below.sort((a, b) => sum(a.bases) - sum(b.bases) || (a.id < b.id ? -1 : 1))[0] ?? p;
      hidden.add(victim.id);
      changed = true;
    }
  }
  return hidden;
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
