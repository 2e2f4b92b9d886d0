// Where a citizen is in the chat flow. Stored as JSON in Conversation.state and validated
// on every load: a row written by an older version or damaged by hand resets to idle
// instead of breaking the chat.
import { z } from "zod";
import { normalizeDossierCode } from "../dossier-code.ts";

const canonicalCode = z.string().refine((s) => {
  const r = normalizeDossierCode(s);
  return r.ok && r.code === s;
}, "not a canonical dossier code");
const instant = z.iso.datetime();

export const conversationStateSchema = z.discriminatedUnion("step", [
  z.object({ step: z.literal("idle") }),
  /** A code was sent; waiting for the Decree 13/2023 consent (Đồng ý / Không đồng ý). */
  /** `slip`: the code came with a genuine receipt-slip token, which is the proof (SLIP_PROOF=on). */
  z.object({ step: z.literal("await_consent"), code: canonicalCode, since: instant, slip: z.literal(true).optional() }),
  /** Consent given; waiting for a shared own phone number or the last four ID digits. */
  z.object({ step: z.literal("await_proof"), code: canonicalCode, since: instant }),
  /** "Delete my data" asked; waiting for the confirmation. */
  z.object({ step: z.literal("confirm_delete"), since: instant }),
]);
export type ConversationState = z.infer<typeof conversationStateSchema>;
export type PendingStep = Exclude<ConversationState, { step: "idle" }>;

export const IDLE: ConversationState = Object.freeze({ step: "idle" });

/** A pending question this old is no longer an answer's context. */
const PENDING_TTL_MS: Record<PendingStep["step"], number> = {
  await_consent: 24 * 3_600_000,
  await_proof: 24 * 3_600_000,
  confirm_delete: 30 * 60_000,
};

/** Validated state, or idle when the stored JSON is missing, malformed or expired. */
export function parseState(raw: unknown, now: Date): ConversationState {
  const parsed = conversationStateSchema.safeParse(raw);
  if (!parsed.success) return IDLE;
  const state = parsed.data;
  if (state.step === "idle") return state;
  const age = now.getTime() - Date.parse(state.since);
  return age <= PENDING_TTL_MS[state.step] ? state : IDLE;
}
