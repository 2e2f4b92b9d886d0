// The conversation as citizens type it, without a database (in-memory store): the examples of
// issue 9 that the phrase lists failed, the confidence bands, pending questions, language and
// tone. Texts here are examples of behaviour, not the evaluation set (that is corpus/test.jsonl).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setFormOfAddress } from "../../src/core/i18n/index.ts";
import { allText, buttonData, nth } from "./chat.ts";
import { memoryHarness, type MemoryHarness } from "./memory.ts";

let h: MemoryHarness;
beforeEach(() => {
  h = memoryHarness();
});

async function linked(userId: string, code = "000.00.15.H32-230112-0001", over: Parameters<MemoryHarness["dossier"]>[1] = {}) {
  const d = h.dossier(code, over);
  const u = h.user(userId);
  await u.text(d.code);
  await u.press("c:y");
  expect(nth(await u.text("1234"), 0).text).toContain(`Đã liên kết hồ sơ ${d.code}`);
  return { d, u };
}

describe("what citizens actually type", () => {
  it.each(["kt giúp e hs vs ad", "bh có kq v ạ", "hs e xl tới đâu r", "bao giờ mới lấy được sổ vậy", "giấy tờ của tui làm tới đâu rồi", "tiến độ thế nào rồi", "trả kết quả hẹn hôm nào vậy", "tinhf trangj hoof sow"])(
    "status: %s → the card",
    async (text) => {
      const { d, u } = await linked("s");
      const r = await u.text(text);
      expect(nth(r, 0).text).toContain(`Hồ sơ ${d.code}`);
      expect(nth(r, 0).text).toContain("Tình trạng: Đang giải quyết");
    },
  );

  it("thanks and goodbyes are answered", async () => {
    const u = h.user("polite");
    expect(nth(await u.text("thank ad nhiều"), 0).text).toContain("không có gì");
    expect(nth(await u.text("cảm ơn"), 0).text).toContain("không có gì");
    expect(nth(await u.text("bye"), 0).text).toMatch(/không có gì|welcome/);
  });

  it("“xoá số đt của mình đi” and “xoá toàn bộ thông tin tôi đi” ask to delete the data", async () => {
    for (const text of ["xoá số đt của mình đi", "xoá toàn bộ thông tin tôi đi"]) {
      const r = await h.user(`del-${text.length}`).text(text);
      expect(buttonData(r)).toEqual(["d:y", "d:n"]);
    }
  });

  it("“muốn theo dõi thêm cái hs nữa” asks for the code of the other dossier", async () => {
    const { u } = await linked("more");
    expect(nth(await u.text("muốn theo dõi thêm cái hs nữa"), 0).text).toContain("Vui lòng gửi mã hồ sơ");
  });

  it("out-of-scope questions that mention “kết quả” or “hồ sơ” never get a status card", async () => {
    const { d, u } = await linked("oos");
    for (const text of ["ai được nhận kết quả thay tôi", "muốn nộp hồ sơ mới thì làm sao", "làm sổ đỏ hết bao nhiêu tiền", "cần mang giấy tờ gì khi đi nhận kết quả", "cán bộ phường thái độ kém quá"]) {
      const r = await u.text(text);
      expect(allText(r), text).not.toContain(`Hồ sơ ${d.code}`);
      expect(allText(r), text).not.toContain("Tình trạng:");
    }
    const r = await u.text("ai được nhận kết quả thay tôi");
    expect(nth(r, 0).text).toContain("nằm ngoài những gì tôi trả lời được");
    expect(nth(r, 0).text).toContain("https://dichvucong.gov.vn");
    expect(nth(r, 0).text).toContain("0258 3854 123");
  });
});

describe("language", () => {
  it("answers an English question in English without a language choice, and Vietnamese in Vietnamese", async () => {
    const { d, u } = await linked("bilingual");
    expect(nth(await u.text("where is my application?"), 0).text).toContain(`Dossier ${d.code}`);
    expect(nth(await u.text("hồ sơ của tôi đến đâu rồi"), 0).text).toContain(`Hồ sơ ${d.code}`);
  });

  it("a negated language is not the one chosen", async () => {
    const a = h.user("neg-en");
    expect(nth(await a.text("I don't speak Vietnamese"), 0).text).toContain("Switched to English");
    const b = h.user("neg-vi");
    expect(nth(await b.text("tôi không biết tiếng Anh"), 0).text).toContain("Đã chuyển sang tiếng Việt");
  });

  it("a chosen language holds whatever the citizen writes next", async () => {
    const u = h.user("chooser");
    await u.text("English please");
    expect(nth(await u.text("xin chào"), 0).text).toContain("Hello");
  });
});

