// The browser script of /dashboard, kept as plain JavaScript text (String.raw: what is here is
// exactly what the browser runs). It talks only to the same-origin REST API with the key the
// user pasted; every value from the API reaches the page through textContent, never as HTML.
// No template literals or "${" inside: this whole file is one template literal.
export const DASHBOARD_SCRIPT = String.raw`
(() => {
  "use strict";
  const BOOT = JSON.parse(document.getElementById("boot").textContent || "{}");
  const STATUS = BOOT.statuses || {};
  const TZ = "Asia/Ho_Chi_Minh";
  const KEY_STORE = "dashboard.apiKey";
  const ROLE_STORE = "dashboard.role";
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ labels
  const ROLE_NAMES = { staff: "cán bộ (staff)", analyst: "phân tích viên (analyst)", admin: "quản trị (admin)" };
  const CHANNEL_NAMES = { telegram: "Telegram", zalo: "Zalo", web: "Web", unknown: "Không rõ" };
  const LEVEL_NAMES = { province: "tỉnh", district: "huyện", ward: "phường/xã", department: "sở, ngành" };
  const RATING_NAMES = { very_satisfied: "Rất hài lòng", satisfied: "Hài lòng", not_satisfied: "Không hài lòng" };
  const TIMELINESS_NAMES = { on_time: "Đã giải quyết đúng hạn", late: "Đã giải quyết trễ hạn", open: "Đang trong hạn", overdue: "Quá hạn, chưa giải quyết" };
  const RETURN_NAMES = { counter: "Tại bộ phận một cửa", postal: "Qua bưu chính", online: "Trực tuyến" };
  const FEE_NAMES = { none: "Không thu phí", due: "Chưa nộp", paid: "Đã nộp" };
  const BROADCAST_NAMES = { draft: "Nháp", awaiting_approval: "Chờ duyệt", scheduled: "Đã hẹn giờ", sending: "Đang gửi", done: "Đã xong", cancelled: "Đã huỷ" };
  const RECEIPT_NAMES = { queued: "Chờ gửi", sending: "Đang gửi", sent: "Đã gửi", failed: "Lỗi", blocked: "Bị chặn", skipped: "Bỏ qua", cancelled: "Đã huỷ", undeliverable: "Không gửi được" };
  const STOP_NAMES = { refused: "Từ chối", suspended: "Dừng xử lý", withdrawn: "Rút hồ sơ" };
  const statusName = (s) => STATUS[s] || "Trạng thái " + s;

  // ------------------------------------------------------------------ formatting (vi-VN, Asia/Ho_Chi_Minh)
  const numberFormats = {};
  const nf = (digits) => numberFormats[digits] || (numberFormats[digits] = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: digits }));
  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  const num = (v, digits) => (isNum(v) ? nf(digits || 0).format(v) : "—");
  const pct = (v, digits) => (isNum(v) ? num(v, digits === undefined ? 1 : digits) + "%" : "—");
  const signed = (v, digits) => (isNum(v) ? (v > 0 ? "+" : v < 0 ? "−" : "±") + num(Math.abs(v), digits === undefined ? 1 : digits) : "—");
  const dateParts = new Intl.DateTimeFormat("vi-VN", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function partsOf(iso) {
    if (!iso) return null;
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return null;
    const o = {};
    for (const p of dateParts.formatToParts(d)) o[p.type] = p.value;
    return o;
  }
  const fmtDate = (iso) => { const p = partsOf(iso); return p ? p.day + "/" + p.month + "/" + p.year : "—"; };
  const fmtDateTime = (iso) => { const p = partsOf(iso); return p ? p.day + "/" + p.month + "/" + p.year + " " + p.hour + ":" + p.minute : "—"; };
  function periodLabel(p) {
    let m = /^(\d{4})-(\d{2})$/.exec(p);
    if (m) return "Tháng " + m[2] + "/" + m[1];
    m = /^(\d{4})-Q(\d)$/.exec(p);
    if (m) return "Quý " + m[2] + "/" + m[1];
    return /^\d{4}$/.test(p) ? "Năm " + p : p;
  }
  const pad2 = (n) => String(n).padStart(2, "0");

  // ------------------------------------------------------------------ input parsing
  class InputError extends Error {}
  /** dd/mm/yyyy (or yyyy-mm-dd) → yyyy-mm-dd, a Vietnam-time day for the API; "" → undefined. */
  function parseDay(text, label) {
    const v = String(text || "").trim();
    if (!v) return undefined;
    let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
    let y, mo, d;
    if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; }
    else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v))) { y = +m[1]; mo = +m[2]; d = +m[3]; }
    else throw new InputError(label + ": nhập ngày theo dạng dd/mm/yyyy, ví dụ 16/01/2023.");
    const dt = new Date(Date.UTC(y, mo - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) throw new InputError(label + ": ngày " + v + " không có thật.");
    return y + "-" + pad2(mo) + "-" + pad2(d);
  }
  /** dd/mm/yyyy hh:mm (Vietnam time) → ISO instant with +07:00; "" → undefined. */
  function parseDateTime(text, label) {
    const v = String(text || "").trim();
    if (!v) return undefined;
    const m = /^(\S+)\s+(\d{1,2}):(\d{2})$/.exec(v);
    if (!m) throw new InputError(label + ": nhập theo dạng dd/mm/yyyy hh:mm, ví dụ 02/03/2026 08:00.");
    const day = parseDay(m[1], label);
    if (+m[2] > 23 || +m[3] > 59) throw new InputError(label + ": giờ " + m[2] + ":" + m[3] + " không hợp lệ.");
    return day + "T" + pad2(+m[2]) + ":" + m[3] + ":00+07:00";
  }
  const list = (text) => String(text || "").split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
  const lines = (text) => String(text || "").split(/\r?\n/).map((s) => s.trim()).filter(Boolean);

  // ------------------------------------------------------------------ DOM helpers
  /** h("div", { className: "x", onclick: f }, "text", child, [more]) */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "className") el.className = v;
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children.flat(3)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(typeof c === "object" ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const SVG_NS = "http://www.w3.org/2000/svg";
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
    for (const c of children.flat(3)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(typeof c === "object" ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const clear = (el) => { el.replaceChildren(); return el; };
  const truncate = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);
  const badge = (text, kind, title) => h("span", { className: "badge " + (kind || ""), title }, text);
  function card(title, value, sub, kind, extra) {
    return h("div", { className: "card " + (kind || "") }, h("div", { className: "card-title" }, title), h("div", { className: "card-value" }, value), sub ? h("div", { className: "card-sub" }, sub) : null, extra || null);
  }
  function table(head, rows, opts) {
    const o = opts || {};
    return h("div", { className: "table-wrap" },
      h("table", { className: o.className || "" },
        o.caption ? h("caption", null, o.caption) : null,
        h("thead", null, h("tr", null, head.map((c, i) => h("th", { scope: "col", className: o.numeric && o.numeric.includes(i) ? "n" : null }, c)))),
        h("tbody", null, rows.map((r) => h("tr", { className: r.className || null }, r.cells.map((c, i) => h("td", { className: o.numeric && o.numeric.includes(i) ? "n" : null }, c)))))));
  }

  // ------------------------------------------------------------------ messages
  function flash(el, kind, text) {
    clear(el);
    if (!text) return;
    el.append(h("div", { className: "flash " + kind, role: kind === "err" ? "alert" : "status" }, text));
  }
  const needText = (roles) => roles.map((r) => ROLE_NAMES[r] || r).concat(roles.includes("admin") ? [] : [ROLE_NAMES.admin]).join(" hoặc ");

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details;
    }
  }
  /** A Vietnamese sentence for a failed call; 401/403 name the role the tab needs. */
  function explain(err, need) {
    if (err instanceof InputError) return err.message;
    if (!(err instanceof ApiError)) return "Lỗi trên trang: " + ((err && err.message) || String(err));
    if (err.code === "no_key") return err.message;
    if (err.status === 401) return "Khoá API không hợp lệ, đã bị thu hồi hoặc chưa dán (401). Dán khoá có vai trò " + needText(need) + " vào ô «Khoá API» ở đầu trang.";
    if (err.status === 403) {
      const m = /your key has (\w+)/.exec(err.message);
      return "Khoá này không đủ quyền (403): phần này cần vai trò " + needText(need) + (m ? "; khoá đang dùng có vai trò " + (ROLE_NAMES[m[1]] || m[1]) : "") + ". Hãy xin quản trị viên một khoá phù hợp.";
    }
    if (err.status === 0) return err.message;
    if (err.status === 404) return "Không tìm thấy (404): " + err.message;
    if (err.status === 409) return "Không thực hiện được vì xung đột (409): " + err.message;
    if (err.status === 422 && err.details && err.details.channels)
      return "Không gửi được (422): máy chủ chưa cấu hình kênh nào trong số các kênh đã chọn (Telegram cần TELEGRAM_BOT_TOKEN, Zalo cần ZALO_*). Chi tiết: " + err.message;
    if (err.status === 400 || err.status === 422) return "Dữ liệu chưa hợp lệ (" + err.status + "): " + err.message;
    return "Lỗi máy chủ (" + err.status + "): " + err.message;
  }

  // ------------------------------------------------------------------ API
  const getKey = () => sessionStorage.getItem(KEY_STORE) || "";
  async function api(path, opts) {
    const o = opts || {};
    const key = getKey();
    if (!key) throw new ApiError(0, "no_key", "Chưa có khoá API: dán khoá vào ô «Khoá API» ở đầu trang rồi bấm «Dùng khoá».");
    const headers = { authorization: "Bearer " + key };
    if (o.json !== undefined) headers["content-type"] = "application/json";
    let res;
    try {
      res = await fetch(path, { method: o.method || "GET", headers, body: o.json === undefined ? undefined : JSON.stringify(o.json), cache: "no-store", credentials: "omit" });
    } catch (e) {
      throw new ApiError(0, "network", "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.");
    }
    if (!res.ok) {
      let body = null;
      try { body = await res.json(); } catch (e) { body = null; }
      const err = (body && body.error) || {};
      throw new ApiError(res.status, err.code || "http_" + res.status, err.message || res.statusText || "HTTP " + res.status, err.details);
    }
    if (o.raw) return res;
    return res.status === 204 ? null : res.json();
  }
  /** Runs a button's action with the button disabled and errors shown in msgEl. */
  async function busy(button, msgEl, need, fn) {
    flash(msgEl, "", "");
    if (button) button.disabled = true;
    const old = button ? button.textContent : "";
    if (button) button.textContent = "Đang tải…";
    try {
      await fn();
    } catch (err) {
      flash(msgEl, "err", explain(err, need));
    } finally {
      if (button) { button.disabled = false; button.textContent = old; }
    }
  }

  // ------------------------------------------------------------------ key box
  function currentRole() { return sessionStorage.getItem(ROLE_STORE) || ""; }
  function showKeyState() {
    const key = getKey();
    const role = currentRole();
    const st = clear($("key-status"));
    if (!key) {
      append(st, [badge("Chưa có khoá", "warn"), " Dán khoá API do quản trị viên cấp. Khoá chỉ giữ trong phiên trình duyệt này (sessionStorage) và được gửi kèm mỗi yêu cầu (Authorization: Bearer)."]);
      $("key-input").placeholder = "Dán khoá API…";
    } else {
      append(st, [badge("Đã có khoá …" + key.slice(-4), "ok"), role ? [" Vai trò: ", h("strong", null, ROLE_NAMES[role] || role), "."] : "", " Khoá chỉ giữ trong phiên này của trình duyệt; đóng thẻ là mất."]);
      $("key-input").placeholder = "Đã lưu khoá …" + key.slice(-4) + " — dán khoá khác để đổi";
    }
    for (const t of TABS) {
      const note = $("need-" + t.id);
      const lacking = role && role !== "admin" && !t.need.includes(role);
      note.className = "need" + (lacking ? " lacking" : "");
      clear(note).append("Cần vai trò: " + needText(t.need) + (lacking ? " — khoá đang dùng (" + (ROLE_NAMES[role] || role) + ") không đủ quyền." : "."));
    }
  }
  /** The audit log is admin-only and its 403 names the key's role: one cheap read tells the role. */
  async function probeRole() {
    try {
      await api("/api/v1/audit-log?limit=1");
      return "admin";
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        const m = /your key has (\w+)/.exec(err.message);
        return m ? m[1] : "";
      }
      throw err;
    }
  }
  /** What one key showed is not left on screen for the next key (or for nobody). */
  function forgetResults() {
    for (const id of ["s-msg", "s-out", "s-feedback", "t-msg", "t-out", "d-msg", "d-out", "b-msg", "b-list", "b-detail", "b-preview-msg", "b-preview", "a-msg", "a-out"]) clear($(id));
    previewed = null;
    $("b-send").disabled = true;
    for (const t of TABS) t.loaded = false;
  }
  $("key-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = $("key-input");
    const key = input.value.trim().replace(/^Bearer\s+/i, "");
    if (!key) { flash($("key-msg"), "err", "Ô khoá đang trống: dán khoá API rồi bấm «Dùng khoá»."); return; }
    forgetResults();
    sessionStorage.setItem(KEY_STORE, key);
    sessionStorage.removeItem(ROLE_STORE);
    input.value = "";
    await busy($("key-save"), $("key-msg"), ["staff", "analyst"], async () => {
      let role;
      try {
        role = await probeRole();
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          sessionStorage.removeItem(KEY_STORE);
          throw new InputError("Khoá này không hợp lệ hoặc đã bị thu hồi (401), nên không được lưu. Kiểm tra lại khoá hoặc xin quản trị viên khoá mới.");
        }
        throw err;
      }
      if (role) sessionStorage.setItem(ROLE_STORE, role);
      flash($("key-msg"), "ok", "Khoá hợp lệ" + (role ? ", vai trò " + (ROLE_NAMES[role] || role) : "") + ".");
      openTab(activeTab, true);
    });
    showKeyState();
  });
  $("key-clear").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORE);
    sessionStorage.removeItem(ROLE_STORE);
    $("key-input").value = "";
    forgetResults();
    flash($("key-msg"), "ok", "Đã xoá khoá khỏi phiên này.");
    showKeyState();
  });

  // ------------------------------------------------------------------ tab: satisfaction
  const sMsg = $("s-msg");
  let lastReasons = {};
  function satisfactionFilters() {
    const q = new URLSearchParams();
    const from = parseDay($("s-from").value, "Từ ngày");
    const to = parseDay($("s-to").value, "Đến ngày");
    if (from) q.set("from", from);
    if (to) q.set("to", to);
    const unit = $("s-unit").value.trim();
    if (unit) q.set("unitCode", unit);
    const channel = $("s-channel").value;
    if (channel) q.set("channel", channel);
    return q;
  }
  function keyLabel(key, groupBy) {
    const out = [];
    for (const d of groupBy) {
      if (d === "unit") out.push(key.unit ? key.unit.name : "?");
      else if (d === "field") out.push(key.field ? key.field.name : "(chưa có lĩnh vực)");
      else if (d === "procedure") out.push(key.procedure ? key.procedure.name || key.procedure.code : "?");
      else if (d === "channel") out.push(CHANNEL_NAMES[key.channel] || String(key.channel));
      else out.push(periodLabel(String(key.period)));
    }
    return out.join(" · ");
  }
  function keyTitle(key, groupBy) {
    const out = [];
    for (const d of groupBy) {
      if (d === "unit" && key.unit) out.push(key.unit.name + " (" + key.unit.code + ", " + (LEVEL_NAMES[key.unit.level] || key.unit.level) + ")");
      else if (d === "field" && key.field) out.push(key.field.name + " (" + key.field.code + ")");
      else if (d === "procedure" && key.procedure) out.push((key.procedure.name || "") + " (" + key.procedure.code + ")");
    }
    return out.join(" · ") || keyLabel(key, groupBy);
  }
  /** Indentation of unit rows: how many of the unit's ancestors are also rows. */
  function unitDepths(groups) {
    const parent = {};
    for (const g of groups) if (g.key.unit) parent[g.key.unit.code] = g.key.unit.parentCode;
    return (g) => {
      let depth = 0;
      let p = g.key.unit ? g.key.unit.parentCode : null;
      for (let i = 0; p && p in parent && i < 12; i++) { depth++; p = parent[p]; }
      return depth;
    };
  }

  /** Horizontal bars of satisfaction % per group, Wilson 95% interval as error bars, target line. */
  function satisfactionChart(rows, target, minSample) {
    const W = 860, LABEL = 270, RIGHT = 190, ROW = 30, TOP = 30, BOTTOM = 26;
    const x0 = LABEL + 10, x1 = W - RIGHT;
    const sx = (p) => x0 + ((x1 - x0) * Math.max(0, Math.min(100, p))) / 100;
    const H = TOP + rows.length * ROW + BOTTOM;
    const svg = s("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img", "aria-label": "Tỷ lệ hài lòng theo nhóm so với mục tiêu " + pct(target, 0) });
    for (const g of [0, 25, 50, 75, 100]) {
      svg.append(s("line", { x1: sx(g), x2: sx(g), y1: TOP - 4, y2: H - BOTTOM, class: "grid" }));
      svg.append(s("text", { x: sx(g), y: H - BOTTOM + 16, "text-anchor": "middle", class: "axis" }, pct(g, 0)));
    }
    rows.forEach((row, i) => {
      const r = row.r;
      const y = TOP + i * ROW;
      const cy = y + ROW / 2;
      const g = s("g", { class: "row" + (row.total ? " total" : "") });
      const label = truncate(row.label, 36 - row.depth * 2);
      g.append(s("text", { x: 4 + row.depth * 14, y: cy + 4, class: "label" + (row.total ? " strong" : "") }, label));
      const tip = [row.title, "Hài lòng: " + pct(r.satisfactionPct) + " (n = " + num(r.rated) + ")"];
      if (r.ci95) tip.push("Khoảng tin cậy 95%: " + pct(r.ci95.low) + " – " + pct(r.ci95.high));
      tip.push("Tỷ lệ phản hồi: " + pct(r.responseRatePct));
      if (r.smallSample) tip.push("Mẫu nhỏ: ít hơn " + num(minSample) + " đánh giá");
      g.append(s("title", null, tip.join("\n")));
      if (isNum(r.satisfactionPct)) {
        const cls = "bar " + (r.satisfactionPct >= target ? "good" : "bad") + (r.smallSample ? " small" : "");
        g.append(s("rect", { x: x0, y: y + 7, width: Math.max(1, sx(r.satisfactionPct) - x0), height: ROW - 14, rx: 2, class: cls }));
        let right = sx(r.satisfactionPct);
        if (r.ci95) {
          const a = sx(r.ci95.low), b = sx(r.ci95.high);
          g.append(s("line", { x1: a, x2: b, y1: cy, y2: cy, class: "ci" }), s("line", { x1: a, x2: a, y1: cy - 6, y2: cy + 6, class: "ci" }), s("line", { x1: b, x2: b, y1: cy - 6, y2: cy + 6, class: "ci" }));
          right = Math.max(right, b);
        }
        g.append(s("text", { x: x1 + 10, y: cy + 4, class: "value" + (row.total ? " strong" : "") }, pct(r.satisfactionPct) + " · n = " + num(r.rated) + (r.smallSample ? " · mẫu nhỏ" : "")));
      } else {
        g.append(s("text", { x: x0 + 6, y: cy + 4, class: "value muted" }, "chưa có đánh giá"));
      }
      svg.append(g);
    });
    const tx = sx(target);
    svg.append(s("line", { x1: tx, x2: tx, y1: TOP - 8, y2: H - BOTTOM + 2, class: "target" }));
    svg.append(s("text", { x: tx, y: TOP - 12, "text-anchor": "middle", class: "target-label" }, "Mục tiêu " + pct(target, 1)));
    return svg;
  }

  function renderSatisfaction(rep) {
    const out = clear($("s-out"));
    const t = rep.totals;
    const target = rep.target;
    const gap = t.gapToTargetPct;
    const dec = t.decision766;
    lastReasons = {};
    for (const r of rep.reasons) lastReasons[r.reason] = r.label.vi;

    const scope = [];
    if (rep.filters.from) scope.push("từ " + fmtDate(rep.filters.from + "T00:00:00+07:00"));
    if (rep.filters.to) scope.push("đến hết " + fmtDate(rep.filters.to + "T00:00:00+07:00"));
    if (rep.filters.unitCode) scope.push("đơn vị " + rep.filters.unitCode + " và cấp dưới");
    if (rep.filters.channel) scope.push("kênh " + (CHANNEL_NAMES[rep.filters.channel] || rep.filters.channel));
    out.append(h("p", { className: "scope" }, "Phạm vi: " + (scope.length ? scope.join(", ") : "toàn bộ thời gian, mọi đơn vị") + ". Số liệu tính đến " + fmtDateTime(rep.asOf) + "."));

    out.append(h("div", { className: "cards" },
      card("Tỷ lệ hài lòng", pct(t.satisfactionPct),
        isNum(gap) ? signed(gap) + " điểm % so với mục tiêu " + pct(target, 1) + (gap >= 0 ? " — đạt" : " — chưa đạt") : "Mục tiêu " + pct(target, 1) + "; chưa có đánh giá",
        isNum(gap) ? (gap >= 0 ? "good" : "bad") : "",
        t.smallSample && t.rated > 0 ? badge("Mẫu nhỏ (n < " + num(rep.minSample) + ")", "warn", "Ít đánh giá: khoảng tin cậy rộng, thận trọng khi kết luận") : null),
      card("Số đánh giá (n)", num(t.rated), t.ci95 ? "Khoảng tin cậy 95% (Wilson): " + pct(t.ci95.low) + " – " + pct(t.ci95.high) : "Chưa có đánh giá", ""),
      card("Tỷ lệ phản hồi", pct(t.responseRatePct), num(t.rated) + " đánh giá / " + num(t.invited) + " lời mời khảo sát", ""),
      card("Chỉ số S (QĐ 766)", dec && isNum(dec.s) ? pct(dec.s) : "—",
        dec ? "S = 100% − (trễ hạn " + pct(dec.overduePct) + " + không hài lòng " + pct(dec.dissatisfiedPct) + ") trên " + num(dec.dossiers) + " hồ sơ; điểm " + num(dec.score, 2) : "",
        dec && isNum(dec.s) ? (dec.fullMarks ? "good" : "bad") : "",
        dec && dec.fullMarks ? badge("Đạt điểm tối đa (S ≥ 90%)", "ok") : null),
      card("Khiếu nại", num(t.complaints), "Rất hài lòng " + num(t.verySatisfied) + " · hài lòng " + num(t.satisfied) + " · không hài lòng " + num(t.notSatisfied), "")));

    const notes = [];
    if (t.severalVersions) notes.push("Các câu trả lời thuộc nhiều phiên bản khảo sát (" + t.surveyVersions.join(", ") + "): so sánh giữa các nhóm cần thận trọng.");
    if (rep.groupBy.includes("channel")) notes.push("Chỉ số S (QĐ 766) tính theo hồ sơ nên chỉ có ở dòng tổng khi nhóm theo kênh.");
    if (rep.filters.channel) notes.push("Bộ lọc kênh áp dụng cho đánh giá và lời mời; chỉ số S vẫn tính mọi hồ sơ.");
    if (notes.length) out.append(h("ul", { className: "notes" }, notes.map((n) => h("li", null, n))));

    const groups = rep.groups;
    const depthOf = rep.groupBy.includes("unit") ? unitDepths(groups) : () => 0;
    const rows = [{ label: "Toàn bộ", title: "Toàn bộ phạm vi", depth: 0, total: true, r: t }].concat(
      groups.map((g) => ({ label: keyLabel(g.key, rep.groupBy), title: keyTitle(g.key, rep.groupBy), depth: rep.groupBy[0] === "unit" ? depthOf(g) : 0, r: g })));
    out.append(h("h3", null, "Tỷ lệ hài lòng theo " + (GROUP_NAMES[rep.groupBy.join(",")] || "nhóm")));
    out.append(h("div", { className: "chart-box" }, satisfactionChart(rows, target, rep.minSample)));
    out.append(h("div", { className: "legend" },
      h("span", null, h("i", { className: "sw good" }), "Đạt mục tiêu"),
      h("span", null, h("i", { className: "sw bad" }), "Dưới mục tiêu"),
      h("span", null, h("i", { className: "sw small" }), "Mẫu nhỏ (n < " + num(rep.minSample) + ")"),
      h("span", null, h("i", { className: "sw ci" }), "Khoảng tin cậy 95% (Wilson)"),
      h("span", null, h("i", { className: "sw target" }), "Mục tiêu " + pct(target, 1))));

    out.append(table(
      ["Nhóm", "n", "Rất hài lòng", "Hài lòng", "Không hài lòng", "% hài lòng", "KTC 95%", "So với mục tiêu", "Tỷ lệ phản hồi", "Khiếu nại", "S (QĐ 766)"],
      rows.map((row) => {
        const r = row.r;
        return {
          className: row.total ? "total" : null,
          cells: [
            h("span", { title: row.title, className: "indent-" + Math.min(row.depth, 4) }, row.label, r.rated === 0 ? [" ", badge("chưa có đánh giá", "muted")] : r.smallSample ? [" ", badge("mẫu nhỏ", "warn")] : null),
            num(r.rated), num(r.verySatisfied), num(r.satisfied), num(r.notSatisfied), pct(r.satisfactionPct),
            r.ci95 ? pct(r.ci95.low) + " – " + pct(r.ci95.high) : "—",
            h("span", { className: isNum(r.gapToTargetPct) ? (r.gapToTargetPct >= 0 ? "good" : "bad") : "" }, isNum(r.gapToTargetPct) ? signed(r.gapToTargetPct) + " điểm" : "—"),
            pct(r.responseRatePct), num(r.complaints), r.decision766 && isNum(r.decision766.s) ? pct(r.decision766.s) : "—",
          ],
        };
      }),
      { numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], className: "data groups" }));

    out.append(h("h3", null, "Lý do không hài lòng thường gặp"));
    if (!rep.reasons.length) out.append(h("p", { className: "muted" }, "Không có đánh giá «không hài lòng» nào nêu lý do trong phạm vi này."));
    else {
      const max = Math.max(...rep.reasons.map((r) => r.count));
      out.append(h("ol", { className: "reasons" }, rep.reasons.slice(0, 8).map((r) => {
        const fill = h("span", { className: "fill" });
        fill.style.width = ((r.count / max) * 100).toFixed(1) + "%";
        return h("li", null, h("span", { className: "reason-label" }, r.label.vi), h("span", { className: "reason-bar" }, fill), h("span", { className: "reason-n" }, num(r.count) + " ý kiến · " + pct(r.pctOfNotSatisfied) + " số không hài lòng"));
      })));
    }
  }
  const GROUP_NAMES = { unit: "đơn vị", field: "lĩnh vực", procedure: "thủ tục", channel: "kênh", month: "tháng", quarter: "quý", year: "năm" };

  async function loadSatisfaction(button) {
    await busy(button, sMsg, ["analyst"], async () => {
      const q = satisfactionFilters();
      const g = $("s-group").value;
      if (g) q.set("groupBy", g);
      flash(sMsg, "info", "Đang tính chỉ số…");
      const rep = await api("/api/v1/stats/satisfaction?" + q.toString());
      flash(sMsg, "", "");
      renderSatisfaction(rep);
      await loadFeedback(true);
    });
  }
  $("s-form").addEventListener("submit", (e) => { e.preventDefault(); loadSatisfaction($("s-go")); });

  async function download(format, button) {
    await busy(button, sMsg, ["analyst"], async () => {
      const q = satisfactionFilters();
      q.set("format", format);
      flash(sMsg, "info", "Đang xuất tệp " + format.toUpperCase() + "…");
      const res = await api("/api/v1/feedback/export?" + q.toString(), { raw: true });
      const blob = await res.blob();
      const m = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") || "");
      const name = m ? m[1] : "phan-hoi." + format;
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      flash(sMsg, "ok", "Đã tải " + name + " (" + num(blob.size) + " byte), cùng bộ lọc ngày, đơn vị và kênh ở trên.");
    });
  }
  $("s-csv").addEventListener("click", (e) => download("csv", e.currentTarget));
  $("s-xlsx").addEventListener("click", (e) => download("xlsx", e.currentTarget));

  // Feedback list (same filters), a page at a time.
  let feedbackCursor = null;
  async function loadFeedback(reset) {
    const box = $("s-feedback");
    if (reset) { feedbackCursor = null; clear(box); }
    const q = satisfactionFilters();
    q.set("limit", "20");
    if (feedbackCursor) q.set("cursor", feedbackCursor);
    const page = await api("/api/v1/feedback?" + q.toString());
    feedbackCursor = page.nextCursor;
    let tbody = box.querySelector("tbody");
    if (!tbody) {
      box.append(h("h3", null, "Các phản hồi"));
      if (!page.items.length) { box.append(h("p", { className: "muted" }, "Chưa có phản hồi nào trong phạm vi này.")); return; }
      box.append(table(["Trả lời lúc", "Hồ sơ", "Đơn vị", "Kênh", "Đánh giá", "Lý do", "Góp ý", "Người dân (ẩn danh)"], [], { className: "data" }));
      tbody = box.querySelector("tbody");
    }
    for (const f of page.items) {
      tbody.append(h("tr", null,
        h("td", null, fmtDateTime(f.firstAnsweredAt)),
        h("td", null, h("code", null, f.dossierCode)),
        h("td", null, f.unit.name),
        h("td", null, CHANNEL_NAMES[f.channel] || f.channel),
        h("td", null, f.overall ? h("span", { className: f.overall === "not_satisfied" ? "bad" : "good" }, RATING_NAMES[f.overall]) : "—", f.complaint ? [" ", badge("khiếu nại", "warn")] : null),
        h("td", null, f.reasons.map((r) => lastReasons[r] || r).join("; ") || "—"),
        h("td", { className: "comment" }, f.comment || "—"),
        h("td", null, h("code", null, f.applicant))));
    }
    const more = box.querySelector(".more");
    if (more) more.remove();
    if (feedbackCursor) {
      const b = h("button", { type: "button", className: "more secondary" }, "Xem thêm phản hồi");
      b.addEventListener("click", () => busy(b, sMsg, ["analyst"], () => loadFeedback(false)));
      box.append(b);
    }
  }

  // ------------------------------------------------------------------ tab: timeliness
  const tMsg = $("t-msg");
  function timelinessChart(rows) {
    const W = 860, LABEL = 270, RIGHT = 150, ROW = 30, TOP = 10, BOTTOM = 8;
    const x0 = LABEL + 10, x1 = W - RIGHT;
    const max = Math.max(1, ...rows.map((r) => r.r.finishedOnTime + r.r.finishedLate + r.r.openPastDue));
    const sx = (n) => ((x1 - x0) * n) / max;
    const H = TOP + rows.length * ROW + BOTTOM;
    const svg = s("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img", "aria-label": "Hồ sơ đúng hạn, trễ hạn và quá hạn theo nhóm" });
    rows.forEach((row, i) => {
      const r = row.r;
      const y = TOP + i * ROW;
      const cy = y + ROW / 2;
      const g = s("g", { class: "row" });
      g.append(s("title", null, row.title + "\nĐúng hạn: " + num(r.finishedOnTime) + "\nTrễ hạn: " + num(r.finishedLate) + "\nQuá hạn chưa giải quyết: " + num(r.openPastDue)));
      g.append(s("text", { x: 4 + row.depth * 14, y: cy + 4, class: "label" + (row.total ? " strong" : "") }, truncate(row.label, 36 - row.depth * 2)));
      let x = x0;
      for (const [n, cls] of [[r.finishedOnTime, "good"], [r.finishedLate, "bad"], [r.openPastDue, "open"]]) {
        if (n > 0) g.append(s("rect", { x, y: y + 7, width: Math.max(1, sx(n)), height: ROW - 14, class: "bar " + cls }));
        x += sx(n);
      }
      g.append(s("text", { x: x1 + 10, y: cy + 4, class: "value" + (row.total ? " strong" : "") }, isNum(r.onTimePct) ? pct(r.onTimePct) + " đúng hạn" : "chưa có hồ sơ xong"));
      svg.append(g);
    });
    return svg;
  }
  function renderTimeliness(rep) {
    const out = clear($("t-out"));
    const t = rep.totals;
    const stopped = t.refused + t.suspended + t.withdrawn;
    const scope = [];
    if (rep.filters.from) scope.push("từ " + fmtDate(rep.filters.from + "T00:00:00+07:00"));
    if (rep.filters.to) scope.push("đến hết " + fmtDate(rep.filters.to + "T00:00:00+07:00"));
    if (rep.filters.unitCode) scope.push("đơn vị " + rep.filters.unitCode + " và cấp dưới");
    out.append(h("p", { className: "scope" }, "Phạm vi: " + (scope.length ? scope.join(", ") : "toàn bộ thời gian, mọi đơn vị") + ". Hồ sơ chưa giải quyết được xét tại " + fmtDateTime(rep.asOf) + "."));

    const wardBar = h("div", { className: "meter", title: "Mục tiêu 100%" }, h("span", { className: "fill" }), h("span", { className: "mark" }));
    wardBar.firstChild.style.width = (isNum(t.wardsWithoutLatePct) ? t.wardsWithoutLatePct : 0) + "%";
    out.append(h("div", { className: "cards" },
      card("Phường/xã không có hồ sơ trễ hạn", pct(t.wardsWithoutLatePct),
        t.wards ? num(t.wardsWithoutLate) + "/" + num(t.wards) + " phường/xã · mục tiêu 100%" + (t.wardsWithoutLate < t.wards ? " (còn " + num(t.wards - t.wardsWithoutLate) + " đơn vị có hồ sơ trễ)" : " — đạt") : "Không có phường/xã nào trong phạm vi",
        t.wards ? (t.wardsWithoutLate === t.wards ? "good" : "bad") : "", t.wards ? wardBar : null),
      card("Giải quyết đúng hạn", pct(t.onTimePct), num(t.finishedOnTime) + "/" + num(t.finished) + " hồ sơ đã giải quyết; tiếp nhận " + num(t.received), ""),
      card("Trễ hạn", num(t.late), "Giải quyết trễ " + num(t.finishedLate) + " · quá hạn chưa giải quyết " + num(t.openPastDue) + " · quá hạn theo quy định quốc gia (kể cả bổ sung > 1 lần) " + num(t.overdueNationally), t.late ? "bad" : "good"),
      card("Từ chối + dừng xử lý + rút", pct(t.stoppedPct), num(stopped) + "/" + num(t.received) + " hồ sơ tiếp nhận: từ chối " + num(t.refused) + ", dừng xử lý " + num(t.suspended) + ", rút " + num(t.withdrawn), "")));

    const depthOf = rep.groupBy.includes("unit") ? unitDepths(rep.groups) : () => 0;
    const rows = [{ label: "Toàn bộ", title: "Toàn bộ phạm vi", depth: 0, total: true, r: t }].concat(
      rep.groups.map((g) => ({ label: keyLabel(g.key, rep.groupBy), title: keyTitle(g.key, rep.groupBy), depth: rep.groupBy[0] === "unit" ? depthOf(g) : 0, r: g })));
    out.append(h("h3", null, "Hồ sơ đã giải quyết và quá hạn theo " + (GROUP_NAMES[rep.groupBy.join(",")] || "nhóm")));
    out.append(h("div", { className: "chart-box" }, timelinessChart(rows)));
    out.append(h("div", { className: "legend" },
      h("span", null, h("i", { className: "sw good" }), "Giải quyết đúng hạn"),
      h("span", null, h("i", { className: "sw bad" }), "Giải quyết trễ hạn"),
      h("span", null, h("i", { className: "sw open" }), "Quá hạn, chưa giải quyết")));
    out.append(table(
      ["Nhóm", "Tiếp nhận", "Đã giải quyết", "Đúng hạn", "Trễ hạn", "Quá hạn chưa giải quyết", "% đúng hạn", "Quá hạn (quy định quốc gia)", "Phường/xã không có hồ sơ trễ", "Từ chối · dừng · rút", "Tỷ lệ từ chối, dừng, rút"],
      rows.map((row) => {
        const r = row.r;
        return {
          className: row.total ? "total" : null,
          cells: [
            h("span", { title: row.title, className: "indent-" + Math.min(row.depth, 4) }, row.label),
            num(r.received), num(r.finished), num(r.finishedOnTime),
            h("span", { className: r.finishedLate ? "bad" : "" }, num(r.finishedLate)),
            h("span", { className: r.openPastDue ? "bad" : "" }, num(r.openPastDue)),
            pct(r.onTimePct), num(r.overdueNationally),
            r.wards ? num(r.wardsWithoutLate) + "/" + num(r.wards) + " (" + pct(r.wardsWithoutLatePct, 0) + ")" : "—",
            num(r.refused) + " · " + num(r.suspended) + " · " + num(r.withdrawn), pct(r.stoppedPct),
          ],
        };
      }),
      { numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], className: "data groups" }));
    out.append(h("h3", null, "Lý do từ chối, dừng xử lý, rút hồ sơ"));
    if (!rep.stopReasons.length) out.append(h("p", { className: "muted" }, "Không có hồ sơ bị từ chối, dừng xử lý hay rút trong phạm vi này."));
    else out.append(table(["Loại", "Lý do", "Số hồ sơ"], rep.stopReasons.map((r) => ({ cells: [STOP_NAMES[r.status] || r.status, r.reason || "(không ghi lý do)", num(r.count)] })), { numeric: [2] }));
  }
  async function loadTimeliness(button) {
    await busy(button, tMsg, ["analyst"], async () => {
      const q = new URLSearchParams();
      const from = parseDay($("t-from").value, "Từ ngày");
      const to = parseDay($("t-to").value, "Đến ngày");
      if (from) q.set("from", from);
      if (to) q.set("to", to);
      const unit = $("t-unit").value.trim();
      if (unit) q.set("unitCode", unit);
      q.set("groupBy", $("t-group").value);
      flash(tMsg, "info", "Đang tính…");
      const rep = await api("/api/v1/stats/timeliness?" + q.toString());
      flash(tMsg, "", "");
      renderTimeliness(rep);
    });
  }
  $("t-form").addEventListener("submit", (e) => { e.preventDefault(); loadTimeliness($("t-go")); });

  // ------------------------------------------------------------------ tab: dossier
  const dMsg = $("d-msg");
  function renderDossier(d) {
    const out = clear($("d-out"));
    const tl = d.timeliness;
    const stateKind = tl.state === "on_time" || tl.state === "open" ? "good" : "bad";
    let left = "";
    if (isNum(tl.workingDaysLeft) && (tl.state === "open")) left = "Còn " + num(tl.workingDaysLeft, 1) + " ngày làm việc";
    if (tl.workingDaysLate > 0) left = "Trễ " + num(tl.workingDaysLate, 1) + " ngày làm việc";
    const row = (k, v) => [h("dt", null, k), h("dd", null, v === null || v === undefined || v === "" ? "—" : v)];
    out.append(h("div", { className: "dossier" },
      h("div", { className: "dossier-head" },
        h("h3", null, h("code", null, d.code)),
        badge(statusName(d.status), "status"),
        badge(TIMELINESS_NAMES[tl.state] || tl.state, stateKind),
        left ? badge(left, stateKind) : null,
        tl.countsAsOverdueNationally ? badge("Tính là quá hạn theo quy định quốc gia", "bad") : null,
        d.demo ? badge("DỮ LIỆU MINH HOẠ", "warn") : null),
      h("dl", { className: "facts" },
        row("Đơn vị tiếp nhận", d.unit.name + " (" + d.unit.code + ")"),
        row("Lĩnh vực", d.field ? d.field.name : null),
        row("Thủ tục", d.procedure.name + " (" + d.procedure.code + ")" + (isNum(d.procedure.durationDays) ? " — " + num(d.procedure.durationDays) + " ngày làm việc" : "")),
        row("Người nộp", d.applicant
          ? [d.applicant.name, d.applicant.phone, d.applicant.idNumberMasked ? "CCCD " + d.applicant.idNumberMasked : null].filter(Boolean).join(" · ")
          : "(ẩn với vai trò phân tích)"),
        row("Ngày tiếp nhận", fmtDateTime(d.receivedAt)),
        row("Ngày hẹn trả", [fmtDateTime(d.appointmentAt), d.appointmentComputed ? " (tính theo lịch làm việc)" : ""].join("")),
        row("Trạng thái", statusName(d.status) + " từ " + fmtDateTime(d.statusAt)),
        row("Bước hiện tại", d.currentStep),
        row("Hình thức trả kết quả", d.returnMethod ? RETURN_NAMES[d.returnMethod] || d.returnMethod : null),
        row("Phí, lệ phí", d.feeStatus ? (FEE_NAMES[d.feeStatus] || d.feeStatus) + (isNum(d.feeAmount) ? " — " + num(d.feeAmount) + " đồng" : "") : null),
        row("Yêu cầu bổ sung", d.supplementCount ? num(d.supplementCount) + " lần" + (d.supplementReason ? ": " + d.supplementReason : "") : "Không"),
        d.stopReason ? row("Lý do dừng/từ chối", d.stopReason) : null,
        d.finishedAt ? row("Giải quyết xong", fmtDateTime(d.finishedAt)) : null,
        d.returnedAt ? row("Đã trả kết quả", fmtDateTime(d.returnedAt)) : null)));
    out.append(h("h3", null, "Lịch sử xử lý"));
    if (!d.history.length) out.append(h("p", { className: "muted" }, "Chưa có sự kiện nào."));
    else out.append(table(["Thời điểm", "Trạng thái", "Ghi chú", "Lý do", "Nguồn"],
      d.history.map((e) => ({
        className: e.applied ? null : "muted",
        cells: [fmtDateTime(e.at), [statusName(e.status), e.applied ? null : [" ", badge("đến muộn, không áp dụng", "warn", "Sự kiện cũ hơn trạng thái hiện tại: chỉ ghi vào lịch sử")]], e.note || "—", e.reason || "—", e.source],
      })), { className: "data" }));
  }
  $("d-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const code = $("d-code").value.trim();
    if (!code) { flash(dMsg, "err", "Nhập mã hồ sơ, ví dụ 000.00.15.H32-230112-0001."); return; }
    busy($("d-go"), dMsg, ["staff", "analyst"], async () => {
      flash(dMsg, "", "");
      clear($("d-out"));
      const d = await api("/api/v1/dossiers/" + encodeURIComponent(code));
      renderDossier(d);
    });
  });

  // ------------------------------------------------------------------ tab: broadcasts
  const bMsg = $("b-msg");
  let broadcastCursor = null;
  function progressBar(p, cancelled) {
    const el = h("div", { className: "meter" + (cancelled ? " cancelled" : ""), title: pct(p, 0) }, h("span", { className: "fill" }));
    el.firstChild.style.width = Math.max(0, Math.min(100, p)) + "%";
    return el;
  }
  function broadcastRow(b) {
    const c = b.counts;
    const actions = [h("button", { type: "button", className: "secondary small", onclick: (e) => showBroadcast(b.id, e.currentTarget) }, "Chi tiết")];
    if (b.status === "awaiting_approval")
      actions.push(h("button", { type: "button", className: "small", onclick: (e) => broadcastAction(b.id, "approve", e.currentTarget) }, "Duyệt"));
    if (b.status !== "done" && b.status !== "cancelled")
      actions.push(h("button", { type: "button", className: "danger small", onclick: (e) => broadcastAction(b.id, "cancel", e.currentTarget) }, "Huỷ"));
    return h("tr", { dataset: { id: String(b.id) } },
      h("td", { className: "n" }, "#" + b.id),
      h("td", null, badge(BROADCAST_NAMES[b.status] || b.status, b.status === "cancelled" ? "muted" : b.status === "done" ? "ok" : "status"), b.urgent ? [" ", badge("khẩn", "bad")] : null),
      h("td", null, fmtDateTime(b.createdAt), h("div", { className: "muted small" }, b.createdBy), b.scheduledAt ? h("div", { className: "small" }, "Hẹn gửi " + fmtDateTime(b.scheduledAt)) : null),
      h("td", { className: "text", title: b.text }, truncate(b.text, 90)),
      h("td", { className: "n" }, num(b.audienceCount)),
      h("td", { className: "progress" }, progressBar(b.progress, b.status === "cancelled"), h("div", { className: "small" }, pct(b.progress, 0) + " · đã gửi " + num(c.sent) + (c.failed + c.undeliverable ? " · lỗi " + num(c.failed + c.undeliverable) : "") + (c.blocked ? " · chặn " + num(c.blocked) : "") + (c.queued + c.sending ? " · chờ " + num(c.queued + c.sending) : "") + (c.cancelled ? " · huỷ " + num(c.cancelled) : ""))),
      h("td", { className: "actions" }, actions));
  }
  async function loadBroadcasts(reset, button) {
    await busy(button, bMsg, ["staff"], async () => {
      const box = $("b-list");
      if (reset) broadcastCursor = null;
      const q = new URLSearchParams({ limit: "20" });
      if (broadcastCursor) q.set("cursor", broadcastCursor);
      const page = await api("/api/v1/broadcasts?" + q.toString());
      broadcastCursor = page.nextCursor;
      if (reset) {
        clear(box);
        if (!page.items.length) { box.append(h("p", { className: "muted" }, "Chưa có thông báo nào.")); }
        else box.append(table(["Số", "Trạng thái", "Tạo lúc", "Nội dung", "Người nhận", "Tiến độ", ""], [], { className: "data broadcasts" }));
      }
      const tbody = box.querySelector("tbody");
      if (tbody) for (const b of page.items) tbody.append(broadcastRow(b));
      const more = box.querySelector(".more");
      if (more) more.remove();
      if (broadcastCursor) {
        const m = h("button", { type: "button", className: "more secondary" }, "Xem thêm");
        m.addEventListener("click", () => loadBroadcasts(false, m));
        box.append(m);
      }
    });
  }
  async function broadcastAction(id, action, button) {
    if (action === "cancel" && !window.confirm("Huỷ thông báo #" + id + "? Các tin còn chờ sẽ không được gửi; tin đang gửi vẫn hoàn tất.")) return;
    await busy(button, bMsg, ["staff"], async () => {
      const b = await api("/api/v1/broadcasts/" + id + "/" + action, { method: "POST" });
      flash(bMsg, "ok", (action === "cancel" ? "Đã huỷ" : "Đã duyệt") + " thông báo #" + b.id + ": " + (BROADCAST_NAMES[b.status] || b.status) + ".");
      replaceRow(b);
    });
  }
  function replaceRow(b) {
    const old = $("b-list").querySelector('tr[data-id="' + b.id + '"]');
    if (old) old.replaceWith(broadcastRow(b));
  }
  async function showBroadcast(id, button) {
    await busy(button, bMsg, ["staff"], async () => {
      const b = await api("/api/v1/broadcasts/" + id + "?limit=50");
      replaceRow(b);
      const out = clear($("b-detail"));
      const c = b.counts;
      out.append(h("div", { className: "detail-head" }, h("h3", null, "Thông báo #" + b.id), h("button", { type: "button", className: "secondary small", onclick: () => clear(out) }, "Đóng")));
      out.append(h("p", { className: "broadcast-text" }, b.text));
      out.append(h("p", { className: "small" },
        "Trạng thái: " + (BROADCAST_NAMES[b.status] || b.status) + " · kênh: " + (b.channels.map((x) => CHANNEL_NAMES[x] || x).join(", ") || "—") +
        " · tạo bởi " + b.createdBy + " lúc " + fmtDateTime(b.createdAt) + (b.approvedBy ? " · duyệt bởi " + b.approvedBy : "") +
        (b.startedAt ? " · bắt đầu " + fmtDateTime(b.startedAt) : "") + (b.finishedAt ? " · xong " + fmtDateTime(b.finishedAt) : "") + (b.cancelledAt ? " · huỷ " + fmtDateTime(b.cancelledAt) : "")));
      out.append(h("div", { className: "counts" }, Object.keys(RECEIPT_NAMES).map((k) => h("span", { className: "count" }, RECEIPT_NAMES[k] + ": ", h("strong", null, num(c[k]))))));
      out.append(progressBar(b.progress, b.status === "cancelled"));
      const items = b.receipts.items;
      if (!items.length) out.append(h("p", { className: "muted" }, "Chưa có tin nào."));
      else out.append(table(["Kênh", "Người nhận", "Hồ sơ", "Trạng thái", "Lỗi / lý do", "Số lần thử", "Gửi lúc"],
        items.map((r) => ({ cells: [CHANNEL_NAMES[r.channel] || r.channel, h("code", null, r.user), r.dossierCode ? h("code", null, r.dossierCode) : "—", RECEIPT_NAMES[r.state] || r.state, r.error || "—", num(r.attempts), fmtDateTime(r.sentAt)] })),
        { className: "data", numeric: [5], caption: b.receipts.nextCursor ? "50 tin đầu tiên" : null }));
      out.scrollIntoView({ block: "nearest" });
    });
  }
  $("b-refresh").addEventListener("click", (e) => loadBroadcasts(true, e.currentTarget));

  // Create: a dry run first; "Gửi" posts exactly the body that was previewed.
  let previewed = null;
  function broadcastBody() {
    const text = $("b-text").value.trim();
    if (!text) throw new InputError("Nhập nội dung thông báo.");
    const audience = {};
    const units = list($("b-units").value), fields = list($("b-fields").value), procs = list($("b-procs").value), codes = lines($("b-codes").value);
    if (units.length) audience.unitCodes = units;
    if (fields.length) audience.fieldCodes = fields;
    if (procs.length) audience.procedureCodes = procs;
    if (codes.length) audience.dossierCodes = codes;
    const statuses = Array.from(document.querySelectorAll("#b-statuses input:checked")).map((i) => Number(i.value));
    if (statuses.length) audience.statuses = statuses;
    const channels = Array.from(document.querySelectorAll("#b-channels input:checked")).map((i) => i.value);
    if (!channels.length) throw new InputError("Chọn ít nhất một kênh gửi.");
    const body = { text, audience, channels, urgent: $("b-urgent").checked };
    const at = parseDateTime($("b-at").value, "Hẹn giờ gửi");
    if (at) body.scheduledAt = at;
    return body;
  }
  function invalidatePreview() {
    if (!previewed) return;
    previewed = null;
    $("b-send").disabled = true;
    flash($("b-preview-msg"), "info", "Nội dung hoặc đối tượng đã thay đổi: bấm «Xem trước» lại trước khi gửi.");
  }
  $("b-form").addEventListener("input", invalidatePreview);
  $("b-form").addEventListener("change", invalidatePreview);
  $("b-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const pm = $("b-preview-msg");
    busy($("b-dry"), pm, ["staff"], async () => {
      previewed = null;
      $("b-send").disabled = true;
      const body = broadcastBody();
      const out = clear($("b-preview"));
      flash(pm, "", "");
      const r = await api("/api/v1/broadcasts", { method: "POST", json: Object.assign({}, body, { dryRun: true }) });
      out.append(h("div", { className: "cards" },
        card("Số tin sẽ gửi", num(r.audienceCount), "Telegram " + num(r.byChannel.telegram) + " · Zalo " + num(r.byChannel.zalo), r.audienceCount ? "" : "bad"),
        card("Bỏ qua", num(r.skipped.blocked + r.skipped.optedOut), "Đã chặn bot " + num(r.skipped.blocked) + " · từ chối nhận thông báo " + num(r.skipped.optedOut), ""),
        card("Cần duyệt", r.requiresApproval ? "Có" : "Không", r.requiresApproval ? "Sau khi bấm «Gửi», một cán bộ khác phải bấm «Duyệt» thì tin mới được gửi." : body.scheduledAt ? "Gửi lúc " + fmtDateTime(body.scheduledAt) + " (lùi lại nếu rơi vào giờ yên lặng)." : "Gửi ngay khi bấm «Gửi» (lùi lại nếu đang trong giờ yên lặng).", r.requiresApproval ? "warn" : "")));
      if (!Object.keys(body.audience).length) out.append(h("p", { className: "flash warn" }, "Không có điều kiện lọc nào: thông báo sẽ gửi tới mọi người dân đã liên kết hồ sơ."));
      if (r.preview.length) {
        out.append(h("h4", null, "Xem trước (tối đa 3 tin đầu)"));
        for (const p of r.preview) out.append(h("div", { className: "preview" }, h("div", { className: "small muted" }, (CHANNEL_NAMES[p.channel] || p.channel) + " · hồ sơ " + p.dossierCode), h("div", { className: "bubble" }, p.text)));
      }
      if (r.audienceCount > 0) {
        previewed = body;
        $("b-send").disabled = false;
        flash(pm, "ok", "Đã chạy thử, chưa gửi gì. Kiểm tra lại rồi bấm «Gửi».");
      } else flash(pm, "err", "Không có người nhận nào khớp điều kiện: không thể gửi.");
    });
  });
  $("b-send").addEventListener("click", (e) => {
    const pm = $("b-preview-msg");
    const body = previewed;
    if (!body) return;
    busy(e.currentTarget, pm, ["staff"], async () => {
      const r = await api("/api/v1/broadcasts", { method: "POST", json: Object.assign({}, body, { dryRun: false }) });
      previewed = null;
      $("b-send").disabled = true;
      clear($("b-preview"));
      const b = r.broadcast;
      flash(pm, "ok", "Đã tạo thông báo #" + b.id + " cho " + num(b.audienceCount) + " tin: " + (BROADCAST_NAMES[b.status] || b.status) + (b.status === "awaiting_approval" ? " — cần một cán bộ khác duyệt." : "."));
      await loadBroadcasts(true, null);
    }).finally(() => { $("b-send").disabled = !previewed; });
  });

  // ------------------------------------------------------------------ tab: audit log
  const aMsg = $("a-msg");
  let auditCursor = null;
  async function loadAudit(reset, button) {
    await busy(button, aMsg, ["admin"], async () => {
      const q = new URLSearchParams({ limit: "50" });
      const action = $("a-action").value.trim();
      const actor = $("a-actor").value.trim();
      if (action) q.set("action", action);
      if (actor) q.set("actor", actor);
      const since = parseDay($("a-since").value, "Từ ngày");
      const until = parseDay($("a-until").value, "Đến ngày");
      if (since) q.set("since", since + "T00:00:00+07:00");
      if (until) q.set("until", new Date(Date.parse(until + "T00:00:00+07:00") + 86400000).toISOString());
      if (reset) auditCursor = null;
      if (auditCursor) q.set("cursor", auditCursor);
      const page = await api("/api/v1/audit-log?" + q.toString());
      auditCursor = page.nextCursor;
      const box = $("a-out");
      if (reset) {
        clear(box);
        if (!page.items.length) { box.append(h("p", { className: "muted" }, "Không có mục nào.")); return; }
        box.append(table(["Thời điểm", "Người thực hiện", "Hành động", "Đối tượng", "Chi tiết"], [], { className: "data" }));
      }
      const tbody = box.querySelector("tbody");
      for (const e of page.items)
        tbody.append(h("tr", null, h("td", null, fmtDateTime(e.at)), h("td", null, h("code", null, e.actor)), h("td", null, h("code", null, e.action)), h("td", null, e.target || "—"), h("td", { className: "json" }, e.details == null ? "—" : truncate(JSON.stringify(e.details), 300))));
      const more = box.querySelector(".more");
      if (more) more.remove();
      if (auditCursor) {
        const m = h("button", { type: "button", className: "more secondary" }, "Xem thêm");
        m.addEventListener("click", () => loadAudit(false, m));
        box.append(m);
      }
    });
  }
  $("a-form").addEventListener("submit", (e) => { e.preventDefault(); loadAudit(true, $("a-go")); });

  // ------------------------------------------------------------------ tabs
  const TABS = [
    { id: "hai-long", need: ["analyst"], load: () => loadSatisfaction($("s-go")) },
    { id: "dung-han", need: ["analyst"], load: () => loadTimeliness($("t-go")) },
    { id: "ho-so", need: ["staff", "analyst"], load: () => $("d-code").focus() },
    { id: "thong-bao", need: ["staff"], load: () => loadBroadcasts(true, $("b-refresh")) },
    { id: "nhat-ky", need: ["admin"], load: () => loadAudit(true, $("a-go")) },
  ];
  let activeTab = TABS[0].id;
  function openTab(id, load) {
    const tab = TABS.find((t) => t.id === id) || TABS[0];
    activeTab = tab.id;
    for (const t of TABS) {
      const on = t.id === tab.id;
      $("tab-" + t.id).setAttribute("aria-selected", on ? "true" : "false");
      $("tab-" + t.id).tabIndex = on ? 0 : -1;
      $("panel-" + t.id).hidden = !on;
    }
    if (load && !tab.loaded && getKey()) {
      tab.loaded = true;
      tab.load();
    }
  }
  const tabButtons = TABS.map((t) => $("tab-" + t.id));
  tabButtons.forEach((b, i) => {
    b.addEventListener("click", () => {
      if (location.hash !== "#" + TABS[i].id) history.replaceState(null, "", "#" + TABS[i].id);
      openTab(TABS[i].id, true);
    });
    b.addEventListener("keydown", (e) => {
      const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!d) return;
      const next = tabButtons[(i + d + tabButtons.length) % tabButtons.length];
      next.focus();
      next.click();
    });
  });
  window.addEventListener("hashchange", () => openTab(location.hash.slice(1), true));

  showKeyState();
  openTab(location.hash.slice(1) || TABS[0].id, true);
  if (!getKey()) $("key-input").focus();
})();
`;
