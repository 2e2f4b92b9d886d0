// What a citizen's free text asks for. Citizens type with or without diacritics (and with
// Telex/VNI leftovers), so phrases are matched on a folded form: diacritics stripped
// (đ → d), lower case, punctuation → space, one space between words.
import { extractDossierCodes } from "../dossier-code.ts";
import type { Lang } from "../i18n/index.ts";
import type { NoticeChoice } from "./buttons.ts";

export type Intent =
  /** One or more dossier codes anywhere in the text (canonical form). */
  | { kind: "codes"; codes: string[] }
  /** Exactly four digits: the ID-number proof. */
  | { kind: "last4"; digits: string }
  /** Only digits, but not four of them (a whole ID number, a phone number). */
  | { kind: "number" }
  | { kind: "status" }
  | { kind: "help" }
  | { kind: "link" }
  | { kind: "unlink" }
  | { kind: "delete" }
  | { kind: "language"; lang: Lang }
  /** Where notices should go; null: the citizen asks about it without naming a channel. */
  | { kind: "notices"; choice: NoticeChoice | null }
  | { kind: "greeting" }
  | { kind: "menu" }
  | { kind: "yes" }
  | { kind: "no" }
  | { kind: "cancel" }
  | { kind: "unknown" };

/** "Hồ sơ của TÔI đến đâu rồi??" → "ho so cua toi den dau roi". */
export function foldText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

// Whole-message answers (short replies to a question the bot asked).
const YES = new Set(["dong y", "toi dong y", "dong y a", "co", "vang", "ok", "oke", "okay", "yes", "y", "agree", "i agree", "xac nhan", "co xoa"]);
const NO = new Set(["khong", "khong dong y", "toi khong dong y", "ko", "k", "no", "n", "tu choi", "disagree", "i do not agree", "khong xoa"]);
const CANCEL = new Set(["huy", "huy bo", "thoi", "bo qua", "dung", "cancel", "stop", "quit"]);
const MENU = new Set(["menu", "bat dau", "start", "trang chu", "home"]);

type PhraseIntent = Exclude<Intent, { kind: "codes" } | { kind: "last4" } | { kind: "number" }>;

// Phrases, checked in this order (the first entry that matches wins): explicit wishes
// ("xóa dữ liệu", "hủy liên kết hồ sơ") before the broad ones ("hồ sơ của tôi").
const PHRASES: readonly (readonly [PhraseIntent, readonly string[]])[] = [
  [{ kind: "delete" }, ["xoa du lieu", "xoa het du lieu", "xoa thong tin", "xoa tai khoan", "delete my data", "delete data", "delete my account", "erase my data", "forget me"]],
  [{ kind: "unlink" }, ["huy lien ket", "bo lien ket", "go lien ket", "ngung lien ket", "xoa lien ket", "unlink", "remove link"]],
  [
    { kind: "notices", choice: null },
    [
      "noi nhan thong bao", "kenh nhan thong bao", "kenh thong bao", "cach nhan thong bao", "nhan thong bao o dau", "nhan thong bao qua dau",
      "cai dat thong bao", "chon kenh", "notice channel", "notices channel", "notification channel", "notice settings", "notification settings",
      "where notices go", "where to send notices",
    ],
  ],
  [{ kind: "language", lang: "en" }, ["english", "tieng anh", "in english"]],
  [{ kind: "language", lang: "vi" }, ["tieng viet", "vietnamese"]],
  [
    { kind: "help" },
    [
      "gap can bo", "noi chuyen voi can bo", "can bo", "hotline", "duong day nong", "tong dai", "lien he", "tro giup", "giup do",
      "giup toi", "huong dan", "help", "contact", "talk to staff", "speak to",
    ],
  ],
  [{ kind: "link" }, ["lien ket", "them ho so", "dang ky nhan thong bao", "link", "add dossier", "add a dossier"]],
  [
    { kind: "status" },
    [
      "tinh trang", "trang thai", "den dau", "toi dau", "bao gio", "khi nao", "bao lau", "xong chua", "co ket qua", "ket qua",
      "han tra", "ngay hen", "ngay tra", "tre hen", "tre han", "qua han", "cham qua", "sao cham", "tra cuu", "tra ho so", "kiem tra",
      "xem ho so", "ho so cua toi", "ho so cua minh", "ho so toi", "ho so cua em", "ho so cua anh", "ho so cua chi", "tien do",
      "status", "where is my", "my dossier", "my application", "when will", "progress", "is it ready", "ready yet", "deadline", "late",
    ],
  ],
  [{ kind: "greeting" }, ["xin chao", "chao", "alo", "hello", "hi", "hey", "good morning", "good afternoon"]],
];

