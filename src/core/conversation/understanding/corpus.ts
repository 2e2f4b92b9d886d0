// The versioned training corpus (corpus/train/*.jsonl and corpus/dev.jsonl) and the
// held-out test split (corpus/test.jsonl), which is written separately and never trained on.
import { readdirSync, readFileSync } from "node:fs";
import { z } from "zod";
import { LANGUAGES } from "../../kernel/lang.ts";
import { NOTICE_CHOICES } from "../buttons.ts";
import { INTENT_LABELS } from "./labels.ts";

export const corpusLineSchema = z.object({
  text: z.string().min(1).max(4096),
  intent: z.enum(INTENT_LABELS),
  lang: z.enum(LANGUAGES),
  target: z.enum(LANGUAGES).optional(),
  channel: z.enum(NOTICE_CHOICES).nullable().optional(),
});
export type CorpusLine = z.infer<typeof corpusLineSchema>;

const CORPUS_DIR = new URL("./corpus/", import.meta.url);

export function parseCorpus(source: string, name: string): CorpusLine[] {
  return source
    .split("\n")
    .map((line, k) => [line.trim(), k + 1] as const)
    .filter(([line]) => line !== "")
    .map(([line, n]) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new Error(`${name}:${n}: not JSON`);
      }
      const parsed = corpusLineSchema.safeParse(json);
      if (!parsed.success) throw new Error(`${name}:${n}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
      return parsed.data;
    });
}

function readSplit(file: URL, name: string): CorpusLine[] {
  return parseCorpus(readFileSync(file, "utf8"), name);
}

/** corpus/train/*.jsonl — what the model learns from while it is being tuned. */
export function trainSplit(): CorpusLine[] {
  const dir = new URL("./train/", CORPUS_DIR);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) => readSplit(new URL(f, dir), `train/${f}`));
}

/** corpus/dev.jsonl — thresholds are tuned on it; part of the training split once tuned. */
export function devSplit(): CorpusLine[] {
  return readSplit(new URL("./dev.jsonl", CORPUS_DIR), "dev.jsonl");
}

/** corpus/test.jsonl — held out: only ever evaluated, never trained or tuned on. */
export function testSplit(): CorpusLine[] {
  return readSplit(new URL("./test.jsonl", CORPUS_DIR), "test.jsonl");
}

/** corpus/test-2.jsonl — a second held-out split by other writers, written after the first was used. */
export function secondTestSplit(): CorpusLine[] {
  return readSplit(new URL("./test-2.jsonl", CORPUS_DIR), "test-2.jsonl");
}

/** Lower case, no diacritics, words only: how two messages are compared for being the same. */
export function sameMessageKey(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** What the shipped model is trained on: the training split (train + dev). */
export function trainingCorpus(): CorpusLine[] {
  return [...trainSplit(), ...devSplit()];
}
