// /try: chat with the same conversation core in the browser, against the demo data, without
// any Telegram or Zalo token. Only mounted as working when demo data is allowed.
import express, { type Router } from "express";
import { z } from "zod";
import type { InboundMessage, Reply } from "../../core/conversation/types.ts";
import type { Logger } from "../../logger.ts";
import { jsonBody } from "../json-body.ts";
import { pageCsp } from "./csp.ts";

export interface TryPageOptions {
  conversation: { handleTurn(msg: InboundMessage): Promise<{ replies: Reply[]; lang: "vi" | "en" }> };
  /** false → every /try route answers 404 (no demo data allowed, e.g. a real database). */
  enabled: boolean;
  /** What the page offers to try: the demo applicant's phone (sent as an own contact) and codes. */
  demo?: { phone?: string; codes?: string[]; hint?: string };
  logger?: Logger;
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

  // Rendered once: the CSP allows exactly its inline script and style, by hash.
  const page = renderPage(opts.demo ?? {});
  const csp = pageCsp(page, { connect: ["'self'"] });
  router.get("/try", (_req, res) => {
    if (!opts.enabled) return notFound(res);
    res
      .status(200)
      .set("content-type", "text/html; charset=utf-8")
      .set("cache-control", "no-store")
      .set("content-security-policy", csp)
      .send(page);
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

  // Tolerate a trailing slash.
  router.get("/try/", (_req, res) => res.redirect(301, "/try"));
  return router;
}

function digitsOnly(phone: string): string {
  const d = phone.replace(/\D/g, "");
  return d.startsWith("84") ? "0" + d.slice(2) : d;
}

function renderPage(demo: NonNullable<TryPageOptions["demo"]>): string {
  // JSON inside <script>: escape "<" so that no value can close the tag.
  const boot = JSON.stringify({ phone: demo.phone ?? null, codes: demo.codes ?? [], hint: demo.hint ?? null }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dùng thử bot tra cứu hồ sơ</title>
<style>
  :root { --bg:#eef1f5; --me:#2b7de9; --bot:#fff; --ink:#1d2433; --muted:#667085; }
  * { box-sizing: border-box; }
  body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
  .wrap { max-width:640px; margin:0 auto; height:100vh; display:flex; flex-direction:column; }
  header { padding:12px 16px; background:#fff; border-bottom:1px solid #d9dee7; }
  header h1 { font-size:17px; margin:0; }
  .demo { margin-top:6px; font-size:13px; color:#7a4b00; background:#fff4d6; border:1px solid #f3d48a; border-radius:6px; padding:6px 8px; }
  .demo code { background:#fff; padding:0 4px; border-radius:4px; cursor:pointer; }
  #log { flex:1; overflow-y:auto; padding:16px; display:flex; flex-direction:column; gap:8px; }
  .msg { max-width:85%; padding:8px 12px; border-radius:14px; white-space:pre-wrap; word-wrap:break-word; box-shadow:0 1px 1px rgba(0,0,0,.06); }
  .me { align-self:flex-end; background:var(--me); color:#fff; border-bottom-right-radius:4px; }
  .bot { align-self:flex-start; background:var(--bot); border-bottom-left-radius:4px; }
  .err { align-self:center; color:#b42318; font-size:13px; }
  .kb { display:flex; flex-direction:column; gap:4px; margin-top:8px; }
  .kb .row { display:flex; gap:4px; }
  .kb button, .tools button { flex:1; border:1px solid #c8d3e6; background:#f5f8ff; color:#1f4fa3; border-radius:8px; padding:6px 8px; font:inherit; cursor:pointer; }
  .kb button:hover, .tools button:hover { background:#e6eeff; }
  .tools { display:flex; gap:6px; padding:6px 12px 0; background:#fff; border-top:1px solid #d9dee7; }
  .tools button { flex:0 0 auto; font-size:13px; }
  form { display:flex; gap:8px; padding:8px 12px 12px; background:#fff; }
  input[type=text] { flex:1; padding:10px 12px; border:1px solid #c8d3e6; border-radius:20px; font:inherit; }
  form button { border:0; background:var(--me); color:#fff; border-radius:20px; padding:0 18px; font:inherit; cursor:pointer; }
  .typing { color:var(--muted); font-size:13px; align-self:flex-start; }
</style>
</head>
<body>
<div class="wrap">
  <header>
    <h1>Dùng thử bot tra cứu hồ sơ thủ tục hành chính</h1>
    <div class="demo" id="demo">DỮ LIỆU MINH HOẠ — các hồ sơ ở đây là dữ liệu mẫu, không phải hồ sơ thật.</div>
  </header>
  <div id="log" aria-live="polite"></div>
  <div class="tools">
    <button type="button" id="share" hidden>📱 Chia sẻ số điện thoại của tôi</button>
    <button type="button" data-cmd="status">Hồ sơ của tôi</button>
    <button type="button" data-cmd="help">Trợ giúp</button>
    <button type="button" id="reset">Bắt đầu lại</button>
  </div>
  <form id="f" autocomplete="off">
    <input type="text" id="t" placeholder="Nhập mã hồ sơ hoặc câu hỏi, ví dụ: hồ sơ của tôi đến đâu rồi?" maxlength="2000" aria-label="Tin nhắn">
    <button type="submit">Gửi</button>
  </form>
</div>
<script>
(() => {
  const BOOT = ${boot};
  const log = document.getElementById("log");
  const input = document.getElementById("t");
  const share = document.getElementById("share");
  const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  let sessionId = localStorage.getItem("try.sessionId");
  if (!sessionId || !/^[A-Za-z0-9_-]{8,64}$/.test(sessionId)) { sessionId = newId(); localStorage.setItem("try.sessionId", sessionId); }

  const demo = document.getElementById("demo");
  if (BOOT.codes.length) {
    demo.append(document.createTextNode(" Thử với mã: "));
    BOOT.codes.forEach((c, i) => {
      const el = document.createElement("code");
      el.textContent = c;
      el.title = "Bấm để gửi mã này";
      el.onclick = () => send({ kind: "text", text: c }, c);
      if (i) demo.append(document.createTextNode(", "));
      demo.append(el);
    });
  }
  if (BOOT.hint) demo.append(document.createTextNode(" " + BOOT.hint));
  if (BOOT.phone) share.hidden = false;

  function bubble(cls, text) {
    const el = document.createElement("div");
    el.className = "msg " + cls;
    el.textContent = text;
    log.append(el);
    log.scrollTop = log.scrollHeight;
    return el;
  }

  function render(reply) {
    const el = bubble("bot", reply.text);
    if (reply.kind === "request_phone") {
      const kb = document.createElement("div");
      kb.className = "kb";
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = "📱 " + reply.buttonLabel;
      b.disabled = !BOOT.phone;
      b.onclick = sharePhone;
      kb.append(b);
      el.append(kb);
    } else if (reply.buttons && reply.buttons.length) {
      const kb = document.createElement("div");
      kb.className = "kb";
      for (const row of reply.buttons) {
        const r = document.createElement("div");
        r.className = "row";
        for (const btn of row) {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = btn.label;
          b.onclick = () => send({ kind: "button", data: btn.data }, btn.label);
          r.append(b);
        }
        kb.append(r);
      }
      el.append(kb);
    }
  }

  let busy = Promise.resolve();
  function send(inbound, shown) {
    if (shown) bubble("me", shown);
    busy = busy.then(async () => {
      const typing = document.createElement("div");
      typing.className = "typing";
      typing.textContent = "Bot đang trả lời…";
      log.append(typing);
      try {
        const res = await fetch("/try/api/message", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sessionId, input: inbound }) });
        const body = await res.json();
        typing.remove();
        if (!res.ok) { bubble("err", (body.error && body.error.message) || "Lỗi " + res.status); return; }
        for (const r of body.replies) render(r);
      } catch (e) {
        typing.remove();
        bubble("err", "Không kết nối được máy chủ. Vui lòng thử lại.");
      }
    });
    return busy;
  }

  function sharePhone() { if (BOOT.phone) send({ kind: "contact", phone: BOOT.phone, own: true }, "📱 " + BOOT.phone); }
  share.onclick = sharePhone;
  document.querySelectorAll("[data-cmd]").forEach((b) => { b.onclick = () => send({ kind: "command", command: b.dataset.cmd, args: "" }, b.textContent); });
  document.getElementById("reset").onclick = () => { sessionId = newId(); localStorage.setItem("try.sessionId", sessionId); log.textContent = ""; send({ kind: "command", command: "start", args: "" }); };
  document.getElementById("f").onsubmit = (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ kind: "text", text }, text);
  };
  send({ kind: "command", command: "start", args: "" });
})();
</script>
</body>
</html>`;
}
