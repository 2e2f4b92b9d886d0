// What every tab may need to know: the key's role and name, the units for the pickers, which
// optional API routes this server has, and how to open the dossiers behind a count.
import type { Lookups, Me, Role, UnitRef } from "./types.ts";

export interface Capabilities {
  /** GET /dossiers (the list behind every count) */
  list: boolean;
  /** GET /dossiers/at-risk */
  atRisk: boolean;
}

/** Filters of GET /dossiers, as query parameters. */
export type ListFilter = Record<string, string>;

export const state = {
  me: null as Me | null,
  units: [] as UnitRef[],
  lookups: null as Lookups | null,
  caps: { list: false, atRisk: false } as Capabilities,
  target: 84,
  /** Names of API keys by actor ("api-key:3" → "Chị Lan"), as far as this key may know them. */
  actorNames: new Map<string, string>(),
  /** Set by the dossiers tab: show the dossiers matching these filters. */
  openList: null as ((filter: ListFilter, title: string) => void) | null,
};

export const role = (): Role | null => state.me?.role ?? null;
export const can = (need: Role[]): boolean => {
  const r = role();
  return r !== null && (r === "admin" || need.includes(r));
};

/** "api-key:3" → the key's name when known, else "khoá API #3". */
export function actorName(actor: string | null | undefined): string {
  if (!actor) return "—";
  const known = state.actorNames.get(actor);
  if (known) return known;
  const m = /^api-key:(\d+)$/.exec(actor);
  if (m) return `khoá API #${m[1]}`;
  if (actor === "bootstrap" || actor === "admin") return "khoá quản trị khởi tạo (ADMIN_API_KEY)";
  if (actor === "system") return "hệ thống";
  if (actor === "demo") return "dữ liệu mẫu";
  return actor;
}

/** The drill-down for a count, or null when this server has no list of dossiers. */
export function drill(filter: ListFilter, title: string): (() => void) | null {
  if (!state.caps.list || !state.openList) return null;
  const open = state.openList;
  return () => open(filter, title);
}
