// A small multinomial logistic regression over sparse binary features, trained in-process
// in well under a second on a few thousand messages. Chosen over naive Bayes because it
// weighs overlapping evidence (the same word in several n-grams) without double counting,
// and its probabilities are usable as a confidence (docs/understanding.md has the figures).
import { seededRandom } from "../../kernel/random.ts";
import { FeatureTable, type FeatureHashes } from "./features.ts";

export interface TrainingExample {
  features: string[];
  label: string;
  /** Relative weight (labelled examples from the learning loop count a little more). */
  weight?: number;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty per update. */
  l2?: number;
  seed?: number;
}

export interface SerializedClassifier {
  labels: string[];
  features: string[];
  /** Float32 little-endian, base64. */
  weights: string;
}

export interface Scored {
  label: string;
  p: number;
}

/** Deterministic order (the same corpus always yields the same model). */
const rng = seededRandom;

export class IntentClassifier {
  /**
   * (features + 1 bias) × labels: a feature's weights for every label side by side. A message
   * reads a few dozen features; laid out by label, each of them cost one cache miss per label
   * (19 labels × 66k features, 5 MB), which in the webhook path made scoring three times
   * slower than in a warm loop. The sums are the same, in the same order.
   */
  private readonly byFeature: Float32Array;

  private constructor(
    readonly labels: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
    /** labels × (features + 1 bias), row-major (as trained and serialised). */
    weights: Float32Array,
  ) {
    const C = labels.length;
    const dims = index.size + 1;
    const t = new Float32Array(weights.length);
    for (let c = 0; c < C; c++) for (let f = 0; f < dims; f++) t[f * C + c] = weights[c * dims + f]!;
    this.byFeature = t;
  }

  static train(examples: readonly TrainingExample[], opts: TrainOptions = {}): IntentClassifier {
    const steps = IntentClassifier.training(examples, opts);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /** The same training, yielding to the event loop every few hundred examples. */
  static async trainAsync(examples: readonly TrainingExample[], opts: TrainOptions = {}): Promise<IntentClassifier> {
    const steps = IntentClassifier.training(examples, opts);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private static *training(examples: readonly TrainingExample[], opts: TrainOptions): Generator<void, IntentClassifier> {
    const epochs = opts.epochs ?? 30;
    const lr0 = opts.learningRate ?? 0.5;
    const l2 = opts.l2 ?? 1e-5;
    const labels = [...new Set(examples.map((e) => e.label))].sort();
    const labelIndex = new Map(labels.map((l, k) => [l, k]));
    const index = new Map<string, number>();
    const rows = examples.map((e) => {
      const ids = e.features.map((f) => {
        let id = index.get(f);
        if (id === undefined) {
          id = index.size;
          index.set(f, id);
        }
        return id;
      });
      return { ids: Int32Array.from(ids), y: labelIndex.get(e.label)!, w: e.weight ?? 1 };
    });
    const dims = index.size + 1;
    const C = labels.length;
    const W = new Float32Array(C * dims);
    // AdaGrad: rare n-grams keep a large step, frequent ones settle.
    const G = new Float32Array(C * dims).fill(1e-8);
    const order = rows.map((_, k) => k);
    const random = rng(opts.seed ?? 7);
    const scores = new Float64Array(C);
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(random() * (k + 1));
        [order[k], order[j]] = [order[j]!, order[k]!];
      }
      for (let n = 0; n < order.length; n++) {
        if (n % 250 === 249) yield;
        const { ids, y, w } = rows[order[n]!]!;
        const scale = 1 / Math.sqrt(ids.length || 1);
        let max = -Infinity;
        for (let c = 0; c < C; c++) {
          const base = c * dims;
          let s = W[base + dims - 1]!;
          for (const id of ids) s += W[base + id]! * scale;
          scores[c] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let c = 0; c < C; c++) sum += scores[c] = Math.exp(scores[c]! - max);
        for (let c = 0; c < C; c++) {
          const g = (scores[c]! / sum - (c === y ? 1 : 0)) * w;
          // Classes the example already rules out change nothing worth the update.
          if (Math.abs(g) < 1e-4) continue;
          const base = c * dims;
          for (const id of ids) {
            const at = base + id;
            const grad = g * scale + l2 * W[at]!;
            const acc = G[at]! + grad * grad;
            G[at] = acc;
            W[at] = W[at]! - (lr0 * grad) / Math.sqrt(acc);
          }
          const b = base + dims - 1;
          const acc = G[b]! + g * g;
          G[b] = acc;
          W[b] = W[b]! - (lr0 * g) / Math.sqrt(acc);
        }
      }
    }
    return new IntentClassifier(labels, index, W);
  }

  /** A plain-data copy (for the on-disk cache of the trained model). */
  toJSON(): SerializedClassifier {
    const C = this.labels.length;
    const dims = this.index.size + 1;
    const weights = new Float32Array(this.byFeature.length);
    for (let f = 0; f < dims; f++) for (let c = 0; c < C; c++) weights[c * dims + f] = this.byFeature[f * C + c]!;
    return { labels: [...this.labels], features: [...this.index.keys()], weights: Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength).toString("base64") };
  }

  static fromJSON(data: SerializedClassifier): IntentClassifier {
    const bytes = Buffer.from(data.weights, "base64");
    const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (weights.length !== data.labels.length * (data.features.length + 1)) throw new Error("serialised classifier: weights do not fit");
    return new IntentClassifier(data.labels, new Map(data.features.map((f, k) => [f, k])), weights);
  }

  /** Every label with its probability, most likely first. */
  classify(features: readonly string[]): Scored[] {
    const ids: number[] = [];
    for (const f of features) {
      const id = this.index.get(f);
      if (id !== undefined) ids.push(id);
    }
    return this.score(ids, features.length);
  }

  private table: FeatureTable | null | undefined;

  /**
   * The same as `classify` for a message's features given as hashes (features.ts): no feature
   * string is built or looked up. Null in the 1-in-10^10 case of two of the model's own
   * features sharing both hashes; the caller then uses `classify`.
   */
  classifyHashes(h: FeatureHashes): Scored[] | null {
    if (this.table === undefined) {
      try {
        this.table = new FeatureTable(this.index.entries(), this.index.size);
      } catch {
        this.table = null;
      }
    }
    const table = this.table;
    if (!table) return null;
    const ids: number[] = [];
    for (let k = 0; k < h.count; k++) {
      const id = table.get(h.h1[k]!, h.h2[k]!);
      if (id >= 0) ids.push(id);
    }
    return this.score(ids, h.count);
  }

  /** Softmax over the known features' weights; `distinct`: how many features the message had (known or not). */
  private score(ids: readonly number[], distinct: number): Scored[] {
    const C = this.labels.length;
    const dims = this.index.size + 1;
    // Same scaling as in training, over the features the message had (known or not).
    const scale = 1 / Math.sqrt(distinct || 1);
    const w = this.byFeature;
    const scores = new Float64Array(C);
    const bias = (dims - 1) * C;
    for (let c = 0; c < C; c++) scores[c] = w[bias + c]!;
    for (const id of ids) {
      const base = id * C;
      for (let c = 0; c < C; c++) scores[c] = scores[c]! + w[base + c]! * scale;
    }
    let max = -Infinity;
    for (let c = 0; c < C; c++) if (scores[c]! > max) max = scores[c]!;
    let sum = 0;
    for (let c = 0; c < C; c++) sum += scores[c] = Math.exp(scores[c]! - max);
    return this.labels.map((label, c) => ({ label, p: scores[c]! / sum })).sort((a, b) => b.p - a.p);
  }
}
