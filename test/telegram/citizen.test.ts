// End to end: real-shaped Telegram updates POSTed to /webhooks/telegram of a running service
// (real conversation core, test database), asserting what the bot sent to the fake Bot API.
import { databaseConversation } from "../../src/core/conversation/database.ts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTelegram } from "../../src/bot/telegram/index.ts";
import { ConversationService } from "../../src/core/conversation/index.ts";
import { encodeStartPayload } from "../../src/core/dossier-code.ts";
import { dossierInputSchema } from "../../src/core/dossier-schemas.ts";
import { accept } from "../../src/core/inbox.ts";
import { citizen, inlineKeyboard, replyMarkup, updates, type FakeUser, type RecordedCall } from "../fakes/telegram-server.ts";
import { specDossier } from "../helpers/app.ts";
import { SECRET, startTelegramHarness, type TelegramHarness } from "./harness.ts";

// A fixed "now" for the conversation: the late dossier's appointment (2 Feb 2023) has passed.
let now = new Date("2023-02-10T10:00:00+07:00");
let h: TelegramHarness;

const CODE = {
  late: "000.00.15.H32-230112-0001",
  supplement: "000.00.15.H32-230112-0002",
  ready: "000.00.15.H32-230112-0003",
  other: "000.00.15.H32-230113-0004",
  lockme: "000.00.15.H32-230112-0005",
  unknown: "000.00.15.H32-230112-0999",
  viaId: "000.00.15.H32-230112-0006",
  deep: "000.00.15.H32-230112-0007",
};
const OWNER = { name: "Nguyễn Văn A", phone: "0905123456", idNumber: "056089001234" };
// The other citizen's dossier: none of these may ever reach someone else's chat.
const STRANGER = { name: "Trần Thị Bí Mật", phone: "0912777888", idNumber: "079199005678" };
const STRANGER_PROCEDURE = "Cấp giấy phép xây dựng nhà ở riêng lẻ";

