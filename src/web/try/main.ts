// /try in the browser: a chat with the real conversation core over POST /try/api/message.
// Built for a phone first: a compact header (demo codes folded away), the newest reply and
// its buttons scrolled into view, the bot's main menu shown once as quick replies at the
// bottom rather than under every answer, and the visible history kept for the tab
// (sessionStorage) so that a reload does not lose it.
import type { Reply } from "../../core/conversation/types.ts";
import { byId, clear, h } from "../shared/dom.ts";
import { LABELS, type LabelKey, type Lang } from "./labels.ts";
import "./try.css";

interface Boot {
  phone: string | null;
  codes: string[];
  hint: string | null;
}
type Inbound =
  | { kind: "text"; text: string }
  | { kind: "button"; data: string }
  | { kind: "contact"; phone: string; own: true }
  | { kind: "command"; command: "start" | "help" | "status"; args: string };
type Button = { label: string; data: string };
/** One line of the visible history, as stored for the tab. */
type Entry = { who: "me" | "err"; text: string } | { who: "bot"; reply: Reply };

const STORE = { session: "try.sessionId", history: "try.history", lang: "try.lang" } as const;
const MAX_HISTORY = 200;

const boot: Boot = JSON.parse(byId("boot").textContent || "{}") as Boot;
const log = byId("log");
const input = byId<HTMLInputElement>("t");
const quick = byId("quick");

let lang: Lang = sessionStorage.getItem(STORE.lang) === "en" ? "en" : "vi";
let history: Entry[] = readHistory();
let menu: Button[] = [];
let sessionId = sessionStorage.getItem(STORE.session) ?? "";
if (!/^[A-Za-z0-9_-]{8,64}$/.test(sessionId)) newSession();

const L = (key: LabelKey): string => LABELS[lang][key];

function newSession(): void {
  sessionId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  sessionStorage.setItem(STORE.session, sessionId);
  history = [];
  sessionStorage.removeItem(STORE.history);
}

function readHistory(): Entry[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(STORE.history) ?? "[]");
    return Array.isArray(v) ? (v as Entry[]) : [];
  } catch {
    return [];
  }
}

function remember(e: Entry): void {
  history.push(e);
  if (history.length > MAX_HISTORY) history = history.slice(-MAX_HISTORY);
  try {
    sessionStorage.setItem(STORE.history, JSON.stringify(history));
  } catch {
    // Storage full or disabled: the chat still works, only a reload forgets it.
  }
}

/** The buttons of the bot's main menu (menu items and the language switch; see core/conversation/buttons.ts). */
const isMenuButton = (b: Button) => /^[ml]:/.test(b.data);

// ---------------------------------------------------------------- page labels
function applyLabels(): void {
  document.documentElement.lang = lang;
  document.title = L("title");
  for (const el of document.querySelectorAll<HTMLElement>("[data-l]")) el.textContent = L(el.dataset.l as LabelKey);
  for (const el of document.querySelectorAll<HTMLElement>("[data-l-title]")) el.title = L(el.dataset.lTitle as LabelKey);
  input.placeholder = L("placeholder");
  input.setAttribute("aria-label", L("inputLabel"));
  for (const c of document.querySelectorAll<HTMLElement>("#codes button")) c.title = L("codeTitle");
  renderQuick();
}

function renderHeader(): void {
  const codes = byId("codes");
  for (const c of boot.codes) codes.append(h("button", { type: "button", className: "code", onclick: () => sendText(c) }, c));
  if (boot.phone) byId("phone").textContent = boot.phone;
  else byId("phone-line").hidden = true;
  if (boot.hint) byId("hint").textContent = boot.hint;
}

// ---------------------------------------------------------------- the log
function bubble(cls: string, text: string): HTMLElement {
  const el = h("div", { className: "msg " + cls }, text);
  log.append(el);
  return el;
}

