// The survey core without a chat platform: invitations on "returned", answers through the
// interceptor, edits and locking, reminder, expiry, a closed Zalo window, versions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryWorker } from "../../src/core/delivery/engine.ts";
import { DEFAULT_SURVEY, parseDefinition } from "../../src/core/survey/definition.ts";
import { publishSurvey, rateButton, SURVEY_PRIORITY } from "../../src/core/survey/index.ts";
import { satisfactionIndex } from "../../src/core/stats/satisfaction.ts";
import { silentLogger } from "../../src/logger.ts";
import { ScriptedSender } from "../delivery/helpers.ts";
import { button, buttons, createSurveyHarness, DAY, HOUR, payloadReplies, text, type SurveyHarness } from "./helpers.ts";

let h: SurveyHarness;
let n = 0;
const code = () => `000.00.15.H32-230112-${String(++n).padStart(4, "0")}`;

beforeAll(async () => {
  h = await createSurveyHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The next 10:00 in Vietnam (UTC+7) after `t`. */
function nextVietnamTen(t: Date): Date {
  const day = Math.floor((t.getTime() + 7 * HOUR) / DAY) * DAY - 7 * HOUR;
  const ten = day + 10 * HOUR;
  return new Date(ten > t.getTime() ? ten : ten + DAY);
}

async function queued(dossierId: number) {
  return h.ctx.prisma.outboundMessage.findMany({ where: { dossierId }, orderBy: { id: "asc" } });
}

describe("asking when a linked dossier is returned", () => {
  it("one invitation per dossier and citizen, the first question queued with native buttons", async () => {
    const d = await h.dossier(code());
    const a = await h.citizen({ dossierIds: [d.id] });
    const b = await h.citizen({ dossierIds: [d.id], channel: "zalo", language: "en" });
    await h.returned(d.code);

    const invitations = await h.ctx.prisma.surveyInvitation.findMany({ where: { dossierId: d.id }, orderBy: { citizenId: "asc" } });
    expect(invitations.map((i) => [i.citizenId, i.state, i.channel])).toEqual([
      [a.citizenId, "sent", "telegram"],
      [b.citizenId, "sent", "zalo"],
    ]);
    const inv = invitations[0]!;
    expect(inv.expiresAt.getTime() - inv.invitedAt.getTime()).toBe(30 * DAY);
    expect(inv.reminderDueAt!.getTime() - inv.invitedAt.getTime()).toBe(24 * HOUR);

    const msgs = await queued(d.id);
    expect(msgs.map((m) => [m.kind, m.dedupeKey, m.accountId, m.priority])).toEqual([
      ["survey", `survey:${inv.id}:ask`, a.accountId, SURVEY_PRIORITY],
      ["survey", `survey:${invitations[1]!.id}:ask`, b.accountId, SURVEY_PRIORITY],
    ]);
    const replies = payloadReplies(msgs[0]!.payload);
    expect(text(replies)).toContain(`Hồ sơ ${d.code} (Đăng ký biến động quyền sử dụng đất) đã được trả kết quả`);
    expect(text(replies)).toContain("Câu 1/4. Ông/Bà có hài lòng");
    expect(buttons(replies)).toEqual([
      { label: "Rất hài lòng", data: `v:${inv.id}:0:0` },
      { label: "Hài lòng", data: `v:${inv.id}:0:1` },
      { label: "Không hài lòng", data: `v:${inv.id}:0:2` },
    ]);
    // The citizen who chose English gets English.
    expect(text(payloadReplies(msgs[1]!.payload))).toContain("How satisfied are you");

    // The same event again, or the dossier returned a second time: nothing new.
    await h.returned(d.code);
    expect(await h.ctx.prisma.surveyInvitation.count({ where: { dossierId: d.id } })).toBe(2);
    expect(await queued(d.id)).toHaveLength(2);
  });

  it("nobody is asked about a dossier nobody linked, and an account without consent is not used", async () => {
    const lonely = await h.dossier(code());
    await h.returned(lonely.code);
    expect(await h.ctx.prisma.surveyInvitation.count({ where: { dossierId: lonely.id } })).toBe(0);

    const d = await h.dossier(code());
    const c = await h.citizen({ dossierIds: [d.id] });
    await h.ctx.prisma.channelAccount.update({ where: { id: c.accountId }, data: { consentAt: null } });
    await h.returned(d.code);
    const inv = await h.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(inv.state).toBe("undeliverable");
    expect(inv.outcome).toMatch(/no chat account/);
    expect(await queued(d.id)).toHaveLength(0);
  });
});

describe("answering", () => {
  it("one question at a time: not satisfied → reasons (required) → comment → visits → on time → attitude → thanks", async () => {
    const d = await h.dossier(code());
    const c = await h.citizen({ dossierIds: [d.id] });
    await h.returned(d.code);
    const first = payloadReplies((await queued(d.id))[0]!.payload);

    let r = await c.press(button(first, "Không hài lòng"));
    expect(text(r)).toContain("Câu 2/6. Vì sao Ông/Bà không hài lòng?");
    expect(buttons(r).map((b) => b.label)).toEqual(["Quá hạn", "Phải đi lại nhiều lần", "Thái độ cán bộ", "Hướng dẫn không rõ", "Thu phí ngoài quy định", "Khác", "Xong"]);
    // The overall rating is saved at once.
    const row = await h.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(row).toMatchObject({ overall: "not_satisfied", channel: "telegram", citizenId: c.citizenId });
    expect(row.editableUntil.getTime() - row.firstAnsweredAt.getTime()).toBe(14 * DAY);

    // A reason is required.
    r = await c.press(button(r, "Xong"));
    expect(text(r)).toContain("Xin chọn ít nhất một lý do");
    r = await c.press(button(r, "Quá hạn"));
    r = await c.press(button(r, "Thu phí ngoài quy định"));
    expect(buttons(r).filter((b) => b.label.startsWith("✓ ")).map((b) => b.label)).toEqual(["✓ Quá hạn", "✓ Thu phí ngoài quy định"]);
    r = await c.press(button(r, "Quá hạn")); // pressed again: unselected
    r = await c.press(button(r, "Quá hạn"));
    r = await c.press(button(r, "Xong"));
    expect(text(r)).toContain("Câu 3/6. Ông/Bà có thể nhắn thêm góp ý");
    // Free text right after is the comment.
    r = (await c.text("  Phải nộp thêm 200.000đ không có biên lai  "))!;
    expect(text(r)).toContain("Câu 4/6. Ông/Bà đã phải đến cơ quan mấy lần");
    r = await c.press(button(r, "3 lần trở lên"));
    r = await c.press(button(r, "Trễ hẹn"));
    r = await c.press(button(r, "Chưa tốt"));
    expect(text(r)).toMatch(/^Cảm ơn Ông\/Bà đã đánh giá hồ sơ .* Ông\/Bà có thể sửa câu trả lời đến \d\d\/\d\d\/\d{4} \d\d:\d\d\.$/);

    const done = await h.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(done).toMatchObject({
      overall: "not_satisfied",
      reasons: ["overdue", "extra_fees"],
      comment: "Phải nộp thêm 200.000đ không có biên lai",
      visits: 3,
      onTime: false,
      staffAttitude: "bad",
    });
    expect(done.answers).toEqual({ overall: "not_satisfied", reasons: ["overdue", "extra_fees"], comment: "Phải nộp thêm 200.000đ không có biên lai", visits: "3", on_time: "no", staff_attitude: "bad" });
    expect(await h.ctx.prisma.surveyInvitation.findUniqueOrThrow({ where: { id: done.invitationId! } })).toMatchObject({ state: "completed", currentQuestion: null });
    // After the survey, text is the conversation's again.
    expect(await c.text("hồ sơ của tôi")).toBeNull();
  });

  it("partial answers count: the overall rating alone is in the index", async () => {
    const d = await h.dossier(code(), { unitCode: "000.00.99.H32", unitName: "UBND xã Thử Một Câu" });
    const c = await h.citizen({ dossierIds: [d.id] });
    await h.returned(d.code);
    const r = await c.press(button(payloadReplies((await queued(d.id))[0]!.payload), "Hài lòng"));
    expect(text(r)).toContain("Câu 2/4"); // reasons and comment are not asked
    // Skip the rest.
    const s = await c.press(button(r, "Bỏ qua"));
    expect(text(s)).toContain("Câu 3/4");
    const idx = await satisfactionIndex(h.ctx.prisma, { unitCode: "000.00.99.H32", groupBy: [], minSample: 30, scoreMax: 1 }, { target: 84 });
    expect(idx.totals).toMatchObject({ rated: 1, satisfied: 1, satisfactionPct: 100, invited: 1, responseRatePct: 100 });
    const row = await h.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(row).toMatchObject({ overall: "satisfied", visits: null, onTime: null });
    expect(row.answers).toEqual({ overall: "satisfied", visits: null });
  });

  it("the status card of a returned dossier offers rating, and the button starts the survey", async () => {
    const d = await h.dossier(code());
    const c = await h.citizen({ dossierIds: [d.id] });
    const account = await h.ctx.prisma.channelAccount.findUniqueOrThrow({ where: { id: c.accountId } });
    const cardButtons = async () => {
      const replies = await h.ctx.conversation.handle({ channel: "telegram", userId: account.platformUserId, input: { kind: "command", command: "status", args: "" } });
      return replies.flatMap((r) => (r.kind === "text" ? (r.buttons ?? []).flat() : []));
    };
    expect((await cardButtons()).some((b) => b.data === rateButton(d.id).data)).toBe(false); // result ready, not yet returned
    await h.returned(d.code);
    const rate = (await cardButtons()).find((b) => b.data === rateButton(d.id).data);
    expect(rate).toBeDefined();
    const r = await c.press(rate!.data);
    expect(buttons(r).map((b) => b.label)).toEqual(["Rất hài lòng", "Hài lòng", "Không hài lòng"]);
  });

  it("a second response attempt edits the one response (from the status card or an old button)", async () => {
    const d = await h.dossier(code());
    const c = await h.citizen({ dossierIds: [d.id] });
    await h.returned(d.code);
    const first = payloadReplies((await queued(d.id))[0]!.payload);
    let r = await c.press(button(first, "Không hài lòng"));
    r = await c.press(button(r, "Khác"));
    await c.press(button(r, "Xong"));

    // From the status card: the survey starts again with the current answers marked.
    h.later(2 * DAY);
    r = await c.press(rateButton(d.id).data);
    expect(text(r)).toContain(`Ông/Bà đã đánh giá hồ sơ ${d.code}. Có thể chọn lại để sửa đến`);
    expect(buttons(r).map((b) => b.label)).toEqual(["Rất hài lòng", "Hài lòng", "✓ Không hài lòng"]);
    r = await c.press(button(r, "Hài lòng"));
    expect(text(r)).toContain("Câu 2/4"); // reasons no longer apply
    // The old message's button still edits the same row.
    await c.press(button(first, "Rất hài lòng"));

    const rows = await h.ctx.prisma.feedbackResponse.findMany({ where: { dossierId: d.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ overall: "very_satisfied", reasons: [], comment: null });
    expect(await h.ctx.prisma.surveyInvitation.count({ where: { dossierId: d.id } })).toBe(1);
  });

  it("edits are refused after 14 days with a clear message", async () => {
    const d = await h.dossier(code());
    const c = await h.citizen({ dossierIds: [d.id] });
    await h.returned(d.code);
    const first = payloadReplies((await queued(d.id))[0]!.payload);
    await c.press(button(first, "Rất hài lòng"));
    const before = await h.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: d.id } });

    h.later(13 * DAY);
    expect(text(await c.press(button(first, "Hài lòng")))).toContain("Câu 2/4");
    h.later(2 * DAY);
    for (const data of [button(first, "Không hài lòng"), rateButton(d.id).data]) {
      const r = await c.press(data);
      expect(text(r)).toMatch(/^Đánh giá hồ sơ .* đã được ghi nhận và không thể sửa sau \d\d\/\d\d\/\d{4} \d\d:\d\d\.$/);
      expect(buttons(r)).toEqual([]);
    }
    const after = await h.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(after.overall).toBe("satisfied");
    expect(after.editableUntil).toEqual(before.editableUntil);
    h.clock.now = new Date();
  });

  it("rating from the status card: only a linked, returned dossier", async () => {
    const d = await h.dossier(code());
    const c = await h.citizen({ dossierIds: [d.id] });
    const stranger = await h.citizen();
    expect(text(await c.press(`r:${d.id}`))).toContain("chưa trả kết quả");
    expect(text(await stranger.press(`r:${d.id}`))).toContain("chỉ có thể đánh giá hồ sơ đã liên kết");
    // Returned, but the citizen starts before the invitation arrives: one invitation all the same, no reminder.
    await h.ctx.prisma.dossier.update({ where: { id: d.id }, data: { status: 10 } });
    const r = await c.press(`r:${d.id}`);
    expect(text(r)).toContain("Câu 1/4");
    const inv = await h.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(inv).toMatchObject({ citizenId: c.citizenId, state: "sent", reminderDueAt: null });
    await c.press(button(r, "Rất hài lòng"));
    expect(await h.ctx.prisma.feedbackResponse.count({ where: { dossierId: d.id } })).toBe(1);
  });

  it("forged or stale buttons change nothing", async () => {
    const d = await h.dossier(code());
    const owner = await h.citizen({ dossierIds: [d.id] });
    const other = await h.citizen();
    await h.returned(d.code);
    const inv = await h.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId: d.id, citizenId: owner.citizenId } });
    for (const data of [`v:${inv.id}:0:0`, `v:${inv.id}:0:9`, "v:99999999:0:0", "v:abc", "r:0", `v:${inv.id}:1:0`]) {
      const u = data === `v:${inv.id}:0:0` ? other : owner;
      const r = await u.press(data);
      expect(text(r), data).toMatch(/Nút này không còn dùng được/);
    }
    expect(await h.ctx.prisma.feedbackResponse.count({ where: { dossierId: d.id } })).toBe(0);
    // Buttons that are not the survey's are left to the conversation.
    const { surveyInterceptor } = await import("../../src/core/survey/index.ts");
    expect(
      await surveyInterceptor({ prisma: h.ctx.prisma, channel: "telegram", accountId: owner.accountId, citizenId: owner.citizenId, language: "vi", input: { kind: "button", data: "s:1" }, now: h.clock.now }),
    ).toBeNull();
  });
});

