// The whole survey on Telegram, end to end through the fake Bot API: a citizen links a
// dossier in the chat, the dossier is returned, the delivery engine sends the first question
// with an inline keyboard, the citizen answers by pressing buttons and typing a comment,
// comes back to change the rating, is refused after 14 days; another citizen is reminded once.
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TelegramSender } from "../../src/bot/telegram/sender.ts";
import { ConversationService } from "../../src/core/conversation/index.ts";
import { DeliveryWorker } from "../../src/core/delivery/engine.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { rateButton, surveyInterceptor, runSurveySchedule, surveyStatusListener } from "../../src/core/survey/index.ts";
import { silentLogger } from "../../src/logger.ts";
import { citizen, inlineKeyboard, updates, type FakeUser } from "../fakes/telegram-server.ts";
import { specDossier } from "../helpers/app.ts";
import { startTelegramHarness, type TelegramHarness } from "../telegram/harness.ts";

const DAY = 86_400_000;
const clock = { now: new Date() };
let h: TelegramHarness;
let worker: DeliveryWorker;
let scheduler: { runOnce(): Promise<unknown> };

beforeAll(async () => {
  h = await startTelegramHarness((ctx) => {
    const deps = { prisma: ctx.prisma, logger: silentLogger, channels: ["telegram" as const], now: () => clock.now };
    ctx.statusEvents.attach([surveyStatusListener(deps)]);
    scheduler = { runOnce: () => runSurveySchedule(deps) };
    return databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher, now: () => clock.now });
  });
  worker = new DeliveryWorker({
    prisma: h.svc.ctx.prisma,
    senders: [new TelegramSender({ token: h.fake.token, apiRoot: h.fake.apiRoot })],
    logger: silentLogger,
    pollMs: 20,
  });
  worker.start();
});
afterAll(async () => {
  await worker?.stop();
  await h?.close();
});

let seq = 0;
async function dossier(): Promise<{ id: number; code: string }> {
  const code = `000.00.15.H32-230112-${String(++seq).padStart(4, "0")}`;
  await h.svc.ctx.dossiers.upsert(code, dossierInputSchema.parse(specDossier({ status: 9 })), "test");
  return h.svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code }, select: { id: true, code: true } });
}

async function returned(code: string): Promise<void> {
  clock.now = new Date(Math.max(Date.now(), clock.now.getTime()) + 1000);
  await h.svc.ctx.dossiers.applyEvent(code, { eventId: `ret-${code}`, status: 10, at: clock.now.toISOString() }, "test");
  await worker.drain({ timeoutMs: 20_000 });
}

/** The last message the bot sent to this citizen, with its inline keyboard. */
function lastMessage(u: FakeUser): { text: string; buttons: { text: string; data: string }[] } {
  const call = h.fake.sent("sendMessage", u.id).at(-1);
  if (!call) throw new Error(`nothing was sent to ${u.id}`);
  return { text: String(call.body.text), buttons: inlineKeyboard(call).flat().map((b) => ({ text: b.text, data: b.callback_data })) };
}

async function press(u: FakeUser, label: string): Promise<{ text: string; buttons: { text: string; data: string }[] }> {
  const b = lastMessage(u).buttons.find((x) => x.text.replace(/^✓ /, "") === label);
  if (!b) throw new Error(`no button "${label}" in the last message: ${lastMessage(u).text}`);
  await h.deliver(updates.callback(u, b.data));
  return lastMessage(u);
}

async function say(u: FakeUser, text: string) {
  await h.deliver(updates.text(u, text));
  return lastMessage(u);
}

/** Links a dossier in the chat with the last four digits of the applicant's ID. */
async function link(u: FakeUser, code: string): Promise<void> {
  const asked = await say(u, code);
  if (asked.buttons.some((b) => b.data === "c:y")) await h.deliver(updates.callback(u, "c:y"));
  await say(u, "1234");
}

