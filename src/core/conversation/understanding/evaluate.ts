// Evaluation of the understanding layer on a labelled split: accuracy, per-intent precision
// and recall, the confusion matrix, the messages it got wrong, and — counted apart — the
// costliest error: an out-of-scope question that would be answered with a status card.
import { sameMessageKey, type CorpusLine } from "./corpus.ts";
import { INTENT_LABELS, type IntentLabel } from "./labels.ts";
import type { IntentModel } from "./model.ts";
import { DEFAULT_POLICY, understandText, type Band, type DecisionPolicy, type Understanding } from "./understand.ts";

export interface Misclassified {
  text: string;
  expected: IntentLabel;
  got: string;
  band: Band;
  confidence: number;
}

export interface Evaluation {
  total: number;
  /** The understanding's intent equals the label (whatever the band). */
  correct: number;
  accuracy: number;
  /** Correct and acted on at once (not asked back). */
  actedCorrect: number;
  /** Asked back ("did you mean …?") — neither right nor wrong, but a second step for the citizen. */
  clarified: number;
  fallback: number;
  /** Acted on with the wrong intent. */
  actedWrong: number;
  perIntent: Record<string, { support: number; predicted: number; correct: number; precision: number; recall: number }>;
  confusion: Record<string, Record<string, number>>;
  /** Out-of-scope messages that would get a status card (must be 0). */
  outOfScopeAsStatus: Misclassified[];
  misclassified: Misclassified[];
  language: { total: number; correct: number; unknown: number };
}

/** The label an understanding stands for (entity-decided kinds map onto the corpus labels). */
export function labelOf(u: Understanding): string {
  if (u.label && (u.intent.kind === u.label || u.intent.kind === "notices" || u.intent.kind === "language")) return u.label;
  switch (u.intent.kind) {
    case "codes":
      return "status|link";
    case "bad_code":
      return "status|link";
    case "proof_digits":
    case "number":
      return "proof";
    default:
      return u.intent.kind;
  }
}

function matches(got: string, expected: IntentLabel): boolean {
  return got === expected || got.split("|").includes(expected);
}

/** Would this understanding show a status card right away? */
export function wouldShowStatusCard(u: Understanding): boolean {
  return u.band === "act" && (u.intent.kind === "status" || u.intent.kind === "codes");
}

/**
 * Held-out messages that also occur in the training split (compared without case, diacritics
 * or punctuation). Writers of different splits do write the same one- or two-word answers
 * ("ok", "không"); longer twins are removed from training, so these are the short ones.
 */
export function twinsInTraining(held: readonly CorpusLine[], training: readonly CorpusLine[]): CorpusLine[] {
  const seen = new Set(training.map((l) => sameMessageKey(l.text)));
  return held.filter((l) => seen.has(sameMessageKey(l.text)));
}

export function evaluate(model: IntentModel, lines: readonly CorpusLine[], policy: DecisionPolicy = DEFAULT_POLICY): Evaluation {
  const perIntent: Evaluation["perIntent"] = {};
  const confusion: Evaluation["confusion"] = {};
  for (const l of INTENT_LABELS) {
    perIntent[l] = { support: 0, predicted: 0, correct: 0, precision: 0, recall: 0 };
    confusion[l] = {};
  }
  const misclassified: Misclassified[] = [];
  const outOfScopeAsStatus: Misclassified[] = [];
  let correct = 0;
  let actedCorrect = 0;
  let clarified = 0;
  let fallback = 0;
  let actedWrong = 0;
  const language = { total: 0, correct: 0, unknown: 0 };
  for (const line of lines) {
    const u = understandText(line.text, model, policy);
    const got = labelOf(u);
    const ok = matches(got, line.intent);
    const gotLabel = ok ? line.intent : got;
    perIntent[line.intent]!.support++;
    if (perIntent[gotLabel]) perIntent[gotLabel].predicted++;
    const row = confusion[line.intent]!;
    row[gotLabel] = (row[gotLabel] ?? 0) + 1;
    const miss: Misclassified = { text: line.text, expected: line.intent, got, band: u.band, confidence: Number(u.confidence.toFixed(3)) };
    if (ok) {
      correct++;
      perIntent[line.intent]!.correct++;
    } else misclassified.push(miss);
    if (u.band === "act") ok ? actedCorrect++ : actedWrong++;
    else if (u.band === "clarify") clarified++;
    else fallback++;
    if (line.intent === "out_of_scope" && wouldShowStatusCard(u)) outOfScopeAsStatus.push(miss);
    language.total++;
    if (u.lang === null) language.unknown++;
    else if (u.lang === line.lang) language.correct++;
  }
  for (const s of Object.values(perIntent)) {
    s.precision = s.predicted ? s.correct / s.predicted : 0;
    s.recall = s.support ? s.correct / s.support : 0;
  }
  const total = lines.length;
  return { total, correct, accuracy: total ? correct / total : 0, actedCorrect, clarified, fallback, actedWrong, perIntent, confusion, outOfScopeAsStatus, misclassified, language };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A plain-text report (what `npm run eval:intents` prints). */
export function formatEvaluation(e: Evaluation, title: string): string {
  const out: string[] = [];
  out.push(`${title}: ${e.total} messages`);
  out.push(`accuracy ${pct(e.accuracy)} (${e.correct}/${e.total}); status recall ${pct(e.perIntent.status?.recall ?? 0)}`);
  out.push(`answered right at once ${pct(e.actedCorrect / e.total)}, asked back ${e.clarified}, fallback ${e.fallback}, answered wrong ${e.actedWrong}`);
  out.push(`out-of-scope answered with a status card: ${e.outOfScopeAsStatus.length}`);
  out.push(`language of the answer: ${pct(e.language.correct / e.language.total)} right, ${e.language.unknown} without evidence (answered in the chat's language)`);
  out.push("");
  out.push("intent          support  precision  recall");
  for (const [label, s] of Object.entries(e.perIntent)) {
    if (!s.support && !s.predicted) continue;
    out.push(`${label.padEnd(15)} ${String(s.support).padStart(7)}  ${pct(s.precision).padStart(9)}  ${pct(s.recall).padStart(6)}`);
  }
  out.push("");
  out.push("confusion (expected → got: count), off-diagonal only:");
  for (const [expected, row] of Object.entries(e.confusion)) {
    const off = Object.entries(row).filter(([got]) => got !== expected);
    if (off.length) out.push(`  ${expected} → ${off.map(([g, n]) => `${g}: ${n}`).join(", ")}`);
  }
  out.push("");
  out.push(`misclassified (${e.misclassified.length}):`);
  for (const m of e.misclassified) out.push(`  [${m.expected} → ${m.got}, ${m.band} ${m.confidence}] ${m.text}`);
  if (e.outOfScopeAsStatus.length) {
    out.push("");
    out.push("OUT OF SCOPE ANSWERED WITH A STATUS CARD:");
    for (const m of e.outOfScopeAsStatus) out.push(`  ${m.text}`);
  }
  return out.join("\n");
}
