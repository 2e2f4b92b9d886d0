// Charts: the monthly trend of the index with its 95% band and the target line (uPlot, a
// 50 KB canvas chart library), the unit × month heat map (a table coloured through the
// CSSOM), and horizontal bars per group (SVG built in code). All of them work under the
// page's CSP: no inline styles in markup, nothing loaded from elsewhere.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h, truncate } from "../shared/dom.ts";
import { isNum, num, pct, periodLabel } from "./format.ts";

export interface TrendPoint {
  month: string;
  satisfactionPct: number | null;
  ci95: { low: number; high: number } | null;
  rated: number;
  smallSample: boolean;
}

const monthStart = (m: string) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1) / 1000;

/** The index month by month, its Wilson 95% band, and the target as a dashed line. */
export function trendChart(points: TrendPoint[], target: number): HTMLElement {
  const box = h("div", { className: "trend", attrs: { role: "img", "aria-label": `Chỉ số hài lòng theo tháng so với mục tiêu ${pct(target, 0)}` } });
  const xs = points.map((p) => monthStart(p.month));
  const value = points.map((p) => p.satisfactionPct);
  const low = points.map((p) => p.ci95?.low ?? null);
  const high = points.map((p) => p.ci95?.high ?? null);
  const goal = points.map(() => target);
  const finite = [...value, ...low, ...high].filter(isNum);
  const min = Math.max(0, Math.floor(Math.min(target - 10, ...finite) / 10) * 10);
  const labels = new Map(points.map((p, i) => [xs[i], p]));
  let plot: uPlot | null = null;
  const draw = () => {
    const width = Math.max(280, box.clientWidth || 600);
    if (plot) {
      plot.setSize({ width, height: 260 });
      return;
    }
    plot = new uPlot(
      {
        width,
        height: 260,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, y: { range: [min, 100] } },
        axes: [
          { values: (_u, ticks) => ticks.map((t) => { const p = labels.get(t); return p ? periodLabel(p.month, true) : ""; }), splits: () => xs, gap: 4, size: 36 },
          { values: (_u, ticks) => ticks.map((t) => `${t}%`), size: 48 },
        ],
        series: [
          {},
          { label: "Chỉ số hài lòng", stroke: "#1f5fbf", width: 2, points: { size: 7, fill: "#1f5fbf" }, value: (_u, v) => pct(v) },
          { label: "KTC 95% (dưới)", stroke: "rgba(31,95,191,0.25)", width: 1, points: { show: false }, value: (_u, v) => pct(v) },
          { label: "KTC 95% (trên)", stroke: "rgba(31,95,191,0.25)", width: 1, points: { show: false }, value: (_u, v) => pct(v) },
          { label: `Mục tiêu ${pct(target, 0)}`, stroke: "#c62828", width: 2, dash: [6, 4], points: { show: false }, value: (_u, v) => pct(v) },
        ],
        bands: [{ series: [3, 2], fill: "rgba(31,95,191,0.14)" }],
      },
      [xs, value, low, high, goal],
      box,
    );
  };
  // Drawn once the box is in the page (its width is known), redrawn when the window resizes.
  new ResizeObserver(() => draw()).observe(box);
  return box;
}

export interface HeatCell {
  value: number | null;
  n: number;
  smallSample: boolean;
  open: (() => void) | null;
}
export interface HeatRow {
  label: string;
  title: string;
  depth: number;
  cells: Map<string, HeatCell>;
}

/** Green at or above the target, through amber, to red 30 points below it. */
function heatColour(value: number, target: number): string {
  const t = Math.max(0, Math.min(1, (value - (target - 30)) / 30));
  return `hsl(${Math.round(t * 120)}, 62%, ${value >= target ? 78 : 84}%)`;
}

/** Units down, months across; each cell the index (or on-time share) with its n; a click lists the dossiers. */
export function heatmap(rows: HeatRow[], months: string[], target: number, unit: string): HTMLElement {
  const head = h("tr", null, h("th", { scope: "col" }, "Đơn vị"), months.map((m) => h("th", { scope: "col", className: "n", title: periodLabel(m) }, periodLabel(m, true))));
  const body = rows.map((r) =>
    h(
      "tr",
      null,
      h("th", { scope: "row", title: r.title, className: "indent-" + Math.min(r.depth, 4) }, truncate(r.label, 40)),
      months.map((m) => {
        const c = r.cells.get(m);
        if (!c || !isNum(c.value)) return h("td", { className: "heat empty", title: `${r.label} · ${periodLabel(m)}: chưa có số liệu` }, "·");
        const title = `${r.label} · ${periodLabel(m)}: ${pct(c.value)} (n = ${num(c.n)})${c.smallSample ? " — mẫu nhỏ" : ""}`;
        const text = num(c.value, 0);
        const td = h("td", { className: "heat" + (c.smallSample ? " small" : "") + (c.value >= target ? " met" : ""), title });
        td.style.backgroundColor = heatColour(c.value, target);
        td.append(c.open ? h("button", { type: "button", className: "link", onclick: c.open, title: title + " — bấm để xem hồ sơ" }, text) : text);
        return td;
      }),
    ),
  );
  return h(
    "div",
    { className: "table-wrap" },
    h("table", { className: "heatmap" }, h("caption", null, `Ô: ${unit} (%); nhạt và nghiêng = mẫu nhỏ; màu xanh = đạt mục tiêu ${pct(target, 0)}.`), h("thead", null, head), h("tbody", null, body)),
  );
}

