// The conversation survives restarts, speaks English on request and never stays silent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { allText, buttonData, createHarness, linkById, NOW, nth, type Harness } from "./helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.clock.now = NOW;
});

describe("blocked accounts", () => {
  it("a citizen who blocked the bot and writes again is unblocked", async () => {
    const u = h.user("came-back");
    await u.text("xin chào");
    await h.ctx.prisma.channelAccount.updateMany({ where: { platformUserId: "came-back" }, data: { blockedAt: new Date(), blockedReason: "telegram 403" } });
    await u.text("hồ sơ của tôi");
    const acc = await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "came-back" } });
    expect(acc).toMatchObject({ blockedAt: null, blockedReason: null });
    // The message time is recorded exactly (Zalo's 48 h window is counted from it).
    expect(acc.lastInboundAt?.toISOString()).toBe(h.clock.now.toISOString());
  });
});

describe("state across restarts", () => {
  it("continues the consent and proof steps in a newly started service", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0501");
    let current = h.service();
    const u = h.user("restarter", { svc: () => current });
    expect(buttonData(await u.text(d.code))).toEqual(["c:y", "c:n"]);

    current = h.service(); // process restarted
    const proof = await u.press("c:y");
    expect(nth(proof, 1)).toMatchObject({ kind: "request_phone" });

    current = h.service(); // and again
    expect(nth(await u.text("1234"), 0).text).toContain(`Đã liên kết hồ sơ ${d.code}`);
  });

  it("resets a corrupt or stale stored state to idle", async () => {
    const u = h.user("corrupt");
    await u.text("xin chào");
    const acc = await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "corrupt" } });
    await h.ctx.prisma.conversation.upsert({
      where: { accountId: acc.id },
      create: { accountId: acc.id, state: { step: "await_proof", code: "not a code" } },
      update: { state: { step: "await_proof", code: "not a code" } },
    });
    expect(nth(await u.text("1234"), 0).text).toContain("chưa hiểu");
    // Idle needs no stored row: the damaged one is gone.
    expect((await h.ctx.prisma.conversation.findUnique({ where: { accountId: acc.id } }))?.state ?? { step: "idle" }).toEqual({ step: "idle" });

    // A proof step left for more than a day is not an answer's context any more.
    const d = await h.dossier("000.00.15.H32-230112-0502");
    await u.text(d.code);
    await u.press("c:y");
    h.clock.now = new Date(NOW.getTime() + 25 * 3_600_000);
    expect(nth(await u.text("1234"), 0).text).toContain("chưa hiểu");
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: d.id } })).toBe(0);
  });

  it("records the last inbound time on the channel account", async () => {
    await h.user("timed").text("alo");
    const acc = await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "timed" } });
    expect(acc.lastInboundAt).toEqual(NOW);
  });
});

describe("language", () => {
  it("speaks English from the platform hint, and switches on request", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0601");
    const u = h.user("english-speaker", { languageHint: "en-US" });
    const consent = await u.text(d.code);
    expect(nth(consent, 0).text).toContain("Do you agree?");
    expect(consent.flatMap((r) => (r.kind === "text" ? (r.buttons ?? []).flat().map((b) => b.label) : []))).toEqual(["I agree", "I do not agree"]);
    await u.press("c:y");
    const done = await u.text("1234");
    expect(nth(done, 0).text).toContain(`Dossier ${d.code} is now linked`);
    expect(nth(done, 1).text).toContain("Status: Being processed");
    expect(nth(done, 1).text).toContain("The dossier is 3 working days late.");
    expect(nth(done, 1).text).toContain("Appointment (result due): 02/02/2023 09:00");

    const choice = await u.command("language");
    expect(buttonData(choice)).toEqual(["l:vi", "l:en"]);
    expect(nth(await u.press("l:vi"), 0).text).toBe("Đã chuyển sang tiếng Việt.");
    const acc = await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "english-speaker" }, include: { citizen: true } });
    expect(acc.language).toBe("vi");
    expect(acc.citizen?.language).toBe("vi");
    expect(nth(await u.text("where is my dossier"), 0).text).toContain("Tình trạng: Đang giải quyết");

    expect(nth(await u.text("English please"), 0).text).toBe("Switched to English.");
    expect(nth(await u.text("ho so cua toi"), 0).text).toContain("Status: Being processed");
    expect(nth(await u.command("language", "vi"), 0).text).toBe("Đã chuyển sang tiếng Việt.");
  });

  it("asks the pending question again in the new language", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0602");
    const u = h.user("switcher");
    await u.text(d.code);
    const switched = await u.text("tiếng Anh");
    expect(nth(switched, 0).text).toBe("Switched to English.");
    expect(nth(switched, 1).text).toContain(`To link dossier ${d.code} we need your consent`);
    await u.text("yes");
    expect(nth(await u.text("1234"), 0).text).toContain("is now linked");
  });
});

