// /dashboard: one self-contained page for staff and analysts (Vietnamese). The page holds no
// data and no secret: the user pastes an API key (kept in sessionStorage), and the inline
// script calls the same-origin REST API with it, so the API's roles decide what each tab shows.
// No external assets; the CSP allows only this page's own inline script and style by hash.
import { createHash } from "node:crypto";
import express, { type Router } from "express";
import { t } from "../../core/i18n/index.ts";
import { STATUS_KEYS } from "../../core/status.ts";
import { DASHBOARD_SCRIPT } from "./dashboard/client.ts";
import { DASHBOARD_STYLE } from "./dashboard/style.ts";

export interface DashboardPage {
  html: string;
  csp: string;
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

export function createDashboardRouter(): Router {
  const router = express.Router();
  const page = renderDashboardPage();
  router.get("/dashboard", (_req, res) => {
    res
      .status(200)
      .set("content-type", "text/html; charset=utf-8")
      .set("cache-control", "no-store")
      .set("content-security-policy", page.csp)
      .set("x-content-type-options", "nosniff")
      .set("x-frame-options", "DENY")
      .set("referrer-policy", "no-referrer")
      .send(page.html);
  });
  return router;
}

/** The page and its CSP (the hashes of exactly the inline script and style served). */
export function renderDashboardPage(): DashboardPage {
  const statuses = Object.fromEntries(Object.entries(STATUS_KEYS).map(([code, key]) => [code, t("vi", `status-${key}`)]));
  // JSON inside <script>: escape "<" so that no value can close the tag.
  const boot = JSON.stringify({ statuses }).replace(/</g, "\\u003c");
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(DASHBOARD_SCRIPT)}`,
    `style-src ${sha256(DASHBOARD_STYLE)}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  const statusChecks = Object.entries(statuses)
    .map(([code, label]) => `<label><input type="checkbox" value="${code}"> ${code} · ${escapeHtml(label)}</label>`)
    .join("\n          ");
  const html = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Bảng điều khiển — hồ sơ và mức độ hài lòng</title>
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<header class="top">
  <h1>Bảng điều khiển cho cán bộ và phân tích viên</h1>
  <p>Chỉ số hài lòng, tiến độ giải quyết hồ sơ, tra cứu hồ sơ và thông báo tới người dân</p>
</header>
<main>
  <section class="keybox" aria-label="Khoá API">
    <form id="key-form" autocomplete="off">
      <label for="key-input">Khoá API</label>
      <input type="password" id="key-input" autocomplete="off" spellcheck="false" placeholder="Dán khoá API…">
      <button type="submit" id="key-save">Dùng khoá</button>
      <button type="button" id="key-clear" class="secondary">Xoá khoá</button>
    </form>
    <div id="key-status"></div>
    <div id="key-msg"></div>
  </section>

  <div role="tablist" aria-label="Các phần của bảng điều khiển">
    <button type="button" role="tab" id="tab-hai-long" aria-controls="panel-hai-long" aria-selected="true">Chỉ số hài lòng</button>
    <button type="button" role="tab" id="tab-dung-han" aria-controls="panel-dung-han" aria-selected="false">Đúng hạn</button>
    <button type="button" role="tab" id="tab-ho-so" aria-controls="panel-ho-so" aria-selected="false">Hồ sơ</button>
    <button type="button" role="tab" id="tab-thong-bao" aria-controls="panel-thong-bao" aria-selected="false">Thông báo</button>
    <button type="button" role="tab" id="tab-nhat-ky" aria-controls="panel-nhat-ky" aria-selected="false">Nhật ký</button>
  </div>

  <section role="tabpanel" id="panel-hai-long" aria-labelledby="tab-hai-long">
    <p class="need" id="need-hai-long"></p>
    <form class="filters" id="s-form" autocomplete="off">
      <label>Từ ngày<input type="text" id="s-from" placeholder="dd/mm/yyyy" inputmode="numeric"></label>
      <label>Đến ngày<input type="text" id="s-to" placeholder="dd/mm/yyyy" inputmode="numeric"></label>
      <label>Nhóm theo
        <select id="s-group">
          <option value="unit">Đơn vị</option>
          <option value="field">Lĩnh vực</option>
          <option value="procedure">Thủ tục</option>
          <option value="channel">Kênh</option>
          <option value="month">Tháng</option>
          <option value="quarter">Quý</option>
        </select>
      </label>
      <label>Mã đơn vị (tuỳ chọn)<input type="text" id="s-unit" class="wide" placeholder="ví dụ 000.00.15.H32"></label>
      <label>Kênh
        <select id="s-channel">
          <option value="">Mọi kênh</option>
          <option value="telegram">Telegram</option>
          <option value="zalo">Zalo</option>
          <option value="web">Web</option>
        </select>
      </label>
      <div class="buttons">
        <button type="submit" id="s-go">Xem</button>
        <button type="button" id="s-csv" class="secondary">Tải CSV</button>
        <button type="button" id="s-xlsx" class="secondary">Tải XLSX</button>
      </div>
    </form>
    <div id="s-msg"></div>
    <div id="s-out"></div>
    <div id="s-feedback"></div>
  </section>

