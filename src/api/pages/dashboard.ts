// /dashboard: the page for staff and analysts (Vietnamese). The page holds no data and no
// secret: the user pastes an API key (kept in sessionStorage) and the script — typed modules
// in src/web/dashboard, bundled by ./assets.ts — calls the same-origin REST API with it, so
// the API's roles decide what each tab shows. No inline script or style: CSP script-src 'self'.
import express, { type Router } from "express";
import { deliveryChannelSchema } from "../../core/broadcasts/schemas.ts";
import { t } from "../../core/i18n/index.ts";
import { STATUS_KEYS } from "../../core/status.ts";
import type { Logger } from "../../logger.ts";
import { createAssetsRouter, PAGE_CSP, sharedWebAssets, type WebAssets } from "./assets.ts";

export interface DashboardOptions {
  assets?: WebAssets;
  logger?: Logger;
  /** Quiet hours to explain on the broadcasts tab (the delivery settings; default none). */
  quietHours?: { start: string; end: string } | null;
}

export function createDashboardRouter(opts: DashboardOptions = {}): Router {
  const router = express.Router();
  const assets = opts.assets ?? sharedWebAssets(opts.logger);
  router.use(createAssetsRouter(assets, "dashboard"));
  router.get("/dashboard", async (_req, res) => {
    const html = await renderDashboardPage(assets, opts);
    res
      .status(200)
      .set("content-type", "text/html; charset=utf-8")
      .set("cache-control", "no-store")
      .set("content-security-policy", PAGE_CSP)
      .set("x-content-type-options", "nosniff")
      .set("x-frame-options", "DENY")
      .set("referrer-policy", "no-referrer")
      .send(html);
  });
  return router;
}

/** The page: a shell whose tabs the script fills, and the labels it needs as a JSON data block. */
export async function renderDashboardPage(assets: WebAssets, opts: DashboardOptions = {}): Promise<string> {
  const statuses = Object.fromEntries(Object.entries(STATUS_KEYS).map(([code, key]) => [code, t("vi", `status-${key}`)]));
  const quietHours = opts.quietHours ?? null;
  // JSON as data, not script: escape "<" so that no value can close the tag.
  const boot = JSON.stringify({ statuses, channels: deliveryChannelSchema.options, quietHours }).replace(/</g, "\\u003c");
  const [js, css] = await Promise.all([assets.url("dashboard", "js"), assets.url("dashboard", "css")]);
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Bảng điều khiển — hồ sơ và mức độ hài lòng</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${css}">
<script src="${js}" defer></script>
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
  <p id="no-key">Dán khoá API để xem các phần mà vai trò của khoá được dùng: cán bộ (staff) — hồ sơ, hồ sơ sắp trễ hạn, thông báo; phân tích viên (analyst) — chỉ số hài lòng, đúng hạn, hồ sơ; quản trị (admin) — tất cả và nhật ký.</p>
  <div role="tablist" id="tabs" aria-label="Các phần của bảng điều khiển" hidden></div>
  <div id="panels" hidden></div>
</main>
<script type="application/json" id="boot">${boot}</script>
</body>
</html>`;
}
