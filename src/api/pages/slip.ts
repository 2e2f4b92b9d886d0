// Pages of the receipt slip (docs/slip.md):
// - the printable stub staff print next to the receipt (GET /api/v1/dossiers/{code}/slip);
// - /l/<token>, what the slip's QR opens on a phone: both channels, Telegram through the
//   start payload, Zalo through the short code copied with one tap.
// Strict CSP on both: no inline script at all (the copy button is /l/_/copy.js, served by
// us), the only inline style allowed by its hash, nothing from other origins.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import express, { type Response, type Router } from "express";
import type { AppContext } from "../../app/context.ts";
import { formatLocal } from "../../core/calendar.ts";
import { formatShortSlipCode } from "../../core/slip/index.ts";

export const SLIP_SCRIPT_PATH = "/l/_/copy.js";
const SLIP_SCRIPT = readFileSync(new URL("./slip-link/copy.js", import.meta.url), "utf8");

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface HtmlPage {
  html: string;
  csp: string;
}

function csp(style: string, extra: string[] = []): string {
  return ["default-src 'none'", `style-src ${sha256(style)}`, ...extra, "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join("; ");
}

export function sendPage(res: Response, status: number, page: HtmlPage): void {
  res
    .status(status)
    .set("content-type", "text/html; charset=utf-8")
    .set("cache-control", "no-store")
    .set("content-security-policy", page.csp)
    .set("x-content-type-options", "nosniff")
    .set("x-frame-options", "DENY")
    // The token is in the URL: the links out (t.me, zalo.me) must not receive it as a referrer.
    .set("referrer-policy", "no-referrer")
    .send(page.html);
}

// ------------------------------------------------------------------------ printable stub

const STUB_STYLE = `
@page { size: A6; margin: 8mm; }
body { font-family: "Times New Roman", serif; color: #000; margin: 0; }
.stub { max-width: 105mm; margin: 0 auto; text-align: center; }
h1 { font-size: 13pt; margin: 0 0 2mm; text-transform: uppercase; }
.code { font-family: "Courier New", monospace; font-size: 12pt; font-weight: bold; word-break: break-all; }
.qr svg { width: 42mm; height: 42mm; display: block; margin: 3mm auto; }
.short { font-family: "Courier New", monospace; font-size: 15pt; font-weight: bold; letter-spacing: 1pt; }
p { margin: 1.5mm 0; font-size: 11pt; }
`.trim();

export interface SlipStubInput {
  code: string;
  appointmentAt: Date;
  /** The QR as an SVG document (renderSlipQr(link, "svg")). */
  qrSvg: string;
  shortCode: string;
  unitName?: string | null;
}

/** The stub printed on or next to the receipt slip: code, appointment, QR, one line of instructions. */
export function renderSlipStub(s: SlipStubInput): HtmlPage {
  // The SVG comes from the QR library (paths only); drop its XML prolog if any.
  const svg = s.qrSvg.replace(/^<\?xml[^>]*>\s*/, "");
  const html = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>Phiếu hẹn ${escapeHtml(s.code)}</title>
<style>${STUB_STYLE}</style>
</head>
<body>
<div class="stub">
  <h1>Nhận thông báo hồ sơ qua Zalo, Telegram</h1>
  ${s.unitName ? `<p>${escapeHtml(s.unitName)}</p>` : ""}
  <p>Mã hồ sơ: <span class="code">${escapeHtml(s.code)}</span></p>
  <p>Ngày hẹn trả kết quả: <strong>${escapeHtml(formatLocal(s.appointmentAt))}</strong></p>
  <div class="qr">${svg}</div>
  <p>Quét mã QR bằng điện thoại để nhận thông báo khi có kết quả; trên Zalo, gửi mã <span class="short">${escapeHtml(formatShortSlipCode(s.shortCode))}</span> cho Zalo OA.</p>
</div>
</body>
</html>`;
  return { html, csp: csp(STUB_STYLE) };
}

// ------------------------------------------------------------------------ /l/<token>

const LINK_STYLE = `
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 16px; line-height: 1.45; color: #1b1b1b; background: #f4f6f8; }
main { max-width: 480px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.3rem; margin: 8px 0 4px; }
.en { color: #555; font-size: 0.9rem; margin-top: 2px; }
.card { background: #fff; border-radius: 12px; padding: 16px; margin: 14px 0; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.card h2 { font-size: 1.05rem; margin: 0 0 8px; }
.code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.short { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 1.6rem; font-weight: 700; letter-spacing: 2px; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; margin: 8px 0; }
.btn { display: block; width: 100%; text-align: center; padding: 14px 12px; border-radius: 10px; font-weight: 600; text-decoration: none; color: #fff; border: 0; font-size: 1rem; }
.tg { background: #229ed9; }
.zalo { background: #0068ff; }
.copy { width: auto; display: inline-block; padding: 10px 16px; background: #333; color: #fff; cursor: pointer; }
ol { padding-left: 20px; margin: 8px 0; }
li { margin: 6px 0; }
`.trim();

interface Channels {
  telegramBot?: string | undefined;
  zaloOaId?: string | undefined;
}

function head(title: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${LINK_STYLE}</style>
<script src="${SLIP_SCRIPT_PATH}" defer></script>
</head>`;
}

const LINK_CSP = csp(LINK_STYLE, ["script-src 'self'"]);

/** The page a valid slip QR opens. */
export function renderSlipLinkPage(p: { token: string; code: string; shortCode: string } & Channels): HtmlPage {
  const short = formatShortSlipCode(p.shortCode);
  const telegram = p.telegramBot
    ? `<section class="card">
    <h2>Telegram</h2>
    <a class="btn tg" href="https://t.me/${encodeURIComponent(p.telegramBot)}?start=${encodeURIComponent(p.token)}">Mở Telegram và bấm «Bắt đầu»</a>
    <p class="en">Open Telegram and tap Start.</p>
  </section>`
    : "";
  const zalo = `<section class="card">
    <h2>Zalo</h2>
    <ol>
      <li>Sao chép mã: <div class="row"><span class="short" id="short-code">${escapeHtml(short)}</span>
        <button type="button" class="btn copy" data-copy="${escapeHtml(short)}" data-target="short-code" data-done="Đã sao chép ✓">Sao chép</button></div></li>
      <li>${p.zaloOaId ? `<a class="btn zalo" href="https://zalo.me/${encodeURIComponent(p.zaloOaId)}">Mở Zalo OA</a>` : "Mở Zalo OA của cơ quan"} rồi gửi mã này làm tin nhắn đầu tiên.</li>
    </ol>
    <p class="en">Copy the code, open our Zalo Official Account and send the code as your first message.</p>
  </section>`;
  const html = `${head("Nhận thông báo hồ sơ")}
<body>
<main>
  <h1>Nhận thông báo về hồ sơ của bạn</h1>
  <p class="en">Get notices about your dossier.</p>
  <p>Hồ sơ <span class="code">${escapeHtml(p.code)}</span>: chọn Telegram hoặc Zalo, bot sẽ báo khi có kết quả.</p>
  ${telegram}
  ${zalo}
</main>
</body>
</html>`;
  return { html, csp: LINK_CSP };
}

/**
 * Forged, altered, expired or unknown: one page for all (it says nothing about whether a
 * code exists), with the way that always works — typing the code printed on the slip.
 */
export function renderInvalidSlipLinkPage(c: Channels): HtmlPage {
  const links = [
    c.telegramBot ? `<a class="btn tg" href="https://t.me/${encodeURIComponent(c.telegramBot)}">Mở Telegram</a>` : "",
    c.zaloOaId ? `<a class="btn zalo" href="https://zalo.me/${encodeURIComponent(c.zaloOaId)}">Mở Zalo OA</a>` : "",
  ]
    .filter(Boolean)
    .join('\n    <div class="row"></div>\n    ');
  const html = `${head("Liên kết không hợp lệ")}
<body>
<main>
  <h1>Liên kết không hợp lệ hoặc đã hết hạn</h1>
  <p class="en">This link is not valid or has expired.</p>
  <section class="card">
    <p>Bạn vẫn có thể nhận thông báo: mở Zalo OA hoặc bot Telegram của cơ quan và gửi <strong>mã hồ sơ</strong> in trên phiếu hẹn (ví dụ <span class="code">000.12.34.H32-250115-0042</span>), rồi làm theo hướng dẫn để xác nhận hồ sơ là của bạn.</p>
    <p class="en">You can still link your dossier: send the dossier code printed on your receipt to our Zalo Official Account or Telegram bot and follow the steps.</p>
    ${links}
  </section>
</main>
</body>
</html>`;
  return { html, csp: LINK_CSP };
}

/** GET /l/<token> and its script. */
export function createSlipLinkRouter(ctx: AppContext): Router {
  const router = express.Router();
  const channels: Channels = { telegramBot: ctx.config.telegram.username, zaloOaId: ctx.config.zalo.oaId };
  const scriptEtag = `"${createHash("sha256").update(SLIP_SCRIPT).digest("base64url").slice(0, 20)}"`;

  router.get(SLIP_SCRIPT_PATH, (_req, res) => {
    res
      .status(200)
      .set("content-type", "text/javascript; charset=utf-8")
      .set("cache-control", "public, max-age=86400")
      .set("etag", scriptEtag)
      .set("x-content-type-options", "nosniff")
      .send(SLIP_SCRIPT);
  });

  router.get("/l/:token", async (req, res, next) => {
    try {
      const token = String(req.params.token);
      const slip = token.length <= 64 ? ctx.slip.signer.verifySlipToken(token) : null;
      // A genuine token for a dossier deleted since gets the same page as a forged one.
      const shortCode = slip ? await ctx.slip.shortCode(slip.code) : null;
      if (!slip || !shortCode) return sendPage(res, 404, renderInvalidSlipLinkPage(channels));
      sendPage(res, 200, renderSlipLinkPage({ token, code: slip.code, shortCode, ...channels }));
    } catch (err) {
      next(err);
    }
  });
  return router;
}
