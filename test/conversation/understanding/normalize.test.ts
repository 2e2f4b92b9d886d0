// Normalisation, step by step: what a citizen types → the words the classifier sees.
import { describe, expect, it } from "vitest";
import { expandAbbreviation, ABBREVIATIONS } from "../../../src/core/conversation/understanding/abbreviations.ts";
import { extractEntities, maskForLearning } from "../../../src/core/conversation/understanding/entities.ts";
import { decodeTelex, decodeVni } from "../../../src/core/conversation/understanding/keyboard.ts";
import { detectLanguage } from "../../../src/core/conversation/understanding/language.ts";
import { normalizeMessage, squeezeRepeats } from "../../../src/core/conversation/understanding/normalize.ts";
import { canonicalWord, foldText, foldWord, isSyllable } from "../../../src/core/conversation/understanding/syllable.ts";

const words = (text: string) => normalizeMessage(text).folded.join(" ");

describe("1. Unicode and canonical words", () => {
  it("reads composed and decomposed input, and both tone placements, as one word", () => {
    expect(canonicalWord("hồ")).toBe(canonicalWord("hồ".normalize("NFD")));
    expect(canonicalWord("hòa")).toBe("hoa2");
    expect(canonicalWord("hoà")).toBe("hoa2");
    expect(canonicalWord("THUÝ")).toBe(canonicalWord("thúy"));
    expect(canonicalWord("Được")).toBe("đươc5");
    expect(foldWord("đươc5")).toBe("duoc");
    expect(foldText("  Hồ sơ của TÔI   đến đâu rồi??? ")).toBe("ho so cua toi den dau roi");
  });

  it("knows a Vietnamese syllable from a non-syllable", () => {
    for (const s of ["hô", "sơ", "đâu", "nghiêng", "tinh", "khuya", "quyên", "gi"]) expect(isSyllable(s), s).toBe(true);
    for (const s of ["hoof", "sow", "str", "ăn", "ddaau", "xyz", "bă"]) expect(isSyllable(s), s).toBe(s === "ăn");
  });
});

describe("2. entities out, placeholders in", () => {
  it("pulls out dossier codes typed sloppily, phone and ID numbers, dates, money, 4 digits and channels", () => {
    const r = extractEntities("hs 000 00 15 h32 - 230112 - 0001 của e, sđt 0905.123.456, cccd 056089001234, hẹn 12/3, phí 100.000đ, 4 số cuối 1234, gửi qua zalo");
    expect(r.entities.codes).toEqual(["000.00.15.H32-230112-0001"]);
    expect(r.entities.phones).toEqual(["0905123456"]);
    expect(r.entities.idNumbers).toBe(1);
    expect(r.entities.dates).toBe(1);
    expect(r.entities.digits4).toEqual(["1234"]);
    expect(r.entities.channels).toEqual(["zalo"]);
    expect(r.text.replace(/ ,/g, ",")).toBe("hs zzcode của e, sđt zzphone, cccd zzidnumber, hẹn zzdate, phí zzmoney, zznumber số cuối zzdigits, gửi qua zzchannel");
  });

  it("recognises a code typed wrong, with the reason", () => {
    expect(extractEntities("kiểm tra 000.00.15.H32-231399-0001").entities).toMatchObject({ codes: [], badCode: "bad_date" });
    expect(extractEntities("mã 000.00.15.H32-230112").entities.badCode).toBe("incomplete");
  });

  it("masks what the learning loop keeps: no code, phone, ID or other digits", () => {
    const masked = maskForLearning("hồ sơ 000.00.15.H32-230112-0001 của tôi, sđt 0905123456, CCCD 056089001234 qua Zalo, mã phụ 98765");
    expect(masked).not.toMatch(/\d{3,}/);
    expect(masked).toContain("zzcode");
    expect(masked).toContain("zzphone");
    expect(masked).toContain("Zalo");
  });
});

describe("3. repeated letters", () => {
  it("squeezes emphasis but keeps doubled letters that Telex needs", () => {
    expect(squeezeRepeats("ơiiiii")).toBe("ơi");
    expect(squeezeRepeats("đâuuu")).toBe("đâu");
    expect(squeezeRepeats("khôông")).toBe("không");
    expect(squeezeRepeats("hoof")).toBe("hoof");
    expect(words("ad ơiiii hồ sơ của em đâuuuu")).toBe("admin oi ho so cua em dau");
  });
});

describe("4. Telex and VNI leftovers", () => {
  it.each([
    ["hoof", "hô2"],
    ["sow", "sơ"],
    ["tinhf", "tinh2"],
    ["trangj", "trang5"],
    ["ddeens", "đên1"],
    ["ddaau", "đâu"],
    ["dduwowcj", "đươc5"],
    ["xoas", "xoa1"],
    ["dwx", "dư4"],
  ])("Telex %s → %s", (typed, canonical) => {
    expect(decodeTelex(typed)).toBe(canonical);
  });

  it.each([
    ["ho62", "hô2"],
    ["so7", "sơ"],
    ["d9en61", "đên1"],
    ["duo7c5", "dươc5"],
  ])("VNI %s → %s", (typed, canonical) => {
    expect(decodeVni(typed)).toBe(canonical);
  });

  it("leaves real words, abbreviations, English and unit codes alone", () => {
    for (const w of ["roi", "khong", "status", "where", "thanks"]) expect(decodeTelex(w), w).toBeNull();
    for (const w of ["h32", "t7", "2h"]) expect(decodeVni(w), w).toBeNull();
    expect(words("is it ready yet")).toBe("is it ready yet");
    expect(words("tinhf trangj hoof sow")).toBe("tinh trang ho so");
    expect(words("ho62 so7 cu3a to6i d9e61n d9a6u ro62i")).toBe("ho so cua toi den dau roi");
  });
});

describe("5. abbreviations and teencode", () => {
  it.each([
    ["kt giúp e hs vs ad", "kiem tra giup em ho so voi admin"],
    ["bh có kq v ạ", "bao gio co ket qua vay a"],
    ["hs e xl tới đâu r", "ho so em xu ly toi dau roi"],
    ["xoá số đt của mình đi", "xoa so dien thoai cua minh di"],
    ["ko dc j", "khong duoc gi"],
    ["tui hỏi sđt phường", "toi hoi so dien thoai phuong"],
  ])("%s → %s", (typed, expected) => {
    expect(words(typed)).toBe(expected);
  });

  it("expands English chat shorthand only in English messages", () => {
    expect(expandAbbreviation("u", "en")).toEqual(["you"]);
    expect(expandAbbreviation("a", "vi")).toEqual(["anh"]);
    expect(words("where r u pls")).toBe("where are you please");
  });

  it("documents every entry with a meaning", () => {
    for (const [keys, meaning] of [...ABBREVIATIONS.vietnamese, ...ABBREVIATIONS.english]) {
      expect(keys.length).toBeGreaterThan(0);
      expect(meaning.trim()).not.toBe("");
    }
  });
});

describe("language of a message", () => {
  it.each([
    ["hồ sơ của tôi đến đâu rồi", "vi"],
    ["ho so cua toi den dau roi", "vi"],
    ["Where is my application?", "en"],
    ["any update on my dossier please", "en"],
    ["I don't speak Vietnamese", "en"],
    ["hs e status sao r ad", "vi"],
  ] as const)("%s → %s", (text, lang) => {
    expect(detectLanguage(text).lang).toBe(lang);
  });

  it("gives no verdict for a code, ok or an emoji", () => {
    for (const t of ["000.00.15.H32-230112-0001", "ok", "👍", "zalo"]) expect(detectLanguage(t).lang, t).toBeNull();
  });
});
