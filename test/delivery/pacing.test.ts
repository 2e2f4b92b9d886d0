// The in-process pacer (src/core/delivery/pacing.ts): per-chat and overall GCRA buckets.
import { describe, expect, it } from "vitest";
import { ChannelPacer } from "../../src/core/delivery/pacing.ts";

describe("ChannelPacer", () => {
  it("spaces one chat's messages by its interval and lets other chats go", () => {
    const p = new ChannelPacer({ perSecond: 30, perChatPerSecond: 1 });
    expect(p.reserveChat("a", 0, 1)).toBe(0);
    expect(p.chatReadyAt("a", 10)).toBe(1_000);
    expect(p.chatReadyAt("b", 10)).toBe(10);
  });

  it("counts a chat's interval from when the message really went out, not from when it was reserved", () => {
    const p = new ChannelPacer({ perSecond: 30, perChatPerSecond: 1 });
    p.reserveChat("a", 0, 1);
    // The message waited 400 ms for a send slot before it went out.
    p.sentToChat("a", 400, 1);
    expect(p.chatReadyAt("a", 500)).toBe(1_400);
    // A message sent on time changes nothing.
    p.reserveChat("b", 0, 1);
    p.sentToChat("b", 0, 1);
    expect(p.chatReadyAt("b", 10)).toBe(1_000);
  });

  it("a pause holds every chat and the overall bucket", () => {
    const p = new ChannelPacer({ perSecond: 30, perChatPerSecond: 1 });
    p.pause(0, 2_000);
    expect(p.chatReadyAt("c", 100)).toBe(2_000);
    expect(p.reserveOverall(100, 1)).toBeGreaterThanOrEqual(2_000);
  });
});
