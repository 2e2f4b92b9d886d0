// The intent classifier keeps its weights by feature for speed, but trains and serialises them
// by label (the on-disk model cache). The probabilities must be exactly those of the label-major
// weights it writes out, and a model read back must answer the same.
import { describe, expect, it } from "vitest";
import { IntentClassifier, type SerializedClassifier } from "../../../src/core/conversation/understanding/classifier.ts";

const examples = [
  { features: ["ho_so", "den_dau", "roi"], label: "status" },
  { features: ["ho_so", "bao_gio", "xong"], label: "status" },
  { features: ["cam_on", "nhieu"], label: "thanks" },
  { features: ["cam_on", "ban"], label: "thanks" },
  { features: ["xin_chao", "ban"], label: "greeting" },
  { features: ["chao", "ad"], label: "greeting" },
];

/** Softmax over label-major weights (labels × (features + 1 bias)), as the format documents it. */
function reference(data: SerializedClassifier, features: string[]): Record<string, number> {
  const bytes = Buffer.from(data.weights, "base64");
  const w = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const dims = data.features.length + 1;
  const ids = features.map((f) => data.features.indexOf(f)).filter((i) => i >= 0);
  const scale = 1 / Math.sqrt(features.length || 1);
  const s = data.labels.map((_, c) => ids.reduce((acc, id) => acc + w[c * dims + id]! * scale, w[c * dims + dims - 1]!));
  const max = Math.max(...s);
  const e = s.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return Object.fromEntries(data.labels.map((l, c) => [l, e[c]! / sum]));
}

describe("intent classifier weights", () => {
  const model = IntentClassifier.train(examples, { epochs: 30, seed: 7 });
  const data = model.toJSON();
  const messages = [["ho_so", "den_dau"], ["cam_on"], ["xin_chao", "ad", "unknown_word"], [], ["ho_so", "cam_on", "ban"]];

  it("scores exactly as the label-major weights it serialises say", () => {
    for (const m of messages) {
      const got = Object.fromEntries(model.classify(m).map((s) => [s.label, s.p]));
      const want = reference(data, m);
      for (const label of data.labels) expect(got[label]).toBeCloseTo(want[label]!, 12);
    }
    expect(model.classify(["ho_so", "den_dau"])[0]!.label).toBe("status");
    expect(model.classify(["cam_on"])[0]!.label).toBe("thanks");
  });

  it("reads back from its serialised form to the same model", () => {
    const back = IntentClassifier.fromJSON(JSON.parse(JSON.stringify(data)) as SerializedClassifier);
    expect(back.toJSON()).toEqual(data);
    for (const m of messages) expect(back.classify(m)).toEqual(model.classify(m));
  });
});
