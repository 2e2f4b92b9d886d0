// Button data: a tiny typed encoding `<tag>:<value>`, at most 64 bytes (Telegram's
// callback_data limit). Button data comes back from the platform and can be forged, so it
// is parsed strictly here and never trusted further: a dossier id in it is only an index
// into the citizen's own links.
import type { Lang } from "../i18n/index.ts";

export const MENU_ITEMS = ["menu", "status", "link", "help", "unlink", "delete", "language", "notices"] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];

/** Where notices about the citizen's dossiers go: one channel, or every linked chat account. */
export const NOTICE_CHOICES = ["telegram", "zalo", "all"] as const;
export type NoticeChoice = (typeof NOTICE_CHOICES)[number];

export type ButtonAction =
  /** s:<dossierId> — show the status card of a linked dossier. */
  | { kind: "status"; dossierId: number }
  /** u:<dossierId> — unlink a linked dossier. */
  | { kind: "unlink"; dossierId: number }
  /** c:y | c:n — answer to the consent question. */
  | { kind: "consent"; accept: boolean }
  /** d:y | d:n — answer to "delete my data?". */
  | { kind: "delete"; confirm: boolean }
  /** l:vi | l:en — choose the language. */
  | { kind: "language"; lang: Lang }
  /** m:<item> — a main-menu entry. */
  | { kind: "menu"; item: MenuItem }
  /** n:telegram | n:zalo | n:all — where notices go (Citizen.noticeChannel; all = null). */
  | { kind: "notices"; choice: NoticeChoice };

export const MAX_BUTTON_DATA_BYTES = 64;
const MAX_ID = 2_147_483_647;

export function encodeButton(action: ButtonAction): string {
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

/** The action encoded in button data, or null for anything this module did not produce. */
export function decodeButton(data: string): ButtonAction | null {
  if (data.length > MAX_BUTTON_DATA_BYTES) return null;
  const m = /^([sucdlmn]):([a-z0-9]{1,16})$/.exec(data);
  if (!m) return null;
  const [, tag, value] = m as unknown as [string, string, string];
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
      return value === "vi" || value === "en" ? { kind: "language", lang: value } : null;
    case "m":
      return (MENU_ITEMS as readonly string[]).includes(value) ? { kind: "menu", item: value as MenuItem } : null;
    case "n":
      return (NOTICE_CHOICES as readonly string[]).includes(value) ? { kind: "notices", choice: value as NoticeChoice } : null;
    default:
      return null;
  }
}
