// npm run bench:intents — how fast one message is understood (normalise + classify + decide),
// over every message of the corpus, against a floor measured in the same run: normalisation
// alone (what any rule-based matcher also has to do). Prints messages/s and p50/p99 per message.
import { mkdirSync, writeFileSync } from "node:fs";
import { testSplit, trainingCorpus } from "../src/core/conversation/understanding/corpus.ts";
import { buildIntentModel } from "../src/core/conversation/understanding/model.ts";
import { normalizeMessage } from "../src/core/conversation/understanding/normalize.ts";
import { understandText } from "../src/core/conversation/understanding/understand.ts";

const texts = [...trainingCorpus(), ...testSplit()].map((l) => l.text);
const t0 = performance.now();
const model = buildIntentModel();
const loadMs = performance.now() - t0;

function measure(fn: (text: string) => unknown, rounds = 5): { perSecond: number; p50: number; p99: number } {
  for (const t of texts) fn(t); // warm-up
  const times: number[] = [];
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const a = performance.now();
      fn(t);
      times.push(performance.now() - a);
    }
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  return { perSecond: (times.length / total) * 1000, p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

const floor = measure((t) => normalizeMessage(t));
const ours = measure((t) => understandText(t, model));
console.log(`model ready in ${loadMs.toFixed(0)} ms (trained, or loaded from the cache); ${texts.length} messages × 5 rounds`);
console.log(`floor — normalisation only: ${floor.perSecond.toFixed(0)} msg/s, p50 ${floor.p50.toFixed(3)} ms, p99 ${floor.p99.toFixed(3)} ms`);
console.log(`ours  — understand (normalise + classify + decide): ${ours.perSecond.toFixed(0)} msg/s, p50 ${ours.p50.toFixed(3)} ms, p99 ${ours.p99.toFixed(3)} ms`);
console.log(`ratio ${(ours.perSecond / floor.perSecond).toFixed(2)}× the floor's throughput; target p99 < 1 ms: ${ours.p99 < 1 ? "met" : "NOT met"}`);
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("./results/intents.json", import.meta.url),
  JSON.stringify(
    {
      name: "intents",
      rows: [
        { path: "understand one message (p99)", db: "none", floor: "normalisation only, same messages, same run", floorValue: floor.p99, ours: ours.p99, unit: "ms", ratio: ours.p99 / floor.p99, target: "p99 < 1 ms", met: ours.p99 < 1 },
        { path: "understand throughput", db: "none", floor: "normalisation only", floorValue: floor.perSecond, ours: ours.perSecond, unit: "msg/s", ratio: ours.perSecond / floor.perSecond, target: "—", met: true },
      ],
    },
    null,
    2,
  ),
);
