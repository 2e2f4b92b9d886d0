// What the classifier looks at in a normalised message: words in canonical form (tones
// kept, so "dừng" and "dùng" differ when typed with diacritics), folded words and word
// pairs (so a message without diacritics matches one with), character n-grams inside and
// across word boundaries (typos, missing letters, words glued together), and the length.
import type { NormalizedMessage } from "./normalize.ts";

const LENGTH_BUCKETS = [1, 2, 4, 8, 16] as const;

// Words that name another person (a relative, a neighbour, a client). Whose dossier a
// question is about decides between a status card and "I cannot answer that", and the
// corpus cannot hold every relative in every phrasing: each such word also counts as one
// shared word, so "hồ sơ của vợ tôi" teaches about "hồ sơ của má tui" too. Words that
// are also self-references in chat (em, anh, chị, cháu, con, bác) are not in the list.
const OTHER_PERSON = new Set(
  `vo chong me ma bo ba cha ong_xa ba_xa xa dau re hang_xom khach sep ngoai noi
  wife husband mother mom mum mommy father dad daddy son daughter sister brother friend friends client clients customer boss neighbour neighbor grandmother grandma grandfather grandpa aunt uncle cousin colleague parents parent wifes husbands moms dads his her hers their someone somebody`.split(/\s+/),
);

function lengthBucket(n: number): string {
  for (const b of LENGTH_BUCKETS) if (n <= b) return String(b);
  return "many";
}

/** The distinct feature strings of a message. */
export function featuresOf(m: NormalizedMessage): string[] {
  const out = new Set<string>();
  const { words, folded } = m;
  out.add(`len:${lengthBucket(words.length)}`);
  for (const w of words) out.add(`w:${w}`);
  const person = folded.map((f) => (OTHER_PERSON.has(f) ? "zzperson" : f));
  for (let k = 0; k < folded.length; k++) {
    const f = folded[k]!;
    out.add(`f:${f}`);
    out.add(`b:${k === 0 ? "^" : folded[k - 1]} ${f}`);
    if (k + 1 < folded.length) out.add(`t:${f} ${folded[k + 1]} ${folded[k + 2] ?? "$"}`);
  }
  if (folded.length > 0) out.add(`b:${folded[folded.length - 1]} $`);
  for (let k = 0; k < person.length; k++) {
    if (person[k] !== "zzperson") continue;
    out.add("p:zzperson");
    out.add(`p:${k === 0 ? "^" : person[k - 1]} zzperson`);
    out.add(`p:zzperson ${person[k + 1] ?? "$"}`);
    if (k >= 2) out.add(`p:${person[k - 2]} ${person[k - 1]} zzperson`);
  }
  const line = ` ${folded.filter((w) => !w.startsWith("zz")).join(" ")} `;
  for (let n = 3; n <= 5; n++) {
    for (let k = 0; k + n <= line.length; k++) {
      const gram = line.slice(k, k + n);
      if (gram.trim().length > 0) out.add(`c${n}:${gram}`);
    }
  }
  return [...out];
}
