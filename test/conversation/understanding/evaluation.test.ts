// The held-out evaluation as a test: trained on the training split only, the model must keep
// ≥ 95% accuracy and ≥ 97% status recall on corpus/test.jsonl (written separately, never
// trained or tuned on), and no out-of-scope message may get a status card.
import { describe, expect, it } from "vitest";
import { sameMessageKey, secondTestSplit, testSplit, trainingCorpus } from "../../../src/core/conversation/understanding/corpus.ts";
import { evaluate } from "../../../src/core/conversation/understanding/evaluate.ts";
import { INTENT_LABELS } from "../../../src/core/conversation/understanding/labels.ts";
import { trainIntentModel } from "../../../src/core/conversation/understanding/model.ts";

describe("intent evaluation on the held-out split", () => {
  const train = trainingCorpus();
  const test = testSplit();

  it("the corpus has the size the design needs, and the splits do not overlap", () => {
    expect(train.length).toBeGreaterThanOrEqual(1500);
    expect(train.filter((l) => l.intent === "status").length).toBeGreaterThanOrEqual(400);
    for (const label of INTENT_LABELS) expect(train.filter((l) => l.intent === label).length, label).toBeGreaterThanOrEqual(40);
    const seen = new Set(train.map((l) => sameMessageKey(l.text)));
    // One- and two-word answers ("ok", "không ạ") cannot differ; anything longer must not be shared.
    for (const held of [test, secondTestSplit()]) {
      const leaked = held.filter((l) => seen.has(sameMessageKey(l.text)) && sameMessageKey(l.text).split(" ").length > 2);
      expect(leaked.length).toBe(0);
    }
  });

  it("≥ 95% accuracy, ≥ 97% status recall, 0 out-of-scope messages answered with a status card", () => {
    const model = trainIntentModel(train.map((l) => ({ text: l.text, intent: l.intent })));
    const e = evaluate(model, test);
    expect(e.outOfScopeAsStatus.map((m) => m.text)).toEqual([]);
    expect(e.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(e.perIntent.status!.recall).toBeGreaterThanOrEqual(0.97);
  });
});
