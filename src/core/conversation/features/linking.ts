// Linking a dossier: a code (typed, in /start, from a photo of the slip) → consent
// (Decree 13/2023) → proof of ownership (own phone shared, or the last four ID digits) →
// link and card. The answers depend only on the proof gate and the account's consent,
// never on whether the dossier exists.
import { formatLocal } from "../../calendar.ts";
import { decodeStartPayload } from "../../dossier-code.ts";
import { maskPhone } from "../../identity.ts";
import { t } from "../../i18n/index.ts";
import { encodeButton } from "../buttons.ts";
import { codeIn } from "../codes.ts";
import { IDLE } from "../state.ts";
import type { Proof } from "../store.ts";
import { say, withMenu, type Handler, type Turn } from "../turn.ts";
import type { Reply } from "../types.ts";
import { card, showCodes } from "./status.ts";
import { welcome } from "./greeting.ts";

export function consentPrompt(turn: Turn, code: string): Reply {
  return say(turn, "consent-request", { code }, [
    [
      { label: t(turn.lang, "consent-yes"), data: encodeButton({ kind: "consent", accept: true }) },
      { label: t(turn.lang, "consent-no"), data: encodeButton({ kind: "consent", accept: false }) },
    ],
  ]);
}

/** Every answer in the proof step keeps the share-phone button at hand. */
export function proofReply(turn: Turn, id: string, args: Record<string, string | number>): Reply {
  return { kind: "request_phone", text: t(turn.lang, id, args), buttonLabel: t(turn.lang, "proof-share-phone") };
}

function held(turn: Turn, code: string, gate: { kind: "locked" | "wait"; until: Date }): Reply {
  return gate.kind === "locked" ? say(turn, "proof-locked", { code, until: formatLocal(gate.until) }) : proofReply(turn, "proof-wait", { code, until: formatLocal(gate.until) });
}

/** A code to link: consent first (once per account), then the proof. */
export async function startLink(turn: Turn, code: string): Promise<Reply[]> {
  const gate = await turn.store.proofGate(turn.account, code, null, turn.now);
  if (gate.kind === "locked") {
    turn.state = IDLE;
    return [held(turn, code, gate)];
  }
  const since = turn.now.toISOString();
  if (!turn.account.consentAt) {
    turn.state = { step: "await_consent", code, since };
    return [consentPrompt(turn, code)];
  }
  turn.state = { step: "await_proof", code, since };
  return [gate.kind === "wait" ? held(turn, code, gate) : proofReply(turn, "proof-request", { code })];
}

export async function answerConsent(turn: Turn, accept: boolean): Promise<Reply[]> {
  const st = turn.state;
  if (st.step !== "await_consent") return [withMenu(turn, "button-invalid")];
  turn.state = IDLE;
  // Refusal stores nothing: the pending code is dropped with the state.
  if (!accept) return [withMenu(turn, "consent-refused")];
  await turn.store.recordConsent(turn.account.id, turn.now, turn.message.displayName ?? null);
  turn.account.consentAt = turn.now;
  const gate = await turn.store.proofGate(turn.account, st.code, null, turn.now);
  if (gate.kind === "locked") return [held(turn, st.code, gate)];
  turn.state = { step: "await_proof", code: st.code, since: turn.now.toISOString() };
  return [say(turn, "consent-thanks"), gate.kind === "wait" ? held(turn, st.code, gate) : proofReply(turn, "proof-request", { code: st.code })];
}

export async function prove(turn: Turn, proof: Proof): Promise<Reply[]> {
  const st = turn.state;
  if (st.step !== "await_proof") return [withMenu(turn, "not-understood")];
  const consentAt = turn.account.consentAt;
  // Consent withdrawn meanwhile (e.g. "delete my data" from another device): ask again.
  if (!consentAt) {
    turn.state = { step: "await_consent", code: st.code, since: turn.now.toISOString() };
    return [consentPrompt(turn, st.code)];
  }
  const r = await turn.store.prove({ id: turn.account.id, channel: turn.channel, consentAt }, st.code, proof, turn.lang, turn.now);
  switch (r.kind) {
    case "locked":
      turn.state = IDLE;
      return [held(turn, st.code, r)];
    case "wait":
      return [held(turn, st.code, r)];
    case "wrong":
      return [proofReply(turn, "proof-wrong", { code: st.code, left: r.attemptsLeft })];
    case "linked": {
      turn.state = IDLE;
      turn.account.citizenId = r.citizenId;
      if (!turn.account.citizenChannels.includes(turn.channel)) turn.account.citizenChannels.push(turn.channel);
      const done =
        r.phone !== null ? say(turn, "link-success-phone", { code: st.code, phone: maskPhone(r.phone) }) : say(turn, "link-success-id", { code: st.code });
      const c = await card(turn, r.dossierId);
      return c ? [done, c] : [done];
    }
  }
}

function badCode(turn: Turn, reason: string): Reply {
  const hint = t(turn.lang, `link-bad-code-${reason}`);
  const text = [t(turn.lang, "link-bad-code"), ...(hint.startsWith("link-bad-code-") ? [] : [hint])].join("\n");
  return { kind: "text", text };
}

export const linking: Handler = async (turn, next) => {
  const intent = turn.understanding.intent;
  switch (intent.kind) {
    case "start": {
      const code = intent.payload ? (decodeStartPayload(intent.payload) ?? codeIn(intent.payload)) : null;
      return code ? showCodes(turn, [code]) : welcome(turn);
    }
    case "photo":
      // A photo of the receipt slip continues as if its QR link had been opened.
      if (intent.payload) {
        const code = decodeStartPayload(intent.payload) ?? codeIn(intent.payload);
        if (code) return showCodes(turn, [code]);
      }
      return [withMenu(turn, "link-ask-code")];
    case "bad_code":
      return [badCode(turn, intent.reason)];
    case "link":
      if (turn.understanding.band !== "act") return next();
      return intent.codes.length > 0 ? showCodes(turn, intent.codes) : [say(turn, "link-ask-code")];
    case "contact":
      // Consent and a code come first; a number shared out of turn is not used.
      return [withMenu(turn, "contact-unexpected")];
    default:
      return next();
  }
};
