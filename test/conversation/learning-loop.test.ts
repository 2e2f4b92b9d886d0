// The learning loop end to end, over the REST API and a real database: a message the bot
// does not understand is kept (masked), an admin sees it and labels it, and the next time the
// same message arrives it is understood — without a restart. Erasure deletes the kept rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportLabelled } from "../../src/core/conversation/learning-loop.ts";
import { sweepExpired } from "../../src/core/retention.ts";
import { startTestService, type TestService } from "../helpers/app.ts";

let s: TestService;
beforeAll(async () => {
  s = await startTestService();
});
afterAll(async () => {
  await s?.close();
});

const say = async (userId: string, text: string) => {
  const replies = await s.ctx.conversation.handle({ channel: "telegram", userId, input: { kind: "text", text } });
  return replies.map((r) => r.text).join("\n");
};

describe("learning loop", () => {
  it("keeps an unrecognised message masked, lets an admin label it, and the next answer follows the label", async () => {
    // New slang the corpus has never seen, with a phone number in it.
    const message = "brrr brrr 0905123456";
    expect(await say("learner-1", message)).toContain("chưa hiểu");

    const list = await s.api("/api/v1/understanding/unrecognised?labelled=false");
    expect(list.status).toBe(200);
    const page = (await list.json()) as { items: { id: number; text: string; band: string; channel: string }[] };
    const row = page.items.find((i) => i.text.startsWith("brrr brrr"));
    expect(row).toMatchObject({ band: "fallback", channel: "telegram" });
    // Masked: the phone number is not kept.
    expect(row!.text).not.toContain("0905123456");
    expect(row!.text).toContain("zzphone");

    // Only admins may see or label.
    const staff = await s.api("/api/v1/understanding/unrecognised", { key: null });
    expect(staff.status).toBe(401);

    const bad = await s.api(`/api/v1/understanding/unrecognised/${row!.id}/label`, { method: "POST", json: { intent: "nonsense" } });
    expect(bad.status).toBe(422);
    const labelled = await s.api(`/api/v1/understanding/unrecognised/${row!.id}/label`, { method: "POST", json: { intent: "hours" } });
    expect(labelled.status).toBe(200);
    expect(((await labelled.json()) as { item: { label: string } }).item.label).toBe("hours");
    expect(await s.ctx.prisma.auditLog.count({ where: { action: "understanding.label", target: `unrecognised:${row!.id}` } })).toBe(1);

    // Same process, no restart: the same message now gets the working hours.
    const after = await say("learner-2", "brrr brrr 0912000111");
    expect(after).toContain("Bộ phận một cửa làm việc Thứ Hai đến Thứ Sáu");
    expect(after).not.toContain("chưa hiểu");

    // The labelled example can be exported as a corpus line for the repository.
    const lines = (await exportLabelled(s.ctx.prisma)).split("\n").map((l) => JSON.parse(l) as { text: string; intent: string });
    expect(lines).toContainEqual({ text: row!.text, intent: "hours", lang: "vi" });
  });

  it("deletes a citizen's kept messages with “xóa dữ liệu”, and expired ones after the retention period", async () => {
    await say("forgetful", "xyzzy plugh");
    const acc = await s.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "forgetful" } });
    expect(await s.ctx.prisma.unrecognisedMessage.count({ where: { accountId: acc.id } })).toBe(1);
    await say("forgetful", "xóa dữ liệu của tôi");
    const done = await s.ctx.conversation.handle({ channel: "telegram", userId: "forgetful", input: { kind: "button", data: "d:y" } });
    expect(done[0]!.text).toContain("1 tin nhắn chưa hiểu");
    expect(await s.ctx.prisma.unrecognisedMessage.count({ where: { accountId: acc.id } })).toBe(0);

    await say("old-timer", "kakaka");
    const old = await s.ctx.prisma.unrecognisedMessage.findFirstOrThrow({ where: { text: "kakaka" } });
    await s.ctx.prisma.unrecognisedMessage.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 91 * 86_400_000) } });
    const fresh = await s.ctx.prisma.unrecognisedMessage.count();
    const swept = await sweepExpired(s.ctx.prisma, { inboxDays: 14, conversationDays: 30, unrecognisedDays: 90, outboundBodyDays: 90, auditDays: 730 });
    expect(swept.unrecognised).toBe(1);
    expect(await s.ctx.prisma.unrecognisedMessage.count()).toBe(fresh - 1);
  });
});

