// The morning digest of dossiers at risk, sent to staff chats (Telegram chat ids in
// STAFF_DIGEST_CHAT_IDS) once per working day at the start of the first working session.
// Several instances may run: the job takes a lease (src/core/jobs.ts), and the day it was
// sent is stored (Setting at_risk_digest_sent_on), so it goes out once a day across instances.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { atRiskDossiers, type AtRiskList } from "./at-risk.ts";
import { formatLocal, parseLocal, type WorkingCalendar } from "./calendar.ts";
import { runExclusive } from "./jobs.ts";

const SENT_KEY = "at_risk_digest_sent_on";

/** From the configuration (src/app/config.ts, section "digest"). */
export interface DigestSettings {
  readonly chatIds: readonly string[];
  readonly minRisk: number;
}

/** Due on a working day from the start of its first session, once per local date. */
export function digestDue(cal: WorkingCalendar, now: Date, sentOn: string | null): boolean {
  const today = cal.localDate(now);
  if (sentOn === today || !cal.isWorkingDay(today)) return false;
  const firstSession = cal.sessions[0]?.start ?? "07:00";
  return now.getTime() >= parseLocal(`${today} ${firstSession}`).getTime();
}

/** The message: the riskiest first, at most `max` lines. */
export function digestText(list: AtRiskList, now: Date, max = 15): string {
  const date = formatLocal(now, false);
  if (!list.items.length) return `Hồ sơ có nguy cơ trễ hạn (${date}): không có hồ sơ nào trong ${list.open} hồ sơ đang giải quyết.`;
  const lines = list.items
    .slice(0, max)
    .map((i) => `• ${i.code} — ${i.unit.name} — ${i.procedure.name}: nguy cơ ${Math.round(i.risk * 100)}%, ${i.reason.vi}`);
  const more = list.items.length > max ? `\n… và ${list.items.length - max} hồ sơ khác (xem trang quản trị, mục cảnh báo).` : "";
  return `Hồ sơ có nguy cơ trễ hạn (${date}): ${list.items.length} / ${list.open} hồ sơ đang giải quyết.\n${lines.join("\n")}${more}`;
}

export interface DigestDeps {
  prisma: PrismaClient;
  calendar: { get(): Promise<WorkingCalendar> };
  settings: DigestSettings;
  /** Sends one text to one staff chat; throws on failure. */
  send(chatId: string, text: string): Promise<void>;
}

/** Sends today's digest if it is due and no instance sent it yet; returns the chats reached (null: not due / another instance). */
export async function runDigest(deps: DigestDeps, now = new Date()): Promise<string[] | null> {
  if (!deps.settings.chatIds.length) return null;
  const cal = await deps.calendar.get();
  return runExclusive(
    deps.prisma,
    "at-risk-digest",
    async () => {
      const sent = await deps.prisma.setting.findUnique({ where: { key: SENT_KEY } });
      if (!digestDue(cal, now, sent?.value ?? null)) return null;
      const list = await atRiskDossiers(deps.prisma, cal, { minRisk: deps.settings.minRisk, limit: 100, asOf: now.toISOString() }, now);
      const text = digestText(list, now);
      const reached: string[] = [];
      for (const chat of deps.settings.chatIds) {
        await deps.send(chat, text);
        reached.push(chat);
      }
      const today = cal.localDate(now);
      await deps.prisma.setting.upsert({ where: { key: SENT_KEY }, create: { key: SENT_KEY, value: today }, update: { value: today } });
      return reached;
    },
    10 * 60_000,
  );
}
