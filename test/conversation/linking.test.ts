// A citizen links a dossier only after consent and proof of ownership; guessing is limited,
// and an unknown code looks exactly like a known code with a wrong proof.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/conversation/index.ts";
import { allText, buttonData, createHarness, linkById, NOW, nth, type Harness } from "./helpers.ts";

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

const applicant = (phone: string, idNumber = "056089001234") => ({ applicant: { name: "Trần Thị B", phone, idNumber } });

async function account(channel: "telegram" | "zalo" | "web", userId: string) {
  return h.ctx.prisma.channelAccount.findUniqueOrThrow({ where: { channel_platformUserId: { channel, platformUserId: userId } }, include: { citizen: true } });
}

describe("linking with proof of ownership", () => {
  it("links by the citizen's own shared contact after consent, then shows the status card", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0001", applicant("0905000001"));
    const u = h.user("contact-1");

    const asked = await u.text("Cho tôi hỏi hồ sơ số 000.00.15.h32 - 230112 - 0001 với");
    expect(asked).toHaveLength(1);
    expect(nth(asked, 0).text).toContain("000.00.15.H32-230112-0001");
    expect(nth(asked, 0).text).toContain("Nghị định 13/2023");
    expect(buttonData(asked)).toEqual(["c:y", "c:n"]);
    expect((await account("telegram", "contact-1")).consentAt).toBeNull();

    const proof = await u.press("c:y");
    expect(nth(proof, 0).text).toContain("Cảm ơn");
    expect(nth(proof, 1)).toMatchObject({ kind: "request_phone", buttonLabel: "Chia sẻ số điện thoại" });
    expect((await account("telegram", "contact-1")).consentAt).toEqual(NOW);

    const done = await u.contact("+84 905 000 001", true);
    expect(nth(done, 0).text).toBe(
      "Đã liên kết hồ sơ 000.00.15.H32-230112-0001 với tài khoản của Ông/Bà (xác minh bằng số điện thoại 090****001). Chúng tôi sẽ báo khi hồ sơ có kết quả.",
    );
    expect(nth(done, 1).text).toContain("Thủ tục: Đăng ký biến động quyền sử dụng đất");

    const acc = await account("telegram", "contact-1");
    expect(acc.citizen?.phone).toBe("0905000001");
    const link = await h.ctx.prisma.dossierLink.findUniqueOrThrow({ where: { citizenId_dossierId: { citizenId: acc.citizenId!, dossierId: d.id } } });
    expect(link.verifiedBy).toBe("phone_contact");
    expect(link.consentAt).toEqual(NOW);
    expect(await h.ctx.prisma.linkAttempt.count({ where: { code: d.code, success: true } })).toBe(1);
  });

  it("refuses a contact that is not the sender's own number, without counting it", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0002", applicant("0905000002"));
    const u = h.user("contact-2");
    await u.text(d.code);
    await u.press("c:y");

    const refused = await u.contact("0905000002", false);
    expect(refused).toEqual([expect.objectContaining({ kind: "request_phone" })]);
    expect(nth(refused, 0).text).toContain("Chỉ chấp nhận số điện thoại của chính Ông/Bà");
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: d.id } })).toBe(0);
    expect(await h.ctx.prisma.linkAttempt.count({ where: { code: d.code } })).toBe(0);
    expect((await account("telegram", "contact-2")).citizenId).toBeNull();

    // Still at the proof step: the own number links.
    const done = await u.contact("0905000002", true);
    expect(nth(done, 0).text).toContain("Đã liên kết hồ sơ 000.00.15.H32-230112-0002");
  });

  it("links by the last 4 digits of the applicant's ID number from a deep link, without storing a phone", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0003", applicant("0905000003", "079188004321"));
    const u = h.user("digits-3");
    const asked = await u.command("start", "000_00_15_H32-230112-0003");
    expect(buttonData(asked)).toEqual(["c:y", "c:n"]);
    await u.press("c:y");

    const format = await u.text("079188004321");
    expect(nth(format, 0).text).toContain("4 chữ số cuối");
    const done = await u.text("43 21");
    expect(nth(done, 0).text).toContain("xác minh bằng 4 số cuối thẻ căn cước/CCCD");
    expect(allText(done)).not.toContain("0905000003");
    expect(allText(done)).not.toContain("079188004321");

    const acc = await account("telegram", "digits-3");
    expect(acc.citizen?.phone).toBeNull();
    const link = await h.ctx.prisma.dossierLink.findFirstOrThrow({ where: { dossierId: d.id } });
    expect(link.verifiedBy).toBe("id_last4");
    expect(await h.ctx.prisma.linkAttempt.count({ where: { code: d.code, success: false } })).toBe(0);
  });

  it("locks a guesser out after 5 wrong proofs in a day, but never the owner (issue 10 finding 7)", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0004", applicant("0905000004"));
    // The owner is already at the proof step when someone else starts guessing.
    const owner = h.user("owner-4");
    await owner.text(d.code);
    await owner.press("c:y");

    const guesser = h.user("guesser-4");
    await guesser.text(d.code);
    await guesser.press("c:y");
    for (const [i, digits] of ["0000", "1111", "2222", "3333"].entries()) {
      const wrong = await guesser.text(digits);
      expect(wrong).toHaveLength(1);
      expect(nth(wrong, 0)).toMatchObject({ kind: "request_phone" });
      expect(nth(wrong, 0).text).toContain("Thông tin xác minh không khớp với hồ sơ 000.00.15.H32-230112-0004");
      expect(nth(wrong, 0).text).toContain(`Ông/Bà còn ${4 - i} lần thử trong hôm nay`);
    }
    const locked = await guesser.text("5555");
    expect(nth(locked, 0).text).toBe(
      "Ông/Bà đã nhập sai quá nhiều lần nên tạm thời chưa thể xác minh hồ sơ 000.00.15.H32-230112-0004 từ tài khoản này. Ông/Bà có thể thử lại sau 07/02/2023 00:00. Nếu cần gấp, hãy liên hệ Bộ phận một cửa nơi nộp hồ sơ.",
    );
    // The guesser stays locked for this code, by text or deep link, and the sixth guess is not counted.
    expect(nth(await guesser.text(d.code), 0).text).toContain("07/02/2023 00:00");
    expect(nth(await guesser.command("start", "000_00_15_H32-230112-0004"), 0).text).toContain("tạm thời chưa thể xác minh");
    expect(await h.ctx.prisma.linkAttempt.count({ where: { code: d.code } })).toBe(5);

    // The stranger's failures do not lock the owner: the right digits link the dossier.
    expect(nth(await owner.text("1234"), 0).text).toContain("Đã liên kết hồ sơ 000.00.15.H32-230112-0004");

    // A new Vietnamese day (midnight +07:00) opens it again for the guesser.
    h.clock.now = new Date("2023-02-07T00:00:00+07:00");
    expect(nth(await guesser.text(d.code), 0)).toMatchObject({ kind: "request_phone" });
  });

  it("slows ID-digit guessing from many accounts, while the owner's own phone still links at once", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0024", applicant("0905000024"));
    const owner = h.user("owner-24");
    await owner.text(d.code);
    await owner.press("c:y");
    // Three strangers, each under their own limit, together pass the code's free allowance (10).
    for (const name of ["s1", "s2", "s3"]) {
      const u = h.user(`stranger-24-${name}`);
      await u.text(d.code);
      await u.press("c:y");
      for (let k = 0; k < 4; k++) await u.text(String(6000 + k));
    }
    expect(await h.ctx.prisma.linkAttempt.count({ where: { code: d.code, success: false } })).toBe(10);
    // Now ID digits must wait (exponential backoff) — for the owner too — …
    const slowed = await owner.text("1234");
    expect(nth(slowed, 0)).toMatchObject({ kind: "request_phone" });
    expect(nth(slowed, 0).text).toContain("tạm giới hạn xác minh bằng 4 chữ số");
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: d.id } })).toBe(0);
    // … but the shared own phone, which a stranger cannot forge, is never held back.
    expect(nth(await owner.contact("0905000024", true), 0).text).toContain("Đã liên kết hồ sơ 000.00.15.H32-230112-0024");
    // A minute later the digits work again.
    h.clock.now = new Date(NOW.getTime() + 61_000);
    const later = h.user("owner-24-bis");
    await later.text(d.code);
    await later.press("c:y");
    expect(nth(await later.text("1234"), 0).text).toContain("Đã liên kết hồ sơ");
  });

  it("takes concurrent guesses from one account one at a time, and never beyond its limit", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0014", applicant("0905000014"));
    const g = h.user("parallel-guesser");
    await g.text(d.code);
    await g.press("c:y");
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => g.text(String(5000 + i))));
    const texts = answers.map((r) => nth(r, 0).text);
    // As if typed one after another: four wrong answers with the tries left, then the limit;
    // the flow has ended, so the last three are not taken as guesses at all.
    expect(texts.slice(0, 4).map((x) => /không khớp.*còn (\d) lần thử/.exec(x)?.[1])).toEqual(["4", "3", "2", "1"]);
    expect(texts[4]).toContain("tạm thời chưa thể xác minh");
    for (const x of texts.slice(5)) expect(x).toContain("chưa hiểu ý");
    expect(await h.ctx.prisma.linkAttempt.count({ where: { code: d.code, success: false } })).toBe(5);
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: d.id } })).toBe(0);
  });

  it("answers an unknown code exactly like a known code with wrong proof, at every step", async () => {
    const known = (await h.dossier("000.00.15.H32-230112-0005", applicant("0905000005"))).code;
    const unknown = "000.00.15.H32-230112-0999";
    const k = h.user("probe-known");
    const x = h.user("probe-unknown");
    // The only difference allowed is the code the citizen typed themselves.
    const same = (rk: Reply[], rx: Reply[]) =>
      expect(JSON.parse(JSON.stringify(rk).replaceAll(known, "<CODE>"))).toEqual(JSON.parse(JSON.stringify(rx).replaceAll(unknown, "<CODE>")));

    const steps: ((code: string) => [string, (u: typeof k) => Promise<Reply[]>])[] = [
      (code) => ["typed code", (u) => u.text(`hồ sơ ${code} đến đâu rồi`)],
      () => ["consent", (u) => u.press("c:y")],
      () => ["someone else's number", (u) => u.contact("0912345678", false)],
      () => ["wrong own number", (u) => u.contact("0912345678", true)],
      () => ["not four digits", (u) => u.text("12")],
      () => ["wrong digits 1", (u) => u.text("0000")],
      () => ["greeting mid-flow", (u) => u.text("alo")],
      () => ["wrong digits 2", (u) => u.text("1111")],
      () => ["wrong digits 3", (u) => u.text("2222")],
      () => ["wrong digits 4 → locked", (u) => u.text("3333")],
      (code) => ["code again", (u) => u.text(code)],
      (code) => ["deep link", (u) => u.command("start", code.replaceAll(".", "_"))],
      (code) => ["/status code", (u) => u.command("status", code)],
    ];
    for (const step of steps) {
      const [name, runKnown] = step(known);
      const [, runUnknown] = step(unknown);
      const rk = await runKnown(k);
      const rx = await runUnknown(x);
      expect.soft(rk.length, name).toBe(rx.length);
      same(rk, rx);
    }
    expect(await h.ctx.prisma.linkAttempt.count({ where: { code: known, success: false } })).toBe(5);
    expect(await h.ctx.prisma.linkAttempt.count({ where: { code: unknown, success: false } })).toBe(5);
    // Nothing pending for either.
    const states = await h.ctx.prisma.conversation.findMany({ where: { account: { platformUserId: { in: ["probe-known", "probe-unknown"] } } } });
    expect(states.filter((s) => JSON.stringify(s.state) !== JSON.stringify({ step: "idle" }))).toEqual([]);
  });

  it("stores no link, phone, code or consent when the citizen refuses consent", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0006", applicant("0905000006"));
    const u = h.user("refuser-6", { channel: "zalo" });
    await u.text(d.code);
    const refused = await u.press("c:n");
    expect(nth(refused, 0).text).toContain("Ông/Bà đã không đồng ý");
    expect(nth(refused, 0).text).toContain("không lưu số điện thoại, không lưu mã hồ sơ");

    const acc = await account("zalo", "refuser-6");
    expect(acc.consentAt).toBeNull();
    expect(acc.citizenId).toBeNull();
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: d.id } })).toBe(0);
    expect(await h.ctx.prisma.linkAttempt.count({ where: { accountId: acc.id } })).toBe(0);
    expect(await h.ctx.prisma.citizen.count({ where: { phone: "0905000006" } })).toBe(0);
    // No pending code kept: the state row, if any, is idle and mentions no code.
    const conv = await h.ctx.prisma.conversation.findUnique({ where: { accountId: acc.id } });
    expect(JSON.stringify(conv?.state ?? {})).not.toContain(d.code);
    // Digits now are not a proof for anything.
    expect(nth(await u.text("1234"), 0).text).toContain("chưa hiểu");
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: d.id } })).toBe(0);
  });

  it("lets one citizen link several dossiers, asking consent only once", async () => {
    const a = await h.dossier("000.00.15.H32-230112-0007", applicant("0905000007"));
    const b = await h.dossier("000.00.16.H32-230113-0001", { ...applicant("0905000007", "056089005678"), unitCode: "000.00.16.H32", unitName: "UBND phường Cam Nghĩa" });
    const u = h.user("several-7");
    await linkById(u, a.code);
    const second = await u.text(`còn hồ sơ ${b.code} nữa`);
    expect(nth(second, 0)).toMatchObject({ kind: "request_phone" });
    expect(nth(await u.text("5678"), 0).text).toContain(`Đã liên kết hồ sơ ${b.code}`);
    const acc = await account("telegram", "several-7");
    expect(await h.ctx.prisma.dossierLink.count({ where: { citizenId: acc.citizenId! } })).toBe(2);
    // A code already linked shows its card instead of asking for proof again.
    expect(nth(await u.text(a.code), 0).text).toContain(`Hồ sơ ${a.code}`);
  });

  it("joins a Telegram and a Zalo account of one person through the proven phone", async () => {
    const a = await h.dossier("000.00.15.H32-230112-0008", applicant("0905000008"));
    const b = await h.dossier("000.00.15.H32-230112-0009", applicant("0905000008", "056089009999"));
    const tg = h.user("join-tg-8");
    await tg.text(a.code);
    await tg.press("c:y");
    await tg.contact("84905000008");

    // On Zalo the person first proves with ID digits (no phone yet), then with the phone.
    const zl = h.user("join-zalo-8", { channel: "zalo" });
    await linkById(zl, b.code, "9999");
    const zaloCitizen = (await account("zalo", "join-zalo-8")).citizenId;
    expect(zaloCitizen).not.toBe((await account("telegram", "join-tg-8")).citizenId);
    await zl.text(a.code);
    const done = await zl.contact("0905000008");
    expect(nth(done, 0).text).toContain("090****008");

    const tgAcc = await account("telegram", "join-tg-8");
    const zlAcc = await account("zalo", "join-zalo-8");
    expect(zlAcc.citizenId).toBe(tgAcc.citizenId);
    expect(await h.ctx.prisma.citizen.count({ where: { id: zaloCitizen! } })).toBe(0);
    const links = await h.ctx.prisma.dossierLink.findMany({ where: { citizenId: tgAcc.citizenId! }, orderBy: { dossierId: "asc" } });
    expect(links.map((l) => [l.dossierId, l.verifiedBy])).toEqual([
      [a.id, "phone_contact"],
      [b.id, "id_last4"],
    ]);
    // Both accounts now see both dossiers.
    expect(buttonData(await tg.command("status"))).toEqual([`s:${a.id}`, `s:${b.id}`]);
    expect((await h.ctx.prisma.dossierLink.findMany({ where: { dossierId: a.id } })).length).toBe(1);
  });

  it("records zalo_phone when a Zalo user proves with the shared phone", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0010", applicant("0905000010"));
    const zl = h.user("zalo-10", { channel: "zalo" });
    await zl.text(d.code);
    await zl.press("c:y");
    await zl.contact("84905000010");
    expect((await h.ctx.prisma.dossierLink.findFirstOrThrow({ where: { dossierId: d.id } })).verifiedBy).toBe("zalo_phone");
  });

  it("asks for a code when none is given and rejects a malformed one", async () => {
    const u = h.user("asker-11");
    expect(nth(await u.command("link"), 0).text).toContain("Vui lòng gửi mã hồ sơ");
    expect(nth(await u.command("link", "000.00.15.H32-231399-0001"), 0).text).toContain("Mã hồ sơ Ông/Bà gửi chưa đúng. Mã hồ sơ có dạng 000.00.15.H32-230112-0001");
    // Typed in a message, a malformed code gets the format and which part is wrong — not "I did not understand".
    const typo = nth(await u.text("kiểm tra giúp hồ sơ 000.00.15.H32-231399-0001"), 0).text;
    expect(typo).toContain("Mã hồ sơ Ông/Bà gửi chưa đúng");
    expect(typo).toContain("Phần ngày nhận");
    expect(nth(await u.text("liên kết hồ sơ"), 0).text).toContain("Vui lòng gửi mã hồ sơ");
  });

  it("lets the citizen cancel the proof step; a new request replaces it, an unclear answer repeats it", async () => {
    const d = await h.dossier("000.00.15.H32-230112-0012", applicant("0905000012"));
    const u = h.user("midflow-12");
    await u.text(d.code);
    await u.press("c:y");
    // Something unclear in the middle repeats the question and keeps the proof step.
    const unclear = await u.text("ừm");
    expect(nth(unclear, 0)).toMatchObject({ kind: "request_phone" });
    expect(nth(await u.text("1234"), 0).text).toContain("Đã liên kết hồ sơ");

    // A clear new request (here: the hotline) answers it and leaves the pending question.
    const f = await h.dossier("000.00.15.H32-230112-0015", applicant("0905000012"));
    await u.text(f.code);
    const help = await u.text("số hotline là gì");
    expect(nth(help, 0).text).toContain("0258 3854 123");
    expect(nth(await u.text("1234"), 0).text).toContain("chưa hiểu");
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: f.id } })).toBe(0);

    const e = await h.dossier("000.00.15.H32-230112-0013", applicant("0905000012"));
    await u.text(e.code);
    const cancelled = await u.text("hủy");
    expect(nth(cancelled, 0).text).toBe("Đã hủy thao tác.");
    expect(nth(await u.text("1234"), 0).text).toContain("chưa hiểu");
    expect(await h.ctx.prisma.dossierLink.count({ where: { dossierId: e.id } })).toBe(0);
  });
});
