// Free text → one intent with a confidence, and what to do with it:
//   act      — confident: answer it;
//   clarify  — unsure: ask back with buttons ("Ông/Bà muốn tra cứu hồ sơ phải không?");
//   fallback — no idea: say what the bot can do, offer the menu and how to reach staff.
// Entities decide first where they are unambiguous (a message that is only a code, four
// digits, a malformed code); the classifier decides the rest. The costliest mistake is a
// status card for a question the bot cannot answer, so a status answer needs more
// confidence than others and is not given while "out of scope" is a real possibility.
import type { Lang } from "../../kernel/lang.ts";
import type { Intent } from "./intent.ts";
import type { IntentLabel } from "./labels.ts";
import type { IntentModel, IntentScore } from "./model.ts";
import { normalizeMessage, type NormalizedMessage } from "./normalize.ts";
import { languageTargetOf, noticeChoiceOf } from "./slots.ts";

export type Band = "act" | "clarify" | "fallback";

export interface Understanding {
  intent: Intent;
  /** The classifier's label, when the classifier decided. */
  label: IntentLabel | null;
  confidence: number;
  band: Band;
  /** The classifier's top labels (empty when entities decided). */
  alternatives: IntentScore[];
  /** Language the message is written in, or null when it gives no evidence. */
  lang: Lang | null;
  normalized: NormalizedMessage | null;
}

export interface DecisionPolicy {
  /** Act on any intent at or above this probability. */
  act: number;
  /** Ask back between this and `act`; below it, fall back. */
  clarify: number;
  /** A status card needs at least this probability … */
  statusAct: number;
  /** … and "out of scope" below this one. */
  statusMaxOutOfScope: number;
}

export const DEFAULT_POLICY: DecisionPolicy = { act: 0.5, clarify: 0.25, statusAct: 0.6, statusMaxOutOfScope: 0.2 };

/** Words that carry no request of their own: particles, pronouns, politeness. */
const FILLER = new Set(["a", "à", "ạ", "oi", "nhe", "nha", "vay", "day", "em", "anh", "chi", "toi", "minh", "admin", "ma", "so", "ho", "la", "cua", "code", "this", "is", "my", "here", "the", "it", "hô2 sơ"]);

function fromLabel(label: IntentLabel, m: NormalizedMessage): Intent {
  const codes = m.entities.codes;
  switch (label) {
    case "status":
      return { kind: "status", codes };
    case "link":
      return { kind: "link", codes };
    case "unlink":
      return { kind: "unlink", codes };
    case "notices":
      return { kind: "notices", choice: noticeChoiceOf(m) };
    case "language":
      return { kind: "language", lang: languageTargetOf(m) };
    case "delete":
    case "help":
    case "staff":
    case "hours":
    case "address":
    case "stop":
    case "resume":
    case "greeting":
    case "thanks":
    case "yes":
    case "no":
    case "cancel":
    case "out_of_scope":
      return { kind: label };
    case "feedback":
      return { kind: "feedback" };
  }
}

/** The intent a label stands for without a message to read slots from (a confirmed "i:" button). */
export function fromLabelAlone(label: IntentLabel): Intent {
  switch (label) {
    case "status":
    case "link":
    case "unlink":
      return { kind: label, codes: [] };
    case "notices":
      return { kind: "notices", choice: null };
    case "language":
      return { kind: "language", lang: null };
    default:
      return { kind: label };
  }
}

function decided(intent: Intent, m: NormalizedMessage | null, lang: Lang | null): Understanding {
  return { intent, label: null, confidence: 1, band: "act", alternatives: [], lang, normalized: m };
}

export function understandText(text: string, model: IntentModel, policy: DecisionPolicy = DEFAULT_POLICY): Understanding {
  const compact = text.replace(/[\s.\-]/g, "");
  if (/^\d+$/.test(compact)) return decided(compact.length === 4 ? { kind: "proof_digits", digits: compact } : { kind: "number" }, null, null);

  const m = normalizeMessage(text);
  if (m.words.length === 0) return { intent: { kind: "unknown" }, label: null, confidence: 0, band: "fallback", alternatives: [], lang: m.lang, normalized: m };
  const content = m.folded.filter((w) => !FILLER.has(w));
  const onlyEntities = content.every((w) => w.startsWith("zz"));
  if (m.entities.codes.length > 0 && onlyEntities) return decided({ kind: "codes", codes: m.entities.codes }, m, m.lang);
  if (m.entities.digits4.length === 1 && onlyEntities && content.length === 1) return decided({ kind: "proof_digits", digits: m.entities.digits4[0]! }, m, m.lang);

  const scores = model.classify(m);
  const top = scores[0]!;
  const p = (label: IntentLabel) => scores.find((s) => s.label === label)?.p ?? 0;
  let band: Band = top.p >= policy.act ? "act" : top.p >= policy.clarify ? "clarify" : "fallback";
  if (top.label === "status" && band === "act" && (top.p < policy.statusAct || p("out_of_scope") >= policy.statusMaxOutOfScope)) band = "clarify";
  // A message that names a dossier code and asks about it or to link it goes to the code's
  // own flow: a card only for a dossier the citizen proved is theirs, else consent and proof.
  if (m.entities.codes.length > 0 && (top.label === "status" || top.label === "link") && band !== "act") band = "act";
  let intent = fromLabel(top.label, m);
  // A code typed wrong deserves "please check the code", not "I did not understand".
  if (m.entities.badCode && m.entities.codes.length === 0 && (top.label === "status" || top.label === "link" || band !== "act")) {
    intent = { kind: "bad_code", reason: m.entities.badCode };
    band = "act";
  }
  return { intent, label: top.label, confidence: top.p, band, alternatives: scores.slice(0, 3), lang: m.lang, normalized: m };
}
