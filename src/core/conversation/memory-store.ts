// The conversation store in memory: for tests of the conversation that need no database,
// and a readable statement of what the store promises. test/conversation/store-contract.test.ts
// runs the same scenarios against this and the database store.
import type { OwnershipProof } from "../../generated/prisma/enums.ts";
import { normalizePhone } from "../identity.ts";
import { CHAT_CHANNELS, NOTICE_CHANNELS, type ChatChannel, type NoticeChannel } from "../kernel/channels.ts";
import type { Lang } from "../kernel/lang.ts";
import type { CitizenDossier } from "./citizen-view.ts";
import { afterFailure, proofGate } from "./linking-rules.ts";
import { localDay } from "./prisma-store.ts";
import type { ConversationState } from "./state.ts";
import type { AccountRecord, ConversationStore, ErasureReport, LinkedDossier, Proof, ProofOutcome, UnitContact, UnrecognisedEntry } from "./store.ts";

export interface MemoryDossier {
  dossier: CitizenDossier;
  applicantPhone: string | null;
  /** The last four ID digits (kept in clear here: this store is for tests). */
  idLast4: string | null;
  demo: boolean;
}

interface Account {
  id: number;
  channel: ChatChannel;
  platformUserId: string;
  citizenId: number | null;
  language: Lang | null;
  languageChosen: boolean;
  consentAt: Date | null;
  displayName: string | null;
  optedOutAt: Date | null;
  lastInboundAt: Date;
}

interface Citizen {
  id: number;
  phone: string | null;
  language: Lang;
  noticeChannel: NoticeChannel | null;
}

interface Link {
  citizenId: number;
  dossierId: number;
  verifiedBy: OwnershipProof;
  consentAt: Date;
}

export interface AuditEntry {
  actor: string;
  action: string;
  target: string | null;
}

export class MemoryConversationStore implements ConversationStore {
  readonly accounts = new Map<number, Account>();
  readonly citizens = new Map<number, Citizen>();
  readonly states = new Map<number, ConversationState>();
  readonly links: Link[] = [];
  readonly attempts: { code: string; accountId: number; success: boolean; at: Date }[] = [];
  readonly dossiers = new Map<number, MemoryDossier>();
  readonly audit: AuditEntry[] = [];
  readonly unrecognised: UnrecognisedEntry[] = [];
  private nextId = 1;

  /** Adds a dossier as the provincial software would have synced it. */
  addDossier(d: MemoryDossier): void {
    this.dossiers.set(d.dossier.id, d);
  }

  private id(): number {
    return this.nextId++;
  }

  private record(a: Account): AccountRecord {
    const citizen = a.citizenId === null ? undefined : this.citizens.get(a.citizenId);
    const channels = a.citizenId === null ? [a.channel] : CHAT_CHANNELS.filter((c) => [...this.accounts.values()].some((x) => x.citizenId === a.citizenId && x.channel === c));
    return {
      id: a.id,
      channel: a.channel,
      platformUserId: a.platformUserId,
      citizenId: a.citizenId,
      language: a.language ?? citizen?.language ?? null,
      languageChosen: a.languageChosen,
      consentAt: a.consentAt,
      optedOutAt: a.optedOutAt,
      state: this.states.get(a.id) ?? null,
      citizenChannels: channels,
      lastSurveyAnswerAt: null,
    };
  }

  private account(id: number): Account {
    const a = this.accounts.get(id);
    if (!a) throw new Error(`no account ${id}`);
    return a;
  }

  async touchAccount(channel: ChatChannel, platformUserId: string, at: Date, opts: { withCards?: boolean } = {}): Promise<AccountRecord> {
    let a = [...this.accounts.values()].find((x) => x.channel === channel && x.platformUserId === platformUserId);
    if (!a) {
      a = { id: this.id(), channel, platformUserId, citizenId: null, language: null, languageChosen: false, consentAt: null, displayName: null, optedOutAt: null, lastInboundAt: at };
      this.accounts.set(a.id, a);
    }
    a.lastInboundAt = at;
    const record = this.record(a);
    if (opts.withCards) record.linkedCards = a.citizenId === null ? [] : await this.linkedCards(a.citizenId);
    return record;
  }

  async saveState(accountId: number, state: ConversationState | null): Promise<void> {
    if (!state || state.step === "idle") this.states.delete(accountId);
    else this.states.set(accountId, structuredClone(state));
  }

  async setLanguage(account: { id: number; citizenId: number | null }, lang: Lang, chosen: boolean): Promise<void> {
    const a = this.account(account.id);
    a.language = lang;
    if (chosen) a.languageChosen = true;
    const c = account.citizenId === null ? undefined : this.citizens.get(account.citizenId);
    if (c) c.language = lang;
  }

  async recordConsent(accountId: number, at: Date, displayName: string | null): Promise<void> {
    const a = this.account(accountId);
    a.consentAt = at;
    a.displayName = displayName;
  }

