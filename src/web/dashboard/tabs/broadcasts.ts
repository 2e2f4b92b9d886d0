// Tab «Thông báo» (staff): announcements to citizens — a dry run first (counts and the first
// rendered messages), then sending exactly what was previewed; the list with progress,
// approval by a second person, cancel, per-recipient receipts, and why a broadcast is waiting
// (quiet hours, a schedule, an approval).
import { append, clear, h } from "../../shared/dom.ts";
import { api, InputError } from "../api.ts";
import { BROADCAST_NAMES, CHANNEL_NAMES, fmtDateTime, num, pct, RECEIPT_NAMES, statusCodes, statusName } from "../format.ts";
import { actorName, state } from "../state.ts";
import type { BroadcastCreated, BroadcastDetail, BroadcastSummary, DryRun, Page } from "../types.ts";
import { badge, busy, card, flash, table, unitSelect } from "../ui.ts";

const NEED = ["staff"] as const;
export interface BroadcastBoot {
  channels: string[];
  quietHours: { start: string; end: string } | null;
}

/** Is it now inside the quiet window (Vietnam time)? */
function inQuietHours(q: BroadcastBoot["quietHours"], at = new Date()): boolean {
  if (!q) return false;
  const hm = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
  return q.start <= q.end ? hm >= q.start && hm < q.end : hm >= q.start || hm < q.end;
}

