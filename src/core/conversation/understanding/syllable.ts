// Vietnamese syllables in a form that compares well: tone marks moved off the vowel and
// written as a digit at the end ("hòa" and "hoà" → "hoa2", "được" → "đươc5"), the vowel
// shapes (â ă ê ô ơ ư) and đ kept. Two spellings of one syllable become one token, and the
// same form is what Telex and VNI leftovers decode to.

/** Tone digits: 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng (as in VNI). */
const TONE_MARKS: Record<string, string> = { "\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5" };

/** "Hòa" → "hoa2"; "ĐƯỢC" → "đươc5"; words without a tone stay as they are (lower case). */
export function canonicalWord(word: string): string {
  let tone = "";
  let base = "";
  for (const ch of word.toLowerCase().normalize("NFD")) {
    const digit = TONE_MARKS[ch];
    if (digit) tone = digit;
    else base += ch;
  }
  return base.normalize("NFC") + tone;
}

/** "hoa2" → "hoa", "đươc5" → "duoc": no tone, no vowel shapes, đ → d. */
export function foldWord(canonical: string): string {
  return canonical
    .replace(/[1-5]$/, "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/đ/g, "d");
}

/** Diacritics stripped (đ → d), lower case, punctuation → space, one space between words. */
export function foldText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?";
// Vowel groups that can carry a tone (with or without a final consonant after them).
const NUCLEI = [
  "iêu", "yêu", "uyê", "ươi", "ươu", "uôi", "oai", "oay", "oao", "oeo", "uây", "uya", "uyu",
  "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê", "ui",
  "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê",
  "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
].join("|");
const SYLLABLE_RE = new RegExp(`^${ONSET}(?:${NUCLEI})(?:ng|nh|ch|[cmnpt])?$`);

/** Is `base` (lower case, vowel shapes kept, no tone) a possible Vietnamese syllable? */
export function isSyllable(base: string): boolean {
  if (base.length === 0 || base.length > 7) return false;
  if (!SYLLABLE_RE.test(base)) return false;
  // ă and â never end a syllable ("ăn", "ân" but not "ă").
  return !/[ăâ]$/.test(base);
}
