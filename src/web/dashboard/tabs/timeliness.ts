// Tab «Đúng hạn» (analyst): timeliness per ward against the city's target "100% of wards with
// no late dossier", stacked bars per group, the reasons for refusals; every count opens the
// dossiers behind it.
import { clear, h } from "../../shared/dom.ts";
import { api, InputError } from "../api.ts";
import { stackChart } from "../charts.ts";
import { fmtDate, fmtDateTime, GROUP_NAMES, isNum, monthEnd, num, pct, STOP_NAMES, todayVn } from "../format.ts";
import { keyLabel, keyPeriod, keyTitle, keyUnit, unitDepths } from "../keys.ts";
import { drill, type ListFilter } from "../state.ts";
import type { TimelinessReport, TimelinessRow } from "../types.ts";
import { busy, card, countLink, dateInput, field, flash, table, unitSelect } from "../ui.ts";
import { state } from "../state.ts";

export function mountTimeliness(panel: HTMLElement): { load: () => Promise<void>; units: HTMLSelectElement[] } {
  const from = dateInput("t-from", todayVn(-365).slice(0, 7) + "-01");
  const to = dateInput("t-to", todayVn());
  const unit = unitSelect("t-unit", state.units);
  const group = h("select", { id: "t-group" }, ["unit", "field", "procedure", "month", "quarter"].map((g) => h("option", { value: g }, GROUP_NAMES[g] ?? g)));
  const go = h("button", { type: "submit", id: "t-go" }, "Xem");
  const form = h("form", { className: "filters", id: "t-form", autocomplete: "off" }, field("Từ ngày", from), field("Đến ngày", to), field("Đơn vị (và cấp dưới)", unit, "wide"), field("Nhóm theo", group), h("div", { className: "buttons" }, go));
  const msg = h("div", { id: "t-msg" });
  const out = h("div", { id: "t-out" });
  panel.append(form, msg, out);

  async function load(): Promise<void> {
    await busy(go, msg, ["analyst"], async () => {
      if (from.value && to.value && from.value > to.value) throw new InputError("«Từ ngày» phải trước «Đến ngày».");
      const q = new URLSearchParams();
      if (from.value) q.set("from", from.value);
      if (to.value) q.set("to", to.value);
      if (unit.value) q.set("unitCode", unit.value);
      q.set("groupBy", group.value);
      flash(msg, "info", "Đang tính…");
      const rep = await api<TimelinessReport>("/api/v1/stats/timeliness?" + q.toString());
      flash(msg, "");
      render(rep);
    }, [out]);
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void load();
  });

  const scope = (f: ListFilter): ListFilter => ({ ...(from.value ? { from: from.value } : {}), ...(to.value ? { to: to.value } : {}), ...(unit.value ? { unitCode: unit.value } : {}), ...f });

  function render(rep: TimelinessReport): void {
    clear(out);
    const t = rep.totals;
    const sc: string[] = [];
    if (rep.filters.from) sc.push("từ " + fmtDate(String(rep.filters.from) + "T00:00:00+07:00"));
    if (rep.filters.to) sc.push("đến hết " + fmtDate(String(rep.filters.to) + "T00:00:00+07:00"));
    if (unit.value) sc.push(unit.selectedOptions[0]!.textContent!.trim() + " và cấp dưới");
    out.append(h("p", { className: "scope" }, `Phạm vi: ${sc.length ? sc.join(", ") : "toàn bộ thời gian, mọi đơn vị"}. Hồ sơ chưa giải quyết được xét tại ${fmtDateTime(rep.asOf)}.`));

    const meter = h("div", { className: "meter", title: "Mục tiêu 100%" }, h("span", { className: "fill" }), h("span", { className: "mark" }));
    (meter.firstChild as HTMLElement).style.width = (isNum(t.wardsWithoutLatePct) ? t.wardsWithoutLatePct : 0) + "%";
    const stopped = t.refused + t.suspended + t.withdrawn;
    out.append(
      h(
        "div",
        { className: "cards" },
        card(
          "Phường/xã không có hồ sơ trễ hạn",
          pct(t.wardsWithoutLatePct),
          t.wards ? `${num(t.wardsWithoutLate)}/${num(t.wards)} phường/xã · mục tiêu 100%${t.wardsWithoutLate < t.wards ? ` (còn ${num(t.wards - t.wardsWithoutLate)} đơn vị có hồ sơ trễ)` : " — đạt"}` : "Không có phường/xã nào trong phạm vi",
          t.wards ? (t.wardsWithoutLate === t.wards ? "good" : "bad") : "",
          t.wards ? meter : null,
        ),
        card("Giải quyết đúng hạn", pct(t.onTimePct), [countLink(num(t.finishedOnTime), drill(scope({ dateField: "finished", state: "finished", finishedLate: "false" }), "Hồ sơ giải quyết đúng hạn")), `/${num(t.finished)} hồ sơ đã giải quyết; tiếp nhận ${num(t.received)}`]),
        card(
          "Trễ hạn",
          countLink(num(t.late), drill(scope({ dateField: "appointment", late: "true" }), "Hồ sơ trễ hạn")),
          ["Giải quyết trễ ", countLink(num(t.finishedLate), drill(scope({ dateField: "finished", finishedLate: "true" }), "Hồ sơ giải quyết trễ hạn")), " · quá hạn chưa giải quyết ", countLink(num(t.openPastDue), drill(scope({ dateField: "appointment", openPastDue: "true" }), "Hồ sơ quá hạn chưa giải quyết")), ` · quá hạn theo quy định quốc gia ${num(t.overdueNationally)}`],
          t.late ? "bad" : "good",
        ),
        card("Từ chối + dừng xử lý + rút", pct(t.stoppedPct), `${num(stopped)}/${num(t.received)} hồ sơ tiếp nhận: từ chối ${num(t.refused)}, dừng xử lý ${num(t.suspended)}, rút ${num(t.withdrawn)}`),
      ),
    );

    const depthOf = rep.groupBy.includes("unit") ? unitDepths(rep.groups.map((g) => g.key)) : () => 0;
    type R = { label: string; title: string; depth: number; total?: boolean; r: TimelinessRow | TimelinessReport["totals"]; filter: ListFilter; ward: boolean };
    const rows: R[] = [
      { label: "Toàn bộ", title: "Toàn bộ phạm vi", depth: 0, total: true, r: t, filter: {}, ward: false },
      ...rep.groups.map((g) => {
        const u = keyUnit(g.key);
        const m = keyPeriod(g.key);
        const filter: ListFilter = {};
        if (u) filter.unitCode = u.code;
        if (m && /^\d{4}-\d{2}$/.test(m)) Object.assign(filter, { from: `${m}-01`, to: monthEnd(m) });
        const fc = (g.key.field as { code?: string } | null | undefined)?.code;
        if (fc) filter.fieldCode = fc;
        const pc = (g.key.procedure as { code?: string } | null | undefined)?.code;
        if (pc) filter.procedureCode = pc;
        return { label: keyLabel(g.key, rep.groupBy), title: keyTitle(g.key, rep.groupBy), depth: rep.groupBy[0] === "unit" ? depthOf(g.key) : 0, r: g, filter, ward: u?.level === "ward" };
      }),
    ];
    out.append(h("h3", null, "Hồ sơ đã giải quyết và quá hạn theo " + (GROUP_NAMES[rep.groupBy.join(",")] ?? "nhóm")));
    out.append(
      h(
        "div",
        { className: "chart-box" },
        stackChart(
          rows.map((x) => ({
            label: x.label,
            title: `${x.title}\nĐúng hạn: ${num(x.r.finishedOnTime)}\nTrễ hạn: ${num(x.r.finishedLate)}\nQuá hạn chưa giải quyết: ${num(x.r.openPastDue)}`,
            depth: x.depth,
            total: x.total ?? false,
            parts: [[x.r.finishedOnTime, "good"], [x.r.finishedLate, "bad"], [x.r.openPastDue, "open"]],
            right: isNum(x.r.onTimePct) ? `${pct(x.r.onTimePct)} đúng hạn` : "chưa có hồ sơ xong",
          })),
        ),
      ),
    );
    out.append(h("div", { className: "legend" }, h("span", null, h("i", { className: "sw good" }), "Giải quyết đúng hạn"), h("span", null, h("i", { className: "sw bad" }), "Giải quyết trễ hạn"), h("span", null, h("i", { className: "sw open" }), "Quá hạn, chưa giải quyết")));
    out.append(
      table(
        ["Nhóm", "Tiếp nhận", "Đã giải quyết", "Đúng hạn", "Trễ hạn", "Quá hạn chưa giải quyết", "% đúng hạn", "Quá hạn (quy định quốc gia)", "Phường/xã không có hồ sơ trễ", "Từ chối · dừng · rút"],
        rows.map((row) => {
          const r = row.r;
          const f = (x: ListFilter, what: string) => drill(scope({ ...row.filter, ...x }), `${what} — ${row.label}`);
          return {
            className: (row.total ? "total" : "") + (row.ward && r.late ? " late-ward" : ""),
            cells: [
              h("span", { title: row.title, className: "indent-" + Math.min(row.depth, 4) }, row.label, row.ward ? [" ", r.late ? h("span", { className: "badge bad" }, "có hồ sơ trễ") : h("span", { className: "badge ok" }, "không trễ")] : null),
              countLink(num(r.received), f({ dateField: "received" }, "Hồ sơ tiếp nhận")),
              countLink(num(r.finished), f({ dateField: "finished", state: "finished" }, "Hồ sơ đã giải quyết")),
              countLink(num(r.finishedOnTime), f({ dateField: "finished", state: "finished", finishedLate: "false" }, "Hồ sơ giải quyết đúng hạn")),
              h("span", { className: r.finishedLate ? "bad" : "" }, countLink(num(r.finishedLate), f({ dateField: "finished", finishedLate: "true" }, "Hồ sơ giải quyết trễ hạn"))),
              h("span", { className: r.openPastDue ? "bad" : "" }, countLink(num(r.openPastDue), f({ dateField: "appointment", openPastDue: "true" }, "Hồ sơ quá hạn chưa giải quyết"))),
              pct(r.onTimePct),
              num(r.overdueNationally),
              r.wards ? `${num(r.wardsWithoutLate)}/${num(r.wards)} (${pct(r.wardsWithoutLatePct, 0)})` : "—",
              `${num(r.refused)} · ${num(r.suspended)} · ${num(r.withdrawn)}`,
            ],
          };
        }),
        { numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9], className: "data groups" },
      ),
    );
    out.append(h("h3", null, "Lý do từ chối, dừng xử lý, rút hồ sơ"));
    if (!rep.stopReasons.length) out.append(h("p", { className: "muted" }, "Không có hồ sơ bị từ chối, dừng xử lý hay rút trong phạm vi này."));
    else out.append(table(["Loại", "Lý do", "Số hồ sơ"], rep.stopReasons.map((r) => ({ cells: [STOP_NAMES[r.status] ?? r.status, r.reason ?? "(không ghi lý do)", num(r.count)] })), { numeric: [2] }));
  }

  return { load, units: [unit] };
}
