// npm run eval:intents — trains on the training split (corpus/train + corpus/dev) and reports,
// on each held-out split (corpus/test.jsonl, and corpus/test-2.jsonl written later by other
// writers; both written separately and never trained or tuned on), accuracy, per-intent
// precision and recall, the confusion matrix, the misclassified messages and the out-of-scope
// messages that would get a status card.
//   --dev       tune: train on corpus/train only and report on corpus/dev.jsonl
//   --json F    also write the evaluations as JSON to F
import { writeFileSync } from "node:fs";
import { devSplit, secondTestSplit, testSplit, trainingCorpus, trainSplit, type CorpusLine } from "../src/core/conversation/understanding/corpus.ts";
import { evaluate, formatEvaluation, twinsInTraining, type Evaluation } from "../src/core/conversation/understanding/evaluate.ts";
import { INTENT_LABELS } from "../src/core/conversation/understanding/labels.ts";
import { trainIntentModel, type IntentModel } from "../src/core/conversation/understanding/model.ts";

const args = process.argv.slice(2);
const dev = args.includes("--dev");
const jsonAt = args.indexOf("--json");
const train = dev ? trainSplit() : trainingCorpus();
const splits: [string, CorpusLine[]][] = dev
  ? [["dev split (tuning)", devSplit()]]
  : [
      ["held-out test split (corpus/test.jsonl)", testSplit()],
      ["second held-out test split (corpus/test-2.jsonl)", secondTestSplit()],
    ];

const counts = Object.fromEntries(INTENT_LABELS.map((l) => [l, train.filter((x) => x.intent === l).length]));
console.log(`training split: ${train.length} messages — ${Object.entries(counts).map(([l, n]) => `${l} ${n}`).join(", ")}`);
const t0 = performance.now();
const model: IntentModel = trainIntentModel(train.map((l) => ({ text: l.text, intent: l.intent })));
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

const out: Record<string, Evaluation> = {};
for (const [title, held] of splits) {
  const e = evaluate(model, held);
  out[title] = e;
  console.log(formatEvaluation(e, title));
  const twins = twinsInTraining(held, train);
  if (twins.length) {
    const rest = held.filter((l) => !twins.includes(l));
    const r = evaluate(model, rest);
    console.log(`\n${twins.length} of these messages also occur in training (short answers such as "ok"); without them: accuracy ${(r.accuracy * 100).toFixed(1)}% (${r.correct}/${r.total}), status recall ${((r.perIntent.status?.recall ?? 0) * 100).toFixed(1)}%`);
  }
  console.log("\n" + "=".repeat(80) + "\n");
}
if (splits.length > 1) {
  const all = splits.flatMap(([, l]) => l);
  const e = evaluate(model, all);
  console.log(`both held-out splits together: ${e.total} messages, accuracy ${(e.accuracy * 100).toFixed(1)}%, status recall ${((e.perIntent.status?.recall ?? 0) * 100).toFixed(1)}%, out-of-scope → status card ${e.outOfScopeAsStatus.length}`);
}
if (jsonAt >= 0 && args[jsonAt + 1]) writeFileSync(args[jsonAt + 1]!, JSON.stringify(out, null, 2));
