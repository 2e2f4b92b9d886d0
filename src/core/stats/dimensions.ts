// Group-by dimensions of the reports: how each is computed in SQL and how its key is shown.
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { AppError } from "../errors.ts";
import { UNIT_TREE_CTE, whereClause, type ResolvedFilters, type SqlParams } from "./filters.ts";

export const DIMENSIONS = ["unit", "field", "procedure", "channel", "month", "quarter", "year"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** `groupBy=unit,month` → ["unit", "month"] (order kept, duplicates refused). */
export function groupBySchema(allowed: readonly Dimension[]) {
  return z
    .string()
    .trim()
    .max(100)
    .transform((v, ctx) => {
      const parts = v === "" ? [] : v.split(",").map((s) => s.trim());
      for (const p of parts) {
        if (!(allowed as readonly string[]).includes(p)) {
          ctx.addIssue({ code: "custom", message: `unknown groupBy "${p}" (use ${allowed.join(", ")})` });
          return z.NEVER;
        }
      }
      if (new Set(parts).size !== parts.length) {
        ctx.addIssue({ code: "custom", message: "groupBy repeats a dimension" });
        return z.NEVER;
      }
      if (parts.filter((p) => p === "month" || p === "quarter" || p === "year").length > 1) {
        ctx.addIssue({ code: "custom", message: "groupBy takes at most one of month, quarter, year" });
        return z.NEVER;
      }
      return parts as Dimension[];
    });
}

const PERIOD_FORMAT = { month: "YYYY-MM", quarter: 'YYYY-"Q"Q', year: "YYYY" } as const;

/**
 * Two-stage GROUP BY over a facts subquery (columns unit_id, field_id, procedure_id,
 * channel, ref and whatever the aggregates need):
 *  1. aggregate the facts by the leaf keys (the dossier's own unit, the local month …) — one
 *     pass over the big tables, no string formatting per row;
 *  2. roll the few resulting rows up the unit tree (a parent sums its subtree) and label the
 *     periods.
 * Stage-2 key columns are k0, k1, … in the order of `dims`.
 */
export function groupedSql(o: {
  dims: readonly Dimension[];
  f: ResolvedFilters;
  params: SqlParams;
  facts: string;
  /** Conditions on the facts alias `f` (the period). */
  where: string[];
  /** Aggregates over `f`, each `… AS name`. */
  stage1: string[];
  /** Aggregates over the stage-1 rows `s`, each `… AS name`. */
  stage2: string[];
  /** More stage-1 grouping columns, each `f.col AS name` (e.g. the survey version). */
  extraKeys?: string[];
  /** Keep the dossier's own unit in stage 1 even without a unit dimension (s.unit_id). */
  keepUnit?: boolean;
  /** Extra joins of stage 2 (e.g. the unit row of s.unit_id). */
  stage2Join?: string;
}): string {
  const { dims } = o;
  const s1Keys: string[] = [];
  dims.forEach((d, i) => {
    if (d === "unit") return;
    if (d === "month" || d === "quarter" || d === "year") s1Keys.push(`date_trunc('${d}', f.ref + interval '7 hours') AS k${i}`);
    else if (d === "channel") s1Keys.push(`f.channel::text AS k${i}`);
    else s1Keys.push(`f.${d}_id AS k${i}`);
  });
  if (dims.includes("unit") || o.keepUnit) s1Keys.push("f.unit_id AS unit_id");
  s1Keys.push(...(o.extraKeys ?? []));
  const s1Group = s1Keys.map((_, i) => String(i + 1));
  const stage1 = `SELECT ${[...s1Keys, ...o.stage1].join(", ")} FROM (${o.facts}) f ${whereClause(o.where)} ${s1Group.length ? `GROUP BY ${s1Group.join(", ")}` : ""}`;

  const s2Keys = dims.map((d, i) => {
    if (d === "unit") return `ut.anc AS k${i}`;
    if (d === "month" || d === "quarter" || d === "year") return `to_char(s.k${i}, '${PERIOD_FORMAT[d]}') AS k${i}`;
    return `s.k${i} AS k${i}`;
  });
  let join = "";
  if (dims.includes("unit")) {
    join = "JOIN unit_tree ut ON ut.des = s.unit_id";
    // With a unit filter, only that unit and the units below it get rows.
    if (o.f.unitId !== undefined) join += ` AND ut.anc IN (SELECT des FROM unit_tree WHERE anc = ${o.params.int(o.f.unitId)})`;
  }
  // Positional GROUP BY: an output name like k0 would mean the stage-1 column, not ut.anc.
  const s2Group = dims.map((_, i) => String(i + 1));
  return `WITH RECURSIVE ${UNIT_TREE_CTE}, s1 AS (${stage1})
    SELECT ${[...s2Keys, ...o.stage2].join(", ")} FROM s1 s ${join} ${o.stage2Join ?? ""} ${s2Group.length ? `GROUP BY ${s2Group.join(", ")}` : ""}`;
}

export interface UnitInfo {
  id: number;
  code: string;
  name: string;
  level: string;
  parentId: number | null;
}

/** Units, fields and procedures by id, for turning group keys into codes and names. */
export class Lookup {
  private constructor(
    readonly units: Map<number, UnitInfo>,
    readonly fields: Map<number, { code: string; name: string }>,
    readonly procedures: Map<number, { code: string; name: string }>,
  ) {}

  /** Units are few (a province has a few hundred) and the roll-up needs the whole tree. */
  static async load(prisma: PrismaClient): Promise<Lookup> {
    const units = await prisma.unit.findMany({ select: { id: true, code: true, name: true, level: true, parentId: true } });
    return new Lookup(new Map(units.map((u) => [u.id, u])), new Map(), new Map());
  }

  /** Loads the fields and procedures a report's groups name. */
  async need(prisma: PrismaClient, ids: { fieldIds?: number[]; procedureIds?: number[] }): Promise<void> {
    const fieldIds = [...new Set(ids.fieldIds ?? [])];
    const procedureIds = [...new Set(ids.procedureIds ?? [])];
    if (fieldIds.length)
      for (const x of await prisma.field.findMany({ where: { id: { in: fieldIds } }, select: { id: true, code: true, name: true } })) this.fields.set(x.id, x);
    if (procedureIds.length)
      for (const x of await prisma.procedure.findMany({ where: { id: { in: procedureIds } }, select: { id: true, code: true, name: true } })) this.procedures.set(x.id, x);
  }

  parentCode(unit: UnitInfo): string | null {
    return unit.parentId === null ? null : (this.units.get(unit.parentId)?.code ?? null);
  }

  /** Ward-level units in the subtree of `rootId` (all wards when null). */
  wardsUnder(rootId: number | null): number {
    let n = 0;
    for (const u of this.units.values()) if (u.level === "ward" && (rootId === null || this.isUnder(u.id, rootId))) n++;
    return n;
  }

  isUnder(id: number, rootId: number): boolean {
    let cur: number | null = id;
    for (let i = 0; cur !== null && i < 13; i++) {
      if (cur === rootId) return true;
      cur = this.units.get(cur)?.parentId ?? null;
    }
    return false;
  }
}

/** A group's key as the API shows it. */
export type GroupKey = {
  unit?: { code: string; name: string; level: string; parentCode: string | null };
  field?: { code: string; name: string } | null;
  procedure?: { code: string; name: string };
  channel?: string;
  period?: string;
};

export function describeKey(dims: readonly Dimension[], raw: Record<string, unknown>, lookup: Lookup): GroupKey {
  const key: GroupKey = {};
  for (const [i, dim] of dims.entries()) {
    const v = raw[`k${i}`];
    switch (dim) {
      case "unit": {
        const u = lookup.units.get(Number(v));
        if (!u) throw new AppError("conflict", "A unit disappeared while the report was computed; try again");
        key.unit = { code: u.code, name: u.name, level: u.level, parentCode: lookup.parentCode(u) };
        break;
      }
      case "field": {
        const f = v === null || v === undefined ? undefined : lookup.fields.get(Number(v));
        key.field = f ? { code: f.code, name: f.name } : null;
        break;
      }
      case "procedure": {
        const p = lookup.procedures.get(Number(v));
        key.procedure = p ? { code: p.code, name: p.name } : { code: String(v), name: "" };
        break;
      }
      case "channel":
        key.channel = String(v);
        break;
      default:
        key.period = String(v);
    }
  }
  return key;
}

/** Stable string of the raw key columns, to merge rows of several queries. */
export function keyString(dims: readonly Dimension[], raw: Record<string, unknown>): string {
  return dims.map((_, i) => String(raw[`k${i}`] ?? "∅")).join("|");
}
