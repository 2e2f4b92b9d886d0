// What the classifier looks at in a normalised message: words in canonical form (tones
// kept, so "dừng" and "dùng" differ when typed with diacritics), folded words and word
// pairs (so a message without diacritics matches one with), character n-grams inside and
// across word boundaries (typos, missing letters, words glued together), and the length.
//
// One generator (emitFeatures) writes each feature as a few pieces into a sink: training and
// tests collect them as strings (featuresOf); answering a message hashes them instead
// (FeatureHashes), so the hundred-odd n-grams of a message are never built as strings.
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

/** Receives each feature as pieces: `part` (and `slice`) calls, then `end`. */
export interface FeatureSink {
  part(s: string): void;
  /** Characters [start, end) of `s`. */
  slice(s: string, start: number, end: number): void;
  end(): void;
}

/** Writes every feature of a message into `sink`, in a fixed order (repeats included). */
export function emitFeatures(m: NormalizedMessage, sink: FeatureSink): void {
  const { words, folded } = m;
  const one = (a: string, b: string) => {
    sink.part(a);
    sink.part(b);
    sink.end();
  };
  one("len:", lengthBucket(words.length));
  for (const w of words) one("w:", w);
  const person = folded.map((f) => (OTHER_PERSON.has(f) ? "zzperson" : f));
  for (let k = 0; k < folded.length; k++) {
    const f = folded[k]!;
    one("f:", f);
    sink.part("b:");
    sink.part(k === 0 ? "^" : folded[k - 1]!);
    one(" ", f);
    if (k + 1 < folded.length) {
      sink.part("t:");
      sink.part(f);
      sink.part(" ");
      sink.part(folded[k + 1]!);
      one(" ", folded[k + 2] ?? "$");
    }
  }
  if (folded.length > 0) {
    sink.part("b:");
    one(folded[folded.length - 1]!, " $");
  }
  for (let k = 0; k < person.length; k++) {
    if (person[k] !== "zzperson") continue;
    one("p:", "zzperson");
    sink.part("p:");
    one(k === 0 ? "^" : person[k - 1]!, " zzperson");
    sink.part("p:zzperson ");
    one(person[k + 1] ?? "$", "");
    if (k >= 2) {
      sink.part("p:");
      sink.part(person[k - 2]!);
      sink.part(" ");
      one(person[k - 1]!, " zzperson");
    }
  }
  const line = ` ${folded.filter((w) => !w.startsWith("zz")).join(" ")} `;
  for (let n = 3; n <= 5; n++) {
    const prefix = `c${n}:`;
    for (let k = 0; k + n <= line.length; k++) {
      // A gram of spaces only says nothing.
      let blank = true;
      for (let j = k; j < k + n && blank; j++) if (line.charCodeAt(j) !== 32) blank = false;
      if (blank) continue;
      sink.part(prefix);
      sink.slice(line, k, k + n);
      sink.end();
    }
  }
}

/** The distinct feature strings of a message, in order of first appearance. */
export function featuresOf(m: NormalizedMessage): string[] {
  const out = new Set<string>();
  let cur = "";
  emitFeatures(m, {
    part: (s) => void (cur += s),
    slice: (s, start, end) => void (cur += s.slice(start, end)),
    end: () => {
      out.add(cur);
      cur = "";
    },
  });
  return [...out];
}

// ---------------------------------------------------------------------------------------
// Hashed features. Each feature string is reduced to two independent 32-bit hashes (FNV-1a
// with two different bases and primes) of its UTF-16 code units; a feature of a message is
// known to the model when both hashes equal those of one of its features. Two different
// strings agreeing on both is a 1 in 2^64 event per pair: FeatureTable refuses to build if it
// happens between two of the model's own features, and a message's unknown feature matching a
// known one by chance is rarer than once in 10^9 years of messages at this scale.

const BASIS_1 = 0x811c9dc5 | 0;
const PRIME_1 = 0x01000193;
const BASIS_2 = 0x2f3b5a17 | 0;
const PRIME_2 = 0x0100019d;

