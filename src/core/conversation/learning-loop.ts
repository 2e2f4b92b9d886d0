// The learning loop: messages the bot did not understand (or asked back about) are kept
// masked (features/learning.ts); admins label them with an intent in one click; the model
// retrains from the corpus plus the labelled examples without a restart, and other
// instances pick the new labels up within a minute. `npm run cli -- intents export` writes
// the labelled examples as corpus lines to add to the repository. Rows are deleted after
// UNRECOGNISED_RETENTION_DAYS (core/retention.ts) and with the citizen's "xóa dữ liệu".
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../../logger.ts";
import { INTENT_LABELS, isIntentLabel, type IntentLabel } from "./understanding/labels.ts";
import { buildIntentModel, type LabelledText } from "./understanding/model.ts";
import { IntentUnderstanding } from "./understanding/service.ts";

/** A labelled example from the loop counts a little more than one corpus line: it is real traffic. */
const LABELLED_WEIGHT = 2;

export const unrecognisedItemSchema = z
  .object({
    id: z.number().int(),
    text: z.string().describe("The message with codes, phone and ID numbers and other digits replaced by zz… placeholders"),
    channel: z.enum(["telegram", "zalo", "web"]),
    guessed: z.string().describe("The intent the classifier guessed, or 'unknown'"),
    confidence: z.number(),
    band: z.enum(["clarify", "fallback"]).describe("clarify: the bot asked back; fallback: it did not understand"),
    language: z.string().nullable(),
    createdAt: z.string(),
    label: z.string().nullable(),
    labelledAt: z.string().nullable(),
  })
  .meta({ id: "UnrecognisedMessage" });
export type UnrecognisedItem = z.infer<typeof unrecognisedItemSchema>;

type Row = Awaited<ReturnType<PrismaClient["unrecognisedMessage"]["findFirstOrThrow"]>>;

function item(r: Row): UnrecognisedItem {
  return {
    id: r.id,
    text: r.text,
    channel: r.channel,
    guessed: r.guessed,
    confidence: r.confidence,
    band: r.band === "clarify" ? "clarify" : "fallback",
    language: r.language,
    createdAt: r.createdAt.toISOString(),
    label: r.label,
    labelledAt: r.labelledAt?.toISOString() ?? null,
  };
}

/** What each intent means, for the people labelling (Vietnamese, as on the dashboard). */
export const INTENT_DESCRIPTIONS: Record<IntentLabel, string> = {
  status: "Tình trạng, tiến độ, ngày hẹn trả, trễ hẹn của hồ sơ của chính mình",
  link: "Liên kết / theo dõi thêm một hồ sơ",
  unlink: "Hủy liên kết một hồ sơ",
  delete: "Xóa dữ liệu cá nhân, rút lại sự đồng ý",
  help: "Bot làm được gì, hướng dẫn, menu",
  staff: "Gặp cán bộ, số điện thoại, đường dây nóng",
  hours: "Giờ làm việc",
  address: "Địa chỉ, nơi nhận và trả kết quả",
  notices: "Chọn nơi nhận thông báo (Telegram, Zalo, cả hai)",
  stop: "Dừng nhận thông báo chung",
  resume: "Nhận lại thông báo chung",
  language: "Đổi ngôn ngữ",
  greeting: "Chào hỏi",
  thanks: "Cảm ơn, tạm biệt",
  yes: "Đồng ý, có",
  no: "Không, không đồng ý",
  cancel: "Hủy thao tác đang làm",
  feedback: "Đánh giá, góp ý về dịch vụ",
  out_of_scope: "Ngoài phạm vi: phí, giấy tờ, nộp hồ sơ mới, nhận thay, khiếu nại cán bộ, hồ sơ người khác, chuyện phiếm",
};

export interface ListQuery {
  labelled?: boolean | undefined;
  limit: number;
  /** Rows with a smaller id than this (newest first). */
  before?: number | undefined;
}

