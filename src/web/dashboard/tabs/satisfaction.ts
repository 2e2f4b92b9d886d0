// Tab «Chỉ số hài lòng» (analyst): the index with its interval against the target, the monthly
// trend with its band, the unit × month heat map, bars per group, reasons, the responses
// themselves and the exports. Every count opens the dossiers behind it.
import { clear, h } from "../../shared/dom.ts";
import { api, call, InputError } from "../api.ts";
import { barChart, heatmap, trendChart, type HeatCell, type HeatRow, type TrendPoint } from "../charts.ts";
import { CHANNEL_NAMES, fmtDate, fmtDateTime, GROUP_NAMES, isNum, monthEnd, monthsBetween, num, pct, RATING_NAMES, signed, todayVn } from "../format.ts";
import { keyLabel, keyPeriod, keyTitle, keyUnit, unitDepths, unitTreeOrder, type KeyUnit } from "../keys.ts";
import { drill, state, type ListFilter } from "../state.ts";
import type { FeedbackItem, Page, SatisfactionReport, SatisfactionRow } from "../types.ts";
import { badge, busy, card, countLink, dateInput, field, flash, table, unitSelect } from "../ui.ts";

const NEED = ["analyst"] as const;

export function mountSatisfaction(panel: HTMLElement): { load: () => Promise<void>; units: HTMLSelectElement[] } {
  const from = dateInput("s-from", todayVn(-365).slice(0, 7) + "-01");
  const to = dateInput("s-to", todayVn());
  const unit = unitSelect("s-unit", state.units);
  const channel = h("select", { id: "s-channel" }, h("option", { value: "" }, "Mọi kênh"), ["telegram", "zalo", "web"].map((c) => h("option", { value: c }, CHANNEL_NAMES[c] ?? c)));
  const group = h("select", { id: "s-group" }, ["unit", "field", "procedure", "channel", "month", "quarter"].map((g) => h("option", { value: g }, GROUP_NAMES[g] ?? g)));
  const go = h("button", { type: "submit", id: "s-go" }, "Xem");
  const csv = h("button", { type: "button", id: "s-csv", className: "secondary" }, "Tải CSV");
  const xlsx = h("button", { type: "button", id: "s-xlsx", className: "secondary" }, "Tải XLSX");
  const form = h(
    "form",
    { className: "filters", id: "s-form", autocomplete: "off" },
    field("Từ ngày", from),
    field("Đến ngày", to),
    field("Đơn vị (và cấp dưới)", unit, "wide"),
    field("Kênh trả lời", channel),
    field("Nhóm theo", group),
    h("div", { className: "buttons" }, go, csv, xlsx),
  );
  const msg = h("div", { id: "s-msg" });
  const out = h("div", { id: "s-out" });
  const feedback = h("div", { id: "s-feedback" });
  panel.append(form, msg, out, feedback);

  function filters(): URLSearchParams {
    const q = new URLSearchParams();
    if (from.value && to.value && from.value > to.value) throw new InputError("«Từ ngày» phải trước «Đến ngày».");
    if (from.value) q.set("from", from.value);
    if (to.value) q.set("to", to.value);
    if (unit.value) q.set("unitCode", unit.value);
    if (channel.value) q.set("channel", channel.value);
    return q;
  }
  /** The dossier-list filter for this scope (answers are dated by the dossier's finish). */
  const scope = (extra: ListFilter): ListFilter => ({
    ...(from.value ? { from: from.value } : {}),
    ...(to.value ? { to: to.value } : {}),
    dateField: "finished",
    ...(unit.value ? { unitCode: unit.value } : {}),
    ...extra,
  });

  async function load(): Promise<void> {
    await busy(go, msg, [...NEED], async () => {
      const q = filters();
      const withGroup = (g: string) => {
        const p = new URLSearchParams(q);
        p.set("groupBy", g);
        return "/api/v1/stats/satisfaction?" + p.toString();
      };
      flash(msg, "info", "Đang tính chỉ số…");
      const [rep, trend, heat] = await Promise.all([
        api<SatisfactionReport>(withGroup(group.value)),
        api<SatisfactionReport>(withGroup("month")),
        api<SatisfactionReport>(withGroup("unit,month")),
      ]);
      flash(msg, "");
      render(rep, trend, heat);
      await loadFeedback(true);
    }, [out, feedback]);
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void load();
  });

  function render(rep: SatisfactionReport, trend: SatisfactionReport, heat: SatisfactionReport): void {
    clear(out);
    state.target = rep.target;
    const t = rep.totals;
    const gap = t.gapToTargetPct;
    const dec = t.decision766;
    const sc: string[] = [];
    if (rep.filters.from) sc.push("từ " + fmtDate(String(rep.filters.from) + "T00:00:00+07:00"));
    if (rep.filters.to) sc.push("đến hết " + fmtDate(String(rep.filters.to) + "T00:00:00+07:00"));
    if (unit.value) sc.push(unit.selectedOptions[0]!.textContent!.trim() + " và cấp dưới");
    if (rep.filters.channel) sc.push("kênh " + (CHANNEL_NAMES[String(rep.filters.channel)] ?? String(rep.filters.channel)));
    out.append(h("p", { className: "scope" }, `Phạm vi: ${sc.length ? sc.join(", ") : "toàn bộ thời gian, mọi đơn vị"}. Số liệu tính đến ${fmtDateTime(rep.asOf)}.`));

    out.append(
      h(
        "div",
        { className: "cards" },
        card(
          "Tỷ lệ hài lòng",
          pct(t.satisfactionPct),
          isNum(gap) ? `${signed(gap)} điểm % so với mục tiêu ${pct(rep.target, 1)}${gap >= 0 ? " — đạt" : " — chưa đạt"}` : `Mục tiêu ${pct(rep.target, 1)}; chưa có đánh giá`,
          isNum(gap) ? (gap >= 0 ? "good" : "bad") : "",
          t.smallSample && t.rated > 0 ? badge(`Mẫu nhỏ (n < ${num(rep.minSample)})`, "warn", "Ít đánh giá: khoảng tin cậy rộng, thận trọng khi kết luận") : null,
        ),
        card("Số đánh giá (n)", countLink(num(t.rated), drill(scope({ rating: "any" }), "Hồ sơ đã được đánh giá")), t.ci95 ? `Khoảng tin cậy 95% (Wilson): ${pct(t.ci95.low)} – ${pct(t.ci95.high)}` : "Chưa có đánh giá"),
        card("Tỷ lệ phản hồi", pct(t.responseRatePct), `${num(t.rated)} đánh giá / ${num(t.invited)} lời mời khảo sát`),
        card(
          "Chỉ số S (QĐ 766)",
          dec && isNum(dec.s) ? pct(dec.s) : "—",
          dec ? `S = 100% − (trễ hạn ${pct(dec.overduePct)} + không hài lòng ${pct(dec.dissatisfiedPct)}) trên ${num(dec.dossiers)} hồ sơ; điểm ${num(dec.score, 2)}` : "",
          dec && isNum(dec.s) ? (dec.fullMarks ? "good" : "bad") : "",
          dec?.fullMarks ? badge("Đạt điểm tối đa (S ≥ 90%)", "ok") : null,
        ),
        card(
          "Không hài lòng",
          countLink(num(t.notSatisfied), drill(scope({ rating: "not_satisfied" }), "Hồ sơ có đánh giá không hài lòng")),
          `Rất hài lòng ${num(t.verySatisfied)} · hài lòng ${num(t.satisfied)} · khiếu nại ${num(t.complaints)}`,
        ),
      ),
    );

    out.append(h("h3", null, "Chỉ số theo tháng"));
    const months = trendMonths(trend);
    if (!months.length) out.append(h("p", { className: "muted" }, "Chưa có đánh giá nào trong phạm vi này."));
    else {
      const byMonth = new Map(trend.groups.map((g) => [keyPeriod(g.key) ?? "", g]));
      const points: TrendPoint[] = months.map((m) => {
        const g = byMonth.get(m);
        return { month: m, satisfactionPct: g?.satisfactionPct ?? null, ci95: g?.ci95 ?? null, rated: g?.rated ?? 0, smallSample: g?.smallSample ?? true };
      });
      out.append(trendChart(points, rep.target));
      out.append(h("p", { className: "small muted" }, `Đường xanh: chỉ số mỗi tháng; dải nhạt: khoảng tin cậy 95% (Wilson) — tháng ít đánh giá có dải rộng; đường đỏ đứt: mục tiêu ${pct(rep.target, 0)}.`));

      out.append(h("h3", null, "Bản đồ nhiệt: đơn vị × tháng"));
      out.append(heatmap(heatRows(heat, rep.minSample), months, rep.target, "tỷ lệ hài lòng"));
    }

    const depthOf = rep.groupBy.includes("unit") ? unitDepths(rep.groups.map((g) => g.key)) : () => 0;
    type R = { label: string; title: string; depth: number; total?: boolean; r: SatisfactionRow | SatisfactionReport["totals"]; filter: ListFilter };
    const rows: R[] = [
      { label: "Toàn bộ", title: "Toàn bộ phạm vi", depth: 0, total: true, r: t, filter: {} },
      ...rep.groups.map((g) => ({ label: keyLabel(g.key, rep.groupBy), title: keyTitle(g.key, rep.groupBy), depth: rep.groupBy[0] === "unit" ? depthOf(g.key) : 0, r: g, filter: groupFilter(g.key) })),
    ];
    out.append(h("h3", null, "Tỷ lệ hài lòng theo " + (GROUP_NAMES[rep.groupBy.join(",")] ?? "nhóm")));
    out.append(
      h(
        "div",
        { className: "chart-box" },
        barChart(rows.map((x) => ({ label: x.label, title: x.title, depth: x.depth, total: x.total ?? false, pct: x.r.satisfactionPct, ci: x.r.ci95, n: x.r.rated, small: x.r.smallSample })), rep.target, rep.minSample),
      ),
    );
    out.append(
      table(
        ["Nhóm", "n", "Rất hài lòng", "Hài lòng", "Không hài lòng", "% hài lòng", "KTC 95%", "So với mục tiêu", "Tỷ lệ phản hồi", "Khiếu nại", "S (QĐ 766)"],
        rows.map((row) => {
          const r = row.r;
          const open = (rating: string, what: string) => drill(scope({ ...row.filter, rating }), `${what} — ${row.label}`);
          return {
            className: row.total ? "total" : "",
            cells: [
              h("span", { title: row.title, className: "indent-" + Math.min(row.depth, 4) }, row.label, r.rated === 0 ? [" ", badge("chưa có đánh giá", "muted")] : r.smallSample ? [" ", badge("mẫu nhỏ", "warn")] : null),
              countLink(num(r.rated), row.filter.channel ? null : open("any", "Hồ sơ đã được đánh giá")),
              countLink(num(r.verySatisfied), row.filter.channel ? null : open("very_satisfied", "Rất hài lòng")),
              countLink(num(r.satisfied), row.filter.channel ? null : open("satisfied", "Hài lòng")),
              countLink(num(r.notSatisfied), row.filter.channel ? null : open("not_satisfied", "Không hài lòng")),
              pct(r.satisfactionPct),
              r.ci95 ? `${pct(r.ci95.low)} – ${pct(r.ci95.high)}` : "—",
              h("span", { className: isNum(r.gapToTargetPct) ? (r.gapToTargetPct >= 0 ? "good" : "bad") : "" }, isNum(r.gapToTargetPct) ? signed(r.gapToTargetPct) + " điểm" : "—"),
              pct(r.responseRatePct),
              num(r.complaints),
              r.decision766 && isNum(r.decision766.s) ? pct(r.decision766.s) : "—",
            ],
          };
        }),
        { numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], className: "data groups" },
      ),
    );

    reasonLabels.clear();
    for (const r of rep.reasons) reasonLabels.set(r.reason, r.label.vi);
    out.append(h("h3", null, "Lý do không hài lòng thường gặp"));
    if (!rep.reasons.length) out.append(h("p", { className: "muted" }, "Không có đánh giá «không hài lòng» nào nêu lý do trong phạm vi này."));
    else {
      const max = Math.max(...rep.reasons.map((r) => r.count));
      out.append(
        h(
          "ol",
          { className: "reasons" },
          rep.reasons.slice(0, 8).map((r) => {
            const fill = h("span", { className: "fill" });
            fill.style.width = ((r.count / max) * 100).toFixed(1) + "%";
            return h("li", null, h("span", { className: "reason-label" }, r.label.vi), h("span", { className: "reason-bar" }, fill), h("span", { className: "reason-n" }, `${num(r.count)} ý kiến · ${pct(r.pctOfNotSatisfied)} số không hài lòng`));
          }),
        ),
      );
    }
  }

  /** Months of the trend: every month from the chosen start to the end (or those with data). */
  function trendMonths(trend: SatisfactionReport): string[] {
    const seen = trend.groups.map((g) => keyPeriod(g.key)).filter((m): m is string => !!m).sort();
    const first = from.value ? from.value.slice(0, 7) : seen[0];
    const last = to.value ? to.value.slice(0, 7) : seen[seen.length - 1];
    if (!first || !last || first > last) return seen;
    const all = monthsBetween(first, last);
    return all.length <= 60 ? all : seen;
  }

  function heatRows(heat: SatisfactionReport, minSample: number): HeatRow[] {
    const units = new Map<string, KeyUnit>();
    const cells = new Map<string, Map<string, HeatCell>>();
    for (const g of heat.groups) {
      const u = keyUnit(g.key);
      const m = keyPeriod(g.key);
      if (!u || !m) continue;
      units.set(u.code, u);
      const row = cells.get(u.code) ?? new Map<string, HeatCell>();
      row.set(m, {
        value: g.satisfactionPct,
        n: g.rated,
        smallSample: g.rated < minSample,
        open: drill(scope({ unitCode: u.code, from: `${m}-01`, to: monthEnd(m), rating: "any" }), `Hồ sơ được đánh giá — ${u.name}, tháng ${m.slice(5)}/${m.slice(0, 4)}`),
      });
      cells.set(u.code, row);
    }
    return unitTreeOrder([...units.values()]).map(({ unit: u, depth }) => ({ label: u.name, title: `${u.name} (${u.code})`, depth, cells: cells.get(u.code) ?? new Map() }));
  }

  // ---------------------------------------------------------------- responses, a page at a time
  const reasonLabels = new Map<string, string>();
  let cursor: string | null = null;
  async function loadFeedback(reset: boolean): Promise<void> {
    if (reset) {
      cursor = null;
      clear(feedback);
    }
    const q = filters();
    q.set("limit", "20");
    if (cursor) q.set("cursor", cursor);
    const page = await api<Page<FeedbackItem>>("/api/v1/feedback?" + q.toString());
    cursor = page.nextCursor;
    let tbody = feedback.querySelector("tbody");
    if (!tbody) {
      feedback.append(h("h3", null, "Các phản hồi"));
      if (!page.items.length) {
        feedback.append(h("p", { className: "muted" }, "Chưa có phản hồi nào trong phạm vi này."));
        return;
      }
      feedback.append(table(["Trả lời lúc", "Hồ sơ", "Đơn vị", "Kênh", "Đánh giá", "Lý do", "Góp ý", "Người dân (ẩn danh)"], [], { className: "data" }));
      tbody = feedback.querySelector("tbody")!;
    }
    for (const f of page.items)
      tbody.append(
        h(
          "tr",
          null,
          h("td", null, fmtDateTime(f.firstAnsweredAt)),
          h("td", null, h("code", null, f.dossierCode)),
          h("td", null, f.unit.name),
          h("td", null, CHANNEL_NAMES[f.channel] ?? f.channel),
          h("td", null, f.overall ? h("span", { className: f.overall === "not_satisfied" ? "bad" : "good" }, RATING_NAMES[f.overall] ?? f.overall) : "—", f.complaint ? [" ", badge("khiếu nại", "warn")] : null),
          h("td", null, f.reasons.map((r) => reasonLabels.get(r) ?? r).join("; ") || "—"),
          h("td", { className: "comment" }, f.comment || "—"),
          h("td", null, h("code", null, f.applicant)),
        ),
      );
    feedback.querySelector(".more")?.remove();
    if (cursor) {
      const b = h("button", { type: "button", className: "more secondary" }, "Xem thêm phản hồi");
      b.addEventListener("click", () => void busy(b, msg, [...NEED], () => loadFeedback(false)));
      feedback.append(b);
    }
  }

  // ---------------------------------------------------------------- exports
  async function download(format: "csv" | "xlsx", button: HTMLButtonElement): Promise<void> {
    await busy(button, msg, [...NEED], async () => {
      const q = filters();
      q.set("format", format);
      flash(msg, "info", `Đang xuất tệp ${format.toUpperCase()}…`);
      const res = await call("/api/v1/feedback/export?" + q.toString());
      const name = await save(res, "phan-hoi." + format);
      flash(msg, "ok", `Đã tải ${name}, cùng bộ lọc ngày, đơn vị và kênh ở trên.`);
    });
  }
  csv.addEventListener("click", () => void download("csv", csv));
  xlsx.addEventListener("click", () => void download("xlsx", xlsx));

  return { load, units: [unit] };
}

/** The list filter of one group of a report. */
function groupFilter(key: Record<string, unknown>): ListFilter {
  const f: ListFilter = {};
  const u = keyUnit(key);
  if (u) f.unitCode = u.code;
  const field = key.field as { code?: string } | null | undefined;
  if (field?.code) f.fieldCode = field.code;
  const proc = key.procedure as { code?: string } | null | undefined;
  if (proc?.code) f.procedureCode = proc.code;
  const m = keyPeriod(key);
  if (m && /^\d{4}-\d{2}$/.test(m)) Object.assign(f, { from: `${m}-01`, to: monthEnd(m) });
  if (typeof key.channel === "string") f.channel = key.channel;
  return f;
}

/** Saves a download response as a file; returns its name. */
export async function save(res: Response, fallback: string): Promise<string> {
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallback;
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

