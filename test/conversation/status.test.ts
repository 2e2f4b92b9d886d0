// A citizen asks about a linked dossier in ordinary words and gets the facts and what to do.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { allText, buttonData, buttons, createHarness, HOTLINE_FALLBACK, linkById, NOW, nth, UNIT, type Harness } from "./helpers.ts";

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

let seq = 0;
/** A fresh citizen with one linked dossier built from the overrides; returns the card. */
async function linkedCard(over: Record<string, unknown>) {
  seq += 1;
  const code = `000.00.15.H32-230120-${String(seq).padStart(4, "0")}`;
  const d = await h.dossier(code, over);
  const u = h.user(`status-${seq}`);
  const replies = await linkById(u, code);
  expect(nth(replies, 0).text).toContain(`Đã liên kết hồ sơ ${code}`);
  return { d, u, card: nth(replies, 1).text };
}

describe("status answers", () => {
  it("shows a late dossier with the working days it is late", async () => {
    const { card, u } = await linkedCard({});
    expect(card.split("\n").slice(0, 7)).toEqual([
      "Hồ sơ 000.00.15.H32-230120-0001",
      "Thủ tục: Đăng ký biến động quyền sử dụng đất",
      "Nơi tiếp nhận: UBND phường Cam Lộc",
      "Ngày nhận: 12/01/2023 09:00",
      "Ngày hẹn trả: 02/02/2023 09:00",
      "Tình trạng: Đang giải quyết",
      "Bước hiện tại: Thẩm định hồ sơ",
    ]);
    // Thu 02/02 09:00 → Mon 06/02 10:00 is 17 working hours: late 3 working days (rounded up).
    expect(card).toContain("Hồ sơ đã trễ hẹn 3 ngày làm việc.");
    // Weeks or days late, "nothing to do" is no answer: a new date will come, and whom to ask.
    expect(card).not.toContain("chưa cần làm gì thêm");
    expect(card).toContain("Cơ quan giải quyết sẽ gửi Ông/Bà ngày hẹn trả mới. Để biết thêm, Ông/Bà có thể liên hệ: UBND phường Cam Lộc (0258 3854 123).");
    expect(card).not.toContain("Nguyễn Văn A");
    expect(card).not.toContain("0905123456");
    // Asked again later in the day: the same card.
    expect(nth(await u.command("status"), 0).text).toBe(card);
  });

  it("counts the working days left for an open dossier", async () => {
    const { card } = await linkedCard({ appointmentAt: "2023-02-10T09:00:00+07:00" });
    // Mon 10:00 → Fri 09:00: 31 working hours = 3.9 days → 4.
    expect(card).toContain("Còn 4 ngày làm việc đến ngày hẹn trả.");
  });

  it("tells a dossier waiting for supplements what to bring", async () => {
    const { card } = await linkedCard({ status: 5, supplementReason: "Bản sao Giấy chứng nhận quyền sử dụng đất có chứng thực" });
    expect(card).toContain("Tình trạng: Chờ bổ sung hồ sơ");
    expect(card).toContain("Việc Ông/Bà cần làm: bổ sung hồ sơ. Nội dung cần bổ sung: Bản sao Giấy chứng nhận quyền sử dụng đất có chứng thực");
    expect(card).toContain("tạm dừng");
  });

  it("tells where to collect a ready result at the counter", async () => {
    const { card } = await linkedCard({ status: 9, finishedAt: "2023-02-01T15:00:00+07:00", returnMethod: "counter" });
    expect(card).toContain("Tình trạng: Đã có kết quả");
    expect(card).toContain("Hồ sơ được giải quyết đúng hẹn.");
    expect(card).toContain("Mời Ông/Bà nhận tại quầy Bộ phận một cửa, UBND phường Cam Lộc");
    expect(card).toContain(`Địa chỉ: ${UNIT.address}`);
    expect(card).toContain(`Giờ làm việc: ${UNIT.openingHours}`);
    expect(card).not.toContain("Bước hiện tại");
  });

  it("tells a postal or online result, a fee to pay, and a refusal with its reason", async () => {
    const postal = await linkedCard({ status: 9, finishedAt: "2023-02-02T15:00:00+07:00", returnMethod: "postal" });
    expect(postal.card).toContain("bưu chính công ích");
    expect(postal.card).toContain("Hồ sơ được giải quyết trễ hẹn 1 ngày làm việc.");
    const online = await linkedCard({ status: 9, finishedAt: "2023-02-01T15:00:00+07:00", returnMethod: "online" });
    expect(online.card).toContain("Cổng dịch vụ công");
    const fee = await linkedCard({ status: 6, feeAmount: 1500000, appointmentAt: "2023-02-10T09:00:00+07:00" });
    expect(fee.card).toContain("số tiền 1.500.000 đồng");
    const refused = await linkedCard({ status: 3, stopReason: "Thiếu tờ khai theo mẫu", finishedAt: "2023-01-12T10:00:00+07:00" });
    expect(refused.card).toContain("Hồ sơ bị từ chối tiếp nhận. Lý do: Thiếu tờ khai theo mẫu");
  });

  it("understands the question with and without diacritics", async () => {
    const { u, d } = await linkedCard({});
    for (const q of ["ho so cua toi den dau roi", "HỒ SƠ CỦA TÔI ĐẾN ĐÂU RỒI???", "bao gio co ket qua vay", "Khi nào xong ạ", "hạn trả là ngày nào", "tra cuu", "hs e xl tới đâu r", "tinhf trangj hoof sow"]) {
      const r = await u.text(q);
      expect(r, q).toHaveLength(1);
      expect(nth(r, 0).text, q).toContain(`Hồ sơ ${d.code}`);
    }
    // An English question gets the English card.
    expect(nth(await u.text("where is my dossier"), 0).text).toContain(`Dossier ${d.code}`);
  });

  it("asks which dossier when two are linked, then shows the chosen one", async () => {
    seq += 1;
    const a = await h.dossier(`000.00.15.H32-230120-${String(seq).padStart(4, "0")}`);
    const b = await h.dossier(`000.00.16.H32-230121-${String(seq).padStart(4, "0")}`, {
      unitCode: "000.00.16.H32",
      unitName: "UBND phường Cam Nghĩa",
      procedureCode: "1.001612",
      procedureName: "Cấp giấy phép xây dựng đối với công trình, nhà ở riêng lẻ",
      appointmentAt: "2023-02-10T09:00:00+07:00",
    });
    const u = h.user("two-dossiers");
    await linkById(u, a.code);
    await linkById(u, b.code);

    const ask = await u.text("hồ sơ của tôi đến đâu rồi");
    expect(nth(ask, 0).text).toBe("Ông/Bà đã liên kết 2 hồ sơ. Ông/Bà muốn xem hồ sơ nào?");
    expect(buttons(ask)).toEqual([
      { label: `${a.code} · Đăng ký biến động quyền sử dụng…`, data: `s:${a.id}` },
      { label: `${b.code} · Cấp giấy phép xây dựng đối với…`, data: `s:${b.id}` },
    ]);
    const chosen = await u.press(`s:${b.id}`);
    expect(nth(chosen, 0).text).toContain(`Hồ sơ ${b.code}`);
    expect(nth(chosen, 0).text).toContain("Nơi tiếp nhận: UBND phường Cam Nghĩa");
    expect(nth(chosen, 0).text).toContain("Còn 4 ngày làm việc");
    expect(allText(chosen)).not.toContain(a.code);
  });

  it("explains how to link when nothing is linked", async () => {
    const r = await h.user("nobody").text("tình trạng hồ sơ");
    expect(nth(r, 0).text).toContain("Ông/Bà chưa liên kết hồ sơ nào");
    expect(buttonData(r)).toContain("m:link");
  });

  it("gives the unit's hotline and opening hours, or the fallback hotline", async () => {
    const { u } = await linkedCard({});
    const help = nth(await u.text("tôi muốn gặp cán bộ"), 0).text;
    expect(help).toContain("UBND phường Cam Lộc");
    expect(help).toContain(`Đường dây nóng: ${UNIT.hotline}`);
    expect(help).toContain(`Giờ làm việc: ${UNIT.openingHours}`);
    const none = nth(await h.user("no-links-help").command("help"), 0).text;
    expect(none).toContain(`Tổng đài hỗ trợ: ${HOTLINE_FALLBACK}`);
  });
});
