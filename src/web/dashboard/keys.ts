// The group keys of the statistics reports ({ unit, field, procedure, channel, period }),
// read safely (the API types them as a record) and turned into labels.
import { CHANNEL_NAMES, LEVEL_NAMES, periodLabel } from "./format.ts";
import type { UnitLevel } from "./types.ts";

export interface KeyUnit {
  code: string;
  name: string;
  level: UnitLevel;
  parentCode: string | null;
}
type Key = Record<string, unknown>;

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === "object" ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

export function keyUnit(key: Key): KeyUnit | null {
  const u = obj(key.unit);
  if (!u || !str(u.code)) return null;
  return { code: String(u.code), name: str(u.name) ?? String(u.code), level: (str(u.level) ?? "ward") as UnitLevel, parentCode: str(u.parentCode) };
}
export const keyPeriod = (key: Key): string | null => str(key.period);
export const keyCode = (key: Key, dim: "field" | "procedure"): string | null => str(obj(key[dim])?.code);

export function keyLabel(key: Key, groupBy: string[]): string {
  return groupBy
    .map((d) => {
      if (d === "unit") return keyUnit(key)?.name ?? "?";
      if (d === "field") return str(obj(key.field)?.name) ?? "(chưa có lĩnh vực)";
      if (d === "procedure") return str(obj(key.procedure)?.name) ?? keyCode(key, "procedure") ?? "?";
      if (d === "channel") return CHANNEL_NAMES[String(key.channel)] ?? String(key.channel);
      return periodLabel(String(key.period));
    })
    .join(" · ");
}

export function keyTitle(key: Key, groupBy: string[]): string {
  const out: string[] = [];
  for (const d of groupBy) {
    const u = keyUnit(key);
    if (d === "unit" && u) out.push(`${u.name} (${u.code}, ${LEVEL_NAMES[u.level] ?? u.level})`);
    else if ((d === "field" || d === "procedure") && obj(key[d])) out.push(`${str(obj(key[d])?.name) ?? ""} (${keyCode(key, d)})`);
  }
  return out.join(" · ") || keyLabel(key, groupBy);
}

/** How deep a unit sits under other units of the same report (for indentation). */
export function unitDepths(keys: Key[]): (key: Key) => number {
  const parent = new Map<string, string | null>();
  for (const k of keys) {
    const u = keyUnit(k);
    if (u) parent.set(u.code, u.parentCode);
  }
  return (key) => {
    let depth = 0;
    let p = keyUnit(key)?.parentCode ?? null;
    for (let i = 0; p && parent.has(p) && i < 12; i++) {
      depth++;
      p = parent.get(p) ?? null;
    }
    return depth;
  };
}

/** Units of a report ordered as a tree (parents before children, by name). */
export function unitTreeOrder(units: KeyUnit[]): { unit: KeyUnit; depth: number }[] {
  const codes = new Set(units.map((u) => u.code));
  const children = new Map<string | null, KeyUnit[]>();
  for (const u of units) {
    const p = u.parentCode && codes.has(u.parentCode) ? u.parentCode : null;
    children.set(p, [...(children.get(p) ?? []), u]);
  }
  const out: { unit: KeyUnit; depth: number }[] = [];
  const walk = (p: string | null, depth: number) => {
    for (const u of (children.get(p) ?? []).sort((a, b) => a.name.localeCompare(b.name, "vi"))) {
      out.push({ unit: u, depth });
      if (depth < 8) walk(u.code, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
