// Answers to the question the bot is waiting for: consent, the ownership proof, "delete my
// data?". A pending question never survives a new command, a menu press or a clear new
// request; a language switch keeps it (and asks it again in the new language); anything
// else unclear gets the question again.
import { IDLE } from "../state.ts";
import { withMenu, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";
import { answerDelete, askDelete } from "./erase.ts";
import { notUnderstood } from "./fallback.ts";
import { answerConsent, consentPrompt, proofReply, prove } from "./linking.ts";

/** The pending question again (after an answer that did not fit it). */
export async function reprompt(turn: Turn): Promise<Reply[]> {
  const st = turn.state;
  switch (st.step) {
    case "await_consent":
      return [consentPrompt(turn, st.code)];
    case "await_proof":
      return [proofReply(turn, "proof-request", { code: st.code })];
    case "confirm_delete":
      return askDelete(turn);
    case "idle":
      return [await notUnderstood(turn)];
  }
}

/** Kinds that are no new request of their own while a question is pending. */
const NOT_A_REQUEST = new Set(["unknown", "greeting", "thanks", "yes", "no", "proof_digits", "number", "contact", "feedback"]);

function isNewRequest(turn: Turn): boolean {
  const input = turn.message.input.kind;
  const u = turn.understanding;
  if (input === "command" || input === "photo") return true;
  if (input === "button") return u.intent.kind !== "invalid_button" && u.intent.kind !== "survey";
  return u.band === "act" && !NOT_A_REQUEST.has(u.intent.kind);
}

/** A bare "dừng" / "stop" inside a question means "cancel this", not "stop announcements". */
function isShortStop(turn: Turn): boolean {
  const input = turn.message.input;
  return turn.understanding.intent.kind === "stop" && input.kind === "text" && input.text.trim().split(/\s+/).length <= 2;
}

export const pending: Handler = async (turn, next) => {
  const intent = turn.understanding.intent;
  const st = turn.state;
  // A consent or delete button only answers its own question.
  if ((intent.kind === "yes" || intent.kind === "no") && intent.to) {
    if (intent.to === "consent") return st.step === "await_consent" ? answerConsent(turn, intent.kind === "yes") : [withMenu(turn, "button-invalid")];
    return st.step === "confirm_delete" ? answerDelete(turn, intent.kind === "yes") : [withMenu(turn, "button-invalid")];
  }
  if (st.step === "idle") return next();
  // A typed yes/no answers the question only when it was clearly one: consent must not be guessed.
  const clear = turn.message.input.kind !== "text" || turn.understanding.band === "act";

  switch (st.step) {
    case "await_consent":
      if ((intent.kind === "yes" || intent.kind === "no") && clear) return answerConsent(turn, intent.kind === "yes");
      // Consent comes first; a number shared before it is not used.
      if (intent.kind === "contact") return reprompt(turn);
      break;
    case "await_proof":
      if (intent.kind === "proof_digits") return prove(turn, { kind: "id_last4", digits: intent.digits });
      if (intent.kind === "number") return [proofReply(turn, "proof-digits-format", {})];
      if (intent.kind === "contact") return intent.own ? prove(turn, { kind: "phone", phone: intent.phone }) : [proofReply(turn, "proof-not-own", {})];
      if (intent.kind === "no" && clear) {
        turn.state = IDLE;
        return [withMenu(turn, "cancelled")];
      }
      break;
    case "confirm_delete":
      if ((intent.kind === "yes" || intent.kind === "no") && clear) return answerDelete(turn, intent.kind === "yes");
      break;
  }
  if ((intent.kind === "cancel" && clear) || isShortStop(turn)) {
    turn.state = IDLE;
    return [withMenu(turn, st.step === "confirm_delete" ? "delete-cancelled" : "cancelled")];
  }
  if (intent.kind === "language") return next();
  if (isNewRequest(turn)) {
    turn.state = IDLE;
    return next();
  }
  return reprompt(turn);
};