export function mountBroadcasts(panel: HTMLElement, boot: BroadcastBoot): { load: () => Promise<void>; units: HTMLSelectElement[] } {
  const refresh = h("button", { type: "button", id: "b-refresh", className: "secondary" }, "Tải lại danh sách");
  const msg = h("div", { id: "b-msg" });
  const list = h("div", { id: "b-list" });
  const detail = h("div", { id: "b-detail" });

  const text = h("textarea", { id: "b-text", rows: 6, maxLength: 3500, placeholder: "Ví dụ: Hồ sơ {code} ({procedure}) đã có kết quả tại {unit}. Mời ông/bà đến nhận trước {appointment}." });
  const channels = h(
    "div",
    { className: "checks", id: "b-channels" },
    boot.channels.map((c) => h("label", null, h("input", { type: "checkbox", value: c, checked: true }), " " + (CHANNEL_NAMES[c] ?? c))),
  );
  const urgent = h("input", { type: "checkbox", id: "b-urgent" });
  const at = h("input", { type: "datetime-local", id: "b-at" });
  const unit = unitSelect("b-unit", state.units, "Mọi đơn vị");
  const statuses = h("div", { className: "checks", id: "b-statuses" }, statusCodes().map((c) => h("label", null, h("input", { type: "checkbox", value: c }), ` ${c} · ${statusName(c)}`)));
  const codes = h("textarea", { id: "b-codes", rows: 3, spellcheck: false });
  const dry = h("button", { type: "submit", id: "b-dry" }, "Xem trước (chạy thử)");
  const send = h("button", { type: "button", id: "b-send", disabled: true }, "Gửi");
  const quiet = boot.quietHours ? `${boot.quietHours.start}–${boot.quietHours.end}` : null;
  const form = h(
    "form",
    { id: "b-form", autocomplete: "off" },
    h(
      "div",
      { className: "grid2" },
      h(
        "fieldset",
        null,
        h("legend", null, "Nội dung"),
        text,
        h("div", { className: "small muted" }, "Các chỗ {code}, {procedure}, {unit}, {appointment} được điền theo từng hồ sơ."),
        h("div", { className: "field" }, "Kênh gửi", channels),
        h("label", { className: "checks" }, urgent, quiet ? ` Khẩn (gửi cả trong giờ yên lặng ${quiet} và cho người đã từ chối nhận thông báo)` : " Khẩn (gửi cả cho người đã từ chối nhận thông báo)"),
        h("label", { className: "field" }, "Hẹn giờ gửi (tuỳ chọn, giờ Việt Nam)", at),
      ),
      h(
        "fieldset",
        null,
        h("legend", null, "Gửi cho người dân có hồ sơ…"),
        h("label", { className: "field" }, "Thuộc đơn vị (và cấp dưới)", unit),
        h("div", { className: "field" }, "Ở trạng thái", statuses),
        h("label", { className: "field" }, "Hoặc theo danh sách mã hồ sơ (mỗi dòng một mã)", codes),
      ),
    ),
    h("div", { className: "buttons" }, dry, send),
  );
  const previewMsg = h("div", { id: "b-preview-msg" });
  const preview = h("div", { id: "b-preview" });
  append(
    panel,
    [h("div", { className: "buttons" }, refresh),
    quiet ? h("p", { className: "small muted", id: "b-quiet" }, `Giờ yên lặng: ${quiet} (giờ Việt Nam). Thông báo không khẩn tạo trong giờ này được giữ lại và gửi khi hết giờ yên lặng.`) : null,
    msg,
    list,
    detail,
    h("h3", null, "Tạo thông báo mới"),
    form,
    previewMsg,
    preview],
  );

  // ---------------------------------------------------------------- list
  let cursor: string | null = null;
  const meter = (p: number, cancelled: boolean) => {
    const fill = h("span", { className: "fill" });
    fill.style.width = Math.max(0, Math.min(100, p)) + "%";
    return h("div", { className: "meter" + (cancelled ? " cancelled" : ""), title: pct(p, 0) }, fill);
  };
  /** Why a broadcast has not sent anything yet, in words. */
  function waiting(b: BroadcastSummary, firstNotBefore?: string | null): string | null {
    const c = b.counts;
    if (b.status === "awaiting_approval") return "Chờ một cán bộ khác bấm «Duyệt».";
    if (b.status === "scheduled" && b.scheduledAt) return `Hẹn gửi lúc ${fmtDateTime(b.scheduledAt)}.`;
    if ((b.status === "sending" || b.status === "scheduled") && c.queued > 0 && c.sent === 0) {
      if (firstNotBefore && Date.parse(firstNotBefore) > Date.now())
        return `Đang giữ đến ${fmtDateTime(firstNotBefore)}${!b.urgent && quiet ? ` vì giờ yên lặng ${quiet}` : ""}; sẽ tự gửi khi đến giờ.`;
      if (!b.urgent && inQuietHours(boot.quietHours)) return `Đang trong giờ yên lặng ${quiet}: tin được giữ lại và gửi khi hết giờ yên lặng.`;
      return "Đang chờ đến lượt gửi.";
    }
    return null;
  }
  function row(b: BroadcastSummary): HTMLElement {
    const c = b.counts;
    const actions: HTMLElement[] = [h("button", { type: "button", className: "secondary small", onclick: (e: MouseEvent) => void showDetail(b.id, e.currentTarget as HTMLButtonElement) }, "Chi tiết")];
    if (b.status === "awaiting_approval") actions.push(h("button", { type: "button", className: "small", onclick: (e: MouseEvent) => void act(b.id, "approve", e.currentTarget as HTMLButtonElement) }, "Duyệt"));
    if (b.status !== "done" && b.status !== "cancelled") actions.push(h("button", { type: "button", className: "danger small", onclick: (e: MouseEvent) => void act(b.id, "cancel", e.currentTarget as HTMLButtonElement) }, "Huỷ"));
    const why = waiting(b);
    const counts = [`đã gửi ${num(c.sent)}`, c.failed + c.undeliverable ? `lỗi ${num(c.failed + c.undeliverable)}` : "", c.blocked ? `chặn ${num(c.blocked)}` : "", c.queued + c.sending ? `chờ ${num(c.queued + c.sending)}` : "", c.cancelled ? `huỷ ${num(c.cancelled)}` : ""].filter(Boolean).join(" · ");
    return h(
      "tr",
      { dataset: { id: String(b.id) } },
      h("td", { className: "n" }, "#" + b.id),
      h("td", null, badge(why && b.status === "sending" ? "Đang chờ gửi" : (BROADCAST_NAMES[b.status] ?? b.status), b.status === "cancelled" ? "muted" : b.status === "done" ? "ok" : "status"), b.urgent ? [" ", badge("khẩn", "bad")] : null),
      h("td", null, fmtDateTime(b.createdAt), h("div", { className: "muted small" }, actorName(b.createdBy)), b.approvedBy ? h("div", { className: "small" }, "Duyệt: " + actorName(b.approvedBy)) : null),
      h("td", { className: "text", title: b.text }, b.text.length > 90 ? b.text.slice(0, 89) + "…" : b.text),
      h("td", { className: "n" }, num(b.audienceCount)),
      h("td", { className: "progress" }, meter(b.progress, b.status === "cancelled"), h("div", { className: "small" }, `${pct(b.progress, 0)} · ${counts}`), why ? h("div", { className: "small warn-text" }, why) : null),
      h("td", { className: "actions" }, actions),
    );
  }
  async function loadList(reset: boolean, button: HTMLButtonElement | null): Promise<void> {
    await busy(button, msg, [...NEED], async () => {
      if (reset) cursor = null;
      const q = new URLSearchParams({ limit: "20" });
      if (cursor) q.set("cursor", cursor);
      const page = await api<Page<BroadcastSummary>>("/api/v1/broadcasts?" + q.toString());
      cursor = page.nextCursor;
      if (reset) {
        clear(list);
        if (!page.items.length) list.append(h("p", { className: "muted" }, "Chưa có thông báo nào."));
        else list.append(table(["Số", "Trạng thái", "Tạo lúc", "Nội dung", "Người nhận", "Tiến độ", ""], [], { className: "data broadcasts" }));
      }
      const tbody = list.querySelector("tbody");
      if (tbody) for (const b of page.items) tbody.append(row(b));
      list.querySelector(".more")?.remove();
      if (cursor) {
        const more = h("button", { type: "button", className: "more secondary" }, "Xem thêm");
        more.addEventListener("click", () => void loadList(false, more));
        list.append(more);
      }
    }, reset ? [list] : []);
  }
  function replaceRow(b: BroadcastSummary): void {
    list.querySelector(`tr[data-id="${b.id}"]`)?.replaceWith(row(b));
  }
  async function act(id: number, action: "approve" | "cancel", button: HTMLButtonElement): Promise<void> {
    if (action === "cancel" && !window.confirm(`Huỷ thông báo #${id}? Các tin còn chờ sẽ không được gửi; tin đang gửi vẫn hoàn tất.`)) return;
    await busy(button, msg, [...NEED], async () => {
      const b = await api<BroadcastSummary>(`/api/v1/broadcasts/${id}/${action}`, { method: "POST" });
      flash(msg, "ok", `${action === "cancel" ? "Đã huỷ" : "Đã duyệt"} thông báo #${b.id}: ${BROADCAST_NAMES[b.status] ?? b.status}.`);
      replaceRow(b);
    });
  }
  async function showDetail(id: number, button: HTMLButtonElement): Promise<void> {
    await busy(button, msg, [...NEED], async () => {
      const b = await api<BroadcastDetail>(`/api/v1/broadcasts/${id}?limit=50`);
      replaceRow(b);
      clear(detail);
      const c = b.counts;
      const items = b.receipts.items;
      const held = items.filter((r) => r.state === "queued").map((r) => r.notBefore).sort()[0] ?? null;
      const why = waiting(b, held);
      append(detail, [
        h("div", { className: "detail-head" }, h("h3", null, `Thông báo #${b.id}`), h("button", { type: "button", className: "secondary small", onclick: () => clear(detail) }, "Đóng")),
        h("p", { className: "broadcast-text" }, b.text),
        h(
          "p",
          { className: "small" },
          `Trạng thái: ${BROADCAST_NAMES[b.status] ?? b.status} · kênh: ${b.channels.map((x) => CHANNEL_NAMES[x] ?? x).join(", ") || "—"} · tạo bởi ${actorName(b.createdBy)} lúc ${fmtDateTime(b.createdAt)}` +
            (b.approvedBy ? ` · duyệt bởi ${actorName(b.approvedBy)}` : "") +
            (b.startedAt ? ` · bắt đầu ${fmtDateTime(b.startedAt)}` : "") +
            (b.finishedAt ? ` · xong ${fmtDateTime(b.finishedAt)}` : "") +
            (b.cancelledAt ? ` · huỷ ${fmtDateTime(b.cancelledAt)}` : ""),
        ),
        why ? h("p", { className: "flash warn" }, why) : null,
        h("div", { className: "counts" }, Object.keys(RECEIPT_NAMES).map((k) => h("span", null, `${RECEIPT_NAMES[k]}: `, h("strong", null, num((c as Record<string, number>)[k]))))),
        meter(b.progress, b.status === "cancelled"),
      ]);
      if (!items.length) detail.append(h("p", { className: "muted" }, "Chưa có tin nào."));
      else
        detail.append(
          table(
            ["Kênh", "Người nhận", "Hồ sơ", "Trạng thái", "Lỗi / lý do", "Số lần thử", "Gửi lúc"],
            items.map((r) => ({
              cells: [
                CHANNEL_NAMES[r.channel] ?? r.channel,
                h("code", null, r.user),
                r.dossierCode ? h("code", null, r.dossierCode) : "—",
                r.state === "queued" && Date.parse(r.notBefore) > Date.now() ? `Chờ đến ${fmtDateTime(r.notBefore)}` : (RECEIPT_NAMES[r.state] ?? r.state),
                r.error ?? "—",
                num(r.attempts),
                fmtDateTime(r.sentAt),
              ],
            })),
            { className: "data", numeric: [5], caption: b.receipts.nextCursor ? "50 tin đầu tiên" : "" },
          ),
        );
      detail.scrollIntoView({ block: "nearest" });
    });
  }
  refresh.addEventListener("click", () => void loadList(true, refresh));

  // ---------------------------------------------------------------- create: dry run, then send what was previewed
  let previewed: Record<string, unknown> | null = null;
  function body(): Record<string, unknown> {
    const t = text.value.trim();
    if (!t) throw new InputError("Nhập nội dung thông báo.");
    const audience: Record<string, unknown> = {};
    if (unit.value) audience.unitCodes = [unit.value];
    const list = codes.value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    if (list.length) audience.dossierCodes = list;
    const st = [...statuses.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => Number(i.value));
    if (st.length) audience.statuses = st;
    const ch = [...channels.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
    if (!ch.length) throw new InputError("Chọn ít nhất một kênh gửi.");
    const out: Record<string, unknown> = { text: t, audience, channels: ch, urgent: urgent.checked };
    if (at.value) {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(at.value)) throw new InputError("Hẹn giờ gửi: chọn ngày và giờ.");
      out.scheduledAt = at.value + ":00+07:00";
    }
    return out;
  }
  const invalidate = () => {
    if (!previewed) return;
    previewed = null;
    send.disabled = true;
    flash(previewMsg, "info", "Nội dung hoặc đối tượng đã thay đổi: bấm «Xem trước» lại trước khi gửi.");
  };
  form.addEventListener("input", invalidate);
  form.addEventListener("change", invalidate);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void busy(dry, previewMsg, [...NEED], async () => {
      previewed = null;
      send.disabled = true;
      clear(preview);
      const b = body();
      const r = await api<DryRun>("/api/v1/broadcasts", { method: "POST", json: { ...b, dryRun: true } });
      const byChannel = Object.entries(r.byChannel as Record<string, number>).map(([k, v]) => `${CHANNEL_NAMES[k] ?? k} ${num(v)}`).join(" · ");
      const when = b.scheduledAt ? `Gửi lúc ${fmtDateTime(String(b.scheduledAt))}` : "Gửi ngay khi bấm «Gửi»";
      const quietNote = !b.urgent && quiet ? (inQuietHours(boot.quietHours) ? ` — hiện đang trong giờ yên lặng ${quiet}, tin sẽ được giữ đến khi hết giờ yên lặng.` : ` (lùi lại nếu rơi vào giờ yên lặng ${quiet}).`) : ".";
      preview.append(
        h(
          "div",
          { className: "cards" },
          card("Số tin sẽ gửi", num(r.audienceCount), byChannel, r.audienceCount ? "" : "bad"),
          card("Bỏ qua", num(r.skipped.blocked + r.skipped.optedOut), `Đã chặn bot ${num(r.skipped.blocked)} · từ chối nhận thông báo ${num(r.skipped.optedOut)}`),
          card("Cần duyệt", r.requiresApproval ? "Có" : "Không", r.requiresApproval ? "Sau khi bấm «Gửi», một cán bộ khác phải bấm «Duyệt» thì tin mới được gửi." : when + quietNote, r.requiresApproval ? "warn" : ""),
        ),
      );
      if (!Object.keys(b.audience as object).length) preview.append(h("p", { className: "flash warn" }, "Không có điều kiện lọc nào: thông báo sẽ gửi tới mọi người dân đã liên kết hồ sơ."));
      if (r.preview.length) {
        preview.append(h("h4", null, "Xem trước (tối đa 3 tin đầu)"));
        for (const p of r.preview) preview.append(h("div", { className: "preview" }, h("div", { className: "small muted" }, `${CHANNEL_NAMES[p.channel] ?? p.channel} · hồ sơ ${p.dossierCode}`), h("div", { className: "bubble" }, p.text)));
      }
      if (r.audienceCount > 0) {
        previewed = b;
        send.disabled = false;
        flash(previewMsg, "ok", "Đã chạy thử, chưa gửi gì. Kiểm tra lại rồi bấm «Gửi».");
      } else flash(previewMsg, "err", "Không có người nhận nào khớp điều kiện: không thể gửi.");
    }, [preview]);
  });
  send.addEventListener("click", () => {
    const b = previewed;
    if (!b) return;
    void busy(send, previewMsg, [...NEED], async () => {
      const r = await api<BroadcastCreated>("/api/v1/broadcasts", { method: "POST", json: { ...b, dryRun: false } });
      previewed = null;
      clear(preview);
      const x = r.broadcast;
      flash(previewMsg, "ok", `Đã tạo thông báo #${x.id} cho ${num(x.audienceCount)} tin: ${BROADCAST_NAMES[x.status] ?? x.status}${x.status === "awaiting_approval" ? " — cần một cán bộ khác duyệt." : "."}`);
      await loadList(true, null);
    }).finally(() => {
      send.disabled = !previewed;
    });
  });

  return { load: () => loadList(true, refresh), units: [unit] };
}
