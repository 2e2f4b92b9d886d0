// Confidence, not guessing: when the classifier is unsure, ask back with buttons ("Ông/Bà
// muốn tra cứu tình trạng hồ sơ phải không?" · Đúng · Không, việc khác) instead of acting;
// when it has no idea, fall through to the fallback at the end of the pipeline.
import { t } from "../../i18n/index.ts";
import { encodeButton } from "../buttons.ts";
import type { Handler } from "../turn.ts";
import { remember } from "./learning.ts";

/**
 * Asking "did you mean thanks?" helps nobody: an unsure out-of-scope guess gets the polite
 * out-of-scope answer, an unsure greeting/thanks/yes/no/cancel counts as not understood.
 */
const NEVER_ASK = new Set(["greeting", "thanks", "yes", "no", "cancel", "out_of_scope"]);

export const clarify: Handler = async (turn, next) => {
  const u = turn.understanding;
  if (u.band === "act" || !u.label) return next();
  if (u.band === "clarify" && u.label === "out_of_scope") return next();
  if (u.band === "fallback" || NEVER_ASK.has(u.label)) {
    // Not understood at all: the fallback handler (last) answers.
    turn.understanding.intent = { kind: "unknown" };
    return next();
  }
  await remember(turn, "clarify");
  const label = u.label;
  const second = u.alternatives.find((a) => a.label !== label && !NEVER_ASK.has(a.label) && a.p >= 0.1);
  const lang = turn.lang;
  const rows = [[{ label: t(lang, "clarify-yes"), data: encodeButton({ kind: "intent", label }) }]];
  if (second) rows.push([{ label: capitalise(t(lang, `intent-${second.label}`)), data: encodeButton({ kind: "intent", label: second.label }) }]);
  rows.push([{ label: t(lang, "clarify-other"), data: encodeButton({ kind: "menu", item: "menu" }) }]);
  return [{ kind: "text", text: t(lang, "clarify", { intent: t(lang, `intent-${label}`) }), buttons: rows }];
};

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
