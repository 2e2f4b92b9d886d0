import { describe, expect, it } from "vitest";
import { splitText as telegramSplit } from "../../src/bot/telegram/render.ts";
import { splitText } from "../../src/bot/text.ts";

describe("splitting long replies", () => {
  it("prefers line breaks, then spaces, and never exceeds the limit", () => {
    expect(splitText("dòng một\ndòng hai", 12)).toEqual(["dòng một", "dòng hai"]);
    expect(splitText("hồ sơ của tôi đến đâu rồi", 10)).toEqual(["hồ sơ của", "tôi đến", "đâu rồi"]);
    for (const part of splitText("x".repeat(25), 10)) expect(part.length).toBeLessThanOrEqual(10);
  });

  it("never cuts an emoji in half", () => {
    const parts = splitText("ab😀cd", 3);
    expect(parts.join("")).toBe("ab😀cd");
    for (const p of parts) expect(p).not.toMatch(/[\ud800-\udbff]$/);
  });

  it("Telegram splits at its 4096-character limit", () => {
    const parts = telegramSplit("a ".repeat(3000));
    expect(parts.length).toBe(2);
    expect(parts[0]!.length).toBeLessThanOrEqual(4096);
  });
});
