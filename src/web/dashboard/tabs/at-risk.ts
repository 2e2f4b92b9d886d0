// Tab «Sắp trễ hạn» (staff, analyst): open dossiers ordered by the estimated chance of missing
// their appointment, with the reason ("thường mất 12 ngày làm việc, còn 3"). Hidden when the
// server has no GET /dossiers/at-risk.
import { clear, h } from "../../shared/dom.ts";
import { api } from "../api.ts";
import { fmtDate, isNum, num, pct, statusName } from "../format.ts";
import { state } from "../state.ts";
import type { AtRiskItem } from "../types.ts";
import { badge, busy, field, table, unitSelect } from "../ui.ts";

export function mountAtRisk(panel: HTMLElement, showDossier: (code: string) => void): { load: () => Promise<void>; units: HTMLSelectElement[] } {
  const unit = unitSelect("r-unit", state.units);
  const go = h("button", { type: "submit", id: "r-go" }, "Xem");
  const form = h("form", { className: "filters", id: "r-form", autocomplete: "off" }, field("Đơn vị (và cấp dưới)", unit, "wide"), h("div", { className: "buttons" }, go));
  const msg = h("div", { id: "r-msg" });
  const out = h("div", { id: "r-out" });
  panel.append(
    h("p", { className: "small muted" }, "Ước lượng khả năng mỗi hồ sơ đang giải quyết sẽ trễ hẹn, từ số ngày làm việc còn lại và thời gian cùng thủ tục tại cùng đơn vị thường mất. Hồ sơ rủi ro cao nhất ở trên."),
    form,
    msg,
    out,
  );

  async function load(): Promise<void> {
    await busy(go, msg, ["staff", "analyst"], async () => {
      const q = new URLSearchParams({ limit: "100" });
      if (unit.value) q.set("unitCode", unit.value);
      const body = await api<{ items: AtRiskItem[] } | AtRiskItem[]>("/api/v1/dossiers/at-risk?" + q.toString(), { feature: "atRisk" });
      const items = Array.isArray(body) ? body : body.items;
      clear(out);
      if (!items.length) {
        out.append(h("p", { className: "muted" }, "Không có hồ sơ nào có nguy cơ trễ hạn."));
        return;
      }
      out.append(
        table(
          ["Khả năng trễ", "Mã hồ sơ", "Đơn vị", "Thủ tục", "Trạng thái", "Hẹn trả", "Còn (ngày làm việc)", "Vì sao"],
          items.map((r) => {
            const p = r.risk ?? r.probability ?? null;
            const share = isNum(p) ? (p <= 1 ? p * 100 : p) : null;
            const reason = typeof r.reason === "string" ? r.reason : (r.reason?.vi ?? "—");
            return {
              cells: [
                isNum(share) ? badge(pct(share, 0), share >= 50 ? "bad" : share >= 20 ? "warn" : "ok") : "—",
                h("button", { type: "button", className: "link code", onclick: () => showDossier(r.code) }, r.code),
                r.unit?.name ?? "—",
                r.procedure?.name ?? "—",
                isNum(r.status) ? statusName(r.status) : "—",
                fmtDate(r.appointmentAt),
                isNum(r.workingDaysLeft) ? num(r.workingDaysLeft, 1) : "—",
                reason,
              ],
            };
          }),
          { numeric: [6], className: "data" },
        ),
      );
    }, [out]);
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void load();
  });
  return { load, units: [unit] };
}
