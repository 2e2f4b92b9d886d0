// Issue 4: a citizen with chats on Telegram and Zalo (one Citizen, joined by the proven phone)
// chooses where notices go: both (default), Telegram only or Zalo only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decodeButton, encodeButton } from "../../src/core/conversation/buttons.ts";
import { corpusUnderstanding } from "../../src/core/conversation/understanding/service.ts";

const understand = (text: string) => corpusUnderstanding().understand(text).intent;
import { buttonData, buttons, createHarness, NOW, nth, type ChatUser, type Harness } from "./helpers.ts";

describe("notice-channel button data", () => {
  it("round-trips n:telegram, n:zalo, n:all", () => {
    for (const choice of ["telegram", "zalo", "all"] as const) {
      const data = encodeButton({ kind: "notices", choice });
      expect(data).toBe(`n:${choice}`);
      expect(decodeButton(data)).toEqual({ kind: "notices", choice });
    }
    expect(decodeButton("m:notices")).toEqual({ kind: "menu", item: "notices" });
  });

  it.each(["n:", "n:web", "n:both", "n:Zalo", "n:zalo ", "n:zalo:1", "n:telegram1", "N:all", "n:" + "a".repeat(70)])("rejects %j", (data) => {
    expect(decodeButton(data)).toBeNull();
  });
});

describe("notice-channel intents", () => {
  it.each([
    ["chỉ nhận qua zalo", "zalo"],
    ["Chỉ nhận qua Zalo thôi", "zalo"],
    ["chi nhan qua zalo", "zalo"],
    ["chỉ Zalo", "zalo"],
    ["thông báo qua telegram", "telegram"],
    ["thong bao qua tele", "telegram"],
    ["Nhận thông báo qua Telegram", "telegram"],
    ["nhan thong bao ca hai", "all"],
    ["Nhận thông báo qua cả hai", "all"],
    ["thông báo qua cả Telegram và Zalo", "all"],
    ["không nhận qua telegram nữa, chỉ zalo", "zalo"],
    ["Notices via Telegram", "telegram"],
    ["notices via Zalo only", "zalo"],
    ["send notices to both", "all"],
  ] as const)("%s → %s", (text, choice) => {
    expect(understand(text)).toEqual({ kind: "notices", choice });
  });

  it.each(["Nơi nhận thông báo", "noi nhan thong bao", "kênh nhận thông báo", "notice settings", "tôi không nhận được thông báo qua zalo"])(
    "asks instead of guessing: %s",
    (text) => {
      expect(understand(text)).toEqual({ kind: "notices", choice: null });
    },
  );

  it("leaves other wishes alone", () => {
    expect(understand("đăng ký nhận thông báo hồ sơ").kind).toBe("link");
    expect(understand("hồ sơ của tôi đến đâu rồi").kind).toBe("status");
    expect(understand("xóa dữ liệu").kind).toBe("delete");
    expect(understand("English please")).toEqual({ kind: "language", lang: "en" });
  });
});

