// What the conversation reads and writes, as a small port: one implementation over the
// database (prisma-store.ts) and one in memory (memory-store.ts) so that conversation tests
// run without a database. test/conversation/store-contract.test.ts holds both to the same
// behaviour.
import type { OwnershipProof } from "../../generated/prisma/enums.ts";
import type { ChatChannel, NoticeChannel } from "../kernel/channels.ts";
import type { Lang } from "../kernel/lang.ts";
import type { CitizenDossier } from "./citizen-view.ts";
import type { ConversationState } from "./state.ts";

export interface AccountRecord {
  id: number;
  channel: ChatChannel;
  platformUserId: string;
  /** null until the account has linked a dossier. */
  citizenId: number | null;
  /** The chat's language: chosen, or the language the citizen last wrote in. */
  language: Lang | null;
  languageChosen: boolean;
  consentAt: Date | null;
  optedOutAt: Date | null;
  /** Stored conversation state as JSON (validated by parseState); null when idle. */
  state: unknown;
  /** Chat channels of all accounts of the same citizen (this one included). */
  citizenChannels: ChatChannel[];
  /**
   * When the citizen last answered a survey question that is still waiting for the next one
   * (null: none): the survey's free-text comment is only looked for shortly after an answer.
   */
  lastSurveyAnswerAt: Date | null;
  /**
   * Only when touchAccount was asked `withCards`: the citizen's linked dossiers as the status
   * card shows them, in link order, read in the same statement as the account (empty without a
   * citizen). A status question then needs no second read. Dropped as soon as the turn writes
   * anything that could change them (see turnStore in index.ts).
   */
  linkedCards?: CitizenDossier[];
}

export interface LinkedDossier {
  id: number;
  code: string;
  procedureName: string;
  status: number;
}

export interface UnitContact {
  name: string;
  hotline: string | null;
  address: string | null;
  openingHours: string | null;
}

/** `receipt_slip`: the citizen arrived through the signed token of the slip the counter handed them. */
export type Proof = { kind: "phone"; phone: string } | { kind: "id_last4"; digits: string } | { kind: "receipt_slip" };

export type ProofOutcome =
  | { kind: "linked"; dossierId: number; citizenId: number; verifiedBy: OwnershipProof; phone: string | null }
  | { kind: "wrong"; attemptsLeft: number }
  | { kind: "locked"; until: Date }
  | { kind: "wait"; until: Date };

export interface ErasureReport {
  /** Codes of the dossier links removed (the dossiers themselves belong to the agency). */
  unlinkedCodes: string[];
  conversationDeleted: boolean;
  attemptsDeleted: number;
  /**
   * Today's failed proofs stay until the day ends: deleting them would reset the limits and
   * let anyone guess ID digits without end by deleting and retrying.
   */
  failedAttemptsKept: number;
  attemptsKeptUntil: Date;
  /** The citizen row was deleted (with its proven phone, shown masked in the report). */
  citizenDeleted: boolean;
  citizenPhone: string | null;
  /** The citizen row stays because another channel account of the person still uses it. */
  citizenKeptForOtherAccounts: boolean;
  consentWithdrawn: boolean;
  /** Unrecognised messages of this chat (the learning loop) deleted. */
  messagesDeleted: number;
}

export interface UnrecognisedEntry {
  accountId: number;
  channel: ChatChannel;
  /** Already masked. */
  text: string;
  guessed: string;
  confidence: number;
  band: "clarify" | "fallback";
  language: Lang | null;
  at: Date;
}

export interface ConversationStore {
  /** The account of a platform user, created on first contact; records the inbound instant. */
  touchAccount(channel: ChatChannel, platformUserId: string, at: Date, opts?: { withCards?: boolean }): Promise<AccountRecord>;
  /** Stores the state (null or idle: no pending question). */
  saveState(accountId: number, state: ConversationState | null): Promise<void>;
  /** The chat's language; `chosen` when the citizen asked for it. Also the citizen's, when linked. */
  setLanguage(account: { id: number; citizenId: number | null }, lang: Lang, chosen: boolean): Promise<void>;
  recordConsent(accountId: number, at: Date, displayName: string | null): Promise<void>;
  /** Stops (an instant; the first one is kept) or resumes (null) announcements. */
  setOptedOut(accountId: number, at: Date | null): Promise<void>;

  linkedDossiers(citizenId: number): Promise<LinkedDossier[]>;
  /** The citizen's linked dossiers as the citizen may see them, in link order (one query). */
  linkedCards(citizenId: number): Promise<CitizenDossier[]>;
  /** A dossier the citizen has linked, as the citizen may see it; null when not linked. */
  citizenDossier(citizenId: number, dossierId: number): Promise<CitizenDossier | null>;
  /** Audit of a status card shown to a citizen. */
  recordCardView(citizenId: number, code: string, channel: ChatChannel): Promise<void>;
  /** Contacts of the units of the citizen's linked dossiers (empty when none). */
  unitContacts(citizenId: number | null): Promise<UnitContact[]>;
  /** Removes a link (audited); the code, or null when there was no such link. */
  unlink(citizenId: number, dossierId: number, channel: ChatChannel): Promise<string | null>;

  /** Whether proving `code` from this account is held back now. */
  proofGate(account: { id: number; channel: ChatChannel }, code: string, proof: "phone" | "id_last4" | null, now: Date): Promise<{ kind: "open" } | { kind: "locked" | "wait"; until: Date }>;
  /** Checks a proof, records the attempt and on success links the dossier (one transaction). */
  prove(account: { id: number; channel: ChatChannel; consentAt: Date }, code: string, proof: Proof, lang: Lang, now: Date): Promise<ProofOutcome>;
  /** A short slip code that matched no slip: counted against the account's limits like a wrong proof. */
  recordWrongSlipCode(account: { id: number; channel: ChatChannel }, shortCode: string, now: Date): Promise<{ kind: "wrong"; attemptsLeft: number } | { kind: "locked"; until: Date }>;
  /** Deletes what the chat holds about the person ("xóa dữ liệu"). */
  erase(accountId: number, now: Date): Promise<ErasureReport>;

  noticeChannels(citizenId: number): Promise<NoticeChannel[]>;
  noticeChoice(citizenId: number): Promise<NoticeChannel | null>;
  setNoticeChoice(citizenId: number, choice: NoticeChannel | null): Promise<void>;

  recordUnrecognised(entry: UnrecognisedEntry): Promise<void>;
}
