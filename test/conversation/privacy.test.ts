// Citizens see only dossiers they proved they own, and can unlink and delete their data.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/conversation/index.ts";
import { allText, buttonData, createHarness, linkById, linkByPhone, NOW, nth, type Harness } from "./helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.clock.now = NOW;
});

/** Dossier of the first citizen, with details that must never reach anyone else. */
const SECRET = {
  procedureCode: "2.000001",
  procedureName: "Chứng thực hợp đồng mua bán nhà ở",
  applicant: { name: "Lê Văn Bí Mật", phone: "0987654321", idNumber: "001099012345" },
  currentStep: "Chờ ký duyệt",
  status: 5,
  supplementReason: "Giấy đăng ký kết hôn",
  receivedAt: "2023-01-05T08:15:00+07:00",
  appointmentAt: "2023-01-19T08:15:00+07:00",
};
const SECRET_WORDS = ["Chứng thực hợp đồng mua bán nhà ở", "Lê Văn Bí Mật", "0987654321", "098****321", "001099012345", "Chờ ký duyệt", "Giấy đăng ký kết hôn", "05/01/2023", "19/01/2023"];

function expectNothingSecret(replies: Reply[], label: string) {
  const text = JSON.stringify(replies);
  for (const w of SECRET_WORDS) expect(text, `${label} leaked "${w}"`).not.toContain(w);
}

describe("a citizen never sees another citizen's dossier", () => {
  it("through a typed code, a deep link, /status, button data or free text", async () => {
    const secret = await h.dossier("000.00.15.H32-230112-0101", SECRET);
    const own = await h.dossier("000.00.15.H32-230112-0102", { applicant: { name: "Phạm Thị C", phone: "0911222333", idNumber: "056089007777" } });
    const first = h.user("first-citizen");
    await linkByPhone(first, secret.code, "0987654321");
    const second = h.user("second-citizen");
    await linkById(second, own.code, "7777");

    const tries: [string, () => Promise<Reply[]>][] = [
      ["typed code", () => second.text(secret.code)],
      ["code in a question", () => second.text(`hồ sơ ${secret.code} đến đâu rồi`)],
      ["deep link", () => second.command("start", "000_00_15_H32-230112-0101")],
      ["/status <code>", () => second.command("status", secret.code)],
      ["/link <code>", () => second.command("link", secret.code)],
      ["status button", () => second.press(`s:${secret.id}`)],
      ["unlink button", () => second.press(`u:${secret.id}`)],
      ["/unlink <code>", () => second.command("unlink", secret.code)],
      ["/status", () => second.command("status")],
      ["free-text status", () => second.text("ho so cua toi den dau roi")],
      ["help", () => second.text("gặp cán bộ")],
      ["consent then wrong digits", async () => [...(await second.text(secret.code)), ...(await second.text("0000"))]],
      ["someone else's contact", () => second.contact("0987654321", false)],
    ];
    for (const [label, run] of tries) expectNothingSecret(await run(), label);

    // Nothing changed for the first citizen.
    const firstAcc = await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "first-citizen" } });
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: secret.id } })).toBe(1);
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: secret.id, citizenId: firstAcc.citizenId! } })).toBe(1);
    // The first citizen still sees it.
    expect(nth(await first.command("status"), 0).text).toContain("Chứng thực hợp đồng mua bán nhà ở");
  });

  it("reveals nothing for forged button data naming someone else's dossier", async () => {
    const other = await h.dossier("000.00.15.H32-230112-0103", SECRET);
    await linkByPhone(h.user("owner-103"), other.code, "0987654321");
    const stranger = h.user("stranger-103");
    const forged = await stranger.press(`s:${other.id}`);
    expectNothingSecret(forged, "forged s:");
    expect(allText(forged)).not.toContain(other.code);
    expect(nth(forged, 0).text).toBe("Không tìm thấy hồ sơ này trong các hồ sơ Ông/Bà đã liên kết.");
    // Same answer as for an id that does not exist at all.
    expect(forged).toEqual(await stranger.press("s:2147483647"));
    // Malformed data gets the menu.
    for (const data of ["s:", "s:0", "s:-1", "s:1;DROP", "x:1", "m:admin", "l:fr", "c:maybe", "s:99999999999", "a".repeat(65)]) {
      const r = await stranger.press(data);
      expect(nth(r, 0).text, data).toBe("Nút này không hợp lệ hoặc đã hết hạn.");
      expect(buttonData(r), data).toContain("m:status");
    }
    // A consent answer with nothing pending changes nothing.
    expect(nth(await stranger.press("c:y"), 0).text).toBe("Nút này không hợp lệ hoặc đã hết hạn.");
    expect((await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "stranger-103" } })).consentAt).toBeNull();
  });
});

