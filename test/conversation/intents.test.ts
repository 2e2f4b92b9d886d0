// Free text → intent, with and without diacritics.
import { describe, expect, it } from "vitest";
import { foldText, matchIntent, type Intent } from "../../src/core/conversation/intents.ts";

const kind = (text: string): Intent["kind"] => matchIntent(text).kind;

describe("foldText", () => {
  it("strips diacritics (đ → d), lower-cases, drops punctuation and collapses spaces", () => {
    expect(foldText("  Hồ sơ của TÔI   đến đâu rồi??? ")).toBe("ho so cua toi den dau roi");
    expect(foldText("ĐÃ XONG CHƯA, Đồng ý!")).toBe("da xong chua dong y");
    // Decomposed input (some keyboards) folds the same way.
    expect(foldText("Tình trạng".normalize("NFD"))).toBe("tinh trang");
  });
});

describe("matchIntent", () => {
  it.each([
    "tình trạng hồ sơ",
    "tinh trang ho so",
    "hồ sơ của tôi đến đâu rồi",
    "ho so cua toi den dau roi",
    "Bao giờ có kết quả?",
    "bao gio co ket qua",
    "khi nào xong vậy",
    "khi nao xong",
    "hạn trả là ngày nào",
    "han tra",
    "sao trễ hẹn vậy",
    "tre hen",
    "tra cứu",
    "tra cuu",
    "hồ sơ của tôi",
    "status",
    "Where is my dossier?",
  ])("status: %s", (text) => {
    expect(kind(text)).toBe("status");
  });

  it.each(["gặp cán bộ", "gap can bo", "số hotline", "liên hệ", "lien he", "help", "trợ giúp"])("help: %s", (text) => {
    expect(kind(text)).toBe("help");
  });

  it("recognises unlink, delete and language wishes before the broad status words", () => {
    expect(kind("hủy liên kết hồ sơ của tôi")).toBe("unlink");
    expect(kind("huy lien ket")).toBe("unlink");
    expect(kind("xóa dữ liệu hồ sơ của tôi")).toBe("delete");
    expect(kind("xoa du lieu")).toBe("delete");
    expect(kind("Delete my data")).toBe("delete");
    expect(matchIntent("English please")).toEqual({ kind: "language", lang: "en" });
    expect(matchIntent("tiếng Việt")).toEqual({ kind: "language", lang: "vi" });
    expect(matchIntent("tieng viet")).toEqual({ kind: "language", lang: "vi" });
  });

  it("finds dossier codes anywhere, before anything else", () => {
    expect(matchIntent("hồ sơ 000.00.15.H32-230112-0001 đến đâu rồi")).toEqual({ kind: "codes", codes: ["000.00.15.H32-230112-0001"] });
    expect(matchIntent("000 00 15 h32 230112 0001 va 000.00.06.H56-231027-0361")).toEqual({
      kind: "codes",
      codes: ["000.00.15.H32-230112-0001", "000.00.06.H56-231027-0361"],
    });
  });

  it("tells four ID digits from other numbers", () => {
    expect(matchIntent("1234")).toEqual({ kind: "last4", digits: "1234" });
    expect(matchIntent(" 12 34 ")).toEqual({ kind: "last4", digits: "1234" });
    expect(kind("056089001234")).toBe("number");
    expect(kind("0905 123 456")).toBe("number");
  });

  it("reads short answers only as whole messages", () => {
    expect(kind("Đồng ý")).toBe("yes");
    expect(kind("dong y")).toBe("yes");
    expect(kind("Không đồng ý")).toBe("no");
    expect(kind("không")).toBe("no");
    expect(kind("hủy")).toBe("cancel");
    expect(kind("menu")).toBe("menu");
    expect(kind("không hiểu gì cả")).toBe("unknown");
  });

  it("greets on a greeting, respecting word boundaries", () => {
    expect(kind("Xin chào")).toBe("greeting");
    expect(kind("chao ban")).toBe("greeting");
    expect(kind("hi")).toBe("greeting");
    expect(kind("chị ơi")).toBe("unknown");
    expect(kind("asdf")).toBe("unknown");
    expect(kind("")).toBe("unknown");
  });
});