describe("never silent", () => {
  it("answers a greeting and anything not understood with the menu", async () => {
    const u = h.user("chatty");
    const hi = await u.text("Xin chào");
    expect(nth(hi, 0).text).toContain("Xin chào Ông/Bà!");
    expect(buttonData(hi)).toEqual(["m:status", "m:link", "m:help", "m:unlink", "l:en", "m:delete"]);
    for (const text of ["???", "😀", "1234", "0905123456", ""]) {
      const r = await u.text(text);
      expect(r, text).toHaveLength(1);
      expect(nth(r, 0).text, text).toContain("chưa hiểu");
      expect(buttonData(r), text).toContain("m:status");
    }
    // Gibberish gets a polite non-answer too (not understood, or outside what the bot answers) — never a card.
    const gibberish = nth(await u.text("asdfgh"), 0).text;
    expect(gibberish).toMatch(/chưa hiểu|nằm ngoài những gì tôi trả lời được/);
    expect(nth(await u.contact("0905123456", true), 0).text).toContain("không được lưu");
    expect(nth(await u.command("start"), 0).text).toContain("Xin chào Ông/Bà!");
    expect(nth(await u.command("start", "garbage-payload"), 0).text).toContain("Xin chào Ông/Bà!");
    expect(nth(await u.command("menu"), 0).text).toContain("Ông/Bà cần gì?");
    expect(nth(await u.press("m:link"), 0).text).toContain("Vui lòng gửi mã hồ sơ");
    expect(buttonData(await u.press("m:language"))).toEqual(["l:vi", "l:en"]);
  });

  it("rejects a malformed inbound message loudly and changes nothing", async () => {
    await expect(h.svc.handle({ channel: "telegram", userId: "", input: { kind: "text", text: "hi" } })).rejects.toThrow(/Invalid inbound message/);
    await expect(
      h.svc.handle({ channel: "fax" as never, userId: "x", input: { kind: "text", text: "hi" } }),
    ).rejects.toThrow(/Invalid inbound message/);
    expect(await h.ctx.prisma.channelAccount.count({ where: { platformUserId: { in: ["", "x"] } } })).toBe(0);
  });

  it("serves the browser try page as its own channel, on demo dossiers only", async () => {
    const real = await h.dossier("000.00.15.H32-230112-0701");
    const demo = await h.dossier("000.00.15.H32-230112-0702");
    await h.ctx.prisma.dossier.update({ where: { id: demo.id }, data: { demo: true } });
    const web = h.user("browser-session-1", { channel: "web" });
    // A real dossier cannot be reached from the open try page, even with the right digits.
    expect(nth(await linkById(web, real.code), 0).text).toContain("Thông tin xác minh không khớp");
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: real.id } })).toBe(0);
    await web.text("hủy");
    const r = await linkById(web, demo.code);
    expect(allText(r)).toContain(`Đã liên kết hồ sơ ${demo.code}`);
    const acc = await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "browser-session-1" } });
    expect(acc.channel).toBe("web");
  });
});