/** Both hashes of a whole string (building the model's table). */
export function hashFeature(s: string): [number, number] {
  let h1 = BASIS_1;
  let h2 = BASIS_2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, PRIME_1);
    h2 = Math.imul(h2 ^ c, PRIME_2);
  }
  return [h1, h2];
}

/** Open addressing over (h1, h2) → id: the model's features, looked up without strings. */
export class FeatureTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(features: Iterable<[string, number]>, size: number) {
    let cap = 8;
    while (cap < size * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap * 3);
    for (const [feature, id] of features) {
      const [h1, h2] = hashFeature(feature);
      let i = h1 & this.mask;
      for (;;) {
        const at = i * 3;
        if (this.slots[at + 2] === 0) {
          this.slots[at] = h1;
          this.slots[at + 1] = h2;
          this.slots[at + 2] = id + 1;
          break;
        }
        if (this.slots[at] === h1 && this.slots[at + 1] === h2) throw new Error(`feature hash collision: ${JSON.stringify(feature)}`);
        i = (i + 1) & this.mask;
      }
    }
  }

  /** The id of the feature with these hashes, or -1. */
  get(h1: number, h2: number): number {
    const slots = this.slots;
    let i = h1 & this.mask;
    for (;;) {
      const at = i * 3;
      const id = slots[at + 2]!;
      if (id === 0) return -1;
      if (slots[at] === h1 && slots[at + 1] === h2) return id - 1;
      i = (i + 1) & this.mask;
    }
  }
}

/**
 * A message's distinct features as hash pairs, in order of first appearance — the same
 * sequence as featuresOf, without the strings. Reused from one message to the next.
 */
export class FeatureHashes implements FeatureSink {
  /** Distinct features so far: h1, h2 pairs. */
  h1 = new Int32Array(256);
  h2 = new Int32Array(256);
  count = 0;
  private a = BASIS_1;
  private b = BASIS_2;
  private seen = new Int32Array(512);
  private seenMask = 511;

  /** Collects the features of `m` (replacing the previous message's). */
  of(m: NormalizedMessage): this {
    this.count = 0;
    if (this.seenMask > 511) {
      this.seenMask = 511;
      this.seen = new Int32Array(512);
    } else this.seen.fill(0);
    emitFeatures(m, this);
    return this;
  }

  part(s: string): void {
    this.slice(s, 0, s.length);
  }

  slice(s: string, start: number, end: number): void {
    let a = this.a;
    let b = this.b;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, PRIME_1);
      b = Math.imul(b ^ c, PRIME_2);
    }
    this.a = a;
    this.b = b;
  }

  end(): void {
    const a = this.a;
    const b = this.b;
    this.a = BASIS_1;
    this.b = BASIS_2;
    // Distinct only: the slot table holds indices + 1 of the pairs already seen.
    let i = a & this.seenMask;
    for (;;) {
      const k = this.seen[i]!;
      if (k === 0) break;
      if (this.h1[k - 1] === a && this.h2[k - 1] === b) return;
      i = (i + 1) & this.seenMask;
    }
    if (this.count === this.h1.length) {
      const h1 = new Int32Array(this.count * 2);
      const h2 = new Int32Array(this.count * 2);
      h1.set(this.h1);
      h2.set(this.h2);
      this.h1 = h1;
      this.h2 = h2;
    }
    this.h1[this.count] = a;
    this.h2[this.count] = b;
    this.count++;
    this.seen[i] = this.count;
    if (this.count * 2 > this.seenMask) this.grow();
  }

  private grow(): void {
    this.seenMask = this.seenMask * 2 + 1;
    this.seen = new Int32Array(this.seenMask + 1);
    for (let k = 0; k < this.count; k++) {
      let i = this.h1[k]! & this.seenMask;
      while (this.seen[i] !== 0) i = (i + 1) & this.seenMask;
      this.seen[i] = k + 1;
    }
  }
}
