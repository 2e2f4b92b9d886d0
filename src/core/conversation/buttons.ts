// Button data: a tiny typed encoding `<prefix>:<value>`, at most 64 bytes (Telegram's
// callback_data limit). This file is the one registry of prefixes — the conversation's own
// and those of the survey and announcement features — so that no two features collide and
// a Zalo query button (which comes back as message text) is recognised as a press.
// Button data comes back from the platform and can be forged, so it is parsed strictly and
// never trusted further: a dossier id in it is only an index into the citizen's own links.
import { isLang, type Lang } from "../kernel/lang.ts";
import { isIntentLabel, type IntentLabel } from "./understanding/labels.ts";

/** Every button prefix in use, with what it means. */
export const BUTTON_PREFIXES = {
  s: "show the status card of a linked dossier (s:<dossierId>)",
  u: "unlink a linked dossier (u:<dossierId>)",
  c: "answer to the consent question (c:y | c:n)",
  d: "answer to 'delete my data?' (d:y | d:n)",
  l: "choose the language (l:vi | l:en)",
  m: "a main-menu entry (m:<item>)",
  n: "where notices go (n:telegram | n:zalo | n:all)",
  i: "the intent confirmed after the bot asked back (i:<intent>)",
  o: "announcements: stop or resume (o:stop | o:start)",
  v: "a survey answer (v:<invitationId>:<question>:<choice|d|s>) — survey/render.ts",
  r: "rate a returned dossier from its card (r:<dossierId>) — survey/render.ts",
} as const;
export type ButtonPrefix = keyof typeof BUTTON_PREFIXES;

export const MENU_ITEMS = ["menu", "status", "link", "help", "unlink", "delete", "language", "notices"] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];

/** Where notices about the citizen's dossiers go: one channel, or every linked chat account. */
export const NOTICE_CHOICES = ["telegram", "zalo", "all"] as const;
export type NoticeChoice = (typeof NOTICE_CHOICES)[number];

export type ButtonAction =
  | { kind: "status"; dossierId: number }
  | { kind: "unlink"; dossierId: number }
  | { kind: "consent"; accept: boolean }
  | { kind: "delete"; confirm: boolean }
  | { kind: "language"; lang: Lang }
  | { kind: "menu"; item: MenuItem }
  | { kind: "notices"; choice: NoticeChoice }
  | { kind: "intent"; label: IntentLabel }
  | { kind: "announcements"; stop: boolean }
  /** v: and r: belong to the survey, which parses them itself. */
  | { kind: "survey"; data: string };

export const MAX_BUTTON_DATA_BYTES = 64;
const MAX_ID = 2_147_483_647;

/** Announcement opt-out / opt-in buttons (under every announcement and in the replies). */
export const OPT_OUT_BUTTON_DATA = "o:stop";
export const OPT_IN_BUTTON_DATA = "o:start";

export function encodeButton(action: Exclude<ButtonAction, { kind: "survey" }>): string {
  switch (action.kind) {
    case "status":
      return `s:${action.dossierId}`;
    case "unlink":
      return `u:${action.dossierId}`;
    case "consent":
      return `c:${action.accept ? "y" : "n"}`;
    case "delete":
      return `d:${action.confirm ? "y" : "n"}`;
    case "language":
      return `l:${action.lang}`;
    case "menu":
      return `m:${action.item}`;
    case "notices":
      return `n:${action.choice}`;
    case "intent":
      return `i:${action.label}`;
    case "announcements":
      return action.stop ? OPT_OUT_BUTTON_DATA : OPT_IN_BUTTON_DATA;
  }
}

function parseId(value: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= MAX_ID ? id : null;
}

function parseYesNo(value: string): boolean | null {
  return value === "y" ? true : value === "n" ? false : null;
}

/** Does this look like one of our buttons (any registered prefix)? Zalo query buttons come back as text. */
export function isButtonData(data: string): boolean {
  return data.length <= MAX_BUTTON_DATA_BYTES && /^[a-z]:[a-z0-9_:]{1,40}$/.test(data) && Object.hasOwn(BUTTON_PREFIXES, data[0]!);
}

/** The action encoded in button data, or null for anything this registry did not produce. */
export function decodeButton(data: string): ButtonAction | null {
  if (!isButtonData(data)) return null;
  const tag = data[0] as ButtonPrefix;
  const value = data.slice(2);
  switch (tag) {
    case "s":
    case "u": {
      const dossierId = parseId(value);
      if (dossierId === null) return null;
      return tag === "s" ? { kind: "status", dossierId } : { kind: "unlink", dossierId };
    }
    case "c": {
      const accept = parseYesNo(value);
      return accept === null ? null : { kind: "consent", accept };
    }
    case "d": {
      const confirm = parseYesNo(value);
      return confirm === null ? null : { kind: "delete", confirm };
    }
    case "l":
      return isLang(value) ? { kind: "language", lang: value } : null;
    case "m":
      return (MENU_ITEMS as readonly string[]).includes(value) ? { kind: "menu", item: value as MenuItem } : null;
    case "n":
      return (NOTICE_CHOICES as readonly string[]).includes(value) ? { kind: "notices", choice: value as NoticeChoice } : null;
    case "i":
      return isIntentLabel(value) ? { kind: "intent", label: value } : null;
    case "o":
      return value === "stop" ? { kind: "announcements", stop: true } : value === "start" ? { kind: "announcements", stop: false } : null;
    case "v":
    case "r":
      return { kind: "survey", data };
  }
}
