// The intent model: the classifier trained on the corpus (plus the examples admins labelled
// in the learning loop). Training takes about a second; the result is cached on disk keyed
// by a hash of the corpus and of this code's feature version, so processes after the first
// (tests, CLI, a restart) load it in milliseconds instead.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IntentClassifier, type Scored, type SerializedClassifier, type TrainOptions } from "./classifier.ts";
import { trainingCorpus } from "./corpus.ts";
import { FeatureHashes, featuresOf } from "./features.ts";
import { isIntentLabel, type IntentLabel } from "./labels.ts";
import { normalizeMessage, type NormalizedMessage } from "./normalize.ts";

/** Bump when normalisation, features or training change, so old caches are not used. */
export const MODEL_VERSION = 2;

export const TRAIN_OPTIONS: TrainOptions = { epochs: 5, learningRate: 0.5, l2: 1e-5, seed: 7 };

export interface LabelledText {
  text: string;
  intent: IntentLabel;
  /** Learning-loop examples count a little more than one corpus line. */
  weight?: number;
}

export interface IntentScore {
  label: IntentLabel;
  p: number;
}

/** One per process: classify runs to its end without awaiting, so messages never share it. */
const hashes = new FeatureHashes();

export class IntentModel {
  constructor(
    readonly classifier: IntentClassifier,
    /** How many examples it was trained on. */
    readonly size: number,
  ) {}

  classify(m: NormalizedMessage): IntentScore[] {
    const scored = this.classifier.classifyHashes(hashes.of(m)) ?? this.classifier.classify(featuresOf(m));
    return scored.filter((s): s is Scored & { label: IntentLabel } => isIntentLabel(s.label));
  }
}

function rowsOf(examples: readonly LabelledText[]) {
  return examples.map((e) => ({ features: featuresOf(normalizeMessage(e.text)), label: e.intent, weight: e.weight ?? 1 }));
}

export function trainIntentModel(examples: readonly LabelledText[], opts: TrainOptions = TRAIN_OPTIONS): IntentModel {
  return new IntentModel(IntentClassifier.train(rowsOf(examples), opts), examples.length);
}

/** The corpus plus `extra`, trained without holding the event loop for more than a few ms at a time. */
export async function trainIntentModelAsync(extra: readonly LabelledText[]): Promise<IntentModel> {
  const all: LabelledText[] = [...trainingCorpus().map((l) => ({ text: l.text, intent: l.intent })), ...extra];
  const rows = [];
  for (let k = 0; k < all.length; k += 200) {
    rows.push(...rowsOf(all.slice(k, k + 200)));
    await new Promise((r) => setImmediate(r));
  }
  return new IntentModel(await IntentClassifier.trainAsync(rows, TRAIN_OPTIONS), all.length);
}

function cacheDir(): string {
  return process.env.INTENT_MODEL_CACHE ?? join(tmpdir(), "dossier-bot-intent-cache");
}

/**
 * The model for the corpus in the repository plus `extra` examples. Cached on disk by
 * content hash; a cache that cannot be read or written is simply skipped.
 */
const loaded = new Map<string, IntentModel>();
function remember(hash: string, model: IntentModel): IntentModel {
  if (loaded.size >= 4) loaded.delete(loaded.keys().next().value!);
  loaded.set(hash, model);
  return model;
}

export function buildIntentModel(extra: readonly LabelledText[] = []): IntentModel {
  const corpus: LabelledText[] = trainingCorpus().map((l) => ({ text: l.text, intent: l.intent }));
  const all = [...corpus, ...extra];
  const hash = createHash("sha256")
    .update(JSON.stringify({ v: MODEL_VERSION, o: TRAIN_OPTIONS, all }))
    .digest("hex")
    .slice(0, 24);
  // A model is never changed once built: the same training set gives the same model, kept in
  // memory too (several contexts in one process — the CLI, tests — do not parse 7 MB again).
  const known = loaded.get(hash);
  if (known) return known;
  const file = join(cacheDir(), `intent-${hash}.json`);
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as SerializedClassifier;
    return remember(hash, new IntentModel(IntentClassifier.fromJSON(data), all.length));
  } catch {
    // No cache yet (or an unreadable one): train.
  }
  const model = remember(hash, trainIntentModel(all));
  try {
    mkdirSync(cacheDir(), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(model.classifier.toJSON()));
    renameSync(tmp, file);
  } catch {
    // A read-only file system only costs the next process a second of training.
  }
  return model;
}
