// What one input asks for, after understanding: free text (through the classifier),
// a button, a command, a shared contact or a photo all become one of these.
import type { DossierCodeError } from "../../dossier-code.ts";
import type { Lang } from "../../kernel/lang.ts";
import type { NoticeChoice } from "../buttons.ts";

export type Intent =
  /** The status card of linked dossiers (these codes, this dossier, or all of them). */
  | { kind: "status"; codes: string[]; dossierId?: number }
  | { kind: "link"; codes: string[] }
  | { kind: "unlink"; codes: string[]; dossierId?: number }
  | { kind: "delete" }
  | { kind: "help" }
  | { kind: "staff" }
  | { kind: "hours" }
  | { kind: "address" }
  /** Where notices go; null: asks about it without choosing. */
  | { kind: "notices"; choice: NoticeChoice | null }
  | { kind: "stop" }
  | { kind: "resume" }
  /** Switch language; null: asks without saying which. */
  | { kind: "language"; lang: Lang | null }
  | { kind: "greeting" }
  | { kind: "thanks" }
  /** Yes / no to the pending question; `to` names it when a button said so. */
  | { kind: "yes"; to?: "consent" | "delete" }
  | { kind: "no"; to?: "consent" | "delete" }
  | { kind: "cancel" }
  | { kind: "feedback"; dossierId?: number }
  | { kind: "out_of_scope" }
  /** A message that is nothing but dossier code(s). */
  | { kind: "codes"; codes: string[] }
  /** Typed like a dossier code but not a valid one. */
  | { kind: "bad_code"; reason: DossierCodeError }
  /** Exactly four digits: the ID-card proof. */
  | { kind: "proof_digits"; digits: string }
  /** Only digits, but not four of them (a whole ID number, a phone number). */
  | { kind: "number" }
  | { kind: "contact"; phone: string; own: boolean }
  | { kind: "menu" }
  /** /start, with the deep-link payload if any (a code or a signed slip token). */
  | { kind: "start"; payload: string | null }
  /** A photo (of the receipt slip): what was decoded from it, or null when nothing was. */
  | { kind: "photo"; payload: string | null }
  /** A survey button (handled by the survey feature). */
  | { kind: "survey"; data: string }
  | { kind: "invalid_button" }
  | { kind: "unknown" };

export type IntentKind = Intent["kind"];
