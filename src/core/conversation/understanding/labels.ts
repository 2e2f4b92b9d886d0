// The intents the classifier tells apart (corpus/LABELS.md defines each for the people who
// write the corpus). Every input — text, button, command, shared contact — ends up as one
// of these or as one of the entity-driven kinds in understand.ts.
export const INTENT_LABELS = [
  "status",
  "link",
  "unlink",
  "delete",
  "help",
  "staff",
  "hours",
  "address",
  "notices",
  "stop",
  "resume",
  "language",
  "greeting",
  "thanks",
  "yes",
  "no",
  "cancel",
  "feedback",
  "out_of_scope",
] as const;
export type IntentLabel = (typeof INTENT_LABELS)[number];

export function isIntentLabel(value: unknown): value is IntentLabel {
  return typeof value === "string" && (INTENT_LABELS as readonly string[]).includes(value);
}
