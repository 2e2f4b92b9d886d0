// What a citizen's free text asks for. Citizens type with or without diacritics (and with
// Telex/VNI leftovers), so phrases are matched on a folded form: diacritics stripped
// (đ → d), lower case, punctuation → space, one space between words.
import { extractDossierCodes } from "../dossier-code.ts";
import type { Lang } from "../i18n/index.ts";

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
  for (const [intent, phrases] of PHRASES) {
    if (phrases.some((p) => padded.includes(` ${p} `))) return { ...intent };
  }
  return { kind: "unknown" };
}