/** The intent of one free-text message. */
export function matchIntent(text: string): Intent {
  const codes = extractDossierCodes(text);
  if (codes.length > 0) return { kind: "codes", codes };

  const compact = text.replace(/[\s.\-]/g, "");
  if (/^\d+$/.test(compact)) return compact.length === 4 ? { kind: "last4", digits: compact } : { kind: "number" };

  const folded = foldText(text);
  if (folded === "") return { kind: "unknown" };
  if (YES.has(folded)) return { kind: "yes" };
  if (NO.has(folded)) return { kind: "no" };
  if (CANCEL.has(folded)) return { kind: "cancel" };
  if (MENU.has(folded)) return { kind: "menu" };

  // Word boundaries: "hi" must not match inside "chi", "ok" not inside "book".
  const padded = ` ${folded} `;
  const notices = noticeWish(padded);
  if (notices !== undefined) return { kind: "notices", choice: notices };
  for (const [intent, phrases] of PHRASES) {
    if (phrases.some((p) => padded.includes(` ${p} `))) return { ...intent };
  }
  return { kind: "unknown" };
}

// ------------------------------------------------------------------ where notices go

// A chat channel named together with a word about notices: "chỉ nhận qua Zalo", "thông báo
// qua telegram", "nhan thong bao ca hai", "notices via Zalo only". Without a notice word a
// channel name is no wish ("tôi dùng zalo"), and "đăng ký nhận thông báo" without a channel
// stays the link wish. A channel after a negation ("không nhận qua Telegram", "chưa có thông
// báo qua zalo") is not chosen; when nothing else is named the citizen is asked instead of
// guessed for: it may be a complaint as much as a wish.
const NOTICE_CUES = [
  "thong bao", "nhan tin", "nhan qua", "nhan tren", "nhan o", "nhan bang", "gui qua", "gui tren", "gui vao", "bao qua", "chi nhan",
  "notice", "notices", "notification", "notifications", "notify", "alerts", "messages", "via", "only",
];
const BOTH = ["ca hai", "ca 2", "hai kenh", "2 kenh", "ca hai kenh", "ca hai noi", "moi kenh", "tat ca cac kenh", "both", "all channels", "every channel"];
const CHANNEL_WORDS = { telegram: ["telegram", "tele"], zalo: ["zalo"] } as const;
/** "chỉ Zalo", "chỉ qua telegram": "only" right before a channel. */
const ONLY_CHANNEL = / chi (?:qua |tren |o )?(?:telegram|tele|zalo) /;
// "dùng"/"dừng" and "bỏ"/"bộ" fold alike, so neither is a negation here ("bộ phận", "tôi dùng zalo").
/** A negation, then at most five words that are no channel and no "only"/"but", then the channel. */
const NEGATED = / (?:khong|ko|k|kh|chua|ngung|dung nhan|tat(?! ca )|huy|not|no|never|stop|except|tru)(?: (?!(?:telegram|tele|zalo|chi|ma|but|only) )\S+){0,5} (telegram|tele|zalo)(?= )/g;

function has(padded: string, phrase: string): boolean {
  return padded.includes(` ${phrase} `);
}

/**
 * The notice channel a folded, space-padded message asks for: a choice, null for "asks about
 * it without a clear choice", undefined when the message is about something else.
 */
function noticeWish(padded: string): NoticeChoice | null | undefined {
  const mentioned = (["telegram", "zalo"] as const).filter((c) => CHANNEL_WORDS[c].some((w) => has(padded, w)));
  const both = BOTH.some((p) => has(padded, p));
  if (mentioned.length === 0 && !both) return undefined;
  if (!NOTICE_CUES.some((p) => has(padded, p)) && !ONLY_CHANNEL.test(padded)) return undefined;
  const negated = new Set([...padded.matchAll(NEGATED)].map((m) => (m[1] === "zalo" ? "zalo" : "telegram")));
  const positive = mentioned.filter((c) => !negated.has(c));
  if (positive.length === 2) return "all";
  if (positive.length === 1) return positive[0];
  return both && negated.size === 0 ? "all" : null;
}
