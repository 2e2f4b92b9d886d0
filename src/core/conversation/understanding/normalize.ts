// Normalisation: every message goes through these steps, in this order, before it is
// classified (each step has its own test in test/conversation/understanding/):
//   1. entities out (codes, phone and ID numbers, dates, times, money, 4 digits, channels,
//      links) → placeholder words, so their digits are neither VNI keys nor words;
//   2. Unicode NFC, lower case, words split on anything that is not a letter or digit;
//   3. repeated letters squeezed ("ơiiii" → "ơi", "khôông" → "không");
//   4. Telex and VNI leftovers decoded ("hoof sow" → "hồ sơ", "ho62 so7" → "hồ sơ"),
//      unless the message is English or the word is a known English word / abbreviation;
//   5. chat abbreviations and teencode expanded (abbreviations.ts);
//   6. each word in canonical form (tone as a digit: "hòa"/"hoà" → "hoa2") and folded form
//      (no diacritics) — the classifier looks at both.
import type { Lang } from "../../kernel/lang.ts";
import { expandAbbreviation, isAbbreviation } from "./abbreviations.ts";
import { extractEntities, PLACEHOLDERS, type Entities } from "./entities.ts";
import { decodeTelex, decodeVni } from "./keyboard.ts";
import { detectLanguage } from "./language.ts";
import { canonicalWord, foldWord } from "./syllable.ts";

export interface NormalizedMessage {
  /** Words in canonical form (tone digit, vowel shapes kept), abbreviations expanded. */
  words: string[];
  /** The same words without any diacritics. */
  folded: string[];
  entities: Entities;
  /** Language the message is written in, or null when it gives no evidence. */
  lang: Lang | null;
  /** Words that were Telex/VNI leftovers (for tests and the learning loop). */
  decoded: number;
}

const PLACEHOLDER_WORDS = new Set<string>(Object.values(PLACEHOLDERS));

// English words that happen to decode as Telex syllables ("is" → "í", "tax" → "tã").
const ENGLISH_GUARD = new Set(
  "is as us was has his its yes this thanks tax max box six mix fix sir her for our your four hour hours sees see too two tools does goes says days ways news bus boss miss kiss less pass ads docs pls plz tks thx ios sms gps atm".split(
    " ",
  ),
);

/** Letters repeated for emphasis: three or more of one letter → one; a doubled letter with a diacritic → one. */
export function squeezeRepeats(word: string): string {
  return word.replace(/(\p{L})\1{2,}/gu, "$1").replace(/([^\x00-\x7f])\1+/gu, "$1");
}

/** What one token becomes: its words (an abbreviation may stand for several) in both forms. */
interface TokenWords {
  words: readonly string[];
  folded: readonly string[];
  decoded: boolean;
}

// Steps 3–6 depend only on the token and on whether the message is English, and citizens
// reuse a small vocabulary: each token is worked out once and remembered (bounded: a flood of
// made-up words only empties the memory now and then).
const TOKEN_MEMORY_LIMIT = 20_000;
const tokenMemory = { vi: new Map<string, TokenWords>(), en: new Map<string, TokenWords>() };

function wordsOfToken(token: string, english: boolean): TokenWords {
  const memory = english ? tokenMemory.en : tokenMemory.vi;
  const known = memory.get(token);
  if (known) return known;
  const squeezed = squeezeRepeats(token);
  let canonical = canonicalWord(squeezed);
  let decoded = false;
  if (!english && !ENGLISH_GUARD.has(squeezed) && !isAbbreviation(canonical)) {
    const keys = decodeVni(squeezed) ?? decodeTelex(squeezed);
    if (keys) {
      canonical = keys;
      decoded = true;
    }
  }
  const words = expandAbbreviation(canonical, english ? "en" : "vi") ?? [canonical];
  const result: TokenWords = { words, folded: words.map(foldWord), decoded };
  if (memory.size >= TOKEN_MEMORY_LIMIT) memory.clear();
  memory.set(token, result);
  return result;
}

export function normalizeMessage(raw: string): NormalizedMessage {
  const { text, entities } = extractEntities(raw);
  const guess = detectLanguage(text.replace(/\bzz[a-z]+\b/g, " "));
  const lang = guess.lang;
  const tokens = text.normalize("NFC").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const words: string[] = [];
  const folded: string[] = [];
  let decoded = 0;
  for (const token of tokens) {
    if (PLACEHOLDER_WORDS.has(token)) {
      words.push(token);
      folded.push(foldWord(token));
      continue;
    }
    const t = wordsOfToken(token, lang === "en");
    if (t.decoded) decoded++;
    words.push(...t.words);
    folded.push(...t.folded);
  }
  // Telex or VNI leftovers are Vietnamese typed on a keyboard whose Vietnamese mode slipped.
  return { words, folded, entities, lang: lang ?? (decoded > 0 ? "vi" : null), decoded };
}
