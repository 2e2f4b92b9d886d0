// Leftovers of Vietnamese input methods. When the keyboard's Vietnamese mode is off or
// slips, the raw keys stay in the text: Telex ("hoof sow" = hồ sơ, "ddeens" = đến) or VNI
// ("ho62 so7" = hồ sơ). A token is decoded only when the decoded form is a possible
// Vietnamese syllable and the token as typed is not one — so "roi", "ko" or an English
// word stays what it is. Output is the canonical form of syllable.ts ("hô2").
import { isSyllable } from "./syllable.ts";

const TELEX_TONES: Record<string, string> = { s: "1", f: "2", r: "3", x: "4", j: "5" };
const VOWELS = new Set(["a", "e", "i", "o", "u", "y", "w"]);

/** Vowel shapes typed with Telex keys: dd → đ, aa → â, aw → ă, ee → ê, oo → ô, ow → ơ, uw/w → ư. */
function telexShapes(s: string): string {
  let out = s.replace(/^dd/, "đ");
  out = out.replace(/uwow|uwo|uow/g, "ươ");
  out = out.replace(/aa/g, "â").replace(/aw/g, "ă").replace(/ee/g, "ê").replace(/oo/g, "ô").replace(/ow/g, "ơ").replace(/uw/g, "ư");
  // A lone w is ư ("tw" = tư, "nhw" = như); a w typed after the vowels puts the horn on them.
  if (/w$/.test(out) || /w(?:ng|nh|ch|[cmnpt])$/.test(out)) {
    const withoutW = out.replace(/w(?=(?:ng|nh|ch|[cmnpt])?$)/, "");
    const horned = withoutW.replace(/uo(?=(?:ng|nh|ch|[cmnpt]|i|u)?$)/, "ươ").replace(/ua$/, "ưa");
    if (horned !== withoutW) out = horned;
    else if (/[aou](?=(?:ng|nh|ch|[cmnpt])?$)/.test(withoutW) && !/[aeiouy][aeiouy](?:ng|nh|ch|[cmnpt])?$/.test(withoutW))
      out = withoutW.replace(/([aou])(?=(?:ng|nh|ch|[cmnpt])?$)/, (v) => ({ a: "ă", o: "ơ", u: "ư" })[v] ?? v);
    else out = out.replace(/w/g, "ư");
  } else out = out.replace(/w/g, "ư");
  // "ưo" and "uơ" before a final are ươ in every word that has them.
  return out.replace(/ưo(?=(?:ng|nh|ch|[cmnpt]|i|u)$)/, "ươ").replace(/uơ(?=(?:ng|nh|ch|[cmnpt]|i|u)$)/, "ươ");
}

/** The canonical syllable a Telex-typed token stands for, or null when it is not Telex. */
export function decodeTelex(token: string): string | null {
  if (!/^[a-z]{2,10}$/.test(token)) return null;
  if (isSyllable(token)) return null;
  const firstVowel = [...token].findIndex((c) => VOWELS.has(c));
  if (firstVowel < 0) return null;
  const candidates: { rest: string; tone: string }[] = [];
  // Tone key at the end is usual ("tinhf"); some type it right after the vowel ("tifnh").
  for (let p = token.length - 1; p > firstVowel; p--) {
    const tone = TELEX_TONES[token[p]!];
    if (tone) candidates.push({ rest: token.slice(0, p) + token.slice(p + 1), tone });
  }
  candidates.push({ rest: token, tone: "" });
  for (const { rest, tone } of candidates) {
    const base = telexShapes(rest);
    if (base === rest && tone === "") continue;
    if (isSyllable(base)) return base + tone;
  }
  return null;
}

const HORN: Record<string, string> = { u: "ư", o: "ơ" };
const HAT: Record<string, string> = { a: "â", e: "ê", o: "ô" };

/** The canonical syllable a VNI-typed token ("ho62", "d9en61") stands for, or null. */
export function decodeVni(token: string): string | null {
  if (!/^[a-z][a-z1-9]{1,11}$/.test(token) || !/[1-9]/.test(token) || !/[a-z]/.test(token)) return null;
  const letters: string[] = [];
  let tone = "";
  for (const ch of token) {
    if (ch >= "a" && ch <= "z") {
      letters.push(ch);
      continue;
    }
    const digit = Number(ch);
    if (digit >= 1 && digit <= 5) {
      tone = ch;
      continue;
    }
    // The mark goes on the nearest fitting letter typed before the digit.
    const at = (fits: (c: string) => boolean) => {
      for (let k = letters.length - 1; k >= 0; k--) if (fits(letters[k]!)) return k;
      return -1;
    };
    if (digit === 9) {
      const k = letters.indexOf("d");
      if (k < 0) return null;
      letters[k] = "đ";
    } else if (digit === 6) {
      const k = at((c) => c in HAT);
      if (k < 0) return null;
      letters[k] = HAT[letters[k]!]!;
    } else if (digit === 8) {
      const k = at((c) => c === "a");
      if (k < 0) return null;
      letters[k] = "ă";
    } else if (digit === 7) {
      const joined = letters.join("");
      const uo = joined.lastIndexOf("uo");
      if (uo >= 0) letters.splice(uo, 2, "ư", "ơ");
      else {
        const k = at((c) => c in HORN);
        if (k < 0) return null;
        letters[k] = HORN[letters[k]!]!;
      }
    }
  }
  const base = letters.join("");
  return isSyllable(base) ? base + tone : null;
}
