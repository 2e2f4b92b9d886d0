// The small protocols of the conversation: button data, stored state, message catalog.
import { describe, expect, it } from "vitest";
import { BUTTON_PREFIXES, decodeButton, encodeButton, isButtonData, MENU_ITEMS, type ButtonAction } from "../../src/core/conversation/buttons.ts";
import { encodeSurveyButton } from "../../src/core/survey/render.ts";
import { parseState } from "../../src/core/conversation/state.ts";
import { catalogSource, messageIds, t } from "../../src/core/i18n/index.ts";

describe("button data", () => {
  const actions: Exclude<ButtonAction, { kind: "survey" }>[] = [
    { kind: "status", dossierId: 1 },
    { kind: "status", dossierId: 2_147_483_647 },
    { kind: "unlink", dossierId: 42 },
    { kind: "consent", accept: true },
    { kind: "consent", accept: false },
    { kind: "delete", confirm: true },
    { kind: "delete", confirm: false },
    { kind: "language", lang: "vi" },
    { kind: "language", lang: "en" },
    ...MENU_ITEMS.map((item) => ({ kind: "menu", item }) as const),
    { kind: "intent", label: "status" },
    { kind: "intent", label: "out_of_scope" },
    { kind: "announcements", stop: true },
    { kind: "announcements", stop: false },
  ];

  it("one registry owns every prefix, the survey's and the announcements' included", () => {
    for (const a of actions) expect(Object.keys(BUTTON_PREFIXES)).toContain(encodeButton(a)[0]);
    for (const data of [encodeSurveyButton({ kind: "rate", dossierId: 7 }), encodeSurveyButton({ kind: "vote", invitationId: 3, question: 0, choice: 1 })]) {
      expect(isButtonData(data)).toBe(true);
      expect(decodeButton(data)).toEqual({ kind: "survey", data });
    }
    expect(isButtonData("hello there")).toBe(false);
  });

  it("round-trips every action within 64 bytes", () => {
    for (const a of actions) {
      const data = encodeButton(a);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(decodeButton(data)).toEqual(a);
    }
    expect(encodeButton({ kind: "status", dossierId: 17 })).toBe("s:17");
    expect(encodeButton({ kind: "consent", accept: true })).toBe("c:y");
  });

  it.each(["", "s", "s:", "s:0", "s:007", "s:-1", "s:1.5", "s:2147483648", "s:1 ", " s:1", "S:1", "s:1:2", "x:1", "c:yes", "d:", "l:fr", "m:admin", "i:hack", "o:pause", "m:" + "a".repeat(70)])(
    "rejects %j",
    (data) => {
      expect(decodeButton(data)).toBeNull();
    },
  );
});

describe("conversation state", () => {
  const now = new Date("2023-02-06T03:00:00Z");
  it("accepts a valid pending step and resets anything else to idle", () => {
    const proof = { step: "await_proof", code: "000.00.15.H32-230112-0001", since: "2023-02-06T02:00:00.000Z" };
    expect(parseState(proof, now)).toEqual(proof);
    expect(parseState(null, now)).toEqual({ step: "idle" });
    expect(parseState("garbage", now)).toEqual({ step: "idle" });
    expect(parseState({ step: "await_proof", code: "000.00.15.h32-230112-0001", since: proof.since }, now)).toEqual({ step: "idle" });
    expect(parseState({ step: "fly" }, now)).toEqual({ step: "idle" });
    expect(parseState({ ...proof, since: "2023-02-05T02:00:00.000Z" }, now)).toEqual({ step: "idle" });
    expect(parseState({ step: "confirm_delete", since: "2023-02-06T02:00:00.000Z" }, now)).toEqual({ step: "idle" });
  });
});

describe("message catalog", () => {
  it("has the same messages in Vietnamese and English, all parsed", () => {
    expect(messageIds("en")).toEqual(messageIds("vi"));
    for (const lang of ["vi", "en"] as const) {
      // Every `id =` line of the file became a message (a syntax error would drop one).
      const declared = catalogSource(lang).match(/^[a-z][a-z0-9_-]* =/gm) ?? [];
      expect(messageIds(lang)).toHaveLength(declared.length);
    }
  });

  it("formats without bidi isolation marks and with local number formats", () => {
    const vi = t("vi", "action-fee", { amount: 1500000 });
    expect(vi).toContain("1.500.000 đồng");
    expect(vi).not.toMatch(/[\u2068\u2069]/);
    expect(t("en", "action-fee", { amount: 1500000 })).toContain("1,500,000 VND");
    expect(t("en", "time-left", { days: 1 })).toBe("1 working day left until the appointment date.");
    expect(t("en", "time-left", { days: 3 })).toBe("3 working days left until the appointment date.");
    expect(t("vi", "no-such-message")).toBe("no-such-message");
  });
});
