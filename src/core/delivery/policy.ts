// The delivery engine's decisions, as pure functions of (message, outcome, settings, now):
// whether a claimed message may be sent at all, and what a platform's answer means for it.
// No I/O, no clocks of their own: the worker (engine.ts) carries out what they return —
// pausing the channel, marking an account blocked, trying ZNS — and the queue SQL stores it.
import type { SendOutcome } from "./types.ts";
import { deferredUntil, type QuietWindow } from "./quiet-hours.ts";

export type FinalState = "failed" | "blocked" | "skipped" | "undeliverable";

export type Decision =
  | { kind: "sent"; platformMessageId: string | null }
  /** Back to the queue; `attempt: false` gives back the attempt the claim counted. */
  | { kind: "requeue"; notBefore: Date; attempt: boolean; error: string | null }
  | { kind: "final"; state: FinalState; error: string };

/** Side effects a decision asks the worker to carry out. */
export type Effect =
  /** A 429: no call on the channel before now + ms (shared with the other instances when the pace is). */
  | { kind: "pauseChannel"; ms: number }
  /** The user blocked the bot: suppress sends until they write again. */
  | { kind: "blockAccount"; reason: string }
  /** Zalo's window closed: try the ZNS template, if the message has one and a sender exists. */
  | { kind: "tryZns"; windowError: string };

export interface PolicySettings {
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  quietHours: QuietWindow | null;
  /** 0.8–1.2 spread of backoffs (injected so that tests are exact). */
  jitter?: () => number;
}

export interface MessageFacts {
  channel: "telegram" | "zalo" | "web";
  kind: string;
  attempts: number;
  urgent: boolean;
  blocked: { reason: string | null } | null;
  optedOut: boolean;
}

const MAX_ERROR = 500;

export function describeOutcome(o: { code?: string | undefined; message: string }): string {
  const s = o.code && !o.message.includes(o.code) ? `${o.code}: ${o.message}` : o.message;
  return s.length > MAX_ERROR ? s.slice(0, MAX_ERROR - 1) + "…" : s;
}

export function backoffMs(attempt: number, s: PolicySettings): number {
  const raw = Math.min(s.backoff.maxMs, s.backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (s.jitter ? s.jitter() : 0.8 + Math.random() * 0.4));
}

/** Before sending: a decision that ends or postpones the message, or null to go ahead. */
export function preflight(m: MessageFacts, s: PolicySettings, now: Date): Decision | null {
  if (m.attempts > s.maxAttempts) return { kind: "final", state: "failed", error: `gave up after ${s.maxAttempts} attempts` };
  if (m.blocked) return { kind: "final", state: "skipped", error: `blocked: ${m.blocked.reason ?? "the user blocked the bot"}` };
  if (m.kind === "broadcast" && !m.urgent && m.optedOut) return { kind: "final", state: "skipped", error: "opted out of announcements" };
  const until = deferredUntil(now, { channel: m.channel, kind: m.kind, urgent: m.urgent }, s.quietHours);
  if (until) return { kind: "requeue", notBefore: until, attempt: false, error: null };
  return null;
}

/** What the platform's answer to a send means for the message, and what else must happen. */
export function decide(m: Pick<MessageFacts, "attempts">, o: SendOutcome, s: PolicySettings, now: Date): { decision: Decision | null; effects: Effect[] } {
  if (o.ok) return { decision: { kind: "sent", platformMessageId: o.platformMessageId ?? null }, effects: [] };
  const error = describeOutcome(o);
  const later = (ms: number) => new Date(now.getTime() + ms);
  switch (o.kind) {
    case "rate_limited": {
      const wait = o.retryAfterMs ?? 1_000;
      return { decision: { kind: "requeue", notBefore: later(wait), attempt: false, error }, effects: [{ kind: "pauseChannel", ms: wait }] };
    }
    case "temporary":
      if (m.attempts >= s.maxAttempts) return { decision: { kind: "final", state: "failed", error: `${error} (after ${m.attempts} attempts)` }, effects: [] };
      return { decision: { kind: "requeue", notBefore: later(backoffMs(m.attempts, s)), attempt: true, error }, effects: [] };
    case "permanent":
      return { decision: { kind: "final", state: "failed", error }, effects: [] };
    case "blocked":
      return { decision: { kind: "final", state: "blocked", error }, effects: [{ kind: "blockAccount", reason: error }] };
    case "window_closed":
      // The worker decides with decideZns() once it knows whether a ZNS fallback exists.
      return { decision: null, effects: [{ kind: "tryZns", windowError: error }] };
  }
}

/** The answer to the ZNS fallback (or its absence) after a closed Zalo window. */
export function decideZns(m: Pick<MessageFacts, "attempts">, o: SendOutcome | "no_fallback", windowError: string, s: PolicySettings, now: Date): Decision {
  if (o === "no_fallback") return { kind: "final", state: "undeliverable", error: `window closed (${windowError})` };
  if (o.ok) return { kind: "sent", platformMessageId: `zns:${o.platformMessageId ?? ""}` };
  const error = `window closed; ZNS: ${describeOutcome(o)}`;
  switch (o.kind) {
    case "rate_limited":
      return { kind: "requeue", notBefore: new Date(now.getTime() + (o.retryAfterMs ?? 60_000)), attempt: false, error };
    case "temporary":
      if (m.attempts >= s.maxAttempts) return { kind: "final", state: "failed", error };
      return { kind: "requeue", notBefore: new Date(now.getTime() + backoffMs(m.attempts, s)), attempt: true, error };
    default:
      return { kind: "final", state: "undeliverable", error };
  }
}