  <section role="tabpanel" id="panel-dung-han" aria-labelledby="tab-dung-han" hidden>
    <p class="need" id="need-dung-han"></p>
    <form class="filters" id="t-form" autocomplete="off">
      <label>Từ ngày<input type="text" id="t-from" placeholder="dd/mm/yyyy" inputmode="numeric"></label>
      <label>Đến ngày<input type="text" id="t-to" placeholder="dd/mm/yyyy" inputmode="numeric"></label>
      <label>Nhóm theo
        <select id="t-group">
          <option value="unit">Đơn vị</option>
          <option value="field">Lĩnh vực</option>
          <option value="procedure">Thủ tục</option>
          <option value="month">Tháng</option>
          <option value="quarter">Quý</option>
        </select>
      </label>
      <label>Mã đơn vị (tuỳ chọn)<input type="text" id="t-unit" class="wide" placeholder="ví dụ 000.00.15.H32"></label>
      <div class="buttons"><button type="submit" id="t-go">Xem</button></div>
    </form>
    <div id="t-msg"></div>
    <div id="t-out"></div>
  </section>

  <section role="tabpanel" id="panel-ho-so" aria-labelledby="tab-ho-so" hidden>
    <p class="need" id="need-ho-so"></p>
    <form class="filters" id="d-form" autocomplete="off">
      <label>Mã hồ sơ<input type="text" id="d-code" class="wide" placeholder="000.00.15.H32-230112-0001" spellcheck="false"></label>
      <div class="buttons"><button type="submit" id="d-go">Tra cứu</button></div>
    </form>
    <div id="d-msg"></div>
    <div id="d-out"></div>
  </section>

  <section role="tabpanel" id="panel-thong-bao" aria-labelledby="tab-thong-bao" hidden>
    <p class="need" id="need-thong-bao"></p>
    <div class="buttons"><button type="button" id="b-refresh" class="secondary">Tải lại danh sách</button></div>
    <div id="b-msg"></div>
    <div id="b-list"></div>
    <div id="b-detail"></div>
    <h3>Tạo thông báo mới</h3>
    <form id="b-form" autocomplete="off">
      <div class="grid2">
        <fieldset>
          <legend>Nội dung</legend>
          <textarea id="b-text" rows="7" maxlength="3500" placeholder="Ví dụ: Hồ sơ {code} ({procedure}) đã có kết quả tại {unit}. Mời ông/bà đến nhận trước {appointment}."></textarea>
          <div class="small muted">Các chỗ {code}, {procedure}, {unit}, {appointment} được điền theo từng hồ sơ.</div>
          <div class="field">Kênh gửi
            <div class="checks" id="b-channels">
              <label><input type="checkbox" value="telegram" checked> Telegram</label>
              <label><input type="checkbox" value="zalo" checked> Zalo</label>
            </div>
          </div>
          <label class="checks"><input type="checkbox" id="b-urgent"> Khẩn (gửi cả trong giờ yên lặng và cho người đã từ chối nhận thông báo)</label>
          <label class="field">Hẹn giờ gửi (tuỳ chọn, giờ Việt Nam)<input type="text" id="b-at" placeholder="dd/mm/yyyy hh:mm"></label>
        </fieldset>
        <fieldset>
          <legend>Gửi cho người dân có hồ sơ…</legend>
          <label class="field">Thuộc đơn vị (mã, cách nhau dấu phẩy)<input type="text" id="b-units" placeholder="000.00.15.H32, 000.00.16.H32"></label>
          <label class="field">Thuộc lĩnh vực (mã)<input type="text" id="b-fields" placeholder="DD"></label>
          <label class="field">Thuộc thủ tục (mã)<input type="text" id="b-procs" placeholder="1.004227"></label>
          <div class="field">Ở trạng thái
            <div class="checks" id="b-statuses">
          ${statusChecks}
            </div>
          </div>
          <label class="field">Hoặc theo danh sách mã hồ sơ (mỗi dòng một mã)<textarea id="b-codes" rows="3" spellcheck="false"></textarea></label>
        </fieldset>
      </div>
      <div class="buttons">
        <button type="submit" id="b-dry">Xem trước (chạy thử)</button>
        <button type="button" id="b-send" disabled>Gửi</button>
      </div>
    </form>
    <div id="b-preview-msg"></div>
    <div id="b-preview"></div>
  </section>

  <section role="tabpanel" id="panel-nhat-ky" aria-labelledby="tab-nhat-ky" hidden>
    <p class="need" id="need-nhat-ky"></p>
    <form class="filters" id="a-form" autocomplete="off">
      <label>Hành động<input type="text" id="a-action" placeholder="vd. broadcast.*"></label>
      <label>Người thực hiện<input type="text" id="a-actor" placeholder="api-key:12"></label>
      <label>Từ ngày<input type="text" id="a-since" placeholder="dd/mm/yyyy" inputmode="numeric"></label>
      <label>Đến ngày<input type="text" id="a-until" placeholder="dd/mm/yyyy" inputmode="numeric"></label>
      <div class="buttons"><button type="submit" id="a-go">Xem</button></div>
    </form>
    <div id="a-msg"></div>
    <div id="a-out"></div>
  </section>
</main>
<script type="application/json" id="boot">${boot}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>`;
  return { html, csp };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
