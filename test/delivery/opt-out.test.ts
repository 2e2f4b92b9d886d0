// Announcement opt-out: "dừng" / "stop" / the button under an announcement stops general
// announcements (not notices about the citizen's own dossiers); "tiếp tục nhận tin" resumes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optOutInterceptor } from "../../src/core/broadcasts/opt-out.ts";
import { ConversationService } from "../../src/core/conversation/index.ts";
import type { Inbound } from "../../src/core/conversation/types.ts";
import { CalendarStore } from "../../src/core/calendar-store.ts";
import { IdentityHasher } from "../../src/core/identity.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { makeAccount } from "./helpers.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

async function say(accountId: number, input: Inbound, language: "vi" | "en" = "vi") {
  return optOutInterceptor({ prisma: db.prisma, channel: "telegram", accountId, citizenId: null, language, input, now: new Date() });
}

async function optedOut(id: number) {
  return (await db.prisma.channelAccount.findUniqueOrThrow({ where: { id } })).optedOutAt;
}

describe("optOutInterceptor", () => {
  it.each(["dừng", "Dung", "STOP", "hủy nhận tin", "huy nhan tin"])("%s stops announcements and says notices continue, with a resume button", async (text) => {
    const a = await makeAccount(db.prisma);
    const replies = await say(a.id, { kind: "text", text });
    expect(replies).toHaveLength(1);
    const r = replies![0]!;
    expect(r.kind === "text" && r.text).toContain("vẫn nhận tin về các hồ sơ của mình");
    expect(r.kind === "text" && r.buttons).toEqual([[{ label: "Nhận lại thông báo chung", data: "o:start" }]]);
    expect(await optedOut(a.id)).not.toBeNull();
  });

  it("the o:stop button works in English too; o:start and “tiếp tục nhận tin” resume", async () => {
    const a = await makeAccount(db.prisma);
    const stop = await say(a.id, { kind: "button", data: "o:stop" }, "en");
    expect(stop![0]!.kind === "text" && stop![0]!.text).toContain("You will still get messages about your own dossiers");
    expect(await optedOut(a.id)).not.toBeNull();
    const start = await say(a.id, { kind: "button", data: "o:start" }, "en");
    expect(start![0]!.kind === "text" && start![0]!.text).toContain("general announcements again");
    expect(await optedOut(a.id)).toBeNull();
    await say(a.id, { kind: "text", text: "stop announcements" });
    expect(await optedOut(a.id)).not.toBeNull();
    await say(a.id, { kind: "text", text: "Tiếp tục nhận tin" });
    expect(await optedOut(a.id)).toBeNull();
  });

  it("leaves everything else to the conversation, and “dừng” means cancel while a question is pending", async () => {
    const a = await makeAccount(db.prisma);
    expect(await say(a.id, { kind: "text", text: "hồ sơ của tôi đến đâu rồi" })).toBeNull();
    expect(await say(a.id, { kind: "text", text: "dừng lại đi mà" })).toBeNull();
    expect(await say(a.id, { kind: "button", data: "s:12" })).toBeNull();
    await db.prisma.conversation.create({ data: { accountId: a.id, state: { step: "confirm_delete", since: new Date().toISOString() } } });
    expect(await say(a.id, { kind: "text", text: "dừng" })).toBeNull();
    expect(await optedOut(a.id)).toBeNull();
    // The unambiguous phrase works in any step.
    expect(await say(a.id, { kind: "text", text: "hủy nhận tin" })).not.toBeNull();
  });

  it("plugs into the conversation as an interceptor", async () => {
    const conversation = new ConversationService({
      prisma: db.prisma,
      calendar: new CalendarStore(db.prisma),
      hasher: new IdentityHasher("test-pepper-0123456789abcdef"),
      interceptors: [optOutInterceptor],
    });
    const replies = await conversation.handle({ channel: "telegram", userId: "55501", input: { kind: "text", text: "dừng" } });
    expect(replies[0]!.kind === "text" && replies[0]!.text).toContain("dừng nhận thông báo chung");
    const acc = await db.prisma.channelAccount.findUniqueOrThrow({ where: { channel_platformUserId: { channel: "telegram", platformUserId: "55501" } } });
    expect(acc.optedOutAt).not.toBeNull();
  });
});