  async setOptedOut(accountId: number, at: Date | null): Promise<void> {
    const a = this.account(accountId);
    a.optedOutAt = at ? (a.optedOutAt ?? at) : null;
  }

  async linkedDossiers(citizenId: number): Promise<LinkedDossier[]> {
    return this.links
      .filter((l) => l.citizenId === citizenId)
      .map((l) => this.dossiers.get(l.dossierId)!.dossier)
      .map((d) => ({ id: d.id, code: d.code, status: d.status, procedureName: d.procedure.name }));
  }

  async linkedCards(citizenId: number): Promise<CitizenDossier[]> {
    return this.links.filter((l) => l.citizenId === citizenId).map((l) => structuredClone(this.dossiers.get(l.dossierId)!.dossier));
  }

  async citizenDossier(citizenId: number, dossierId: number): Promise<CitizenDossier | null> {
    const linked = this.links.some((l) => l.citizenId === citizenId && l.dossierId === dossierId);
    return linked ? structuredClone(this.dossiers.get(dossierId)!.dossier) : null;
  }

  async recordCardView(citizenId: number, code: string): Promise<void> {
    this.audit.push({ actor: `citizen:${citizenId}`, action: "dossier.view", target: code });
  }

  async unitContacts(citizenId: number | null): Promise<UnitContact[]> {
    if (citizenId === null) return [];
    const units = new Map<number, UnitContact>();
    for (const l of this.links.filter((x) => x.citizenId === citizenId)) {
      const u = this.dossiers.get(l.dossierId)!.dossier.unit;
      units.set(u.id, { name: u.name, hotline: u.hotline, address: u.address, openingHours: u.openingHours });
    }
    return [...units.entries()].sort(([a], [b]) => a - b).map(([, u]) => u);
  }

  async unlink(citizenId: number, dossierId: number): Promise<string | null> {
    const k = this.links.findIndex((l) => l.citizenId === citizenId && l.dossierId === dossierId);
    if (k < 0) return null;
    this.links.splice(k, 1);
    const code = this.dossiers.get(dossierId)!.dossier.code;
    this.audit.push({ actor: `citizen:${citizenId}`, action: "dossier.unlink", target: code });
    return code;
  }

  private counts(accountId: number, code: string, now: Date) {
    const since = localDay(now).start;
    const failed = this.attempts.filter((a) => !a.success && a.at >= since);
    const ofCode = failed.filter((a) => a.code === code);
    return {
      codeAndAccount: ofCode.filter((a) => a.accountId === accountId).length,
      account: failed.filter((a) => a.accountId === accountId).length,
      code: ofCode.length,
      lastCodeFailureAt: ofCode.reduce<Date | null>((m, a) => (m && m > a.at ? m : a.at), null),
    };
  }

  async proofGate(account: { id: number }, code: string, proof: "phone" | "id_last4" | null, now: Date) {
    const gate = proofGate(this.counts(account.id, code, now), proof, localDay(now).end, now);
    return gate.kind === "open" ? { kind: "open" as const } : gate;
  }

  async prove(account: { id: number; channel: ChatChannel; consentAt: Date }, code: string, proof: Proof, lang: Lang, now: Date): Promise<ProofOutcome> {
    const day = localDay(now);
    const counts = this.counts(account.id, code, now);
    const gate = proofGate(counts, proof.kind === "phone" || proof.kind === "receipt_slip" ? "phone" : "id_last4", day.end, now);
    if (gate.kind !== "open") return gate;
    const found = [...this.dossiers.values()].find((d) => d.dossier.code === code);
    const web = account.channel === "web";
    const dossier = found && (!web || found.demo) ? found : null;
    const provenPhone = proof.kind === "phone" ? normalizePhone(proof.phone) : null;
    const ok =
      dossier !== null &&
      (proof.kind === "phone"
        ? provenPhone !== null && provenPhone === dossier.applicantPhone
        : proof.kind === "id_last4"
          ? dossier.idLast4 !== null && proof.digits === dossier.idLast4
          : true);
    if (!web || dossier) this.attempts.push({ code, accountId: account.id, success: ok, at: now });
    if (!ok || !dossier) {
      return afterFailure(counts, day.end);
    }
    const citizenId = this.attach(account.id, provenPhone, lang);
    const verifiedBy: OwnershipProof = proof.kind === "phone" ? (account.channel === "zalo" ? "zalo_phone" : "phone_contact") : proof.kind;
    if (!this.links.some((l) => l.citizenId === citizenId && l.dossierId === dossier.dossier.id)) this.links.push({ citizenId, dossierId: dossier.dossier.id, verifiedBy, consentAt: account.consentAt });
    this.audit.push({ actor: `citizen:${citizenId}`, action: "dossier.link", target: code });
    return { kind: "linked", dossierId: dossier.dossier.id, citizenId, verifiedBy, phone: provenPhone };
  }

