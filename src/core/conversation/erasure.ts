// "Delete my data" (Decree 13/2023: the right to withdraw consent and have data deleted).
// Removes what the chat holds about the person and reports exactly what went.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { localDay } from "./linking.ts";

export interface ErasureReport {
  /** Codes of the dossier links removed (the dossiers themselves belong to the agency). */
  unlinkedCodes: string[];
  conversationDeleted: boolean;
  attemptsDeleted: number;
  /**
   * Today's failed proofs stay until the day ends: deleting them would reset the per-code
   * limit and let anyone guess ID digits without end by deleting and retrying.
   */
  failedAttemptsKept: number;
  attemptsKeptUntil: Date;
  /** The citizen row was deleted (with its proven phone, shown masked in the report). */
  citizenDeleted: boolean;
  citizenPhone: string | null;
  /** The citizen row stays because another channel account of the person still uses it. */
  citizenKeptForOtherAccounts: boolean;
  consentWithdrawn: boolean;
}

export async function eraseAccountData(prisma: PrismaClient, accountId: number, now: Date): Promise<ErasureReport> {
  const today = localDay(now);
  return prisma.$transaction(async (tx) => {
    const account = await tx.channelAccount.findUniqueOrThrow({ where: { id: accountId }, include: { citizen: true } });
    const citizen = account.citizen;
    const links = citizen
      ? await tx.dossierLink.findMany({ where: { citizenId: citizen.id }, include: { dossier: { select: { code: true } } }, orderBy: { id: "asc" } })
      : [];
    if (citizen) await tx.dossierLink.deleteMany({ where: { citizenId: citizen.id } });
    const conversation = await tx.conversation.deleteMany({ where: { accountId } });
    const keep = { accountId, success: false, at: { gte: today.start } };
    const attempts = await tx.linkAttempt.deleteMany({ where: { accountId, NOT: { success: false, at: { gte: today.start } } } });
    const kept = await tx.linkAttempt.count({ where: keep });

    let citizenDeleted = false;
    let citizenKept = false;
    if (citizen) {
      const others = await tx.channelAccount.count({ where: { citizenId: citizen.id, id: { not: accountId } } });
      if (others === 0) {
        await tx.channelAccount.update({ where: { id: accountId }, data: { citizenId: null } });
        await tx.citizen.delete({ where: { id: citizen.id } });
        citizenDeleted = true;
      } else {
        citizenKept = true;
      }
    }
    await tx.channelAccount.update({ where: { id: accountId }, data: { citizenId: null, consentAt: null, displayName: null } });
    await tx.auditLog.create({
      data: {
        actor: citizen ? `citizen:${citizen.id}` : `channel-account:${accountId}`,
        action: "citizen.erase",
        target: `channel-account:${accountId}`,
        details: { links: links.length, attempts: attempts.count, failedAttemptsKept: kept, citizenDeleted },
      },
    });
    return {
      unlinkedCodes: links.map((l) => l.dossier.code),
      conversationDeleted: conversation.count > 0,
      attemptsDeleted: attempts.count,
      failedAttemptsKept: kept,
      attemptsKeptUntil: today.end,
      citizenDeleted,
      citizenPhone: citizenDeleted ? (citizen?.phone ?? null) : null,
      citizenKeptForOtherAccounts: citizenKept,
      consentWithdrawn: account.consentAt !== null,
    };
  });
}