describe("reminder and expiry", () => {
  it("one reminder after 24 h if unanswered, then no more; none for answered invitations", async () => {
    const silent = await h.dossier(code());
    const answered = await h.dossier(code());
    await h.citizen({ dossierIds: [silent.id] });
    const c2 = await h.citizen({ dossierIds: [answered.id] });
    await h.returned(silent.code);
    await h.returned(answered.code);
    await c2.press(button(payloadReplies((await queued(answered.id))[0]!.payload), "Hài lòng"));

    h.later(23 * HOUR);
    await h.scheduler.runOnce();
    expect((await queued(silent.id)).map((m) => m.kind)).toEqual(["survey"]);

    h.later(2 * HOUR);
    await h.scheduler.runOnce();
    const msgs = await queued(silent.id);
    expect(msgs.map((m) => m.kind)).toEqual(["survey", "survey_reminder"]);
    expect(text(payloadReplies(msgs[1]!.payload))).toContain(`Nhắc lại: Ông/Bà chưa đánh giá hồ sơ ${silent.code}`);
    expect(msgs[1]!.accountId).toBe(msgs[0]!.accountId);

    for (let i = 0; i < 3; i++) {
      h.later(DAY);
      await h.scheduler.runOnce();
    }
    expect((await queued(silent.id)).map((m) => m.kind)).toEqual(["survey", "survey_reminder"]);
    expect((await queued(answered.id)).map((m) => m.kind)).toEqual(["survey"]);
    h.clock.now = new Date();
  });

  it("expires after 30 days: unanswered ones say so, partial answers are kept and counted", async () => {
    const silent = await h.dossier(code());
    const partial = await h.dossier(code());
    const c1 = await h.citizen({ dossierIds: [silent.id] });
    const c2 = await h.citizen({ dossierIds: [partial.id] });
    await h.returned(silent.code);
    await h.returned(partial.code);
    const ask1 = payloadReplies((await queued(silent.id))[0]!.payload);
    await c2.press(button(payloadReplies((await queued(partial.id))[0]!.payload), "Rất hài lòng"));

    h.later(29 * DAY);
    await h.scheduler.runOnce();
    expect(await h.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId: silent.id } })).toMatchObject({ state: "sent" });
    h.later(2 * DAY);
    await h.scheduler.runOnce();
    expect(await h.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId: silent.id } })).toMatchObject({ state: "expired", outcome: "expired without an answer" });
    expect(await h.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId: partial.id } })).toMatchObject({ state: "expired" });
    expect(await h.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: partial.id } })).toMatchObject({ overall: "very_satisfied" });

    const r = await c1.press(button(ask1, "Hài lòng"));
    expect(text(r)).toBe(`Phiếu đánh giá hồ sơ ${silent.code} đã hết hạn.`);
    expect(await h.ctx.prisma.feedbackResponse.count({ where: { dossierId: silent.id } })).toBe(0);
    h.clock.now = new Date();
  });

  it("a closed Zalo window is a recorded outcome, not a retry loop", async () => {
    const d = await h.dossier(code());
    await h.citizen({ dossierIds: [d.id], channel: "zalo", lastInboundAt: new Date(Date.now() - 5 * DAY) });
    await h.returned(d.code);
    const zalo = new ScriptedSender("zalo");
    zalo.script.push({ ok: false, kind: "window_closed", code: "-213", message: "User has not interacted with the OA in the last 48 hours" });
    // Only this test's message may be claimed: the others belong to finished tests.
    await h.ctx.prisma.outboundMessage.updateMany({ where: { NOT: { dossierId: d.id }, state: "queued" }, data: { state: "cancelled" } });
    // Zalo refuses proactive messages 22:00–06:00 Vietnam time: the worker's clock says daytime.
    const daytime = nextVietnamTen(new Date());
    const worker = new DeliveryWorker({ prisma: h.ctx.prisma, senders: [zalo], logger: silentLogger, pollMs: 20, quietHours: null, now: () => daytime });
    worker.start();
    await worker.drain({ timeoutMs: 20_000 });
    await worker.stop();
    expect(zalo.calls).toHaveLength(1);
    const [msg] = await queued(d.id);
    expect(msg!.state).toBe("undeliverable");

    await h.scheduler.runOnce();
    const inv = await h.ctx.prisma.surveyInvitation.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(inv.state).toBe("undeliverable");
    expect(inv.outcome).toMatch(/^first question undeliverable: window closed/);
    // No reminder for it later, and nothing is sent again.
    h.later(2 * DAY);
    await h.scheduler.runOnce();
    expect(await queued(d.id)).toHaveLength(1);
    h.clock.now = new Date();
  });
});