  /** Same rules as the database store: a proven phone joins the accounts of one person. */
  private attach(accountId: number, phone: string | null, lang: Lang): number {
    const a = this.account(accountId);
    const owner = phone ? [...this.citizens.values()].find((c) => c.phone === phone) : undefined;
    const current = a.citizenId === null ? undefined : this.citizens.get(a.citizenId);
    let citizenId: number;
    if (!current) {
      if (owner) citizenId = owner.id;
      else {
        citizenId = this.id();
        this.citizens.set(citizenId, { id: citizenId, phone, language: lang, noticeChannel: null });
      }
    } else if (phone && !owner && current.phone === null) {
      current.phone = phone;
      citizenId = current.id;
    } else if (owner && owner.id !== current.id && current.phone === null) {
      for (const l of this.links.filter((x) => x.citizenId === current.id)) {
        if (!this.links.some((x) => x.citizenId === owner.id && x.dossierId === l.dossierId)) this.links.push({ ...l, citizenId: owner.id });
      }
      for (let k = this.links.length - 1; k >= 0; k--) if (this.links[k]!.citizenId === current.id) this.links.splice(k, 1);
      for (const x of this.accounts.values()) if (x.citizenId === current.id) x.citizenId = owner.id;
      this.citizens.delete(current.id);
      citizenId = owner.id;
    } else citizenId = current.id;
    a.citizenId = citizenId;
    return citizenId;
  }

  async recordWrongSlipCode(account: { id: number }, shortCode: string, now: Date) {
    const code = `slip:${shortCode}`;
    const day = localDay(now);
    const counts = this.counts(account.id, code, now);
    const gate = proofGate(counts, "phone", day.end, now);
    if (gate.kind === "locked") return gate;
    this.attempts.push({ code, accountId: account.id, success: false, at: now });
    return afterFailure(counts, day.end);
  }

  async erase(accountId: number, now: Date): Promise<ErasureReport> {
    const today = localDay(now);
    const a = this.account(accountId);
    const citizen = a.citizenId === null ? undefined : this.citizens.get(a.citizenId);
    const links = citizen ? this.links.filter((l) => l.citizenId === citizen.id) : [];
    const codes = links.map((l) => this.dossiers.get(l.dossierId)!.dossier.code);
    for (let k = this.links.length - 1; k >= 0; k--) if (citizen && this.links[k]!.citizenId === citizen.id) this.links.splice(k, 1);
    const conversationDeleted = this.states.delete(accountId);
    const keep = (x: { accountId: number; success: boolean; at: Date }) => x.accountId !== accountId || (!x.success && x.at >= today.start);
    const before = this.attempts.length;
    const kept = this.attempts.filter(keep);
    this.attempts.splice(0, this.attempts.length, ...kept);
    const failedKept = kept.filter((x) => x.accountId === accountId).length;
    const messagesBefore = this.unrecognised.length;
    const remaining = this.unrecognised.filter((m) => m.accountId !== accountId);
    this.unrecognised.splice(0, this.unrecognised.length, ...remaining);
    let citizenDeleted = false;
    let citizenKept = false;
    if (citizen) {
      const others = [...this.accounts.values()].some((x) => x.citizenId === citizen.id && x.id !== accountId);
      if (others) citizenKept = true;
      else {
        this.citizens.delete(citizen.id);
        citizenDeleted = true;
      }
    }
    const consentWithdrawn = a.consentAt !== null;
    a.citizenId = null;
    a.consentAt = null;
    a.displayName = null;
    this.audit.push({ actor: citizen ? `citizen:${citizen.id}` : `channel-account:${accountId}`, action: "citizen.erase", target: `channel-account:${accountId}` });
    return {
      unlinkedCodes: codes,
      conversationDeleted,
      attemptsDeleted: before - kept.length,
      failedAttemptsKept: failedKept,
      attemptsKeptUntil: today.end,
      citizenDeleted,
      citizenPhone: citizenDeleted ? (citizen?.phone ?? null) : null,
      citizenKeptForOtherAccounts: citizenKept,
      consentWithdrawn,
      messagesDeleted: messagesBefore - remaining.length,
    };
  }

  async noticeChannels(citizenId: number): Promise<NoticeChannel[]> {
    return NOTICE_CHANNELS.filter((c) => [...this.accounts.values()].some((a) => a.citizenId === citizenId && a.channel === c));
  }

  async noticeChoice(citizenId: number): Promise<NoticeChannel | null> {
    return this.citizens.get(citizenId)?.noticeChannel ?? null;
  }

  async setNoticeChoice(citizenId: number, choice: NoticeChannel | null): Promise<void> {
    const c = this.citizens.get(citizenId);
    if (c) c.noticeChannel = choice;
  }

  async recordUnrecognised(entry: UnrecognisedEntry): Promise<void> {
    this.unrecognised.push({ ...entry });
  }
}
