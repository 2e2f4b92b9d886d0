// Linking a dossier to a citizen after proof of ownership.
//
// Proof is a shared own phone number equal to the applicant's phone, or the last four
// digits of the applicant's ID number. Failed proofs are limited per dossier code and
// Vietnamese calendar day, and an unknown code is treated exactly like a known code with a
// wrong proof (same answers, attempts counted and locked identically), so that the chat
// cannot be used to find out which codes exist.
import type { OwnershipProof, Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import { VN_UTC_OFFSET_MINUTES } from "../calendar.ts";
import { isUniqueViolation } from "../dossiers.ts";
import { normalizePhone, type IdentityHasher } from "../identity.ts";
import type { ChannelName } from "./types.ts";

export const MAX_FAILED_PROOFS_PER_DAY = 5;

const DAY_MS = 86_400_000;
const OFFSET_MS = VN_UTC_OFFSET_MINUTES * 60_000;
/** Same length as a real proof hash; never equal to one. Keeps the work done for unknown codes the same. */
const NO_HASH = "-".repeat(43);

/** Local midnight (Asia/Ho_Chi_Minh) that starts the day of `now`, and the next one. */
export function localDay(now: Date): { start: Date; end: Date } {
  const start = Math.floor((now.getTime() + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS;
  return { start: new Date(start), end: new Date(start + DAY_MS) };
}

export type Proof = { kind: "phone"; phone: string } | { kind: "id_last4"; digits: string };

export type ProofOutcome =
  | { kind: "linked"; dossierId: number; citizenId: number; verifiedBy: OwnershipProof; phone: string | null }
  | { kind: "wrong"; attemptsLeft: number }
  | { kind: "locked"; until: Date };

type Tx = Prisma.TransactionClient;

export class Linking {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly hasher: IdentityHasher,
  ) {}

  /** When the code's proof lock ends, or null when it is not locked. */
  async lockedUntil(code: string, now: Date): Promise<Date | null> {
    const day = localDay(now);
    const failed = await this.prisma.linkAttempt.count({ where: { code, success: false, at: { gte: day.start } } });
    return failed >= MAX_FAILED_PROOFS_PER_DAY ? day.end : null;
  }

  /**
   * Check one proof for `code` on behalf of a channel account that has consented, record
   * the attempt, and on success link the dossier to the account's citizen.
   */
  async prove(
    account: { id: number; channel: ChannelName; consentAt: Date },
    code: string,
    proof: Proof,
    language: string,
    now: Date,
  ): Promise<ProofOutcome> {
    try {
      return await this.proveOnce(account, code, proof, language, now);
    } catch (err) {
      // Two first links of one phone racing to create the citizen: the second now finds it.
      if (isUniqueViolation(err)) return this.proveOnce(account, code, proof, language, now);
      throw err;
    }
  }

  private proveOnce(
    account: { id: number; channel: ChannelName; consentAt: Date },
    code: string,
    proof: Proof,
    language: string,
    now: Date,
  ): Promise<ProofOutcome> {
    const day = localDay(now);
    return this.prisma.$transaction(async (tx) => {
      // Serialise attempts on one code so that concurrent guesses cannot exceed the limit.
      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(${`link-attempt:${code}`}))`;
      const failed = await tx.linkAttempt.count({ where: { code, success: false, at: { gte: day.start } } });
      if (failed >= MAX_FAILED_PROOFS_PER_DAY) return { kind: "locked", until: day.end };

      const found = await tx.dossier.findUnique({ where: { code }, select: { id: true, demo: true, applicantPhone: true, applicantIdLast4Hash: true } });
      // The browser try page is open to anyone and serves demo data only: there a real
      // dossier is treated like an unknown code.
      const dossier = found && (account.channel !== "web" || found.demo) ? found : null;
      let provenPhone: string | null = null;
      let ok: boolean;
      if (proof.kind === "phone") {
        provenPhone = normalizePhone(proof.phone);
        ok = provenPhone !== null && dossier?.applicantPhone != null && provenPhone === dossier.applicantPhone;
      } else {
        ok = this.hasher.checkLast4(code, proof.digits, dossier?.applicantIdLast4Hash ?? NO_HASH) && dossier !== null;
      }
      await tx.linkAttempt.create({ data: { code, accountId: account.id, success: ok, at: now } });
      if (!ok || !dossier) {
        const attemptsLeft = MAX_FAILED_PROOFS_PER_DAY - failed - 1;
        return attemptsLeft > 0 ? { kind: "wrong", attemptsLeft } : { kind: "locked", until: day.end };
      }

      const phone = proof.kind === "phone" ? provenPhone : null;
      const citizenId = await attachCitizen(tx, account.id, phone, language);
      const verifiedBy: OwnershipProof = proof.kind === "id_last4" ? "id_last4" : account.channel === "zalo" ? "zalo_phone" : "phone_contact";
      await tx.dossierLink.upsert({
        where: { citizenId_dossierId: { citizenId, dossierId: dossier.id } },
        create: { citizenId, dossierId: dossier.id, verifiedBy, consentAt: account.consentAt },
        update: {},
      });
      await tx.auditLog.create({ data: { actor: `citizen:${citizenId}`, action: "dossier.link", target: code, details: { verifiedBy, channel: account.channel } } });
      return { kind: "linked", dossierId: dossier.id, citizenId, verifiedBy, phone };
    });
  }
}

/**
 * The citizen this account acts for, created on first link. A proven phone joins accounts
 * of one person across channels: Citizen.phone is set only from a proven phone, and an
 * account whose citizen has no phone yet is merged into the citizen that owns the phone.
 */
async function attachCitizen(tx: Tx, accountId: number, provenPhone: string | null, language: string): Promise<number> {
  const account = await tx.channelAccount.findUniqueOrThrow({ where: { id: accountId }, include: { citizen: true } });
  const owner = provenPhone ? await tx.citizen.findUnique({ where: { phone: provenPhone } }) : null;
  const current = account.citizen;

  let citizenId: number;
  if (!current) {
    citizenId = owner?.id ?? (await tx.citizen.create({ data: { phone: provenPhone, language } })).id;
  } else if (provenPhone && !owner && current.phone === null) {
    await tx.citizen.update({ where: { id: current.id }, data: { phone: provenPhone } });
    citizenId = current.id;
  } else if (owner && owner.id !== current.id && current.phone === null) {
    await mergeCitizen(tx, current.id, owner.id);
    citizenId = owner.id;
  } else {
    // Already the phone's owner, or a citizen with another proven phone: keep as is.
    citizenId = current.id;
  }
  if (account.citizenId !== citizenId) await tx.channelAccount.update({ where: { id: accountId }, data: { citizenId } });
  return citizenId;
}

/** Moves links and accounts of `fromId` to `intoId` and removes `fromId`. */
async function mergeCitizen(tx: Tx, fromId: number, intoId: number): Promise<void> {
  const links = await tx.dossierLink.findMany({ where: { citizenId: fromId } });
  for (const l of links) {
    await tx.dossierLink.upsert({
      where: { citizenId_dossierId: { citizenId: intoId, dossierId: l.dossierId } },
      create: { citizenId: intoId, dossierId: l.dossierId, verifiedBy: l.verifiedBy, consentAt: l.consentAt, createdAt: l.createdAt },
      update: {},
    });
  }
  await tx.channelAccount.updateMany({ where: { citizenId: fromId }, data: { citizenId: intoId } });
  await tx.citizen.delete({ where: { id: fromId } });
  await tx.auditLog.create({ data: { actor: `citizen:${intoId}`, action: "citizen.merge", target: `citizen:${fromId}` } });
}
