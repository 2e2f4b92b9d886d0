// Tab «Nhật ký» (admin): the audit log, each entry as a sentence with the key's name.
import { clear, h } from "../../shared/dom.ts";
import { api } from "../api.ts";
import { BROADCAST_NAMES, fmtDateTime, num, statusName } from "../format.ts";
import { actorName, state } from "../state.ts";
import type { ApiKey, AuditEntry, Page } from "../types.ts";
import { busy, dateInput, field } from "../ui.ts";

const ACTIONS: Record<string, string> = {
  "dossier.create": "tạo hồ sơ",
  "dossier.update": "cập nhật hồ sơ",
  "dossier.event": "ghi nhận thay đổi trạng thái hồ sơ",
  "dossier.import": "nhập hồ sơ hàng loạt",
  "dossier.view": "xem hồ sơ",
  "dossier.link": "người dân liên kết hồ sơ",
  "dossier.unlink": "người dân bỏ liên kết hồ sơ",
  "notice.apology": "gửi thư xin lỗi vì trễ hạn",
  "broadcast.create": "tạo thông báo",
  "broadcast.approve": "duyệt thông báo",
  "broadcast.cancel": "huỷ thông báo",
  "api_key.create": "tạo khoá API",
  "api_key.revoke": "thu hồi khoá API",
  "citizen.erase": "xoá dữ liệu của một người dân theo yêu cầu",
  "citizen.merge": "gộp tài khoản người dân",
  "survey.publish": "phát hành phiên bản khảo sát",
  "feedback.list.identities": "xem phản hồi kèm danh tính",
  "feedback.export": "xuất phản hồi",
  "understanding.label": "gán nhãn câu hỏi chưa hiểu",
  "demo.seed": "nạp dữ liệu mẫu",
};

/** The details of an entry as a short sentence (known fields), else its fields listed plainly. */
export function describeDetails(action: string, details: unknown): string {
  if (details === null || details === undefined) return "";
  if (typeof details !== "object") return String(details);
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  const take = (k: string, f: (v: unknown) => string | null) => {
    if (k in d && d[k] !== null && d[k] !== undefined) {
      const s = f(d[k]);
      if (s) parts.push(s);
    }
  };
  take("status", (v) => `trạng thái ${typeof v === "number" ? `${v} · ${statusName(v)}` : String(v)}`);
  take("from", (v) => (typeof v === "number" ? `từ trạng thái ${statusName(v)}` : null));
  take("to", (v) => (typeof v === "number" ? `sang ${statusName(v)}` : null));
  take("audienceCount", (v) => `${num(v)} người nhận`);
  take("count", (v) => `${num(v)} mục`);
  take("rows", (v) => `${num(v)} dòng`);
  take("created", (v) => `${num(v)} tạo mới`);
  take("updated", (v) => `${num(v)} cập nhật`);
  take("role", (v) => `vai trò ${String(v)}`);
  take("name", (v) => `tên «${String(v)}»`);
  take("reason", (v) => `lý do: ${String(v)}`);
  take("channel", (v) => `kênh ${String(v)}`);
  take("format", (v) => `định dạng ${String(v).toUpperCase()}`);
  take("urgent", (v) => (v ? "khẩn" : null));
  take("state", (v) => BROADCAST_NAMES[String(v)] ?? null);
  take("version", (v) => `phiên bản ${String(v)}`);
  take("newAppointmentAt", (v) => `hẹn mới ${fmtDateTime(String(v))}`);
  const known = new Set(["status", "from", "to", "audienceCount", "count", "rows", "created", "updated", "role", "name", "reason", "channel", "format", "urgent", "state", "version", "newAppointmentAt"]);
  for (const [k, v] of Object.entries(d)) {
    if (known.has(k) || v === null || v === undefined) continue;
    if (typeof v === "object") parts.push(`${k}: ${Array.isArray(v) ? v.length + " mục" : Object.entries(v as object).map(([a, b]) => `${a} ${typeof b === "object" ? "…" : String(b)}`).join(", ")}`);
    else parts.push(`${k}: ${String(v)}`);
  }
  void action;
  return parts.join("; ");
}

export function mountAudit(panel: HTMLElement): { load: () => Promise<void> } {
  const action = h("select", { id: "a-action" }, h("option", { value: "" }, "Mọi hành động"), Object.entries(ACTIONS).map(([k, v]) => h("option", { value: k }, v)));
  const since = dateInput("a-since");
  const until = dateInput("a-until");
  const go = h("button", { type: "submit", id: "a-go" }, "Xem");
  const form = h("form", { className: "filters", id: "a-form", autocomplete: "off" }, field("Hành động", action), field("Từ ngày", since), field("Đến ngày", until), h("div", { className: "buttons" }, go));
  const msg = h("div", { id: "a-msg" });
  const out = h("div", { id: "a-out" });
  panel.append(form, msg, out);
  let cursor: string | null = null;

  async function knowKeys(): Promise<void> {
    try {
      const page = await api<Page<ApiKey>>("/api/v1/api-keys?limit=200");
      for (const k of page.items) state.actorNames.set(`api-key:${k.id}`, `${k.name} (khoá #${k.id})`);
    } catch {
      // Names are a convenience: without them actors read "khoá API #3".
    }
  }

  async function load(reset = true, button: HTMLButtonElement = go): Promise<void> {
    await busy(button, msg, ["admin"], async () => {
      if (reset) await knowKeys();
      const q = new URLSearchParams({ limit: "50" });
      if (action.value) q.set("action", action.value);
      if (since.value) q.set("since", since.value + "T00:00:00+07:00");
      if (until.value) q.set("until", new Date(Date.parse(until.value + "T00:00:00+07:00") + 86_400_000).toISOString());
      if (reset) cursor = null;
      if (cursor) q.set("cursor", cursor);
      const page = await api<Page<AuditEntry>>("/api/v1/audit-log?" + q.toString());
      cursor = page.nextCursor;
      if (reset) {
        clear(out);
        if (!page.items.length) {
          out.append(h("p", { className: "muted" }, "Không có mục nào."));
          return;
        }
        out.append(h("ul", { className: "audit" }));
      }
      const list = out.querySelector("ul")!;
      for (const e of page.items) {
        const what = ACTIONS[e.action] ?? e.action;
        const details = describeDetails(e.action, e.details);
        list.append(
          h(
            "li",
            null,
            h("time", null, fmtDateTime(e.at)),
            " ",
            h("strong", null, actorName(e.actor)),
            ` ${what}`,
            e.target ? [" ", h("code", null, e.target)] : null,
            details ? `: ${details}.` : ".",
            h("span", { className: "small muted", title: e.action }, ` (${e.action})`),
          ),
        );
      }
      out.querySelector(".more")?.remove();
      if (cursor) {
        const more = h("button", { type: "button", className: "more secondary" }, "Xem thêm");
        more.addEventListener("click", () => void load(false, more));
        out.append(more);
      }
    }, reset ? [out] : []);
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void load();
  });
  return { load: () => load() };
}
