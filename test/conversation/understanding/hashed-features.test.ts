// Answering a message reads its features as hashes (features.ts) instead of building each
// n-gram as a string. That must change nothing a citizen could notice: the same features in
// the same order, and exactly the same probabilities as the string path the model was trained on.
import { describe, expect, it } from "vitest";
import { FeatureHashes, FeatureTable, featuresOf, hashFeature } from "../../../src/core/conversation/understanding/features.ts";
import { normalizeMessage } from "../../../src/core/conversation/understanding/normalize.ts";
import { testSplit, secondTestSplit, trainingCorpus } from "../../../src/core/conversation/understanding/corpus.ts";
import { buildIntentModel } from "../../../src/core/conversation/understanding/model.ts";

const messages = [
  ...trainingCorpus().map((l) => l.text),
  ...testSplit().map((l) => l.text),
  ...secondTestSplit().map((l) => l.text),
  "",
  "hồ sơ 000.00.15.H32-250101-0001 của vợ tôi",
  "vợ chồng mẹ tôi hỏi hồ sơ của bố mẹ",
  // More distinct features than the first table holds (it grows), and a repeated gram.
  Array.from({ length: 120 }, (_, k) => `tu${k}x`).join(" "),
  "aaa aaa aaa aaa",
];

describe("hashed features", () => {
  it("are featuresOf's features, distinct, in the same order", () => {
    const h = new FeatureHashes();
    const wrong: string[] = [];
    for (const text of messages) {
      const m = normalizeMessage(text);
      const strings = featuresOf(m);
      h.of(m);
      if (h.count !== strings.length) wrong.push(`${text}: ${h.count} hashed, ${strings.length} strings`);
      else
        strings.forEach((f, k) => {
          const [a, b] = hashFeature(f);
          if (h.h1[k] !== a || h.h2[k] !== b) wrong.push(`${text}: feature ${k} (${f})`);
        });
    }
    expect(wrong).toEqual([]);
  });

  it("give exactly the string path's probabilities for every corpus message", () => {
    const classifier = buildIntentModel().classifier;
    const h = new FeatureHashes();
    let n = 0;
    for (const text of messages) {
      const m = normalizeMessage(text);
      const hashed = classifier.classifyHashes(h.of(m));
      expect(hashed).not.toBeNull();
      expect(hashed, text).toEqual(classifier.classify(featuresOf(m)));
      n++;
    }
    expect(n).toBeGreaterThan(5000);
  });

  it("the table finds every model feature and nothing else", () => {
    const features = ["w:hô2", "f:ho", "c3: ho", "c4:ho s", "b:^ ho", "len:4"];
    const table = new FeatureTable(features.map((f, k) => [f, k] as [string, number]), features.length);
    features.forEach((f, k) => expect(table.get(...hashFeature(f))).toBe(k));
    for (const f of ["w:ho", "f:hô2", "c3:ho ", "", "len:8"]) expect(table.get(...hashFeature(f))).toBe(-1);
    // Two entries with the same pair of hashes: refused rather than silently merged.
    expect(() => new FeatureTable([["a", 0], ["a", 1]], 2)).toThrow(/collision/);
  });
});

describe("token memory", () => {
  it("gives the same words on the first and the hundredth time, and after it is flushed", () => {
    const text = "hoof sow cuar tooi ddeens ddaau r ad oiii";
    const first = normalizeMessage(text);
    for (let k = 0; k < 100; k++) expect(normalizeMessage(text)).toEqual(first);
    // 20,000 made-up words empty the memory; the answer stays the same.
    for (let k = 0; k < 20_001; k += 50) normalizeMessage(Array.from({ length: 50 }, (_, j) => `zq${k + j}`).join(" "));
    expect(normalizeMessage(text)).toEqual(first);
    expect(first.folded.slice(0, 4)).toEqual(["ho", "so", "cua", "toi"]);
  });
});
