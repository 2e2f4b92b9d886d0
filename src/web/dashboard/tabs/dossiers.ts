// Tab «Hồ sơ» (staff, analyst): the list of dossiers behind any count of the other tabs
// (paged, filterable, exportable as CSV) and one dossier's staff view.
import { clear, h } from "../../shared/dom.ts";
import { api, call } from "../api.ts";
import { fmtDate, fmtDateTime, FEE_NAMES, isNum, num, RETURN_NAMES, statusCodes, statusName, TIMELINESS_NAMES } from "../format.ts";
import { actorName, state, type ListFilter } from "../state.ts";
import type { DossierListItem, DossierListPage, DossierView } from "../types.ts";
import { badge, busy, dateInput, field, flash, table, unitSelect } from "../ui.ts";
import { save } from "./satisfaction.ts";

const NEED = ["staff", "analyst"] as const;
/** Filters the list form shows; others (rating, finishedLate…) come from a drill-down and are listed as such. */
const SHOWN = new Set(["unitCode", "status", "from", "to", "dateField", "code", "state", "late", "openPastDue"]);
const FILTER_NAMES: Record<string, (v: string) => string> = {
  rating: (v) => ({ any: "đã được đánh giá", none: "chưa đánh giá", very_satisfied: "rất hài lòng", satisfied: "hài lòng", not_satisfied: "không hài lòng" })[v] ?? v,
  finishedLate: (v) => (v === "true" ? "giải quyết trễ hạn" : "giải quyết đúng hạn"),
  fieldCode: (v) => `lĩnh vực ${state.lookups?.fields.find((f) => f.code === v)?.name ?? v}`,
  procedureCode: (v) => `thủ tục ${state.lookups?.procedures.find((p) => p.code === v)?.name ?? v}`,
  channel: (v) => `kênh ${v}`,
};