describe("the survey on Telegram", () => {
  const lan = citizen(7301, { language_code: "vi" });
  let d: { id: number; code: string };

  it("is asked when the linked dossier is returned and answered button by button", async () => {
    d = await dossier();
    await link(lan, d.code);
    const linked = await h.svc.ctx.prisma.dossierLink.count({ where: { dossierId: d.id } });
    expect(linked).toBe(1);

    await returned(d.code);
    let m = lastMessage(lan);
    expect(m.text).toContain(`Hồ sơ ${d.code} (Đăng ký biến động quyền sử dụng đất) đã được trả kết quả`);
    expect(m.buttons.map((b) => b.text)).toEqual(["Rất hài lòng", "Hài lòng", "Không hài lòng"]);
    expect(m.buttons.every((b) => /^v:\d+:0:\d$/.test(b.data))).toBe(true);

    m = await press(lan, "Không hài lòng");
    expect(m.text).toContain("Vì sao Ông/Bà không hài lòng?");
    m = await press(lan, "Phải đi lại nhiều lần");
    expect(m.buttons.map((b) => b.text)).toContain("✓ Phải đi lại nhiều lần");
    m = await press(lan, "Hướng dẫn không rõ");
    m = await press(lan, "Xong");
    expect(m.text).toContain("nhắn thêm góp ý");
    m = await say(lan, "Cán bộ hướng dẫn mỗi lần một kiểu, tôi phải đi lại 3 lần");
    expect(m.text).toContain("mấy lần");
    m = await press(lan, "3 lần trở lên");
    m = await press(lan, "Trễ hẹn");
    m = await press(lan, "Bình thường");
    expect(m.text).toContain(`Cảm ơn Ông/Bà đã đánh giá hồ sơ ${d.code}`);
    // Every press was acknowledged to Telegram.
    expect(h.fake.sent("answerCallbackQuery").length).toBeGreaterThanOrEqual(7);

    const row = await h.svc.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(row).toMatchObject({
      channel: "telegram",
      overall: "not_satisfied",
      reasons: ["many_visits", "unclear_guidance"],
      comment: "Cán bộ hướng dẫn mỗi lần một kiểu, tôi phải đi lại 3 lần",
      visits: 3,
      onTime: false,
      staffAttitude: "normal",
    });
  });

  it("a second attempt from the status card edits the same response", async () => {
    clock.now = new Date(clock.now.getTime() + 3 * DAY);
    await h.deliver(updates.callback(lan, rateButton(d.id).data));
    let m = lastMessage(lan);
    expect(m.text).toContain(`Ông/Bà đã đánh giá hồ sơ ${d.code}. Có thể chọn lại để sửa đến`);
    expect(m.buttons.map((b) => b.text)).toContain("✓ Không hài lòng");
    m = await press(lan, "Hài lòng");
    expect(m.text).toContain("Câu 2/4");
    const rows = await h.svc.ctx.prisma.feedbackResponse.findMany({ where: { dossierId: d.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ overall: "satisfied", reasons: [], comment: null, visits: 3 });
  });

  it("after 14 days the answers are locked", async () => {
    clock.now = new Date(clock.now.getTime() + 12 * DAY);
    await h.deliver(updates.callback(lan, rateButton(d.id).data));
    expect(lastMessage(lan).text).toMatch(new RegExp(`^Đánh giá hồ sơ ${d.code.replaceAll(".", "\\.")} đã được ghi nhận và không thể sửa sau`));
    expect(lastMessage(lan).buttons).toEqual([]);
    expect((await h.svc.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: d.id } })).overall).toBe("satisfied");
  });

  it("a citizen who does not answer is reminded once, after 24 hours", async () => {
    clock.now = new Date();
    const mai = citizen(7302, { language_code: "vi" });
    const d2 = await dossier();
    await link(mai, d2.code);
    await returned(d2.code);
    const asked = h.fake.texts(mai.id).length;
    expect(lastMessage(mai).text).toContain("đã được trả kết quả");

    clock.now = new Date(clock.now.getTime() + 25 * 3_600_000);
    await scheduler.runOnce();
    await worker.drain({ timeoutMs: 20_000 });
    expect(h.fake.texts(mai.id).length).toBe(asked + 1);
    expect(lastMessage(mai).text).toContain(`Nhắc lại: Ông/Bà chưa đánh giá hồ sơ ${d2.code}`);
    expect(lastMessage(mai).buttons.map((b) => b.text)).toEqual(["Rất hài lòng", "Hài lòng", "Không hài lòng"]);

    clock.now = new Date(clock.now.getTime() + 3 * DAY);
    await scheduler.runOnce();
    await worker.drain({ timeoutMs: 20_000 });
    expect(h.fake.texts(mai.id).length).toBe(asked + 1);

    // The reminder's buttons work like the first ones.
    const m = await press(mai, "Rất hài lòng");
    expect(m.text).toContain("Câu 2/4");
    expect(await h.svc.ctx.prisma.feedbackResponse.count({ where: { dossierId: d2.id } })).toBe(1);
  });
});
