// The survey on Zalo through the fake Zalo OA API: query buttons (their payload comes back as
// the text of a message), more than five buttons split over messages, and a closed reply
// window recorded on the invitation instead of retried.
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConversationService } from "../../src/core/conversation/index.ts";
import { DeliveryWorker } from "../../src/core/delivery/engine.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { surveyInterceptor, runSurveySchedule, surveyStatusListener } from "../../src/core/survey/index.ts";
import { silentLogger } from "../../src/logger.ts";
import { zaloEvents } from "../fakes/zalo-server.ts";
import { specDossier } from "../helpers/app.ts";
import { startZaloHarness, type ZaloHarness } from "../zalo/harness.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = { now: new Date() };
let h: ZaloHarness;
let worker: DeliveryWorker;
let scheduler: { runOnce(): Promise<unknown> };

/** Zalo refuses proactive messages 22:00–06:00 Vietnam time: the delivery clock says daytime. */
function nextVietnamTen(t: Date): Date {
  const day = Math.floor((t.getTime() + 7 * HOUR) / DAY) * DAY - 7 * HOUR;
  const ten = day + 10 * HOUR;
  return new Date(ten > t.getTime() ? ten : ten + DAY);
}

beforeAll(async () => {
  h = await startZaloHarness({
    conversation: (ctx) => {
      const deps = { prisma: ctx.prisma, logger: silentLogger, channels: ["zalo" as const], now: () => clock.now };
      ctx.statusEvents.attach([surveyStatusListener(deps)]);
      scheduler = { runOnce: () => runSurveySchedule(deps) };
      return databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher, now: () => clock.now });
    },
  });
  const daytime = nextVietnamTen(new Date());
  worker = new DeliveryWorker({ prisma: h.svc.ctx.prisma, senders: [h.zalo.sender], logger: silentLogger, pollMs: 20, now: () => daytime });
  worker.start();
});
afterAll(async () => {
  await worker?.stop();
  await h?.close();
});

let seq = 0;
async function returnedDossier(link: (code: string) => Promise<void>): Promise<{ id: number; code: string }> {
  const code = `000.00.15.H32-230112-${String(++seq).padStart(4, "0")}`;
  await h.svc.ctx.dossiers.upsert(code, dossierInputSchema.parse(specDossier({ status: 9 })), "test");
  await link(code);
  clock.now = new Date(Math.max(Date.now(), clock.now.getTime()) + 1000);
  await h.svc.ctx.dossiers.applyEvent(code, { eventId: `ret-${code}`, status: 10, at: clock.now.toISOString() }, "test");
  await worker.drain({ timeoutMs: 20_000 });
  return h.svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code }, select: { id: true, code: true } });
}

interface Sent {
  text: string;
  buttons: { title: string; payload: string }[];
}
function messages(userId: string): Sent[] {
  return h.fake.sent("oa/message/cs", userId).map((c) => {
    const m = c.body.message as { text?: string; attachment?: { payload?: { buttons?: { title: string; payload: string }[] } } };
    return { text: m.text ?? "", buttons: m.attachment?.payload?.buttons ?? [] };
  });
}

async function say(userId: string, text: string): Promise<void> {
  await h.deliver(zaloEvents.text(userId, text));
}

/** Presses the button titled `title` among the last `lookBack` messages (payload comes back as text). */
async function press(userId: string, title: string, lookBack = 3): Promise<void> {
  const recent = messages(userId).slice(-lookBack);
  const b = recent.flatMap((m) => m.buttons).find((x) => x.title.replace(/^✓ /, "") === title);
  if (!b) throw new Error(`no button "${title}" in: ${recent.map((m) => m.text).join(" | ")}`);
  await say(userId, b.payload);
}

async function link(userId: string, code: string): Promise<void> {
  await say(userId, code);
  if (messages(userId).at(-1)!.buttons.some((b) => b.payload === "c:y")) await say(userId, "c:y");
  await say(userId, "1234");
}

describe("the survey on Zalo", () => {
  it("asks with query buttons and records the answers pressed", async () => {
    const uid = "6123456789012345001";
    const d = await returnedDossier((code) => link(uid, code));
    const ask = messages(uid).at(-1)!;
    expect(ask.text).toContain(`Hồ sơ ${d.code}`);
    expect(ask.buttons.map((b) => b.title)).toEqual(["Rất hài lòng", "Hài lòng", "Không hài lòng"]);

    await press(uid, "Không hài lòng");
    // Six reason chips and "Xong" do not fit Zalo's five buttons: the rest follows in a second message.
    const [chips, more] = messages(uid).slice(-2);
    expect(chips!.text).toContain("Vì sao Ông/Bà không hài lòng?");
    expect([...chips!.buttons, ...more!.buttons].map((b) => b.title)).toEqual([
      "Quá hạn",
      "Phải đi lại nhiều lần",
      "Thái độ cán bộ",
      "Hướng dẫn không rõ",
      "Thu phí ngoài quy định",
      "Khác",
      "Xong",
    ]);
    await press(uid, "Thái độ cán bộ");
    await press(uid, "Xong");
    await press(uid, "Bỏ qua");
    await press(uid, "2 lần");
    await press(uid, "Đúng hẹn");
    await press(uid, "Chưa tốt");
    expect(messages(uid).at(-1)!.text).toContain(`Cảm ơn Ông/Bà đã đánh giá hồ sơ ${d.code}`);
    const row = await h.svc.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(row).toMatchObject({ channel: "zalo", overall: "not_satisfied", reasons: ["staff_attitude"], comment: null, visits: 2, onTime: true, staffAttitude: "bad" });
  });

  it("a closed reply window is recorded on the invitation, once, and no reminder follows", async () => {
    const uid = "6123456789012345002";
    const d = await returnedDossier(async (code) => {
      await link(uid, code);
      h.fake.closeWindow(uid);
    });
    const inv = await h.svc.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId: d.id } });
    const msg = await h.svc.ctx.prisma.outboundMessage.findUniqueOrThrow({ where: { dedupeKey: `survey:${inv.id}:ask` } });
    expect(msg.state).toBe("undeliverable");
    await scheduler.runOnce();
    const after = await h.svc.ctx.prisma.surveyInvitation.findUniqueOrThrow({ where: { id: inv.id } });
    expect(after.state).toBe("undeliverable");
    expect(after.outcome).toMatch(/^first question undeliverable: window closed/);
    clock.now = new Date(clock.now.getTime() + 2 * DAY);
    await scheduler.runOnce();
    await worker.drain({ timeoutMs: 20_000 });
    expect(await h.svc.ctx.prisma.outboundMessage.count({ where: { dossierId: d.id } })).toBe(1);
  });
});