describe("unlink and delete my data", () => {
  it("unlinks by button and by code, saying which dossier", async () => {
    const a = await h.dossier("000.00.15.H32-230112-0201");
    const b = await h.dossier("000.00.15.H32-230112-0202");
    const u = h.user("unlinker");
    await linkById(u, a.code);
    await linkById(u, b.code);

    const choose = await u.command("unlink");
    expect(nth(choose, 0).text).toBe("Chọn hồ sơ Ông/Bà muốn hủy liên kết:");
    expect(buttonData(choose)).toEqual([`u:${a.id}`, `u:${b.id}`]);
    const done = await u.press(`u:${a.id}`);
    expect(nth(done, 0).text).toBe(`Đã hủy liên kết hồ sơ ${a.code}. Ông/Bà sẽ không nhận thông báo về hồ sơ này nữa.`);
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: a.id } })).toBe(0);
    // Pressing the same button again is harmless.
    expect(nth(await u.press(`u:${a.id}`), 0).text).toBe("Không tìm thấy hồ sơ này trong các hồ sơ Ông/Bà đã liên kết.");

    expect(nth(await u.command("unlink", b.code.toLowerCase()), 0).text).toContain(`Đã hủy liên kết hồ sơ ${b.code}`);
    expect(nth(await u.command("unlink", b.code), 0).text).toBe(`Mã ${b.code} không nằm trong các hồ sơ Ông/Bà đã liên kết.`);
    expect(nth(await u.text("hủy liên kết"), 0).text).toBe("Ông/Bà chưa liên kết hồ sơ nào.");
    // The dossiers themselves are untouched.
    expect(await h.ctx.prisma.dossier.count({ where: { id: { in: [a.id, b.id] } } })).toBe(2);
    const audit = await h.ctx.prisma.auditLog.findMany({ where: { action: "dossier.unlink" }, orderBy: { id: "asc" } });
    expect(audit.map((x) => x.target)).toEqual([a.code, b.code]);
  });

  it("deletes the citizen's data after confirmation and says exactly what was deleted", async () => {
    const a = await h.dossier("000.00.15.H32-230112-0301", { applicant: { name: "Võ Văn D", phone: "0903000301", idNumber: "056089003010" } });
    const b = await h.dossier("000.00.15.H32-230112-0302", { applicant: { name: "Võ Văn D", phone: "0903000301", idNumber: "056089003020" } });
    const u = h.user("deleter");
    await linkByPhone(u, a.code, "0903000301");
    await u.text(b.code);
    await u.text("9999"); // one failed proof today
    await u.text("3020");
    const acc = await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "deleter" } });
    const citizenId = acc.citizenId!;

    // Asking and declining deletes nothing.
    const ask = await u.text("Xoa du lieu cua toi");
    expect(nth(ask, 0).text).toContain("liên kết với 2 hồ sơ");
    expect(buttonData(ask)).toEqual(["d:y", "d:n"]);
    expect(nth(await u.press("d:n"), 0).text).toBe("Đã hủy. Không có dữ liệu nào bị xóa.");
    expect(await h.ctx.prisma.dossierLink.count({ where: { citizenId } })).toBe(2);

    await u.command("delete");
    const done = await u.press("d:y");
    expect(nth(done, 0).text).toBe(
      [
        "Đã xóa dữ liệu của Ông/Bà:",
        `• Liên kết hồ sơ: ${a.code}, ${b.code}`,
        "• Trạng thái trò chuyện.",
        "• 2 lượt xác minh.",
        "• Thông tin công dân của Ông/Bà và số điện thoại đã xác minh 090****301.",
        "• Sự đồng ý theo Nghị định 13/2023/NĐ-CP đã được thu hồi.",
        "",
        "Được giữ lại: 1 lượt xác minh sai trong hôm nay (chỉ gồm mã hồ sơ và thời điểm) để chống dò mã hồ sơ; giới hạn thử lại hết hiệu lực sau 07/02/2023 00:00.",
      ].join("\n"),
    );

    const after = await h.ctx.prisma.channelAccount.findUniqueOrThrow({ where: { id: acc.id } });
    expect(after).toMatchObject({ citizenId: null, consentAt: null, displayName: null });
    expect(await h.ctx.prisma.citizen.count({ where: { id: citizenId } })).toBe(0);
    expect(await h.ctx.prisma.citizen.count({ where: { phone: "0903000301" } })).toBe(0);
    expect(await h.ctx.prisma.dossierLink.count({ where: { citizenId } })).toBe(0);
    expect(await h.ctx.prisma.conversation.count({ where: { accountId: acc.id } })).toBe(0);
    expect(await h.ctx.prisma.linkAttempt.findMany({ where: { accountId: acc.id }, select: { code: true, success: true } })).toEqual([
      { code: b.code, success: false },
    ]);
    // Afterwards the citizen is a stranger again: linking asks consent anew.
    expect(nth(await u.command("status"), 0).text).toContain("Ông/Bà chưa liên kết hồ sơ nào");
    expect(buttonData(await u.text(a.code))).toEqual(["c:y", "c:n"]);
  });

  it("keeps the citizen row for another channel account of the same person", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0401", { applicant: { name: "Hồ Thị E", phone: "0904000401", idNumber: "056089004010" } });
    const tg = h.user("both-tg");
    const zl = h.user("both-zalo", { channel: "zalo" });
    await linkByPhone(tg, d.code, "0904000401");
    await linkByPhone(zl, d.code, "0904000401");
    const citizen = await h.ctx.prisma.citizen.findUniqueOrThrow({ where: { phone: "0904000401" } });

    await zl.text("delete my data");
    const done = await zl.press("d:y");
    // Asked in English, answered in English.
    expect(nth(done, 0).text).toContain(`• Dossier links: ${d.code}`);
    expect(nth(done, 0).text).toContain("another chat account of yours still uses it");
    expect(await h.ctx.prisma.citizen.count({ where: { id: citizen.id } })).toBe(1);
    expect((await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "both-zalo" } })).citizenId).toBeNull();
    expect((await h.ctx.prisma.channelAccount.findFirstOrThrow({ where: { platformUserId: "both-tg" } })).citizenId).toBe(citizen.id);
  });
});