describe("versions", () => {
  it("new invitations use the newest version; answers keep the version they were given under", async () => {
    const old = await h.dossier(code());
    const c = await h.citizen({ dossierIds: [old.id] });
    await h.returned(old.code);
    const oldAsk = payloadReplies((await queued(old.id))[0]!.payload);

    const def = parseDefinition(DEFAULT_SURVEY);
    def.questions[0]!.text = { vi: "Câu {n}/{total}. Mức độ hài lòng của Ông/Bà (phiên bản mới)?", en: "Question {n}/{total}. Your satisfaction (new version)?" };
    const v = await publishSurvey(h.ctx.prisma, def, "test");

    const fresh = await h.dossier(code());
    const c2 = await h.citizen({ dossierIds: [fresh.id] });
    await h.returned(fresh.code);
    expect(text(payloadReplies((await queued(fresh.id))[0]!.payload))).toContain("(phiên bản mới)");

    await c.press(button(oldAsk, "Hài lòng"));
    await c2.press(button(payloadReplies((await queued(fresh.id))[0]!.payload), "Hài lòng"));
    const oldRow = await h.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: old.id }, include: { surveyVersion: true } });
    const newRow = await h.ctx.prisma.feedbackResponse.findFirstOrThrow({ where: { dossierId: fresh.id }, include: { surveyVersion: true } });
    expect(newRow.surveyVersion.version).toBe(v.version);
    expect(oldRow.surveyVersion.version).toBeLessThan(v.version);
  });
});