beforeAll(async () => {
  h = await startTelegramHarness((ctx) => databaseConversation({ prisma: ctx.prisma, calendar: ctx.calendar, hasher: ctx.hasher, now: () => now, hotlineFallback: "1900 1234" }));
  const put = (code: string, over: Record<string, unknown>) => h.svc.ctx.dossiers.upsert(code, dossierInputSchema.parse(specDossier(over)), "test");
  await put(CODE.late, { applicant: OWNER });
  await put(CODE.supplement, { applicant: OWNER, status: 5, supplementReason: "Thiếu bản sao giấy chứng nhận quyền sử dụng đất" });
  await put(CODE.ready, { applicant: OWNER, status: 9, returnMethod: "counter", currentStep: null });
  await put(CODE.lockme, { applicant: OWNER });
  await put(CODE.viaId, { applicant: OWNER });
  await put(CODE.deep, { applicant: OWNER });
  await put(CODE.other, {
    applicant: STRANGER,
    procedureCode: "1.009999",
    procedureName: STRANGER_PROCEDURE,
    currentStep: "Kiểm tra hiện trạng công trình",
    receivedAt: "2023-01-13T09:00:00+07:00",
    appointmentAt: "2023-02-20T09:00:00+07:00",
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  now = new Date("2023-02-10T10:00:00+07:00");
});

let nextUser = 5_000_000;
const newCitizen = (over: Partial<FakeUser> = {}) => citizen(nextUser++, over);

/** Deliver one update; the sendMessage calls it caused in the user's chat. */
async function exchange(user: FakeUser, update: ReturnType<typeof updates.text>): Promise<RecordedCall[]> {
  const before = h.fake.calls.length;
  await h.deliver(update);
  return h.fake.calls.slice(before).filter((c) => c.method === "sendMessage" && c.status === 200 && Number(c.body.chat_id) === user.id);
}
const say = (user: FakeUser, text: string) => exchange(user, updates.text(user, text));
const press = (user: FakeUser, data: string) => exchange(user, updates.callback(user, data));
const texts = (calls: RecordedCall[]) => calls.map((c) => String(c.body.text));
const buttonData = (calls: RecordedCall[]) => calls.flatMap((c) => inlineKeyboard(c).flat().map((b) => b.callback_data));

/** Send a code (and accept the consent question, asked once per account); the bot then asks for proof. */
async function startLinking(user: FakeUser, code: string): Promise<RecordedCall[]> {
  let proof = await say(user, `Mã hồ sơ của tôi là ${code}`);
  if (texts(proof).join("\n").includes("Nghị định 13/2023")) {
    expect(buttonData(proof)).toEqual(["c:y", "c:n"]);
    proof = await press(user, "c:y");
  }
  expect(texts(proof).join("\n")).toContain(`Để xác minh Ông/Bà là người nộp hồ sơ ${code}`);
  return proof;
}

async function linkByDigits(user: FakeUser, code: string): Promise<void> {
  await startLinking(user, code);
  const linked = await say(user, OWNER.idNumber.slice(-4));
  expect(texts(linked)[0]).toContain(`Đã liên kết hồ sơ ${code}`);
}

describe("linking a dossier", () => {
  it("by sharing the own phone number: consent, request_contact keyboard, link, status card", async () => {
    const user = newCitizen();
    const proof = await startLinking(user, CODE.late);
    expect(replyMarkup(proof.at(-1))).toMatchObject({ keyboard: [[{ text: "Chia sẻ số điện thoại", request_contact: true }]], one_time_keyboard: true });

    const done = await exchange(user, updates.contact(user, "+84905123456"));
    expect(texts(done)[0]).toBe(`Đã liên kết hồ sơ ${CODE.late} với tài khoản của Ông/Bà (xác minh bằng số điện thoại 090****456). Chúng tôi sẽ báo khi hồ sơ có kết quả.`);
    expect(replyMarkup(done[0])).toEqual({ remove_keyboard: true });
    expect(texts(done)[1]).toContain(`Hồ sơ ${CODE.late}`);
    const link = await h.svc.ctx.prisma.dossierLink.findFirstOrThrow({ where: { dossier: { code: CODE.late }, citizen: { accounts: { some: { platformUserId: String(user.id) } } } } });
    expect(link.verifiedBy).toBe("phone_contact");
    expect(link.consentAt).toBeInstanceOf(Date);
  });

  it("a forwarded contact (someone else's card) is not proof", async () => {
    const user = newCitizen();
    await startLinking(user, CODE.late);
    const r = await exchange(user, updates.contact(user, "0905123456", { userId: 42 }));
    expect(texts(r)[0]).toContain("Chỉ chấp nhận số điện thoại của chính Ông/Bà");
    expect(await h.svc.ctx.prisma.dossierLink.count({ where: { citizen: { accounts: { some: { platformUserId: String(user.id) } } } } })).toBe(0);
  });

  it("by the last four digits of the ID number", async () => {
    const user = newCitizen();
    await startLinking(user, CODE.viaId);
    const r = await say(user, "1234");
    expect(texts(r)[0]).toBe(`Đã liên kết hồ sơ ${CODE.viaId} với tài khoản của Ông/Bà (xác minh bằng 4 số cuối thẻ căn cước/CCCD). Chúng tôi sẽ báo khi hồ sơ có kết quả.`);
    expect(texts(r)[1]).toContain(`Hồ sơ ${CODE.viaId}`);
  });

  it("through a deep link /start <payload> from the QR code on the receipt", async () => {
    const user = newCitizen();
    const payload = encodeStartPayload(CODE.deep);
    expect(payload.length).toBeLessThanOrEqual(64);
    const r = await exchange(user, updates.command(user, "start", payload));
    expect(texts(r)[0]).toContain(`Để liên kết hồ sơ ${CODE.deep}`);
  });

  it("a wrong proof five times locks the code for that account, with the time it ends — not for the owner", async () => {
    const user = newCitizen();
    await startLinking(user, CODE.lockme);
    for (let left = 4; left >= 1; left--) {
      const r = await say(user, "9999");
      expect(texts(r)[0]).toContain(`Thông tin xác minh không khớp với hồ sơ ${CODE.lockme}. Ông/Bà còn ${left} lần thử trong hôm nay.`);
    }
    const locked = await say(user, "9999");
    expect(texts(locked)[0]).toBe(
      `Ông/Bà đã nhập sai quá nhiều lần nên tạm thời chưa thể xác minh hồ sơ ${CODE.lockme} từ tài khoản này. Ông/Bà có thể thử lại sau 11/02/2023 00:00. Nếu cần gấp, hãy liên hệ Bộ phận một cửa nơi nộp hồ sơ.`,
    );
    // Not even the right digits get through from this account today.
    const again = await say(user, CODE.lockme);
    expect(texts(again)[0]).toContain("tạm thời chưa thể xác minh");
    expect(await h.svc.ctx.prisma.dossierLink.count({ where: { dossier: { code: CODE.lockme } } })).toBe(0);
    // Another account (the owner's own phone) is not locked out by those failures.
    const other = newCitizen();
    const r = await say(other, CODE.lockme);
    expect(texts(r)[0]).toContain(`Để liên kết hồ sơ ${CODE.lockme}`);
  });

  it("an unknown code gets exactly the answers a wrong proof for a real code gets", async () => {
    const run = async (code: string) => {
      const user = newCitizen();
      const calls = [...(await say(user, code)), ...(await press(user, "c:y")), ...(await say(user, "4321")), ...(await exchange(user, updates.contact(user, "0905000000")))];
      return calls.map((c) => JSON.stringify({ text: c.body.text, markup: c.body.reply_markup ?? null }).replaceAll(code, "<CODE>"));
    };
    const real = await run(CODE.supplement);
    const unknown = await run(CODE.unknown);
    expect(unknown).toEqual(real);
    expect(real.join("\n")).toContain("Ông/Bà còn 3 lần thử");
  });
});

describe("status answers", () => {
  let user: FakeUser;
  beforeAll(async () => {
    user = newCitizen();
    await linkByDigits(user, CODE.late);
  });

  it("a late dossier: days late, an apology, the current step", async () => {
    const [card, ...rest] = texts(await say(user, "Hồ sơ của tôi đến đâu rồi?"));
    expect(rest).toEqual([]);
    expect(card).toContain(`Hồ sơ ${CODE.late}`);
    expect(card).toContain("Thủ tục: Đăng ký biến động quyền sử dụng đất");
    expect(card).toContain("Nơi tiếp nhận: UBND phường Cam Lộc");
    expect(card).toContain("Ngày hẹn trả: 02/02/2023 09:00");
    expect(card).toContain("Tình trạng: Đang giải quyết");
    expect(card).toContain("Bước hiện tại: Thẩm định hồ sơ");
    expect(card).toMatch(/Hồ sơ đã trễ hẹn \d+ ngày làm việc\. Chúng tôi thành thật xin lỗi/);
  });

  it("understands the question typed without diacritics", async () => {
    const withMarks = texts(await say(user, "bao giờ có kết quả"));
    const noMarks = texts(await say(user, "ho so cua toi den dau roi"));
    expect(noMarks[0]).toContain(`Hồ sơ ${CODE.late}`);
    expect(noMarks).toEqual(withMarks);
  });

  it("a dossier waiting for supplements says what to bring", async () => {
    const u = newCitizen();
    await linkByDigits(u, CODE.supplement);
    const [card] = texts(await say(u, "tình trạng hồ sơ"));
    expect(card).toContain("Tình trạng: Chờ bổ sung hồ sơ");
    expect(card).toContain("Việc Ông/Bà cần làm: bổ sung hồ sơ. Nội dung cần bổ sung: Thiếu bản sao giấy chứng nhận quyền sử dụng đất");
  });

  it("a result-ready dossier says where to collect it", async () => {
    const u = newCitizen();
    await linkByDigits(u, CODE.ready);
    const [card] = texts(await exchange(u, updates.command(u, "status")));
    expect(card).toContain("Tình trạng: Đã có kết quả");
    expect(card).toContain("Kết quả đã sẵn sàng. Mời Ông/Bà nhận tại quầy Bộ phận một cửa, UBND phường Cam Lộc.");
  });

  it("with two linked dossiers asks which one (buttons ≤ 64 bytes), and every callback is answered", async () => {
    const u = newCitizen();
    await linkByDigits(u, CODE.late);
    await linkByDigits(u, CODE.ready);
    const answeredBefore = h.fake.sent("answerCallbackQuery").length;
    const choice = await say(u, "khi nào xong");
    expect(texts(choice)[0]).toBe("Ông/Bà đã liên kết 2 hồ sơ. Ông/Bà muốn xem hồ sơ nào?");
    const keyboard = inlineKeyboard(choice[0]);
    expect(keyboard.flat().map((b) => b.text.split(" · ")[0])).toEqual([CODE.late, CODE.ready]);
    for (const b of keyboard.flat()) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);

    const [first, second] = keyboard.flat().map((b) => b.callback_data) as [string, string];
    expect(texts(await press(u, second))[0]).toContain(`Hồ sơ ${CODE.ready}`);
    expect(texts(await press(u, first))[0]).toContain(`Hồ sơ ${CODE.late}`);
    // The card's own buttons and the menu work the same way.
    const card = await press(u, "m:status");
    expect(texts(card)[0]).toBe("Ông/Bà đã liên kết 2 hồ sơ. Ông/Bà muốn xem hồ sơ nào?");
    await press(u, "garbage-data");
    expect(h.fake.sent("answerCallbackQuery").length - answeredBefore).toBe(4);
  });

  it("unlink: choose, confirm what was unlinked, and the dossier is gone from status", async () => {
    const u = newCitizen();
    await linkByDigits(u, CODE.late);
    await linkByDigits(u, CODE.supplement);
    const choice = await exchange(u, updates.command(u, "unlink"));
    expect(texts(choice)[0]).toBe("Chọn hồ sơ Ông/Bà muốn hủy liên kết:");
    const target = inlineKeyboard(choice[0]).flat().find((b) => b.text.startsWith(CODE.late))!;
    const done = await press(u, target.callback_data);
    expect(texts(done)[0]).toBe(`Đã hủy liên kết hồ sơ ${CODE.late}. Ông/Bà sẽ không nhận thông báo về hồ sơ này nữa.`);
    const [card] = texts(await say(u, "hồ sơ của tôi"));
    expect(card).toContain(`Hồ sơ ${CODE.supplement}`);
    expect(card).not.toContain(CODE.late);
  });
});

describe("the webhook as Telegram sees it", () => {
  it("a forged secret header gets 401 and has no effect", async () => {
    const user = newCitizen();
    const u = updates.text(user, CODE.late);
    const rows = await h.svc.ctx.prisma.inboundUpdate.count();
    const accounts = await h.svc.ctx.prisma.channelAccount.count();
    const before = h.fake.calls.length;
    expect((await h.post(u, "forged-" + SECRET)).status).toBe(401);
    expect((await h.post(u, SECRET.slice(0, -1))).status).toBe(401);
    expect(await h.svc.ctx.prisma.inboundUpdate.count()).toBe(rows);
    expect(await h.svc.ctx.prisma.inboundUpdate.count({ where: { externalId: String(u.update_id) } })).toBe(0);
    expect(await h.svc.ctx.prisma.channelAccount.count()).toBe(accounts);
    expect(h.fake.calls.slice(before)).toEqual([]);
  });

  it("an absent secret header gets 401 and has no effect", async () => {
    const user = newCitizen();
    const u = updates.text(user, "hồ sơ của tôi");
    const before = h.fake.calls.length;
    expect((await h.post(u, null)).status).toBe(401);
    expect(await h.svc.ctx.prisma.inboundUpdate.count({ where: { externalId: String(u.update_id) } })).toBe(0);
    expect(h.fake.calls.slice(before)).toEqual([]);
  });

  it("the same update delivered twice gets one reply", async () => {
    const user = newCitizen();
    const u = updates.text(user, "xin chào");
    const first = await exchange(user, u);
    const second = await exchange(user, u);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(0);
    // Also when the two deliveries overlap.
    const v = updates.text(user, "menu");
    const before = h.fake.calls.length;
    await Promise.all([h.deliver(v), h.deliver(v), h.deliver(v)]);
    expect(h.fake.calls.slice(before).filter((c) => c.method === "sendMessage")).toHaveLength(1);
  });

  it("a 429 with retry_after from Telegram: the reply is still delivered, once", async () => {
    const user = newCitizen();
    h.fake.failNext(1, "429", { method: "sendMessage", retryAfter: 1 });
    const before = h.fake.calls.length;
    const r = await say(user, "xin chào");
    expect(texts(r)).toHaveLength(1);
    expect(h.fake.calls.slice(before).map((c) => `${c.method} ${c.status}`)).toEqual(["sendMessage 429", "sendMessage 200"]);
  });

  it("an update accepted before a crash is processed after the restart", async () => {
    const user = newCitizen();
    const u = updates.text(user, "hướng dẫn");
    // The process stored the update and died before running it.
    const { id } = await accept(h.svc.ctx.prisma, "telegram", String(u.update_id), u);
    await h.svc.ctx.prisma.inboundUpdate.update({ where: { id }, data: { receivedAt: new Date(Date.now() - 5 * 60_000) } });
    // "Restart": a new Telegram channel on the same database replays at start-up.
    const restarted = startTelegram(h.svc.ctx, databaseConversation({ prisma: h.svc.ctx.prisma, calendar: h.svc.ctx.calendar, hasher: h.svc.ctx.hasher, now: () => now }), {
      replayIntervalMs: 0,
    });
    try {
      await h.fake.waitFor((calls) => calls.some((c) => c.method === "sendMessage" && Number(c.body.chat_id) === user.id));
      await restarted.stop();
      const row = await h.svc.ctx.prisma.inboundUpdate.findUniqueOrThrow({ where: { id } });
      expect(row.processedAt).toBeInstanceOf(Date);
      expect(row.attempts).toBe(1);
      expect(h.fake.texts(user.id)[0]).toContain("Liên hệ cán bộ");
      // Telegram redelivering it now changes nothing.
      expect(await exchange(user, u)).toHaveLength(0);
    } finally {
      await restarted.stop();
    }
  });
});

describe("a citizen never sees another citizen's dossier", () => {
  let owner: FakeUser;
  let intruder: FakeUser;
  let otherId: number;
  const secrets = [STRANGER.name, STRANGER.phone, "0912", STRANGER.idNumber, "5678", STRANGER_PROCEDURE, "Kiểm tra hiện trạng", "20/02/2023"];

  beforeAll(async () => {
    owner = newCitizen();
    intruder = newCitizen();
    otherId = (await h.svc.ctx.prisma.dossier.findUniqueOrThrow({ where: { code: CODE.other } })).id;
    // The real owner links by phone; the intruder links a dossier of their own.
    await startLinking(owner, CODE.other);
    const done = await exchange(owner, updates.contact(owner, "+84912777888"));
    expect(texts(done)[0]).toContain(`Đã liên kết hồ sơ ${CODE.other}`);
    await linkByDigits(intruder, CODE.late);
  });

  async function expectNothingLeaks(calls: RecordedCall[]): Promise<void> {
    const all = calls.map((c) => JSON.stringify(c.body)).join("\n");
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all).not.toContain(`s:${otherId}"`);
  }

  it("not by typing the code (it asks for proof instead)", async () => {
    const r = await say(intruder, `cho tôi xem hồ sơ ${CODE.other}`);
    expect(texts(r)[0]).toContain(`Để xác minh Ông/Bà là người nộp hồ sơ ${CODE.other}`);
    await expectNothingLeaks(r);
    await expectNothingLeaks(await exchange(intruder, updates.command(intruder, "status", CODE.other)));
  });

  it("not by a deep link payload", async () => {
    const r = await exchange(intruder, updates.command(intruder, "start", encodeStartPayload(CODE.other)));
    expect(texts(r).join("\n")).not.toContain("Tình trạng:");
    await expectNothingLeaks(r);
  });

  it("not by forged callback data (status, unlink)", async () => {
    const seen = await press(intruder, `s:${otherId}`);
    expect(texts(seen)).toEqual(["Không tìm thấy hồ sơ này trong các hồ sơ Ông/Bà đã liên kết."]);
    const unlink = await press(intruder, `u:${otherId}`);
    expect(texts(unlink)).toEqual(["Không tìm thấy hồ sơ này trong các hồ sơ Ông/Bà đã liên kết."]);
    for (const data of [`s:${otherId + 0}0`, "s:0", "s:-1", `s:${otherId}:x`, "s:" + "9".repeat(60)]) await expectNothingLeaks(await press(intruder, data));
    await expectNothingLeaks([...seen, ...unlink]);
    expect(await h.svc.ctx.prisma.dossierLink.count({ where: { dossierId: otherId } })).toBe(1);
  });

  it("not by someone else's contact card, nor by the owner's phone typed as text", async () => {
    await say(intruder, CODE.other);
    const r = [
      ...(await exchange(intruder, updates.contact(intruder, STRANGER.phone, { userId: owner.id }))),
      ...(await say(intruder, STRANGER.phone)),
      ...(await say(intruder, "hồ sơ của tôi")),
    ];
    await expectNothingLeaks(r);
    expect(texts(r).join("\n")).toContain(`Hồ sơ ${CODE.late}`);
  });

  it("the owner's view is untouched and the owner's chat got nothing from all this", async () => {
    const [card] = texts(await say(owner, "tra cứu"));
    expect(card).toContain(STRANGER_PROCEDURE);
    const toOwner = h.fake.sent("sendMessage", owner.id);
    expect(toOwner.length).toBeGreaterThan(0);
    const intruderTexts = h.fake.texts(intruder.id).join("\n");
    for (const s of secrets) expect(intruderTexts).not.toContain(s);
  });
});
