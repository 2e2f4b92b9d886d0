// /try: chat with the same conversation core in the browser, against the demo data, without
// any Telegram or Zalo token. Only mounted as working when demo data is allowed. The page's
// script is src/web/try (typed, bundled by ./assets.ts); no inline script.
import express, { type Router } from "express";
import { z } from "zod";
import type { InboundMessage, Reply } from "../../core/conversation/types.ts";
import type { Logger } from "../../logger.ts";
import { jsonBody } from "../json-body.ts";
import { webUpdatesQuerySchema, type WebUpdate } from "../../core/delivery/web-inbox.ts";
import { createAssetsRouter, PAGE_CSP, sharedWebAssets, type WebAssets } from "./assets.ts";

export interface TryPageOptions {
  conversation: { handleTurn(msg: InboundMessage): Promise<{ replies: Reply[]; lang: "vi" | "en" }> };
  /** false → every /try route answers 404 (no demo data allowed, e.g. a real database). */
  enabled: boolean;
  /** What the page offers to try: the demo applicant's phone (sent as an own contact) and codes. */
  demo?: { phone?: string; codes?: string[]; hint?: string };
  logger?: Logger;
  /** Messages the delivery engine sent to a /try session (notices, broadcasts): GET /try/api/updates. */
  updates?: (sessionId: string, after: string | undefined) => Promise<WebUpdate[]>;
  /** The bundled page script and styles (default: one build shared by the process). */
  assets?: WebAssets;
}

const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "sessionId must be 8–64 characters of A–Z a–z 0–9 _ -");

const inboundSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), text: z.string().trim().min(1).max(2000) }),
  z.object({
    kind: z.literal("button"),
    data: z.string().min(1).refine((d) => Buffer.byteLength(d, "utf8") <= 64, "button data is at most 64 bytes"),
  }),
  z.object({ kind: z.literal("contact"), phone: z.string().trim().min(6).max(32), own: z.boolean().default(true) }),
  z.object({
    kind: z.literal("command"),
    command: z.enum(["start", "help", "status", "link", "unlink", "language", "delete", "menu"]),
    args: z.string().max(200).default(""),
  }),
]);

export const tryMessageSchema = z.object({ sessionId: sessionIdSchema, input: inboundSchema });

export function createTryRouter(opts: TryPageOptions): Router {
  const router = express.Router();
  const notFound = (res: express.Response) => res.status(404).json({ error: { code: "not_found", message: "The try-the-bot page is only available with demo data" } });
  const demoPhones = new Set((opts.demo?.phone ? [opts.demo.phone] : []).map(digitsOnly));

  const assets = opts.assets ?? sharedWebAssets(opts.logger);
  if (opts.enabled) router.use(createAssetsRouter(assets, "try"));
  router.get("/try", async (_req, res) => {
    if (!opts.enabled) return notFound(res);
    const html = await renderPage(opts.demo ?? {}, assets);
    res
      .status(200)
      .set("content-type", "text/html; charset=utf-8")
      .set("cache-control", "no-store")
      .set("content-security-policy", PAGE_CSP)
      .set("x-content-type-options", "nosniff")
      .set("referrer-policy", "no-referrer")
      .send(html);
  });

  router.post("/try/api/message", jsonBody({ limit: "16kb" }), async (req, res) => {
    if (!opts.enabled) return notFound(res);
    const parsed = tryMessageSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: {
          code: "bad_request",
          message: "Invalid message",
          details: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        },
      });
      return;
    }
    const { sessionId, input } = parsed.data;
    // In the browser anyone could claim any number as "their own": only the demo
    // applicant's phone is accepted as a shared contact here.
    if (input.kind === "contact" && !demoPhones.has(digitsOnly(input.phone))) {
      res.status(400).json({ error: { code: "bad_request", message: "On the try page only the demo applicant's phone can be shared" } });
      return;
    }
    try {
      const { replies, lang } = await opts.conversation.handleTurn({
        channel: "web",
        userId: sessionId,
        input: input.kind === "contact" ? { ...input, own: true } : input,
      });
      // `lang`: the language of the answer, so that the page's own labels can follow it.
      res.json({ replies, lang });
    } catch (err) {
      opts.logger?.error({ err }, "try page: conversation failed");
      res.status(500).json({ error: { code: "internal", message: "Internal error" } });
    }
  });

  // Notices and broadcasts sent to this chat since `after` (the page polls; ids only grow).
  router.get("/try/api/updates", async (req, res) => {
    if (!opts.enabled) return notFound(res);
    const q = webUpdatesQuerySchema.safeParse(req.query);
    if (!q.success) {
      res.status(400).json({ error: { code: "bad_request", message: "sessionId (8–64 characters of A–Z a–z 0–9 _ -) and an optional numeric after are needed" } });
      return;
    }
    try {
      const updates = opts.updates ? await opts.updates(q.data.sessionId, q.data.after) : [];
      res.set("cache-control", "no-store").json({ updates, last: updates.at(-1)?.id ?? q.data.after ?? null });
    } catch (err) {
      opts.logger?.error({ err }, "try page: reading updates failed");
      res.status(500).json({ error: { code: "internal", message: "Internal error" } });
    }
  });

  // Tolerate a trailing slash.
  router.get("/try/", (_req, res) => res.redirect(301, "/try"));
  return router;
}

function digitsOnly(phone: string): string {
  const d = phone.replace(/\D/g, "");
  return d.startsWith("84") ? "0" + d.slice(2) : d;
}

async function renderPage(demo: NonNullable<TryPageOptions["demo"]>, assets: WebAssets): Promise<string> {
  // JSON as data, not script: escape "<" so that no value can close the tag.
  const boot = JSON.stringify({ phone: demo.phone ?? null, codes: demo.codes ?? [], hint: demo.hint ?? null }).replace(/</g, "\\u003c");
  const [js, css] = await Promise.all([assets.url("try", "js"), assets.url("try", "css")]);
  // The Vietnamese labels are in the markup; the script switches them when the bot answers in English.
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dùng thử bot tra cứu hồ sơ</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${css}">
<script src="${js}" defer></script>
</head>
<body>
<div class="wrap">
  <header>
    <div class="top">
      <h1 data-l="heading">Dùng thử bot</h1>
      <span class="badge" data-l="demo">DỮ LIỆU MẪU</span>
      <button type="button" id="reset" data-l="reset" data-l-title="resetTitle">Bắt đầu lại</button>
    </div>
    <details id="demo">
      <summary data-l="codes">Mã hồ sơ mẫu</summary>
      <div class="box">
        <p data-l="demoNote">Các hồ sơ ở đây là dữ liệu minh hoạ, không phải hồ sơ thật.</p>
        <div id="codes"></div>
        <p id="phone-line"><span data-l="phoneNote">Số điện thoại của người nộp mẫu:</span> <b id="phone"></b></p>
        <p id="hint"></p>
      </div>
    </details>
  </header>
  <main id="log" aria-live="polite"></main>
  <footer>
    <div id="quick" role="group" aria-label="Gợi ý"></div>
    <form id="f" autocomplete="off">
      <input type="text" id="t" placeholder="Nhập mã hồ sơ hoặc câu hỏi…" maxlength="2000" aria-label="Tin nhắn" enterkeyhint="send">
      <button type="submit" data-l="send">Gửi</button>
    </form>
  </footer>
</div>
<script type="application/json" id="boot">${boot}</script>
</body>
</html>`;
}
