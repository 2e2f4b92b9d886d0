// The delivery policy alone: no database, no clock, no platform.
import { describe, expect, it } from "vitest";
import { decide, decideZns, preflight, type MessageFacts, type PolicySettings } from "../../src/core/delivery/policy.ts";

const S: PolicySettings = { maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 8000 }, quietHours: { start: "21:00", end: "07:00" }, jitter: () => 1 };
const NOON = new Date("2026-03-02T05:00:00Z"); // 12:00 in Vietnam
const NIGHT = new Date("2026-03-02T15:00:00Z"); // 22:00 in Vietnam
const m = (over: Partial<MessageFacts> = {}): MessageFacts => ({ channel: "telegram", kind: "notice", attempts: 1, urgent: false, blocked: null, optedOut: false, ...over });

describe("before sending", () => {
  it("sends a notice at night but holds an announcement until the quiet hours end", () => {
    expect(preflight(m(), S, NIGHT)).toBeNull();
    const held = preflight(m({ kind: "broadcast" }), S, NIGHT);
    expect(held).toMatchObject({ kind: "requeue", attempt: false });
    expect(held?.kind === "requeue" && held.notBefore.toISOString()).toBe("2026-03-03T00:00:00.000Z");
    expect(preflight(m({ kind: "broadcast", urgent: true }), S, NIGHT)).toBeNull();
  });

  it("skips blocked accounts and opted-out announcements, and gives up after the last attempt", () => {
    expect(preflight(m({ blocked: { reason: "403" } }), S, NOON)).toEqual({ kind: "final", state: "skipped", error: "blocked: 403" });
    expect(preflight(m({ kind: "broadcast", optedOut: true }), S, NOON)).toMatchObject({ kind: "final", state: "skipped" });
    expect(preflight(m({ optedOut: true }), S, NOON)).toBeNull();
    expect(preflight(m({ attempts: 4 }), S, NOON)).toMatchObject({ kind: "final", state: "failed" });
  });
});

describe("after the platform answered", () => {
  it("pauses the channel on a 429 without counting the attempt", () => {
    const r = decide({ attempts: 1 }, { ok: false, kind: "rate_limited", message: "Too Many Requests", retryAfterMs: 5000 }, S, NOON);
    expect(r.effects).toEqual([{ kind: "pauseChannel", ms: 5000 }]);
    expect(r.decision).toMatchObject({ kind: "requeue", attempt: false });
    expect(r.decision?.kind === "requeue" && r.decision.notBefore.getTime() - NOON.getTime()).toBe(5000);
  });

  it("backs off exponentially on temporary errors and fails after the last attempt", () => {
    const later = (attempts: number) => {
      const d = decide({ attempts }, { ok: false, kind: "temporary", message: "ECONNRESET" }, S, NOON).decision;
      return d?.kind === "requeue" ? d.notBefore.getTime() - NOON.getTime() : d?.kind;
    };
    expect([later(1), later(2)]).toEqual([1000, 2000]);
    expect(later(3)).toBe("final");
  });

  it("marks the account blocked on 403 and hands a closed Zalo window to ZNS", () => {
    expect(decide({ attempts: 1 }, { ok: false, kind: "blocked", message: "bot was blocked by the user" }, S, NOON)).toEqual({
      decision: { kind: "final", state: "blocked", error: "bot was blocked by the user" },
      effects: [{ kind: "blockAccount", reason: "bot was blocked by the user" }],
    });
    const closed = decide({ attempts: 1 }, { ok: false, kind: "window_closed", code: "-230", message: "outside the window" }, S, NOON);
    expect(closed.decision).toBeNull();
    expect(closed.effects).toEqual([{ kind: "tryZns", windowError: "-230: outside the window" }]);
    expect(decideZns({ attempts: 1 }, "no_fallback", "-230", S, NOON)).toMatchObject({ kind: "final", state: "undeliverable" });
    expect(decideZns({ attempts: 1 }, { ok: true, platformMessageId: "z1" }, "-230", S, NOON)).toEqual({ kind: "sent", platformMessageId: "zns:z1" });
  });
});
