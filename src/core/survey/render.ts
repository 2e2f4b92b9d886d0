// Survey messages as channel-neutral Reply data, and the survey's button data:
//   v:<invitationId>:<questionIndex>:<choice>   choice = choice index | d (done) | s (skip)
//   r:<dossierId>                               "rate this dossier" on a status card
// Button data comes back from the platform and can be forged: it is parsed strictly here and
// the invitation / dossier it names is checked against the citizen who pressed it.
import { formatLocal } from "../calendar.ts";
import type { Button, Reply } from "../conversation/types.ts";
import { pronouns } from "../i18n/index.ts";
import type { Lang } from "../kernel/lang.ts";
import { DEFAULT_SURVEY, visibleQuestions, type Answers, type Localized, type Question, type SurveyDefinition } from "./definition.ts";

export type { Lang } from "../kernel/lang.ts";

export type SurveyButton =
  | { kind: "vote"; invitationId: number; question: number; choice: number }
  | { kind: "done"; invitationId: number; question: number }
  | { kind: "skip"; invitationId: number; question: number }
  | { kind: "rate"; dossierId: number };

const MAX_ID = 2_147_483_647;
const id = (s: string) => {
  const n = Number(s);
  return n >= 1 && n <= MAX_ID ? n : null;
};

export function encodeSurveyButton(b: SurveyButton): string {
  switch (b.kind) {
    case "vote":
      return `v:${b.invitationId}:${b.question}:${b.choice}`;
    case "done":
      return `v:${b.invitationId}:${b.question}:d`;
    case "skip":
      return `v:${b.invitationId}:${b.question}:s`;
    case "rate":
      return `r:${b.dossierId}`;
  }
}

/** The survey action in button data, or null when the data is not ours (the conversation handles it). */
export function decodeSurveyButton(data: string): SurveyButton | null {
  if (data.length > 40) return null;
  let m = /^v:([1-9]\d{0,9}):(\d{1,2}):(\d{1,2}|d|s)$/.exec(data);
  if (m) {
    const invitationId = id(m[1]!);
    const question = Number(m[2]);
    if (invitationId === null) return null;
    if (m[3] === "d") return { kind: "done", invitationId, question };
    if (m[3] === "s") return { kind: "skip", invitationId, question };
    return { kind: "vote", invitationId, question, choice: Number(m[3]) };
  }
  m = /^r:([1-9]\d{0,9})$/.exec(data);
  if (m) {
    const dossierId = id(m[1]!);
    return dossierId === null ? null : { kind: "rate", dossierId };
  }
  return null;
}

/** Is this button data one of the survey's (even if malformed)? Keeps `v:`/`r:` presses away from the conversation. */
export function isSurveyData(data: string): boolean {
  return data.startsWith("v:") || data.startsWith("r:");
}

const rateLabels = DEFAULT_SURVEY.messages.rate as Localized;

/** "⭐ Đánh giá" for the status card of a returned dossier (the conversation adds it). */
export function rateButton(dossierId: number, lang: Lang = "vi"): Button {
  return { label: rateLabels[lang], data: encodeSurveyButton({ kind: "rate", dossierId }) };
}

export interface TextVars {
  code?: string;
  procedure?: string;
  editableUntil?: Date | null;
  n?: number;
  total?: number;
}

/**
 * Survey texts are data (kept per survey version) and were written with "Ông/Bà"; with the
 * other form of address each "Ông/Bà" becomes "bạn" ("Bạn" at the start of a sentence), and
 * {you} / {You} may be written explicitly in new versions.
 */
function address(text: string, lang: Lang): string {
  const { you, You } = pronouns(lang);
  if (you === "Ông/Bà") return text;
  return text.replace(/(^|[.!?]\s+|\n)?Ông\/Bà/g, (_all, start: string | undefined) => (start !== undefined ? `${start}${You}` : you));
}

export function fill(text: Localized, lang: Lang, v: TextVars): string {
  const { you, You } = pronouns(lang);
  return address(text[lang], lang).replace(/\{(\w+)\}/g, (all, name: string) => {
    switch (name) {
      case "you":
        return you;
      case "You":
        return You;
      case "code":
        return v.code ?? "";
      case "procedure":
        return v.procedure ?? "";
      case "editableUntil":
        return v.editableUntil ? formatLocal(v.editableUntil) : "";
      case "n":
        return String(v.n ?? "");
      case "total":
        return String(v.total ?? "");
      default:
        return all;
    }
  });
}

export function textReply(text: string): Reply {
  return { kind: "text", text };
}

const CHECK = "✓ ";

/** One question with its buttons; `prefix` (intro, reminder, a hint) goes above it. */
export function questionReply(
  def: SurveyDefinition,
  invitationId: number,
  q: Question,
  answers: Answers,
  lang: Lang,
  vars: TextVars,
  prefix?: string,
): Reply {
  const visible = visibleQuestions(def, answers);
  const n = visible.findIndex((x) => x.id === q.id) + 1;
  const body = fill(q.text, lang, { ...vars, n, total: visible.length });
  const qIdx = def.questions.findIndex((x) => x.id === q.id);
  const current = answers[q.id];
  const chosen = new Set(Array.isArray(current) ? current : typeof current === "string" ? [current] : []);
  const rows: Button[][] = [];
  const choices = q.choices ?? [];
  const button = (i: number): Button => {
    const c = choices[i]!;
    return { label: (chosen.has(c.value) ? CHECK : "") + c.label[lang], data: encodeSurveyButton({ kind: "vote", invitationId, question: qIdx, choice: i }) };
  };
  if (q.kind === "single") {
    for (let i = 0; i < choices.length; i++) rows.push([button(i)]);
  } else if (q.kind === "multi") {
    for (let i = 0; i < choices.length; i += 2) rows.push(i + 1 < choices.length ? [button(i), button(i + 1)] : [button(i)]);
    rows.push([{ label: def.messages.done[lang], data: encodeSurveyButton({ kind: "done", invitationId, question: qIdx }) }]);
  }
  if (!q.required && q.kind !== "multi") rows.push([{ label: def.messages.skip[lang], data: encodeSurveyButton({ kind: "skip", invitationId, question: qIdx }) }]);
  return { kind: "text", text: prefix ? `${prefix}\n\n${body}` : body, buttons: rows };
}
