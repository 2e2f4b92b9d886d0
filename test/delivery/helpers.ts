// Shared pieces of the delivery tests: accounts and dossiers made directly in the database,
// and a scriptable in-process sender for engine tests that need no platform.
import type { Reply } from "../../src/core/conversation/types.ts";
import type { ChannelSender, SendOutcome, ZnsSender } from "../../src/core/delivery/types.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";

export interface RecordedSend {
  userId: string;
  replies: Reply[];
  at: number;
}

export class ScriptedSender implements ChannelSender {
  readonly calls: RecordedSend[] = [];
  /** Outcomes handed out first, in order (then `byUser`, then success). */
  readonly script: SendOutcome[] = [];
  readonly byUser = new Map<string, SendOutcome[]>();
  private next = 1;

  constructor(readonly channel: "telegram" | "zalo") {}

  async send(userId: string, replies: Reply[]): Promise<SendOutcome> {
    this.calls.push({ userId, replies, at: Date.now() });
    const scripted = this.script.shift() ?? this.byUser.get(userId)?.shift();
    return scripted ?? { ok: true, platformMessageId: String(this.next++) };
  }

  to(userId: string): RecordedSend[] {
    return this.calls.filter((c) => c.userId === userId);
  }
}

export class ScriptedZns implements ZnsSender {
  readonly calls: { phone: string; templateId: string; data: Record<string, string>; trackingId: string }[] = [];
  readonly script: SendOutcome[] = [];
  async sendTemplate(phone: string, templateId: string, data: Record<string, string>, trackingId: string): Promise<SendOutcome> {
    this.calls.push({ phone, templateId, data, trackingId });
    return this.script.shift() ?? { ok: true, platformMessageId: `zns-${this.calls.length}` };
  }
}

let seq = 0;
/** A unique numeric platform id (Telegram chat ids are numbers). */
export function nextUserId(): string {
  return String(700_000_000 + process.pid * 1000 + ++seq);
}

export async function makeAccount(
  prisma: PrismaClient,
  o: { channel?: "telegram" | "zalo"; userId?: string; citizenId?: number; consent?: boolean; language?: string } = {},
): Promise<{ id: number; platformUserId: string }> {
  return prisma.channelAccount.create({
    data: {
      channel: o.channel ?? "telegram",
      platformUserId: o.userId ?? nextUserId(),
      citizenId: o.citizenId ?? null,
      consentAt: o.consent === false ? null : new Date(),
      language: o.language ?? null,
    },
    select: { id: true, platformUserId: true },
  });
}

/** A citizen with one account per channel given, linked to the dossiers given. */
export async function makeCitizen(
  prisma: PrismaClient,
  o: { channels?: ("telegram" | "zalo")[]; dossierIds?: number[]; language?: "vi" | "en"; phone?: string | null } = {},
): Promise<{ citizenId: number; accounts: { id: number; platformUserId: string; channel: "telegram" | "zalo" }[] }> {
  const citizen = await prisma.citizen.create({ data: { language: o.language ?? "vi", phone: o.phone ?? null } });
  const accounts = [];
  for (const channel of o.channels ?? ["telegram"]) accounts.push({ ...(await makeAccount(prisma, { channel, citizenId: citizen.id })), channel });
  for (const dossierId of o.dossierIds ?? []) await link(prisma, citizen.id, dossierId);
  return { citizenId: citizen.id, accounts };
}

export async function link(prisma: PrismaClient, citizenId: number, dossierId: number): Promise<void> {
  await prisma.dossierLink.create({ data: { citizenId, dossierId, verifiedBy: "staff", consentAt: new Date() } });
}

let dossierSeq = 0;
/** A dossier row written directly (faster than the API for bulk audiences). */
export async function makeDossiers(
  prisma: PrismaClient,
  n: number,
  o: { unitCode?: string; unitName?: string; procedureCode?: string; procedureName?: string; status?: number; fieldCode?: string; statusAt?: Date; returnMethod?: "counter" | "postal" | "online"; applicantPhone?: string } = {},
): Promise<{ id: number; code: string }[]> {
  const unitCode = o.unitCode ?? "000.00.15.H32";
  const unit = await prisma.unit.upsert({ where: { code: unitCode }, create: { code: unitCode, name: o.unitName ?? "UBND phường Cam Lộc", address: "12 Hùng Vương" }, update: {} });
  const fieldCode = o.fieldCode ?? "DD";
  const field = await prisma.field.upsert({ where: { code: fieldCode }, create: { code: fieldCode, name: "Đất đai" }, update: {} });
  const procCode = o.procedureCode ?? "1.004227";
  const proc = await prisma.procedure.upsert({
    where: { code: procCode },
    create: { code: procCode, name: o.procedureName ?? "Đăng ký biến động quyền sử dụng đất", fieldId: field.id, durationDays: 10 },
    update: {},
  });
  const now = new Date();
  const base = process.pid % 9000;
  const rows = Array.from({ length: n }, () => {
    const k = ++dossierSeq;
    const day = String(10 + Math.floor(k / 9999));
    return {
      code: `${unitCode}-26${String((base % 12) + 1).padStart(2, "0")}${day}-${String((k % 9999) + 1).padStart(4, "0")}`,
      unitId: unit.id,
      procedureId: proc.id,
      applicantName: "Nguyễn Văn A",
      applicantPhone: o.applicantPhone ?? "0905123456",
      receivedAt: new Date("2026-01-12T02:00:00Z"),
      appointmentAt: new Date("2026-02-02T02:00:00Z"),
      status: o.status ?? 4,
      statusAt: o.statusAt ?? now,
      returnMethod: o.returnMethod ?? "counter",
    };
  });
  await prisma.dossier.createMany({ data: rows });
  const made = await prisma.dossier.findMany({ where: { code: { in: rows.map((r) => r.code) } }, select: { id: true, code: true }, orderBy: { id: "asc" } });
  return made;
}
