// The notice catalogs: both languages define the same messages and parse cleanly.
import { describe, expect, it } from "vitest";
import { noticeMessageIds, nt } from "../../src/core/notices/i18n/index.ts";
import { checkPlaceholders, fillPlaceholders } from "../../src/core/broadcasts/placeholders.ts";
import { maskUserId } from "../../src/core/broadcasts/service.ts";

describe("notice catalogs", () => {
  it("vi and en have the same message ids", () => {
    expect(noticeMessageIds("en")).toEqual(noticeMessageIds("vi"));
    expect(noticeMessageIds("vi").length).toBeGreaterThan(30);
  });

  it("formats amounts for the locale and has no isolation marks", () => {
    const vi = nt("vi", "notice-fee", { code: "X", procedure: "P", amount: 1_500_000 });
    expect(vi).toContain("1.500.000 đồng");
    expect(vi).not.toMatch(/[\u2068\u2069]/);
    expect(nt("en", "notice-fee", { code: "X", procedure: "P", amount: 1_500_000 })).toContain("1,500,000 VND");
  });
});

describe("broadcast placeholders", () => {
  it("fills the four placeholders and rejects others", () => {
    const text = "Hồ sơ {code} ({procedure}) tại {unit}, hẹn {appointment}";
    expect(() => checkPlaceholders(text)).not.toThrow();
    expect(fillPlaceholders(text, { code: "C", procedure: "P", unit: "U", appointmentAt: new Date("2026-03-16T02:00:00Z") })).toBe("Hồ sơ C (P) tại U, hẹn 16/03/2026");
    expect(() => checkPlaceholders("{Code} {hoten}")).toThrow(/\{Code\}, \{hoten\}/);
  });

  it("masks platform user ids in receipts", () => {
    expect(maskUserId("123456789")).toBe("12*****89");
    expect(maskUserId("1234")).toBe("****");
  });
});
