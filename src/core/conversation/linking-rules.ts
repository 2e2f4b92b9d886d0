// When an ownership proof may be tried. Failed proofs are counted per (dossier code, chat
// account) and per account across codes, so that a stranger's wrong guesses lock the
// stranger, not the owner. A code that many accounts guess wrongly slows down for every
// ID-digit guess (exponential backoff) — but a shared phone contact, which the platform
// vouches for and a stranger cannot forge, is never held back by other people's failures.
// Unknown codes count exactly like known ones, so the answers reveal nothing.

export const PROOF_LIMITS = {
  /** Failed proofs of one code from one chat account per local day. */
  perCodeAndAccount: 5,
  /** Failed proofs from one chat account per local day, whatever the code. */
  perAccount: 10,
  /** Failed ID-digit proofs of one code per local day (all accounts) before backoff starts. */
  perCodeBeforeBackoff: 10,
  backoffBaseMs: 60_000,
  backoffMaxMs: 3_600_000,
} as const;

export type ProofKind = "phone" | "id_last4";

export interface ProofCounts {
  /** Failures today of this code from this account. */
  codeAndAccount: number;
  /** Failures today from this account (any code). */
  account: number;
  /** Failures today of this code from every account. */
  code: number;
  /** The latest failure of this code (any account). */
  lastCodeFailureAt: Date | null;
}

export type ProofGate =
  | { kind: "open"; attemptsLeft: number }
  /** This account may not try again today (for this code, or at all). */
  | { kind: "locked"; until: Date }
  /** Too many wrong ID digits for this code from everyone: wait a little. */
  | { kind: "wait"; until: Date };

export function proofGate(counts: ProofCounts, proof: ProofKind | null, dayEnd: Date, now: Date): ProofGate {
  const left = Math.min(PROOF_LIMITS.perCodeAndAccount - counts.codeAndAccount, PROOF_LIMITS.perAccount - counts.account);
  if (left <= 0) return { kind: "locked", until: dayEnd };
  if (proof !== "phone" && counts.code >= PROOF_LIMITS.perCodeBeforeBackoff && counts.lastCodeFailureAt) {
    const over = counts.code - PROOF_LIMITS.perCodeBeforeBackoff;
    const delay = Math.min(PROOF_LIMITS.backoffBaseMs * 2 ** Math.min(over, 20), PROOF_LIMITS.backoffMaxMs);
    const until = new Date(counts.lastCodeFailureAt.getTime() + delay);
    if (until > now) return { kind: "wait", until };
  }
  return { kind: "open", attemptsLeft: left };
}

/** What a wrong proof leaves the account: attempts left today, or locked until the day ends. */
export function afterFailure(counts: ProofCounts, dayEnd: Date): { kind: "wrong"; attemptsLeft: number } | { kind: "locked"; until: Date } {
  const left = Math.min(PROOF_LIMITS.perCodeAndAccount - counts.codeAndAccount - 1, PROOF_LIMITS.perAccount - counts.account - 1);
  return left > 0 ? { kind: "wrong", attemptsLeft: left } : { kind: "locked", until: dayEnd };
}
