// The conversation store over the database (PGlite or PostgreSQL through Prisma).
import type { OwnershipProof, Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import { VN_UTC_OFFSET_MINUTES } from "../calendar.ts";
import { isUniqueViolation } from "../dossiers.ts";
import { normalizePhone, type IdentityHasher } from "../identity.ts";
import { CHAT_CHANNELS, NOTICE_CHANNELS, type ChatChannel, type NoticeChannel } from "../kernel/channels.ts";
import { isLang, type Lang } from "../kernel/lang.ts";
import type { CitizenDossier } from "./citizen-view.ts";
import { afterFailure, proofGate } from "./linking-rules.ts";
import type { ConversationState } from "./state.ts";
import type { AccountRecord, ConversationStore, ErasureReport, LinkedDossier, Proof, ProofOutcome, UnitContact, UnrecognisedEntry } from "./store.ts";
import { auditCardView } from "../hot-writes.ts";
import { sqlOf, type Sql } from "../../db/sql.ts";

/** The status card's columns (the same fields as citizenDossierSelect; a test compares them). */
const CARD_FIELDS: [string, string][] = [
  ...["id", "code", "receivedAt", "appointmentAt", "originalAppointmentAt", "status", "statusAt", "currentStep"].map((c): [string, string] => [`d."${c}"`, c]),
  [`d."returnMethod"::text`, "returnMethod"],
  [`d."postalDelivered"`, "postalDelivered"],
  [`d."feeStatus"::text`, "feeStatus"],
  ...["feeAmount", "supplementCount", "supplementReason", "stopReason", "finishedAt", "returnedAt"].map((c): [string, string] => [`d."${c}"`, c]),
  [`u."id"`, "unitId"],
  [`u."name"`, "unitName"],
  [`u."address"`, "unitAddress"],
  [`u."hotline"`, "unitHotline"],
  [`u."openingHours"`, "unitOpeningHours"],
  [`p."name"`, "procedureName"],
];
const CARD_FROM = `FROM "DossierLink" l
  JOIN "Dossier" d ON d."id" = l."dossierId"
  JOIN "Unit" u ON u."id" = d."unitId"
  JOIN "Procedure" p ON p."id" = d."procedureId"`;
/** The card's columns, each named with `prefix` before its field name. */
const cardColumns = (prefix = "") => CARD_FIELDS.map(([expr, name]) => `${expr} AS "${prefix}${name}"`).join(", ");
const CARD_COLUMNS = `${cardColumns()} ${CARD_FROM}`;
/** In the account touch the card's fields carry this prefix (the account has an "id" too). */
const TOUCH_CARD = "card.";

function cardFromTouch(row: Record<string, unknown>): CitizenDossierRow {
  return Object.fromEntries(CARD_FIELDS.map(([, name]) => [name, row[TOUCH_CARD + name]])) as unknown as CitizenDossierRow;
}

function cardOfRow(r: CitizenDossierRow): CitizenDossier {
  const { unitId, unitName, unitAddress, unitHotline, unitOpeningHours, procedureName, ...d } = r;
  return {
    ...d,
    returnMethod: d.returnMethod as CitizenDossier["returnMethod"],
    feeStatus: d.feeStatus as CitizenDossier["feeStatus"],
    unit: { id: unitId, name: unitName, address: unitAddress, hotline: unitHotline, openingHours: unitOpeningHours },
    procedure: { name: procedureName },
  };
}

const DAY_MS = 86_400_000;
const OFFSET_MS = VN_UTC_OFFSET_MINUTES * 60_000;
/** Same length as a real proof hash; never equal to one. Keeps the work done for unknown codes the same. */
const NO_HASH = "-".repeat(43);

/** Local midnight (Asia/Ho_Chi_Minh) that starts the day of `now`, and the next one. */
export function localDay(now: Date): { start: Date; end: Date } {
  const start = Math.floor((now.getTime() + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS;
  return { start: new Date(start), end: new Date(start + DAY_MS) };
}

type Tx = Prisma.TransactionClient;

type CitizenDossierRow = Omit<CitizenDossier, "unit" | "procedure" | "returnMethod" | "feeStatus"> & {
  returnMethod: string;
  feeStatus: string;
  unitId: number;
  unitName: string;
  unitAddress: string | null;
  unitHotline: string | null;
  unitOpeningHours: string | null;
  procedureName: string;
};

interface TouchedRow {
  id: number;
  channel: string;
  platformUserId: string;
  citizenId: number | null;
  language: string | null;
  languageChosenAt: Date | null;
  consentAt: Date | null;
  optedOutAt: Date | null;
  state: unknown;
  citizenLanguage: string | null;
  channels: string[] | null;
  lastSurveyAnswerAt: Date | null;
}

async function countFailures(tx: Tx | PrismaClient, accountId: number, code: string, since: Date) {
  const [codeAndAccount, account, code_, last] = await Promise.all([
    tx.linkAttempt.count({ where: { code, accountId, success: false, at: { gte: since } } }),
    tx.linkAttempt.count({ where: { accountId, success: false, at: { gte: since } } }),
    tx.linkAttempt.count({ where: { code, success: false, at: { gte: since } } }),
    tx.linkAttempt.findFirst({ where: { code, success: false, at: { gte: since } }, orderBy: { at: "desc" }, select: { at: true } }),
  ]);
  return { codeAndAccount, account, code: code_, lastCodeFailureAt: last?.at ?? null };
}

export class PrismaConversationStore implements ConversationStore {
  /** The statements every message or status question makes go to the driver directly (db/sql.ts). */
  private readonly sql: Sql;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly hasher: IdentityHasher,
  ) {
    this.sql = sqlOf(prisma);
  }

  async touchAccount(channel: ChatChannel, platformUserId: string, at: Date, opts: { withCards?: boolean } = {}): Promise<AccountRecord> {
    // One statement per message: the upsert (ON CONFLICT also settles two first messages of a
    // new user racing; a citizen who writes again has unblocked the bot — Telegram 403, Zalo
    // unfollow) and everything the conversation needs about the account.
    // The account row is written only when something changes: it is new, it was blocked, or
    // its last inbound time is more than a minute behind this message. A citizen's next
    // messages in the same minute read it without a write (no new row version, no WAL, no
    // index entries: per message, the busiest write of the chat). lastInboundAt is therefore
    // exact to the minute and never moves back (a replayed older message leaves it); the
    // Zalo adapter stamps the exact time of every event itself (src/bot/zalo/processor.ts).
    // Nor is the row even locked then: an ON CONFLICT that ends up updating nothing still locks
    // the row, which gives the statement a transaction id, a WAL record and a commit that waits
    // for the WAL flush — on every message. The INSERT is only tried when the current row (read
    // first, in the same snapshot) is missing or needs the write.
    const sql = `
      WITH cur AS (
        SELECT a."id", a."channel", a."platformUserId", a."citizenId", a."language", a."languageChosenAt", a."consentAt", a."optedOutAt",
          a."blockedAt" IS NULL AND a."blockedReason" IS NULL AND a."lastInboundAt" >= $3::timestamp(3) - interval '1 minute' AS "fresh"
        FROM "ChannelAccount" a
        WHERE a."channel" = $1::"Channel" AND a."platformUserId" = $2::text
      ), up AS (
        INSERT INTO "ChannelAccount" ("channel", "platformUserId", "lastInboundAt")
        SELECT $1::"Channel", $2::text, $3::timestamp(3)
        WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur."fresh")
        ON CONFLICT ("channel", "platformUserId") DO UPDATE
          SET "lastInboundAt" = GREATEST(EXCLUDED."lastInboundAt", "ChannelAccount"."lastInboundAt"), "blockedAt" = NULL, "blockedReason" = NULL
          WHERE "ChannelAccount"."blockedAt" IS NOT NULL OR "ChannelAccount"."blockedReason" IS NOT NULL OR "ChannelAccount"."lastInboundAt" IS NULL
            OR "ChannelAccount"."lastInboundAt" < EXCLUDED."lastInboundAt" - interval '1 minute'
        RETURNING "id", "channel", "platformUserId", "citizenId", "language", "languageChosenAt", "consentAt", "optedOutAt"
      ), acct AS (
        SELECT * FROM up
        UNION ALL
        SELECT cur."id", cur."channel", cur."platformUserId", cur."citizenId", cur."language", cur."languageChosenAt", cur."consentAt", cur."optedOutAt"
        FROM cur WHERE NOT EXISTS (SELECT 1 FROM up)
      )
      SELECT acct."id", acct."channel"::text AS channel, acct."platformUserId", acct."citizenId", acct."language", acct."languageChosenAt", acct."consentAt", acct."optedOutAt",
        (SELECT c."state" FROM "Conversation" c WHERE c."accountId" = acct."id") AS state,
        (SELECT ci."language" FROM "Citizen" ci WHERE ci."id" = acct."citizenId") AS "citizenLanguage",
        (SELECT array_agg(DISTINCT a."channel"::text) FROM "ChannelAccount" a WHERE a."citizenId" = acct."citizenId") AS channels,
        (SELECT max(r."updatedAt") FROM "SurveyInvitation" i JOIN "FeedbackResponse" r ON r."invitationId" = i."id"
          WHERE i."citizenId" = acct."citizenId" AND i."state" = 'answering' AND i."currentQuestion" IS NOT NULL) AS "lastSurveyAnswerAt",
        card.*
      FROM acct
      LEFT JOIN LATERAL (SELECT l."id" AS "linkId", ${cardColumns(TOUCH_CARD)} ${CARD_FROM} WHERE $4 AND l."citizenId" = acct."citizenId") card ON true
      ORDER BY card."linkId"`;
    const params = [channel, platformUserId, at, opts.withCards === true];
    type Touched = TouchedRow & Record<string, unknown> & { linkId: number | null };
    let rows = await this.sql.rows<Touched>(sql, params);
    // No row: another process created this account after this statement's snapshot was taken
    // and it needed no write (ON CONFLICT saw it, the fallback read could not). Once more, with
    // a snapshot that sees it.
    if (!rows.length) rows = await this.sql.rows<Touched>(sql, params);
    const row = rows[0];
    if (!row) throw new Error(`channel account ${channel}:${platformUserId} could not be read`);
    const r = row;
    const language = isLang(r.language) ? r.language : null;
    const channels = (r.channels ?? []).filter((c): c is ChatChannel => (CHAT_CHANNELS as readonly string[]).includes(c));
    return {
      id: r.id,
      channel: r.channel as ChatChannel,
      platformUserId: r.platformUserId,
      citizenId: r.citizenId,
      language: language ?? (r.citizenId !== null && isLang(r.citizenLanguage) ? r.citizenLanguage : null),
      languageChosen: r.languageChosenAt !== null,
      consentAt: r.consentAt,
      optedOutAt: r.optedOutAt,
      state: r.state ?? null,
      citizenChannels: r.citizenId === null ? [r.channel as ChatChannel] : CHAT_CHANNELS.filter((c) => channels.includes(c)),
      lastSurveyAnswerAt: r.lastSurveyAnswerAt,
      ...(opts.withCards ? { linkedCards: rows.filter((c) => c.linkId !== null).map((c) => cardOfRow(cardFromTouch(c))) } : {}),
    };
  }

  async saveState(accountId: number, state: ConversationState | null): Promise<void> {
    if (!state || state.step === "idle") {
      await this.prisma.conversation.deleteMany({ where: { accountId } });
      return;
    }
    const json = state as Prisma.InputJsonObject;
    await this.prisma.conversation.upsert({ where: { accountId }, create: { accountId, state: json }, update: { state: json } });
  }

  async setLanguage(account: { id: number; citizenId: number | null }, lang: Lang, chosen: boolean): Promise<void> {
    await this.prisma.channelAccount.update({ where: { id: account.id }, data: { language: lang, ...(chosen ? { languageChosenAt: new Date() } : {}) } });
    if (account.citizenId !== null) await this.prisma.citizen.update({ where: { id: account.citizenId }, data: { language: lang } });
  }

  async recordConsent(accountId: number, at: Date, displayName: string | null): Promise<void> {
    await this.prisma.channelAccount.update({ where: { id: accountId }, data: { consentAt: at, displayName } });
  }

  async setOptedOut(accountId: number, at: Date | null): Promise<void> {
    // Keep the first opt-out instant when the citizen says it twice.
    if (at) await this.prisma.channelAccount.updateMany({ where: { id: accountId, optedOutAt: null }, data: { optedOutAt: at } });
    else await this.prisma.channelAccount.update({ where: { id: accountId }, data: { optedOutAt: null } });
  }

  async linkedDossiers(citizenId: number): Promise<LinkedDossier[]> {
    const links = await this.prisma.dossierLink.findMany({
      where: { citizenId },
      orderBy: { id: "asc" },
      select: { dossier: { select: { id: true, code: true, status: true, procedure: { select: { name: true } } } } },
    });
    return links.map((l) => ({ id: l.dossier.id, code: l.dossier.code, status: l.dossier.status, procedureName: l.dossier.procedure.name }));
  }

  async linkedCards(citizenId: number): Promise<CitizenDossier[]> {
    const rows = await this.sql.rows<CitizenDossierRow>(`SELECT ${CARD_COLUMNS} WHERE l."citizenId" = $1 ORDER BY l."id"`, [citizenId]);
    return rows.map(cardOfRow);
  }

  /**
   * The status card's dossier, if this citizen proved they own it: the hottest read of the chat,
   * so one statement (link, dossier, unit and procedure joined) instead of the nested select's
   * round trips; the same fields as citizenDossierSelect (a test compares both).
   */
  async citizenDossier(citizenId: number, dossierId: number): Promise<CitizenDossier | null> {
    const rows = await this.sql.rows<CitizenDossierRow>(`SELECT ${CARD_COLUMNS} WHERE l."citizenId" = $1 AND l."dossierId" = $2`, [citizenId, dossierId]);
    return rows[0] ? cardOfRow(rows[0]) : null;
  }

  /** Written before the card is sent; shares its statement with the other small writes of the moment (hot-writes.ts). */
  async recordCardView(citizenId: number, code: string, channel: ChatChannel): Promise<void> {
    await auditCardView(this.prisma, citizenId, code, channel);
  }

  async unitContacts(citizenId: number | null): Promise<UnitContact[]> {
    if (citizenId === null) return [];
    return this.prisma.unit.findMany({
      where: { dossiers: { some: { links: { some: { citizenId } } } } },
      select: { name: true, hotline: true, address: true, openingHours: true },
      orderBy: { id: "asc" },
    });
  }

  async unlink(citizenId: number, dossierId: number, channel: ChatChannel): Promise<string | null> {
    return this.prisma.$transaction(async (tx) => {
      const link = await tx.dossierLink.findUnique({ where: { citizenId_dossierId: { citizenId, dossierId } }, select: { id: true, dossier: { select: { code: true } } } });
      if (!link) return null;
      // deleteMany: a parallel unlink of the same link deletes nothing instead of failing.
      const { count } = await tx.dossierLink.deleteMany({ where: { id: link.id } });
      if (count === 0) return null;
      await tx.auditLog.create({ data: { actor: `citizen:${citizenId}`, action: "dossier.unlink", target: link.dossier.code, details: { channel } } });
      return link.dossier.code;
    });
  }

  async proofGate(account: { id: number; channel: ChatChannel }, code: string, proof: "phone" | "id_last4" | null, now: Date) {
    const day = localDay(now);
    const gate = proofGate(await countFailures(this.prisma, account.id, code, day.start), proof, day.end, now);
    return gate.kind === "open" ? { kind: "open" as const } : gate;
  }

  async prove(account: { id: number; channel: ChatChannel; consentAt: Date }, code: string, proof: Proof, lang: Lang, now: Date): Promise<ProofOutcome> {
    try {
      return await this.proveOnce(account, code, proof, lang, now);
    } catch (err) {
      // Two first links of one phone racing to create the citizen: the second now finds it.
      if (isUniqueViolation(err)) return this.proveOnce(account, code, proof, lang, now);
      throw err;
    }
  }

  private proveOnce(account: { id: number; channel: ChatChannel; consentAt: Date }, code: string, proof: Proof, lang: Lang, now: Date): Promise<ProofOutcome> {
    const day = localDay(now);
    return this.prisma.$transaction(async (tx) => {
      // Serialise attempts on one code so that concurrent guesses cannot exceed the limits.
      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(${`link-attempt:${code}`}))`;
      const counts = await countFailures(tx, account.id, code, day.start);
      const gate = proofGate(counts, proof.kind === "phone" || proof.kind === "receipt_slip" ? "phone" : "id_last4", day.end, now);
      if (gate.kind !== "open") return gate;

      const found = await tx.dossier.findUnique({ where: { code }, select: { id: true, demo: true, applicantPhone: true, applicantIdLast4Hash: true } });
      // The browser try page is open to anyone and serves demo data only: there a real
      // dossier is treated like an unknown code, and its attempts are not counted against
      // the real code (nobody on /try can lock a real citizen out).
      const web = account.channel === "web";
      const dossier = found && (!web || found.demo) ? found : null;
      let provenPhone: string | null = null;
      let ok: boolean;
      if (proof.kind === "phone") {
        provenPhone = normalizePhone(proof.phone);
        ok = provenPhone !== null && dossier?.applicantPhone != null && provenPhone === dossier.applicantPhone;
      } else if (proof.kind === "id_last4") {
        ok = this.hasher.checkLast4(code, proof.digits, dossier?.applicantIdLast4Hash ?? NO_HASH) && dossier !== null;
      } else {
        // The slip token was verified by the caller: the dossier only has to exist.
        ok = dossier !== null;
      }
      if (!web || dossier) await tx.linkAttempt.create({ data: { code, accountId: account.id, success: ok, at: now } });
      if (!ok || !dossier) {
        return afterFailure(counts, day.end);
      }

      const phone = proof.kind === "phone" ? provenPhone : null;
      const citizenId = await attachCitizen(tx, account.id, phone, lang);
      const verifiedBy: OwnershipProof = proof.kind === "phone" ? (account.channel === "zalo" ? "zalo_phone" : "phone_contact") : proof.kind;
      await tx.dossierLink.upsert({
        where: { citizenId_dossierId: { citizenId, dossierId: dossier.id } },
        create: { citizenId, dossierId: dossier.id, verifiedBy, consentAt: account.consentAt },
        update: {},
      });
      await tx.auditLog.create({ data: { actor: `citizen:${citizenId}`, action: "dossier.link", target: code, details: { verifiedBy, channel: account.channel } } });
      return { kind: "linked", dossierId: dossier.id, citizenId, verifiedBy, phone };
    });
  }

  recordWrongSlipCode(account: { id: number; channel: ChatChannel }, shortCode: string, now: Date) {
    const day = localDay(now);
    const code = `slip:${shortCode}`;
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(${`link-attempt-account:${account.id}`}))`;
      const counts = await countFailures(tx, account.id, code, day.start);
      const gate = proofGate(counts, "phone", day.end, now);
      if (gate.kind === "locked") return gate;
      await tx.linkAttempt.create({ data: { code, accountId: account.id, success: false, at: now } });
      return afterFailure(counts, day.end);
    });
  }

  erase(accountId: number, now: Date): Promise<ErasureReport> {
    const today = localDay(now);
    return this.prisma.$transaction(async (tx) => {
      const account = await tx.channelAccount.findUniqueOrThrow({ where: { id: accountId }, include: { citizen: true } });
      const citizen = account.citizen;
      const links = citizen
        ? await tx.dossierLink.findMany({ where: { citizenId: citizen.id }, include: { dossier: { select: { code: true } } }, orderBy: { id: "asc" } })
        : [];
      if (citizen) await tx.dossierLink.deleteMany({ where: { citizenId: citizen.id } });
      const conversation = await tx.conversation.deleteMany({ where: { accountId } });
      const attempts = await tx.linkAttempt.deleteMany({ where: { accountId, NOT: { success: false, at: { gte: today.start } } } });
      const kept = await tx.linkAttempt.count({ where: { accountId, success: false, at: { gte: today.start } } });
      const messages = await tx.unrecognisedMessage.deleteMany({ where: { accountId } });

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
          details: { links: links.length, attempts: attempts.count, failedAttemptsKept: kept, citizenDeleted, messages: messages.count },
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
        messagesDeleted: messages.count,
      };
    });
  }

  async noticeChannels(citizenId: number): Promise<NoticeChannel[]> {
    const rows = await this.prisma.channelAccount.findMany({ where: { citizenId, channel: { in: [...NOTICE_CHANNELS] } }, distinct: ["channel"], select: { channel: true } });
    return NOTICE_CHANNELS.filter((c) => rows.some((r) => r.channel === c));
  }

  async noticeChoice(citizenId: number): Promise<NoticeChannel | null> {
    const c = await this.prisma.citizen.findUnique({ where: { id: citizenId }, select: { noticeChannel: true } });
    return c?.noticeChannel === "telegram" || c?.noticeChannel === "zalo" ? c.noticeChannel : null;
  }

  async setNoticeChoice(citizenId: number, choice: NoticeChannel | null): Promise<void> {
    await this.prisma.citizen.update({ where: { id: citizenId }, data: { noticeChannel: choice } });
  }

  async recordUnrecognised(e: UnrecognisedEntry): Promise<void> {
    await this.prisma.unrecognisedMessage.create({
      data: { accountId: e.accountId, channel: e.channel, text: e.text, guessed: e.guessed, confidence: e.confidence, band: e.band, language: e.language, createdAt: e.at },
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
  await tx.auditLog.create({ data: { actor: `citizen:${intoId}`, action: "citizen.merge", target: `channel-account:${fromId}` } });
}
