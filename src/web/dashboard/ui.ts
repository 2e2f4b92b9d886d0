// Building blocks of the dashboard's screens: messages, cards, tables, pickers, and the
// "run an action" wrapper that disables its button, clears what the previous attempt showed
// and explains a failure in Vietnamese.
import { clear, h, type Child } from "../shared/dom.ts";
import { explain } from "./api.ts";
import { LEVEL_NAMES } from "./format.ts";
import type { Role, UnitRef } from "./types.ts";

export function flash(el: HTMLElement, kind: "" | "err" | "ok" | "info" | "warn", text?: Child): void {
  clear(el);
  if (!kind || text === undefined || text === "") return;
  el.append(h("div", { className: "flash " + kind, attrs: { role: kind === "err" ? "alert" : "status" } }, text));
}

export const badge = (text: string, kind = "", title?: string) => h("span", { className: "badge " + kind, title: title ?? "" }, text);

export function card(title: string, value: Child, sub?: Child, kind = "", extra?: Child): HTMLElement {
  return h(
    "div",
    { className: "card " + kind },
    h("div", { className: "card-title" }, title),
    h("div", { className: "card-value" }, value),
    sub ? h("div", { className: "card-sub" }, sub) : null,
    extra ?? null,
  );
}

export interface Row {
  cells: Child[];
  className?: string;
}
export function table(head: string[], rows: Row[], opts: { numeric?: number[]; className?: string; caption?: string } = {}): HTMLElement {
  const isNumeric = (i: number) => (opts.numeric ?? []).includes(i);
  return h(
    "div",
    { className: "table-wrap" },
    h(
      "table",
      { className: opts.className ?? "" },
      opts.caption ? h("caption", null, opts.caption) : null,
      h("thead", null, h("tr", null, head.map((c, i) => h("th", { scope: "col", className: isNumeric(i) ? "n" : "" }, c)))),
      h("tbody", null, rows.map((r) => h("tr", { className: r.className ?? "" }, r.cells.map((c, i) => h("td", { className: isNumeric(i) ? "n" : "" }, c))))),
    ),
  );
}

/**
 * Runs an action with its button disabled. On failure the message says why in Vietnamese and
 * whatever the previous success showed in `out` is cleared, so that old numbers never sit
 * under a new error.
 */
export async function busy(button: HTMLButtonElement | null, msg: HTMLElement, need: Role[], fn: () => Promise<void>, out?: HTMLElement[]): Promise<boolean> {
  flash(msg, "");
  const old = button?.textContent ?? "";
  if (button) {
    button.disabled = true;
    button.textContent = "Đang tải…";
  }
  try {
    await fn();
    return true;
  } catch (err) {
    for (const o of out ?? []) clear(o);
    flash(msg, "err", explain(err, need));
    return false;
  } finally {
    if (button) {
      button.disabled = false;
      button.textContent = old;
    }
  }
}

/** A labelled control in a filter bar. */
export const field = (label: string, control: HTMLElement, cls = "") => h("label", { className: cls }, h("span", null, label), control);

export const dateInput = (id: string, value = "") => h("input", { type: "date", id, value, className: "date" });

/** A select of units by name, indented under their parent; value = unit code ("" = every unit). */
export function unitSelect(id: string, units: UnitRef[], allLabel = "Mọi đơn vị"): HTMLSelectElement {
  const select = h("select", { id, className: "unit" }, h("option", { value: "" }, allLabel));
  fillUnits(select, units);
  return select;
}
export function fillUnits(select: HTMLSelectElement, units: UnitRef[]): void {
  const keep = select.value;
  while (select.options.length > 1) select.remove(1);
  const children = new Map<string | null, UnitRef[]>();
  const codes = new Set(units.map((u) => u.code));
  for (const u of units) {
    const parent = u.parentCode && codes.has(u.parentCode) ? u.parentCode : null;
    const list = children.get(parent) ?? [];
    list.push(u);
    children.set(parent, list);
  }
  const walk = (parent: string | null, depth: number) => {
    for (const u of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name, "vi"))) {
      select.append(h("option", { value: u.code, title: `${u.code} · ${LEVEL_NAMES[u.level] ?? u.level}` }, "\u00a0\u00a0".repeat(depth) + u.name));
      if (depth < 8) walk(u.code, depth + 1);
    }
  };
  walk(null, 0);
  select.value = keep;
}

/** A count that opens the dossiers behind it, or plain text when the list is not available. */
export function countLink(text: string, open: (() => void) | null, title = "Xem danh sách hồ sơ"): HTMLElement {
  if (!open || text === "0" || text === "—") return h("span", null, text);
  return h("button", { type: "button", className: "link", title, onclick: open }, text);
}