describe("confidence, not guessing", () => {
  it("acts when sure, falls back with what it can do when it has no idea", async () => {
    const u = h.user("vague");
    const r = await u.text("brrr brrr");
    expect(nth(r, 0).text).toContain("chưa hiểu");
    expect(nth(r, 0).text).toContain("tra cứu tình trạng");
    expect(nth(r, 0).text).toContain("1900 1234");
    expect(buttonData(r)).toContain("m:status");
    expect(h.store.unrecognised.map((m) => m.text)).toContain("brrr brrr");
  });

  it("asks back with buttons when unsure, and the confirming button acts", async () => {
    const { d, u } = await linked("unsure");
    // Forced through the confirmation button the classifier would produce after asking back.
    const confirmed = await u.press("i:status");
    expect(nth(confirmed, 0).text).toContain(`Hồ sơ ${d.code}`);
    expect(buttonData(await u.press("i:hack"))).toContain("m:status");
  });
});

describe("pending questions", () => {
  it("never survive a new command or the menu", async () => {
    const d = h.dossier("000.00.15.H32-230112-0002");
    const u = h.user("pend");
    await u.text("xóa dữ liệu của tôi");
    await u.command("status");
    // "có" no longer confirms the deletion.
    expect(allText(await u.text("có"))).not.toContain("Đã xóa dữ liệu");
    await u.text(d.code);
    await u.press("c:y");
    await u.press("m:menu");
    expect(nth(await u.text("1234"), 0).text).toContain("chưa hiểu");
  });
});

describe("tone and wording", () => {
  afterEach(() => setFormOfAddress("ongba"));

  it("says “Ông/Bà” by default and “bạn” when set, everywhere", async () => {
    expect(nth(await h.user("t1").command("status"), 0).text).toContain("Ông/Bà chưa liên kết hồ sơ nào");
    setFormOfAddress("ban");
    expect(nth(await h.user("t2").command("status"), 0).text).toContain("Bạn chưa liên kết hồ sơ nào");
  });

  it("asks for the last four digits of the thẻ căn cước/CCCD, never “CMND”", async () => {
    const d = h.dossier("000.00.15.H32-230112-0003");
    const u = h.user("id-words");
    await u.text(d.code);
    const proof = await u.press("c:y");
    expect(allText(proof)).toContain("thẻ căn cước/CCCD");
    expect(allText(proof)).not.toContain("CMND");
  });

  it("greets a linked citizen as one, without asking to link again", async () => {
    const { u } = await linked("greeter");
    const r = nth(await u.text("chào ad"), 0).text;
    expect(r).toContain("đã liên kết 1 hồ sơ");
    expect(r).not.toContain("hãy gửi mã hồ sơ");
  });

  it("a badly formed code gets the expected format, not “I did not understand”", async () => {
    const r = nth(await h.user("typo").text("hs 000.00.15.H32-2301-0001 tới đâu r"), 0).text;
    expect(r).toContain("Mã hồ sơ Ông/Bà gửi chưa đúng");
    expect(r).toContain("000.00.15.H32-230112-0001");
    expect(r).not.toContain("chưa hiểu");
  });

  it("a late dossier gives the new date when there is one, and whom to ask when there is none", async () => {
    const late = await linked("late-1", "000.00.15.H32-230112-0004");
    const card = nth(await late.u.text("hồ sơ của tôi"), 0).text;
    expect(card).toContain("trễ hẹn");
    expect(card).toContain("0258 3854 123");
    expect(card).not.toContain("chưa cần làm gì thêm");
    const redated = await linked("late-2", "000.00.15.H32-230112-0005", {
      appointmentAt: new Date("2023-02-20T09:00:00+07:00"),
      originalAppointmentAt: new Date("2023-02-02T09:00:00+07:00"),
    });
    const card2 = nth(await redated.u.text("hồ sơ của tôi"), 0).text;
    expect(card2).toContain("Ngày hẹn trả mới: 20/02/2023 09:00 (hẹn ban đầu: 02/02/2023 09:00)");
  });

  it("on the try page, a linked citizen asking about notices is not told they have no dossier", async () => {
    const d = h.dossier("000.00.15.H32-230112-0006", { demo: true });
    const u = h.user("web-1", { channel: "web" });
    await u.text(d.code);
    await u.press("c:y");
    await u.text("1234");
    const r = nth(await u.text("thông báo gửi về đâu"), 0).text;
    expect(r).toContain("Trang dùng thử này không nhận thông báo");
    expect(r).not.toContain("chưa liên kết hồ sơ nào");
  });
});