export function mountDossiers(panel: HTMLElement): { load: () => Promise<void>; units: HTMLSelectElement[]; showDossier: (code: string) => Promise<void> } {
  // ---------------------------------------------------------------- one dossier by code
  const code = h("input", { type: "text", id: "d-code", className: "wide", placeholder: "000.00.15.H32-230112-0001", spellcheck: false });
  const go = h("button", { type: "submit", id: "d-go" }, "Tra cứu");
  const lookup = h("form", { className: "filters", id: "d-form", autocomplete: "off" }, field("Mã hồ sơ", code, "wide"), h("div", { className: "buttons" }, go));
  const msg = h("div", { id: "d-msg" });
  const view = h("div", { id: "d-out" });

  // ---------------------------------------------------------------- the list
  const unit = unitSelect("l-unit", state.units);
  const status = h("select", { id: "l-status" }, h("option", { value: "" }, "Mọi trạng thái"), statusCodes().map((c) => h("option", { value: c }, `${c} · ${statusName(c)}`)));
  const situation = h(
    "select",
    { id: "l-state" },
    h("option", { value: "" }, "Mọi hồ sơ"),
    h("option", { value: "state=open" }, "Chưa giải quyết xong"),
    h("option", { value: "state=finished" }, "Đã giải quyết"),
    h("option", { value: "late=true" }, "Trễ hạn (đã hoặc chưa giải quyết)"),
    h("option", { value: "openPastDue=true" }, "Quá hạn, chưa giải quyết"),
  );
  const dateField = h("select", { id: "l-datefield" }, h("option", { value: "received" }, "ngày tiếp nhận"), h("option", { value: "finished" }, "ngày giải quyết xong"), h("option", { value: "appointment" }, "ngày hẹn trả"));
  const from = dateInput("l-from");
  const to = dateInput("l-to");
  const part = h("input", { type: "text", id: "l-code", placeholder: "một phần mã", spellcheck: false });
  const show = h("button", { type: "submit", id: "l-go" }, "Lọc");
  const csv = h("button", { type: "button", id: "l-csv", className: "secondary" }, "Tải CSV");
  const listForm = h(
    "form",
    { className: "filters", id: "l-form", autocomplete: "off" },
    field("Đơn vị (và cấp dưới)", unit, "wide"),
    field("Trạng thái", status),
    field("Tình trạng hạn", situation),
    field("Lọc ngày theo", dateField),
    field("Từ ngày", from),
    field("Đến ngày", to),
    field("Mã hồ sơ", part),
    h("div", { className: "buttons" }, show, csv),
  );
  const listTitle = h("h3", { id: "l-title" }, "Danh sách hồ sơ");
  const extra = h("div", { id: "l-extra", className: "scope" });
  const listMsg = h("div", { id: "l-msg" });
  const listOut = h("div", { id: "l-out" });
  const listBox = h("section", { id: "d-list", hidden: true }, listTitle, listForm, extra, listMsg, listOut);
  panel.append(h("h3", null, "Tra cứu một hồ sơ"), lookup, msg, view, listBox);

  let hidden: ListFilter = {};
  let cursor: string | null = null;

  function listQuery(): URLSearchParams {
    const q = new URLSearchParams(hidden);
    if (unit.value) q.set("unitCode", unit.value);
    if (status.value) q.set("status", status.value);
    if (situation.value) {
      const [k, v] = situation.value.split("=") as [string, string];
      q.set(k, v);
    }
    if (from.value || to.value) q.set("dateField", dateField.value);
    if (from.value) q.set("from", from.value);
    if (to.value) q.set("to", to.value);
    if (part.value.trim().length >= 2) q.set("code", part.value.trim());
    return q;
  }

  /** Fills the form from a drill-down's filter; what the form cannot show is kept and listed. */
  function openList(filter: ListFilter, title: string): void {
    listTitle.textContent = title;
    unit.value = filter.unitCode ?? "";
    status.value = filter.status ?? "";
    situation.value = filter.late ? "late=true" : filter.openPastDue ? "openPastDue=true" : filter.state ? `state=${filter.state}` : "";
    dateField.value = filter.dateField ?? "received";
    from.value = filter.from ?? "";
    to.value = filter.to ?? "";
    part.value = filter.code ?? "";
    hidden = Object.fromEntries(Object.entries(filter).filter(([k]) => !SHOWN.has(k)));
    void loadList(true);
  }

  async function loadList(reset: boolean, button: HTMLButtonElement | null = show): Promise<void> {
    listBox.hidden = false;
    const parts = Object.entries(hidden).map(([k, v]) => FILTER_NAMES[k]?.(v) ?? `${k} = ${v}`);
    clear(extra);
    if (parts.length)
      extra.append(
        "Thêm điều kiện: " + parts.join(", ") + " ",
        h("button", { type: "button", className: "link", onclick: () => { hidden = {}; void loadList(true); } }, "bỏ"),
      );
    await busy(button, listMsg, [...NEED], async () => {
      if (reset) cursor = null;
      const q = listQuery();
      q.set("limit", "25");
      if (cursor) q.set("cursor", cursor);
      const page = await api<DossierListPage>("/api/v1/dossiers?" + q.toString(), { feature: "list" });
      cursor = page.nextCursor;
      if (reset) {
        clear(listOut);
        listOut.append(h("p", { className: "small muted", id: "l-total" }, isNum(page.total) ? `${num(page.total)} hồ sơ khớp điều kiện.` : ""));
        if (!page.items.length) {
          listOut.append(h("p", { className: "muted" }, "Không có hồ sơ nào khớp điều kiện."));
          return;
        }
        listOut.append(table(["Mã hồ sơ", "Đơn vị", "Thủ tục", "Trạng thái", "Tiếp nhận", "Hẹn trả", "Xong", "Hạn"], [], { className: "data list" }));
      }
      const tbody = listOut.querySelector("tbody");
      if (tbody) for (const d of page.items) tbody.append(listRow(d));
      listOut.querySelector(".more")?.remove();
      if (cursor) {
        const more = h("button", { type: "button", className: "more secondary" }, "Xem thêm");
        more.addEventListener("click", () => void loadList(false, more));
        listOut.append(more);
      }
    }, [listOut]);
    listBox.scrollIntoView({ block: "start" });
  }

  function listRow(d: DossierListItem): HTMLElement {
    const tl = d.timeliness;
    const late = tl.state === "late" || tl.state === "overdue";
    const left = tl.state === "open" && isNum(tl.workingDaysLeft) ? ` · còn ${num(tl.workingDaysLeft)} ngày` : "";
    return h(
      "tr",
      null,
      h("td", null, h("button", { type: "button", className: "link code", onclick: () => void showDossier(d.code) }, d.code), d.demo ? [" ", badge("mẫu", "warn")] : null),
      h("td", null, d.unit.name),
      h("td", { className: "text", title: d.procedure.name }, d.procedure.name),
      h("td", null, statusName(d.status), d.status === 5 && d.supplementReason ? h("div", { className: "small muted" }, "Cần bổ sung: " + d.supplementReason) : null, d.stopReason ? h("div", { className: "small muted" }, d.stopReason) : null),
      h("td", null, fmtDate(d.receivedAt)),
      h("td", null, fmtDate(d.appointmentAt)),
      h("td", null, fmtDate(d.finishedAt)),
      h("td", null, badge((TIMELINESS_NAMES[tl.state] ?? tl.state) + left, late ? "bad" : "ok")),
    );
  }

  listForm.addEventListener("submit", (e) => {
    e.preventDefault();
    void loadList(true);
  });
  csv.addEventListener("click", () =>
    void busy(csv, listMsg, [...NEED], async () => {
      const q = listQuery();
      q.set("format", "csv");
      q.set("headers", "vi");
      const res = await call("/api/v1/dossiers?" + q.toString(), { feature: "list" });
      const name = await save(res, "ho-so.csv");
      flash(listMsg, "ok", `Đã tải ${name} với các điều kiện đang lọc.`);
    }),
  );

  // ---------------------------------------------------------------- one dossier
  async function showDossier(c: string): Promise<void> {
    code.value = c;
    await busy(go, msg, [...NEED], async () => {
      clear(view);
      const d = await api<DossierView>("/api/v1/dossiers/" + encodeURIComponent(c));
      renderDossier(d);
      view.scrollIntoView({ block: "start" });
    }, [view]);
  }
  lookup.addEventListener("submit", (e) => {
    e.preventDefault();
    const c = code.value.trim();
    if (!c) {
      flash(msg, "err", "Nhập mã hồ sơ, ví dụ 000.00.15.H32-230112-0001.");
      clear(view);
      return;
    }
    void showDossier(c);
  });

  function renderDossier(d: DossierView): void {
    clear(view);
    const tl = d.timeliness;
    const kind = tl.state === "on_time" || tl.state === "open" ? "good" : "bad";
    let left = "";
    if (isNum(tl.workingDaysLeft) && tl.state === "open") left = `Còn ${num(tl.workingDaysLeft, 1)} ngày làm việc`;
    if (tl.workingDaysLate > 0) left = `Trễ ${num(tl.workingDaysLate, 1)} ngày làm việc`;
    const row = (k: string, v: string | Node | null | undefined) => [h("dt", null, k), h("dd", null, v === null || v === undefined || v === "" ? "—" : v)];
    // Waiting for a supplement: the count only grows when the citizen hands it in, so the
    // current request is told from the status, with the reason the citizen was given.
    const waiting = d.status === 5;
    const lastRequest = [...d.history].reverse().find((e) => e.status === 5 && e.applied);
    const reason = d.supplementReason ?? lastRequest?.reason ?? lastRequest?.note ?? null;
    const supplement = waiting
      ? `Đang chờ người dân bổ sung (yêu cầu lần ${num(d.supplementCount + 1)}${lastRequest ? ", từ " + fmtDateTime(lastRequest.at) : ""})${reason ? ": " + reason : ""}`
      : d.supplementCount
        ? `Đã yêu cầu ${num(d.supplementCount)} lần${reason ? "; lần gần nhất: " + reason : ""}`
        : "Chưa lần nào";
    view.append(
      h(
        "div",
        { className: "dossier" },
        h(
          "div",
          { className: "dossier-head" },
          h("h3", null, h("code", null, d.code)),
          badge(statusName(d.status), "status"),
          badge(TIMELINESS_NAMES[tl.state] ?? tl.state, kind),
          left ? badge(left, kind) : null,
          waiting ? badge("Chờ bổ sung", "warn") : null,
          tl.countsAsOverdueNationally ? badge("Tính là quá hạn theo quy định quốc gia", "bad") : null,
          d.demo ? badge("DỮ LIỆU MẪU", "warn") : null,
        ),
        h(
          "dl",
          { className: "facts" },
          row("Đơn vị tiếp nhận", `${d.unit.name} (${d.unit.code})`),
          row("Lĩnh vực", d.field?.name),
          row("Thủ tục", `${d.procedure.name} (${d.procedure.code})${isNum(d.procedure.durationDays) ? ` — ${num(d.procedure.durationDays)} ngày làm việc` : ""}`),
          row("Người nộp", [d.applicant.name, d.applicant.phone, d.applicant.idNumberMasked ? "CCCD " + d.applicant.idNumberMasked : null].filter(Boolean).join(" · ")),
          row("Ngày tiếp nhận", fmtDateTime(d.receivedAt)),
          row("Ngày hẹn trả", fmtDateTime(d.appointmentAt) + (d.appointmentComputed ? " (tính theo lịch làm việc)" : "")),
          row("Trạng thái", `${statusName(d.status)} từ ${fmtDateTime(d.statusAt)}`),
          row("Bước hiện tại", d.currentStep),
          row("Hình thức trả kết quả", d.returnMethod ? (RETURN_NAMES[d.returnMethod] ?? d.returnMethod) : null),
          row("Phí, lệ phí", d.feeStatus ? (FEE_NAMES[d.feeStatus] ?? d.feeStatus) + (isNum(d.feeAmount) ? ` — ${num(d.feeAmount)} đồng` : "") : null),
          row("Yêu cầu bổ sung", supplement),
          d.stopReason ? row("Lý do dừng/từ chối", d.stopReason) : null,
          d.finishedAt ? row("Giải quyết xong", fmtDateTime(d.finishedAt)) : null,
          d.returnedAt ? row("Đã trả kết quả", fmtDateTime(d.returnedAt)) : null,
        ),
      ),
    );
    view.append(h("h3", null, "Lịch sử xử lý"));
    if (!d.history.length) view.append(h("p", { className: "muted" }, "Chưa có sự kiện nào."));
    else
      view.append(
        table(
          ["Thời điểm", "Trạng thái", "Ghi chú", "Lý do", "Nguồn"],
          d.history.map((e) => ({
            className: e.applied ? "" : "muted",
            cells: [fmtDateTime(e.at), [statusName(e.status), e.applied ? null : [" ", badge("đến muộn, không áp dụng", "warn", "Sự kiện cũ hơn trạng thái hiện tại: chỉ ghi vào lịch sử")]], e.note || "—", e.reason || "—", actorName(e.source)],
          })),
          { className: "data" },
        ),
      );
  }

  state.openList = openList;
  return {
    load: async () => {
      if (state.caps.list && !listOut.hasChildNodes()) openList({}, "Danh sách hồ sơ");
      else code.focus();
    },
    units: [unit],
    showDossier,
  };
}