// ------------------------------------------------------------------ SVG bars
const SVG_NS = "http://www.w3.org/2000/svg";
function s(tag: string, attrs: Record<string, string | number | undefined>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

export interface BarRow {
  label: string;
  title: string;
  depth: number;
  total?: boolean;
  pct: number | null;
  ci: { low: number; high: number } | null;
  n: number;
  small: boolean;
}

/** Horizontal bars of a percentage per group with its 95% interval and the target line. */
export function barChart(rows: BarRow[], target: number, minSample: number): SVGElement {
  const W = 860, LABEL = 270, RIGHT = 190, ROW = 30, TOP = 30, BOTTOM = 26;
  const x0 = LABEL + 10, x1 = W - RIGHT;
  const sx = (p: number) => x0 + ((x1 - x0) * Math.max(0, Math.min(100, p))) / 100;
  const H = TOP + rows.length * ROW + BOTTOM;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": `Tỷ lệ hài lòng theo nhóm so với mục tiêu ${pct(target, 0)}` });
  for (const g of [0, 25, 50, 75, 100]) {
    svg.append(s("line", { x1: sx(g), x2: sx(g), y1: TOP - 4, y2: H - BOTTOM, class: "grid" }));
    svg.append(s("text", { x: sx(g), y: H - BOTTOM + 16, "text-anchor": "middle", class: "axis" }, pct(g, 0)));
  }
  rows.forEach((row, i) => {
    const y = TOP + i * ROW;
    const cy = y + ROW / 2;
    const g = s("g", { class: "row" });
    g.append(s("text", { x: 4 + row.depth * 14, y: cy + 4, class: "label" + (row.total ? " strong" : "") }, truncate(row.label, 36 - row.depth * 2)));
    const tip = [row.title, `Hài lòng: ${pct(row.pct)} (n = ${num(row.n)})`];
    if (row.ci) tip.push(`Khoảng tin cậy 95%: ${pct(row.ci.low)} – ${pct(row.ci.high)}`);
    if (row.small) tip.push(`Mẫu nhỏ: ít hơn ${num(minSample)} đánh giá`);
    g.append(s("title", {}, tip.join("\n")));
    if (isNum(row.pct)) {
      const cls = "bar " + (row.pct >= target ? "good" : "bad") + (row.small ? " small" : "");
      g.append(s("rect", { x: x0, y: y + 7, width: Math.max(1, sx(row.pct) - x0), height: ROW - 14, rx: 2, class: cls }));
      if (row.ci) {
        const a = sx(row.ci.low), b = sx(row.ci.high);
        g.append(s("line", { x1: a, x2: b, y1: cy, y2: cy, class: "ci" }), s("line", { x1: a, x2: a, y1: cy - 6, y2: cy + 6, class: "ci" }), s("line", { x1: b, x2: b, y1: cy - 6, y2: cy + 6, class: "ci" }));
      }
      g.append(s("text", { x: x1 + 10, y: cy + 4, class: "value" + (row.total ? " strong" : "") }, `${pct(row.pct)} · n = ${num(row.n)}${row.small ? " · mẫu nhỏ" : ""}`));
    } else g.append(s("text", { x: x0 + 6, y: cy + 4, class: "value muted" }, "chưa có đánh giá"));
    svg.append(g);
  });
  const tx = sx(target);
  svg.append(s("line", { x1: tx, x2: tx, y1: TOP - 8, y2: H - BOTTOM + 2, class: "target" }));
  svg.append(s("text", { x: tx, y: TOP - 12, "text-anchor": "middle", class: "target-label" }, `Mục tiêu ${pct(target, 1)}`));
  return svg;
}

export interface StackRow {
  label: string;
  title: string;
  depth: number;
  total?: boolean;
  parts: [number, string][];
  right: string;
}
/** Stacked horizontal bars (on time / late / open past due). */
export function stackChart(rows: StackRow[]): SVGElement {
  const W = 860, LABEL = 270, RIGHT = 150, ROW = 30, TOP = 10, BOTTOM = 8;
  const x0 = LABEL + 10, x1 = W - RIGHT;
  const max = Math.max(1, ...rows.map((r) => r.parts.reduce((a, [n]) => a + n, 0)));
  const sx = (n: number) => ((x1 - x0) * n) / max;
  const H = TOP + rows.length * ROW + BOTTOM;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": "Hồ sơ đúng hạn, trễ hạn và quá hạn theo nhóm" });
  rows.forEach((row, i) => {
    const y = TOP + i * ROW;
    const cy = y + ROW / 2;
    const g = s("g", { class: "row" }, s("title", {}, row.title));
    g.append(s("text", { x: 4 + row.depth * 14, y: cy + 4, class: "label" + (row.total ? " strong" : "") }, truncate(row.label, 36 - row.depth * 2)));
    let x = x0;
    for (const [n, cls] of row.parts) {
      if (n > 0) g.append(s("rect", { x, y: y + 7, width: Math.max(1, sx(n)), height: ROW - 14, class: "bar " + cls }));
      x += sx(n);
    }
    g.append(s("text", { x: x1 + 10, y: cy + 4, class: "value" + (row.total ? " strong" : "") }, row.right));
    svg.append(g);
  });
  return svg;
}
