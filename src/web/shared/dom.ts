// Small DOM helpers shared by the pages. Every value reaches the page as text (textContent,
// createTextNode), never as HTML; styles set from code go through the CSSOM, which the
// pages' CSP (style-src 'self') allows, unlike style attributes in markup.

export type Child = Node | string | number | null | undefined | false | Child[];

type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], "dataset" | "style" | "className">> & {
  className?: string | null | undefined;
  dataset?: Record<string, string>;
  attrs?: Record<string, string | undefined>;
};

/** h("div", { className: "x", onclick: f }, "text", child, [more]) */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props<K> | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    const { dataset, attrs, className, ...rest } = props;
    if (className) el.className = className;
    if (dataset) Object.assign(el.dataset, dataset);
    for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined) el.setAttribute(k, v);
    for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== null) (el as unknown as Record<string, unknown>)[k] = v;
  }
  return append(el, children);
}

export function append<E extends Element>(el: E, children: Child[]): E {
  for (const c of children.flat(4 as 1) as Child[]) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(typeof c === "object" ? c : String(c));
  }
  return el;
}

export function clear<E extends Element>(el: E): E {
  el.replaceChildren();
  return el;
}

/** The element with this id, of the expected kind (a missing element is a bug in the page). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
}

export const truncate = (text: string, n: number): string => (text.length > n ? text.slice(0, n - 1) + "…" : text);