function renderReply(reply: Reply): HTMLElement {
  const el = bubble("bot", reply.text);
  if (reply.kind === "request_phone") {
    el.append(h("div", { className: "kb" }, h("button", { type: "button", disabled: !boot.phone, onclick: sharePhone }, "📱 " + reply.buttonLabel)));
    return el;
  }
  const rows = reply.buttons ?? [];
  const own = rows.map((row) => row.filter((b) => !isMenuButton(b))).filter((row) => row.length);
  const fromMenu = rows.flat().filter(isMenuButton);
  if (fromMenu.length) menu = fromMenu;
  if (own.length)
    el.append(h("div", { className: "kb" }, own.map((row) => h("div", { className: "row" }, row.map((b) => h("button", { type: "button", onclick: () => pressButton(b) }, b.label))))));
  return el;
}

function renderEntry(e: Entry): HTMLElement {
  return e.who === "bot" ? renderReply(e.reply) : bubble(e.who, e.text);
}

/** The newest reply with its buttons in view: its end if it fits, else its start. */
function reveal(el: HTMLElement | undefined): void {
  if (!el) return;
  const fits = el.offsetHeight <= log.clientHeight - 16;
  el.scrollIntoView({ block: fits ? "end" : "start", behavior: "auto" });
}

/** The quick replies at the bottom: the bot's menu once, plus the page's own shortcuts. */
function renderQuick(): void {
  clear(quick);
  const chip = (label: string, onclick: () => void, cls = "") => h("button", { type: "button", className: "chip " + cls, onclick }, label);
  if (boot.phone) quick.append(chip(L("share"), sharePhone, "primary"));
  if (menu.length) for (const b of menu) quick.append(chip(b.label, () => pressButton(b)));
  else {
    quick.append(chip(L("status"), () => void send({ kind: "command", command: "status", args: "" }, L("status"))));
    quick.append(chip(L("help"), () => void send({ kind: "command", command: "help", args: "" }, L("help"))));
  }
}

// ---------------------------------------------------------------- talking to the server
let queue: Promise<void> = Promise.resolve();

function send(inbound: Inbound, shown?: string): Promise<void> {
  if (shown) {
    const e: Entry = { who: "me", text: shown };
    remember(e);
    reveal(renderEntry(e));
  }
  queue = queue.then(async () => {
    const typing = h("div", { className: "typing" }, L("typing"));
    log.append(typing);
    typing.scrollIntoView({ block: "end" });
    try {
      const res = await fetch("/try/api/message", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sessionId, input: inbound }),
      });
      const body = (await res.json()) as { replies?: Reply[]; lang?: Lang; error?: { message?: string } };
      typing.remove();
      if (!res.ok || !body.replies) {
        const e: Entry = { who: "err", text: body.error?.message ?? `${L("error")} ${res.status}` };
        remember(e);
        reveal(renderEntry(e));
        return;
      }
      if (body.lang === "vi" || body.lang === "en") {
        lang = body.lang;
        sessionStorage.setItem(STORE.lang, lang);
      }
      let first: HTMLElement | undefined;
      let last: HTMLElement | undefined;
      for (const reply of body.replies) {
        const e: Entry = { who: "bot", reply };
        remember(e);
        last = renderEntry(e);
        first ??= last;
      }
      applyLabels();
      // Several replies at once: show from the first one if they do not all fit.
      if (first && last && last.offsetTop + last.offsetHeight - first.offsetTop > log.clientHeight - 16) reveal(first);
      else reveal(last);
    } catch {
      typing.remove();
      bubble("err", L("offline"));
    }
  });
  return queue;
}

const sendText = (text: string) => void send({ kind: "text", text }, text);
const pressButton = (b: Button) => void send({ kind: "button", data: b.data }, b.label);
function sharePhone(): void {
  if (boot.phone) void send({ kind: "contact", phone: boot.phone, own: true }, "📱 " + boot.phone);
}

// ---------------------------------------------------------------- start
renderHeader();
byId("reset").addEventListener("click", () => {
  newSession();
  menu = [];
  clear(log);
  renderQuick();
  void send({ kind: "command", command: "start", args: "" });
});
byId<HTMLFormElement>("f").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  sendText(text);
});

if (history.length) {
  let last: HTMLElement | undefined;
  for (const e of history) last = renderEntry(e);
  applyLabels();
  reveal(last);
} else {
  applyLabels();
  void send({ kind: "command", command: "start", args: "" });
}