export async function listUnrecognised(prisma: PrismaClient, q: ListQuery): Promise<{ items: UnrecognisedItem[]; last: number | null; more: boolean }> {
  const rows = await prisma.unrecognisedMessage.findMany({
    where: {
      ...(q.labelled === undefined ? {} : q.labelled ? { label: { not: null } } : { label: null }),
      ...(q.before !== undefined ? { id: { lt: q.before } } : {}),
    },
    orderBy: { id: "desc" },
    take: q.limit + 1,
  });
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return { items: page.map(item), last: page.at(-1)?.id ?? null, more };
}

/** The examples admins labelled, for training. */
export async function labelledExamples(prisma: PrismaClient): Promise<LabelledText[]> {
  const rows = await prisma.unrecognisedMessage.findMany({ where: { label: { not: null } }, select: { text: true, label: true }, orderBy: { id: "asc" } });
  return rows.flatMap((r) => (isIntentLabel(r.label) ? [{ text: r.text, intent: r.label, weight: LABELLED_WEIGHT }] : []));
}

/** The labelled examples as corpus lines (JSON Lines), to add to corpus/train/ in the repository. */
export async function exportLabelled(prisma: PrismaClient): Promise<string> {
  const rows = await prisma.unrecognisedMessage.findMany({ where: { label: { not: null } }, orderBy: { id: "asc" } });
  return rows
    .filter((r) => isIntentLabel(r.label))
    .map((r) => JSON.stringify({ text: r.text, intent: r.label, lang: r.language === "en" ? "en" : "vi" }))
    .join("\n");
}

export interface LearningLoopDeps {
  prisma: PrismaClient;
  logger: Logger;
}

export class LearningLoop {
  private seenVersion: string | null = null;
  private retraining: Promise<void> | null = null;

  private constructor(
    private readonly deps: LearningLoopDeps,
    /** The understanding the conversation uses; replaced in place when labels change. */
    readonly understanding: IntentUnderstanding,
  ) {}

  /** Built at start-up from the corpus plus the labels stored so far. */
  static async create(deps: LearningLoopDeps): Promise<LearningLoop> {
    const labelled = await labelledExamples(deps.prisma);
    const loop = new LearningLoop(deps, new IntentUnderstanding(() => buildIntentModel(labelled)));
    loop.seenVersion = await loop.version();
    return loop;
  }

  /** Changes whenever a label is added or changed (here or on another instance). */
  private async version(): Promise<string> {
    const r = await this.deps.prisma.unrecognisedMessage.aggregate({ where: { label: { not: null } }, _count: { _all: true }, _max: { labelledAt: true } });
    return `${r._count._all}:${r._max.labelledAt?.toISOString() ?? "-"}`;
  }

  async label(id: number, intent: string, actor: string): Promise<UnrecognisedItem> {
    if (!isIntentLabel(intent)) throw new AppError("validation_failed", `Unknown intent "${intent.slice(0, 40)}"`, { allowed: INTENT_LABELS });
    const { prisma } = this.deps;
    const row = await prisma.$transaction(async (tx) => {
      const found = await tx.unrecognisedMessage.findUnique({ where: { id } });
      if (!found) throw new AppError("not_found", `No unrecognised message ${id}`);
      const updated = await tx.unrecognisedMessage.update({ where: { id }, data: { label: intent, labelledBy: actor, labelledAt: new Date() } });
      await tx.auditLog.create({ data: { actor, action: "understanding.label", target: `unrecognised:${id}`, details: { intent, previous: found.label } } });
      return updated;
    });
    await this.retrain();
    return item(row);
  }

  /** Retrains now (one at a time; a request during a retraining waits for it and retrains again). */
  async retrain(): Promise<void> {
    while (this.retraining) await this.retraining;
    this.retraining = (async () => {
      const version = await this.version();
      await this.understanding.retrain(await labelledExamples(this.deps.prisma));
      this.seenVersion = version;
      this.deps.logger.info({ trainedOn: this.understanding.trainedOn }, "intent model retrained with labelled messages");
    })().finally(() => {
      this.retraining = null;
    });
    await this.retraining;
  }

  /** Another instance labelled something: retrain here too. */
  async refreshIfChanged(): Promise<boolean> {
    if ((await this.version()) === this.seenVersion) return false;
    await this.retrain();
    return true;
  }
}
