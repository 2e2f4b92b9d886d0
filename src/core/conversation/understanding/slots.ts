// Slots of two intents that name a choice: which language, and where notices go. Both read
// the normalised words, where channel names are already placeholders, and both honour a
// negation before the thing named ("không nhận qua zalo", "I don't speak Vietnamese").
import type { Lang } from "../../kernel/lang.ts";
import type { NoticeChoice } from "../buttons.ts";
import { PLACEHOLDERS } from "./entities.ts";
import type { NormalizedMessage } from "./normalize.ts";

const NEGATIONS = new Set(["khong", "chua", "dung", "tat", "bo", "ngung", "ngung", "huy", "not", "no", "never", "dont", "don", "cant", "can", "except", "tru", "stop", "without"]);
// "can" only negates as "can not"/"cannot"; handled by looking at the next word.
const WINDOW = 6;

/** "chỉ zalo", "… but Zalo": the words after these are wanted, whatever came before. */
const RESETS = new Set(["chi", "only", "ma", "but", "nhung", "ma"]);

/** Was the word at `k` negated by one of the `WINDOW` words before it (and not reset since)? */
function negatedAt(folded: readonly string[], k: number): boolean {
  for (let j = k - 1; j >= Math.max(0, k - WINDOW); j--) {
    const w = folded[j]!;
    if (RESETS.has(w)) return false;
    if (w === "can") {
      if (folded[j + 1] === "not" || folded[j + 1] === "t") return true;
      continue;
    }
    if (w === "dung" || w === "bo") {
      // "dừng"/"đừng" and "bỏ" fold like "dùng" and "bộ": only the spellings with diacritics negate.
      continue;
    }
    if (NEGATIONS.has(w)) return true;
  }
  return false;
}

/** Negation words whose folded form is ambiguous, checked in canonical (toned) form. */
const TONED_NEGATIONS = new Set(["đưng2", "dưng2", "bo3", "ngưng2"]);

function negated(m: NormalizedMessage, k: number): boolean {
  if (negatedAt(m.folded, k)) return true;
  for (let j = k - 1; j >= Math.max(0, k - WINDOW); j--) {
    if (RESETS.has(m.folded[j]!)) return false;
    if (TONED_NEGATIONS.has(m.words[j]!)) return true;
  }
  return false;
}

const BOTH = [["ca", "hai"], ["ca", "2"], ["hai", "kenh"], ["both"], ["all"], ["ca", "zznumber"], ["tat", "ca"]];

function hasPhrase(folded: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let k = 0; k + phrase.length <= folded.length; k++) {
    for (let j = 0; j < phrase.length; j++) if (folded[k + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/** Where the citizen wants notices: one channel, both, or null when no choice is clear. */
export function noticeChoiceOf(m: NormalizedMessage): NoticeChoice | null {
  const positive = new Set<"telegram" | "zalo">();
  const negative = new Set<"telegram" | "zalo">();
  let n = 0;
  m.folded.forEach((w, k) => {
    if (w !== PLACEHOLDERS.channel) return;
    const channel = m.entities.channels[n++];
    if (!channel) return;
    (negated(m, k) ? negative : positive).add(channel);
  });
  for (const c of negative) positive.delete(c);
  if (positive.size === 2) return "all";
  if (positive.size === 1) return [...positive][0]!;
  if (BOTH.some((p) => hasPhrase(m.folded, p)) && negative.size === 0) return "all";
  // Only a negated channel ("không nhận qua zalo", "chưa có thông báo qua zalo") may be a wish
  // or a complaint: ask with the choice buttons instead of guessing.
  return null;
}

const ENGLISH_WORDS = new Set(["english", "eng", "anh", "en"]);
const VIETNAMESE_WORDS = new Set(["vietnamese", "viet", "vn", "vi", "vietnam"]);

/** The language the citizen asks for, or null when the message does not say. */
export function languageTargetOf(m: NormalizedMessage): Lang | null {
  const wants = new Set<Lang>();
  const refuses = new Set<Lang>();
  m.folded.forEach((w, k) => {
    // "anh" alone is a pronoun; it names English only after "tiếng".
    const lang: Lang | null = VIETNAMESE_WORDS.has(w) ? "vi" : ENGLISH_WORDS.has(w) && (w !== "anh" || m.folded[k - 1] === "tieng") ? "en" : null;
    if (!lang) return;
    (negated(m, k) ? refuses : wants).add(lang);
  });
  for (const l of refuses) wants.delete(l);
  if (wants.size === 1) return [...wants][0]!;
  if (wants.size === 0 && refuses.size === 1) return refuses.has("vi") ? "en" : "vi";
  // Asked in English without naming a language ("can you reply in my language?"): English.
  if (wants.size === 0 && m.lang === "en") return "en";
  return null;
}

