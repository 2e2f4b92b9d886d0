import { describe, it, expect } from "vitest";
import {
  DOSSIER_CODE_ERROR_REASONS,
  START_PAYLOAD_MAX_LENGTH,
  decodeStartPayload,
  encodeStartPayload,
  extractDossierCode,
  extractDossierCodes,
  normalizeDossierCode,
  type DossierCodeError,
} from "../../src/core/dossier-code.ts";

const CODE = "000.00.06.H56-231027-0361";
const CODE2 = "000.17.22.H56-210531-0001";
const CODE3 = "000.00.15.H32-240229-9999";

describe("normalizeDossierCode", () => {
  it("parses a canonical code into its parts", () => {
    expect(normalizeDossierCode(CODE)).toEqual({
      ok: true,
      code: CODE,
      unitCode: "000.00.06.H56",
      receivedDate: "2023-10-27",
      sequence: 361,
    });
    expect(normalizeDossierCode(CODE2)).toEqual({
      ok: true,
      code: CODE2,
      unitCode: "000.17.22.H56",
      receivedDate: "2021-05-31",
      sequence: 1,
    });
  });

  it.each<[string, string, string]>([
    ["lower-case province letter", "000.00.06.h56-231027-0361", CODE],
    ["leading/trailing spaces", "   000.00.06.H56-231027-0361  ", CODE],
    ["spaces around dashes", "000.00.06.H56 - 231027 - 0361", CODE],
    ["spaces everywhere", "000 00 06 H56 231027 0361", CODE],
    ["tabs and newlines", "\t000.00.06.H56\n231027 0361\n", CODE],
    ["en dash", "000.00.06.H56–231027–0361", CODE],
    ["em dash with spaces", "000.00.06.H56 — 231027 — 0361", CODE],
    ["minus sign", "000.00.06.H56−231027−0361", CODE],
    ["non-breaking hyphen", "000.00.06.H56\u2011231027\u20110361", CODE],
    ["figure dash", "000.00.06.H56‒231027‒0361", CODE],
    ["fullwidth hyphen", "000.00.06.H56－231027－0361", CODE],
    ["underscores", "000.00.06.H56_231027_0361", CODE],
    ["slashes", "000.00.06.H56/231027/0361", CODE],
    ["fullwidth digits", "０００.００.０６.H56-２３１０２７-０３６１", CODE],
    ["fullwidth letters and dots", "０００．００．０６．ｈ５６－２３１０２７－０３６１", CODE],
    ["no dots at all", "0000006H56-231027-0361", CODE],
    ["some dots missing", "000.0006H56-231027-0361", CODE],
    ["commas instead of dots", "000,00,06,H56-231027-0361", CODE],
    ["dots instead of dashes", "000.00.06.H56.231027.0361", CODE],
    ["no separators at all (20 chars)", "0000006H562310270361", CODE],
    ["no dashes, lower case", "000.00.06.h562310270361", CODE],
    ["zero-width characters", "000.00\u200B.06.H56\u200D-231027\uFEFF-0361\u2060", CODE],
    ["NBSP around dashes", "000.00.06.H56\u00A0-\u00A0231027\u00A0-\u00A00361", CODE],
    ["narrow NBSP and soft hyphen", "000.00.06.\u00ADH56\u202F231027\u202F0361", CODE],
    ["surrounding quotes and full stop", "“000.00.06.H56-231027-0361”.", CODE],
    ["dashes between every group", "000-00-06-H56-231027-0361", CODE],
    ["doubled separators", "000..00..06..H56--231027--0361", CODE],
    ["mixed garbage separators", " 000 ,00. 06 h56 _ 231027 / 0361 ", CODE],
    ["second real example, sloppy", "000 17 22 h56 – 210531 – 0001", CODE2],
    ["leap day, all fullwidth spaces", "000\u300000\u300015\u3000H32\u3000240229\u30009999", CODE3],
  ])("accepts %s: %j", (_label, input, expected) => {
    const result = normalizeDossierCode(input);
    expect(result).toMatchObject({ ok: true, code: expected });
  });

  it.each<[string, DossierCodeError]>([
    ["", "empty"],
    ["   \u00A0\u200B\t", "empty"],
    ["0".repeat(201), "too_long"],
    [`${CODE}${" ".repeat(180)}`, "too_long"],
    ["000.00.06.H56-231027-0361@", "invalid_character"],
    ["mã hồ sơ 000.00.06.H56-231027-0361", "invalid_character"],
    ["000.00.06.56-231027-0361", "bad_unit_code"],
    ["00.00.06.H56-231027-0361", "bad_unit_code"],
    ["000.00.06.H5-231027-0361", "bad_unit_code"],
    ["000.00.06.H562-231027-0361", "bad_unit_code"],
    // 8 digits before the province letter: cannot be split into 3+2+2.
    ["00000006H562310270361", "bad_unit_code"],
    // A dot inside a group means a digit was lost or added somewhere.
    ["00.000.06.H56-231027-0361", "bad_unit_code"],
    ["000.00.06.H56-231327-0361", "bad_date"],
    ["000.00.06.H56-230229-0361", "bad_date"],
    ["000.00.06.H56-231000-0361", "bad_date"],
    ["000.00.06.H56-230431-0361", "bad_date"],
    ["000.00.06.H56-23102-0361", "bad_date"],
    ["000.00.06.H56.2310A7.0361", "bad_date"],
    ["000.00.06.H56-231027-0000", "bad_sequence"],
    ["000.00.06.H56-231027-361", "bad_sequence"],
    ["000.00.06.H56-231027-03611", "bad_sequence"],
    ["000.00.06.H56", "incomplete"],
    ["000.00.06.H56-231027", "incomplete"],
    ["0905123456", "unrecognised"],
    ["001234567890", "unrecognised"],
    ["hello", "unrecognised"],
    ["???", "unrecognised"],
    ["000.00.06.H56-231027-0361-0362", "unrecognised"],
  ])("rejects %j with %s", (input, reason) => {
    expect(normalizeDossierCode(input)).toEqual({ ok: false, reason });
  });

  it("only ever returns reasons listed in DOSSIER_CODE_ERROR_REASONS", () => {
    const inputs = ["", "x".repeat(300), "#", "H56", "000.00.06.H56-999999-0001", "1-2-3", "-", "…"];
    for (const input of inputs) {
      const result = normalizeDossierCode(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(DOSSIER_CODE_ERROR_REASONS).toContain(result.reason);
    }
  });

  it("is idempotent on its own output", () => {
    const first = normalizeDossierCode("000 00 06 h56 231027 0361");
    expect(first.ok).toBe(true);
    if (first.ok) expect(normalizeDossierCode(first.code)).toEqual(first);
  });
});

describe("extractDossierCode(s)", () => {
  it.each<[string, string]>([
    ["Cho tôi hỏi hồ sơ 000.00.06.H56-231027-0361 đến đâu rồi?", CODE],
    ["cho toi hoi ho so 000.00.06.H56-231027-0361 den dau roi", CODE],
    ["ma ho so: 000.00.06.h56 – 231027 – 0361 a", CODE],
    ["Mã hồ sơ của tôi là 0000006h56 231027 0361, nhờ kiểm tra giúp.", CODE],
    ["Hồ sơ số 000 00 06 H56 231027 0361 nộp hôm thứ sáu", CODE],
    ["Em nộp hồ sơ (mã: 000.17.22.H56-210531-0001) từ tháng 5 mà chưa có kết quả", CODE2],
    ["MHS:000.00.06.H56.231027.0361.", CODE],
    ["tra cứu giúp em 000,00,06,h56_231027_0361 với ạ", CODE],
    ["Mã hồ sơ:\u00A0000.00.06.H56\u200B-231027-0361\nXin cảm ơn", CODE],
    ["hs ０００.００.１５.Ｈ３２－２４０２２９－９９９９ gấp", CODE3],
  ])("finds the code in %j", (text, expected) => {
    expect(extractDossierCode(text)).toBe(expected);
    expect(extractDossierCodes(text)).toEqual([expected]);
  });

  it("returns every distinct code in order of appearance", () => {
    const text =
      "Tôi có 3 hồ sơ: 000.17.22.H56-210531-0001, 000.00.06.h56 - 231027 - 0361 " +
      "và 000 00 15 H32 240229 9999; hồ sơ 000.17.22.H56-210531-0001 đã xong rồi.";
    expect(extractDossierCodes(text)).toEqual([CODE2, CODE, CODE3]);
    expect(extractDossierCode(text)).toBe(CODE2);
  });

  it("finds adjacent codes separated only by a comma", () => {
    expect(extractDossierCodes(`${CODE},${CODE2}`)).toEqual([CODE, CODE2]);
  });

  it.each([
    "Số điện thoại của tôi là 0905123456, gọi giúp em",
    "SĐT: 090 512 3456 hoặc +84 905 123 456",
    "CCCD số 001234567890 cấp ngày 27/10/2023",
    "CMND 001234567890 SĐT 0905123456 ngày 231027",
    "Hồ sơ nộp ngày 27-10-2023 lúc 10:30, số tiền 1.250.000 đồng",
    "Tôi chưa có mã hồ sơ",
    "",
  ])("finds nothing in %j", (text) => {
    expect(extractDossierCode(text)).toBeNull();
    expect(extractDossierCodes(text)).toEqual([]);
  });

  it("picks the code next to phone and ID numbers without absorbing them", () => {
    const text = `SĐT 0905123456 CCCD 001234567890 mã ${CODE} 0905123456`;
    expect(extractDossierCodes(text)).toEqual([CODE]);
  });

  it("does not take a code out of a longer digit run", () => {
    expect(extractDossierCode("1000.00.06.H56-231027-0361")).toBeNull();
    expect(extractDossierCode("000.00.06.H56-231027-03611")).toBeNull();
  });

  it("skips structurally plausible but invalid codes", () => {
    expect(extractDossierCodes("000.00.06.H56-231327-0361 và 000.00.06.H56-231027-0000")).toEqual([]);
  });
});

describe("Telegram start payload", () => {
  it("encodes dots as underscores", () => {
    expect(encodeStartPayload(CODE)).toBe("000_00_06_H56-231027-0361");
  });

  it.each([CODE, CODE2, CODE3, "000.00.15.H32-231231-0042", "123.45.67.G01-000101-0001"])(
    "round-trips %s",
    (code) => {
      const payload = encodeStartPayload(code);
      expect(payload).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(payload.length).toBeLessThanOrEqual(START_PAYLOAD_MAX_LENGTH);
      expect(decodeStartPayload(payload)).toBe(code);
    },
  );

  it("canonicalises a sloppy code before encoding", () => {
    expect(encodeStartPayload("000 00 06 h56 – 231027 – 0361")).toBe("000_00_06_H56-231027-0361");
  });

  it("refuses to encode an invalid code", () => {
    expect(() => encodeStartPayload("000.00.06.H56-231027-0000")).toThrow(RangeError);
    expect(() => encodeStartPayload("hello")).toThrow(RangeError);
  });

  it.each([
    "",
    "hello",
    CODE, // canonical code is not the payload form
    "000_00_06_h56-231027-0361", // lower case is not produced by the encoder
    "000_00_06_H56_231027_0361",
    "0000006H562310270361",
    "000_00_06_H56-231027-0000",
    "000_00_06_H56-231327-0361",
    "000_00_06_H56-231027-0361 ",
    " 000_00_06_H56-231027-0361",
    "000_00_06_H56-231027-0361-",
    "x000_00_06_H56-231027-0361",
  ])("rejects payload %j", (payload) => {
    expect(decodeStartPayload(payload)).toBeNull();
  });

  it("rejects payloads over Telegram's 64-character limit", () => {
    expect(START_PAYLOAD_MAX_LENGTH).toBe(64);
    expect(decodeStartPayload("A".repeat(65))).toBeNull();
    expect(decodeStartPayload(`${encodeStartPayload(CODE)}${"_".repeat(40)}`)).toBeNull();
    expect(decodeStartPayload("0".repeat(10_000))).toBeNull();
  });
});