describe("choosing where notices go", () => {
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

  const applicant = (phone: string) => ({ applicant: { name: "Trần Thị B", phone, idNumber: "056089001234" } });

  /** Links the dossier by the shared phone (consent first when asked). */
  async function linkByContact(u: ChatUser, code: string, phone: string): Promise<void> {
    const asked = await u.text(code);
    if (buttonData(asked).includes("c:y")) await u.press("c:y");
    expect(nth(await u.contact(phone), 0).text).toMatch(/Đã liên kết|is now linked/);
  }

  async function citizenOf(channel: "telegram" | "zalo", userId: string) {
    const a = await h.ctx.prisma.channelAccount.findUniqueOrThrow({ where: { channel_platformUserId: { channel, platformUserId: userId } }, include: { citizen: true } });
    return a.citizen!;
  }

  it("one channel only: no menu entry, no choice buttons, notices already go to that chat", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0101", applicant("0905000101"));
    const tg = h.user("single-tg");
    await linkByContact(tg, d.code, "0905000101");
    const menu = await tg.command("menu");
    expect(buttonData(menu)).not.toContain("m:notices");

    for (const ask of [() => tg.press("m:notices"), () => tg.text("chỉ nhận qua zalo"), () => tg.press("n:zalo"), () => tg.text("nơi nhận thông báo")]) {
      const r = await ask();
      expect(nth(r, 0).text).toContain("đã được gửi vào cuộc trò chuyện Telegram của Ông/Bà");
      expect(buttonData(r).filter((b) => b.startsWith("n:"))).toEqual([]);
    }
    expect((await citizenOf("telegram", "single-tg")).noticeChannel).toBeNull();
  });

  it("not linked: says there are no notices yet and stores nothing", async () => {
    const u = h.user("nobody-zalo", { channel: "zalo" });
    expect(nth(await u.text("thông báo qua telegram"), 0).text).toContain("chưa liên kết hồ sơ nào");
    expect(nth(await u.press("n:telegram"), 0).text).toContain("chưa liên kết hồ sơ nào");
  });

  it("Telegram + Zalo joined by the phone: the menu offers the choice; buttons and free text store it", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0102", applicant("0905000102"));
    const tg = h.user("both-tg");
    const zl = h.user("both-zalo", { channel: "zalo" });
    await linkByContact(tg, d.code, "84905000102");
    await linkByContact(zl, d.code, "0905000102");
    const citizen = await citizenOf("telegram", "both-tg");
    expect((await citizenOf("zalo", "both-zalo")).id).toBe(citizen.id);
    expect(citizen.noticeChannel).toBeNull();

    // The main menu now has the entry, on either chat.
    expect(buttonData(await tg.command("menu"))).toContain("m:notices");
    expect(buttonData(await zl.text("menu"))).toContain("m:notices");

    const choice = await tg.press("m:notices");
    expect(nth(choice, 0).text).toContain("cả Telegram và Zalo");
    expect(buttons(choice)).toEqual([
      { label: "Nhận thông báo qua Telegram", data: "n:telegram" },
      { label: "Nhận thông báo qua Zalo", data: "n:zalo" },
      { label: "Cả hai", data: "n:all" },
    ]);

    const zaloOnly = await tg.press("n:zalo");
    expect(nth(zaloOnly, 0).text).toContain("chỉ được gửi qua Zalo");
    expect(nth(zaloOnly, 0).text).toContain("chúng tôi sẽ gửi qua Telegram");
    expect((await h.ctx.prisma.citizen.findUniqueOrThrow({ where: { id: citizen.id } })).noticeChannel).toBe("zalo");
    expect(nth(await zl.text("nơi nhận thông báo"), 0).text).toContain("chỉ được gửi qua Zalo");

    const noticeChannel = async () => (await h.ctx.prisma.citizen.findUniqueOrThrow({ where: { id: citizen.id } })).noticeChannel;
    expect(nth(await zl.text("thông báo qua telegram"), 0).text).toContain("chỉ được gửi qua Telegram");
    expect(await noticeChannel()).toBe("telegram");
    expect(nth(await tg.text("nhan thong bao ca hai"), 0).text).toContain("cả Telegram và Zalo");
    expect(await noticeChannel()).toBeNull();
    await zl.text("Chỉ nhận qua Zalo thôi");
    expect(await noticeChannel()).toBe("zalo");
    await tg.press("n:all");
    expect(await noticeChannel()).toBeNull();

    // Ambiguous text asks with the buttons instead of changing anything.
    const asked = await zl.text("tôi không nhận được thông báo qua zalo");
    expect(buttonData(asked)).toEqual(["n:telegram", "n:zalo", "n:all"]);
    expect(await noticeChannel()).toBeNull();

    // Forged data is refused; English labels.
    expect(nth(await tg.press("n:web"), 0).text).toContain("không hợp lệ");
    await tg.text("English");
    const en = await tg.press("m:notices");
    expect(buttons(en).map((b) => b.label)).toEqual(["Notices via Telegram", "Notices via Zalo", "Both"]);
    expect(nth(await tg.text("notices via telegram"), 0).text).toContain("now go to Telegram only");
    expect(await noticeChannel()).toBe("telegram");
  });

  it("a choice made in the middle of linking is stored and replaces the pending proof step", async () => {
    const a = await h.dossier("000.00.15.H32-230112-0103", applicant("0905000103"));
    const b = await h.dossier("000.00.15.H32-230112-0104", applicant("0905000103"));
    const tg = h.user("mid-tg");
    const zl = h.user("mid-zalo", { channel: "zalo" });
    await linkByContact(tg, a.code, "0905000103");
    await linkByContact(zl, a.code, "0905000103");
    await tg.text(b.code);
    await tg.press("n:zalo");
    expect((await citizenOf("telegram", "mid-tg")).noticeChannel).toBe("zalo");
    // A button press is a new request: the proof step of b is gone, digits now prove nothing.
    expect(nth(await tg.text("1234"), 0).text).toContain("chưa hiểu");
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: b.id } })).toBe(0);
  });
});
