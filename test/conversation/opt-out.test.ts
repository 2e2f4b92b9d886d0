// Announcement opt-out in the conversation (no database): "dừng" / "stop" / the button under
// an announcement stops general announcements (not notices about the citizen's own dossiers);
// "nhận lại thông báo" or the resume button turns them back on; inside a pending question a
// bare "dừng" cancels that question instead.
import { describe, expect, it } from "vitest";
import { buttonData, nth } from "./chat.ts";
import { memoryHarness } from "./memory.ts";

const optedOut = (h: ReturnType<typeof memoryHarness>, userId: string) => [...h.store.accounts.values()].find((a) => a.platformUserId === userId)?.optedOutAt ?? null;

describe("announcement opt-out", () => {
  it.each(["dừng", "Dung", "STOP", "hủy nhận tin", "đừng gửi tin quảng cáo cho tôi nữa", "tắt thông báo chung đi"])("%s stops announcements; notices about own dossiers continue", async (text) => {
    const h = memoryHarness();
    const r = await h.user("u1").text(text);
    expect(nth(r, 0).text).toMatch(/vẫn nhận tin về các hồ sơ của mình|still get messages about your own dossiers/);
    expect(buttonData(r)).toEqual(["o:start"]);
    expect(optedOut(h, "u1")).not.toBeNull();
  });

  it("the buttons work both ways, in English too; saying it twice keeps the first instant", async () => {
    const h = memoryHarness();
    const u = h.user("u2", { languageHint: "en" });
    const stop = await u.press("o:stop");
    expect(nth(stop, 0).text).toContain("You will still get messages about your own dossiers");
    const first = optedOut(h, "u2");
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    await u.text("stop");
    expect(optedOut(h, "u2")).toEqual(first);
    const start = await u.press("o:start");
    expect(nth(start, 0).text).toContain("general announcements again");
    expect(optedOut(h, "u2")).toBeNull();
    await u.text("nhận lại thông báo chung");
    expect(optedOut(h, "u2")).toBeNull();
  });

  it("a bare “dừng” inside a pending question cancels the question and stops nothing", async () => {
    const h = memoryHarness();
    const d = h.dossier("000.00.15.H32-230112-0901");
    const u = h.user("u3");
    await u.text(d.code);
    const cancelled = await u.text("dừng");
    expect(nth(cancelled, 0).text).toBe("Đã hủy thao tác.");
    expect(optedOut(h, "u3")).toBeNull();
    // A status question is not an opt-out either.
    await u.text("hồ sơ của tôi đến đâu rồi");
    expect(optedOut(h, "u3")).toBeNull();
  });
});
