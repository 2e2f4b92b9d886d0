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

/**
 * A code to link: consent first (once per account), then the proof. `slip`: the code came
 * with a genuine receipt-slip token and SLIP_PROOF is on — the slip is the proof.
 */
export async function startLink(turn: Turn, code: string, slip = false): Promise<Reply[]> {
  const gate = await turn.store.proofGate(turn.account, code, slip ? "phone" : null, turn.now);
  if (gate.kind === "locked") {
    turn.state = IDLE;
    return [held(turn, code, gate)];
  }
  const since = turn.now.toISOString();
  if (!turn.account.consentAt) {
    turn.state = slip ? { step: "await_consent", code, since, slip: true } : { step: "await_consent", code, since };
    return [consentPrompt(turn, code)];
  }
  if (slip) {
    turn.state = { step: "await_proof", code, since };
    return prove(turn, { kind: "receipt_slip" });
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
  if (st.slip) {
    turn.state = { step: "await_proof", code: st.code, since: turn.now.toISOString() };
    return [say(turn, "consent-thanks"), ...(await prove(turn, { kind: "receipt_slip" }))];
  }
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
        r.phone !== null
          ? say(turn, "link-success-phone", { code: st.code, phone: maskPhone(r.phone) })
          : say(turn, r.verifiedBy === "receipt_slip" ? "link-success-slip" : "link-success-id", { code: st.code });
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

/**
 * A /start payload or what a photo of the slip held: a signed slip token (the QR of the
 * slip), the plain code payload, or a code. Forged, altered and expired tokens are answered
 * like a code that does not exist: ask for the code printed on the slip.
 */
async function fromPayload(turn: Turn, payload: string): Promise<Reply[] | null> {
  const slip = turn.env.slip;
  if (slip?.looksLikeToken(payload)) {
    const code = slip.verify(payload, turn.now);
    if (!code) return [withMenu(turn, "slip-invalid")];
    return slipCode(turn, code);
  }
  const code = decodeStartPayload(payload) ?? codeIn(payload);
  return code ? showCodes(turn, [code]) : null;
}

/** A code that came with a genuine slip: the card when already linked, else linking with the slip as proof. */
async function slipCode(turn: Turn, code: string): Promise<Reply[]> {
  const citizenId = turn.account.citizenId;
  if (citizenId !== null && (await turn.store.linkedDossiers(citizenId)).some((d) => d.code === code)) return showCodes(turn, [code]);
  return startLink(turn, code, turn.env.slip?.proof ?? false);
}

/** A short slip code typed as a message (Zalo has no start payload): a slip, or a wrong guess that counts. */
async function shortCode(turn: Turn, short: string): Promise<Reply[]> {
  const slip = turn.env.slip!;
  const code = await slip.lookupShortCode(short, turn.now);
  if (code) return slipCode(turn, code);
  const r = await turn.store.recordWrongSlipCode(turn.account, short, turn.now);
  if (r.kind === "locked") return [say(turn, "proof-locked", { code: short, until: formatLocal(r.until) })];
  return [say(turn, "slip-code-wrong", { code: short, left: r.attemptsLeft })];
}

export const linking: Handler = async (turn, next) => {
  const intent = turn.understanding.intent;
  const input = turn.message.input;
  if (input.kind === "text" && turn.env.slip && turn.state.step === "idle") {
    const short = turn.env.slip.shortCodeOf(input.text);
    if (short) return shortCode(turn, short);
  }
  switch (intent.kind) {
    case "start": {
      const replies = intent.payload ? await fromPayload(turn, intent.payload) : null;
      return replies ?? welcome(turn);
    }
    case "photo": {
      // A photo of the receipt slip continues as if its QR link had been opened.
      const replies = intent.payload ? await fromPayload(turn, intent.payload) : null;
      return replies ?? [withMenu(turn, "photo-unreadable")];
    }
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
