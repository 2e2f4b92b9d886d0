// npm run eval:intents — trains on the training split (corpus/train + corpus/dev) and reports,
// on the held-out test split (corpus/test.jsonl, written separately and never trained or tuned
// on), accuracy, per-intent precision and recall, the confusion matrix, the misclassified
// messages and the out-of-scope messages that would get a status card.
//   --dev       tune: train on corpus/train only and report on corpus/dev.jsonl
//   --json F    also write the evaluation as JSON to F
import { writeFileSync } from "node:fs";
import { devSplit, testSplit, trainingCorpus, trainSplit } from "../src/core/conversation/understanding/corpus.ts";
import { evaluate, formatEvaluation } from "../src/core/conversation/understanding/evaluate.ts";
import { INTENT_LABELS } from "../src/core/conversation/understanding/labels.ts";
import { trainIntentModel } from "../src/core/conversation/understanding/model.ts";

const args = process.argv.slice(2);
const dev = args.includes("--dev");
const jsonAt = args.indexOf("--json");
const train = dev ? trainSplit() : trainingCorpus();
const held = dev ? devSplit() : testSplit();

const counts = Object.fromEntries(INTENT_LABELS.map((l) => [l, train.filter((x) => x.intent === l).length]));
console.log(`training split: ${train.length} messages — ${Object.entries(counts).map(([l, n]) => `${l} ${n}`).join(", ")}`);
const t0 = performance.now();
const model = trainIntentModel(train.map((l) => ({ text: l.text, intent: l.intent })));
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const e = evaluate(model, held);
console.log(formatEvaluation(e, dev ? "dev split (tuning)" : "held-out test split"));
if (jsonAt >= 0 && args[jsonAt + 1]) writeFileSync(args[jsonAt + 1]!, JSON.stringify(e, null, 2));
