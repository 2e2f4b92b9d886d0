// Error messages in the language the caller reads. The machine `code` never changes; the
// `message` follows Accept-Language (Vietnamese when it prefers vi, English otherwise, as
// before), so a Vietnamese dashboard never shows an English sentence. Known English messages
// are translated by pattern in one table here (the core keeps writing one English message per
// failure); anything without a translation gets the plain Vietnamese sentence of its code.
import { LANGUAGES, type Lang } from "../core/kernel/lang.ts";

/** The preferred language of an Accept-Language header among ours (default English for API clients). */
export function preferredLanguage(header: string | undefined, fallback: Lang = "en"): Lang {
  if (!header) return fallback;
  const ranked = header
    .split(",")
    .map((part, i) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) if ((LANGUAGES as readonly string[]).includes(r.lang)) return r.lang as Lang;
  return fallback;
}

/** One sentence per error code, used when a message has no translation of its own. */
const GENERIC_VI: Record<string, string> = {
  bad_request: "Yêu cầu không hợp lệ.",
  validation_failed: "Dữ liệu gửi lên không hợp lệ; xem chi tiết từng trường.",
  unauthorized: "Thiếu khóa API hoặc khóa không hợp lệ.",
  forbidden: "Khóa API này không có quyền dùng chức năng này.",
  not_found: "Không tìm thấy.",
  conflict: "Yêu cầu mâu thuẫn với trạng thái hiện tại; hãy tải lại và thử lại.",
  unprocessable: "Không thể xử lý yêu cầu.",
  too_large: "Dữ liệu gửi lên quá lớn.",
  unsupported_media_type: "Định dạng dữ liệu không được hỗ trợ.",
  internal: "Lỗi hệ thống; vui lòng thử lại sau.",
  starting: "Hệ thống đang khởi động; vui lòng thử lại sau vài giây.",
};

const ROLE_VI: Record<string, string> = { staff: "cán bộ", analyst: "phân tích", admin: "quản trị" };

/** English message pattern → Vietnamese. First match wins. */
const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Missing or invalid API key/, () => "Thiếu khóa API hoặc khóa không hợp lệ (Authorization: Bearer <khóa>)."],
  [
    /^This needs the (.+) role; your key has (\w+)$/,
    (m) => `Chức năng này cần vai trò ${m[1]!.split(" or ").map((r) => ROLE_VI[r] ?? r).join(" hoặc ")}; khóa của bạn có vai trò ${ROLE_VI[m[2]!] ?? m[2]}.`,
  ],
  [/^No dossier (.+)$/, (m) => `Không có hồ sơ ${m[1]}.`],
  [/^No unit (.+)$/, (m) => `Không có đơn vị ${m[1]}.`],
  [/^No field (.+)$/, (m) => `Không có lĩnh vực ${m[1]}.`],
  [/^No procedure (.+)$/, (m) => `Không có thủ tục ${m[1]}.`],
  [/^No broadcast (\d+)$/, (m) => `Không có thông báo ${m[1]}.`],
  [/^No API key (\d+)$/, (m) => `Không có khóa API ${m[1]}.`],
  [/^No route (\w+) (.+)$/, (m) => `Không có đường dẫn ${m[1]} ${m[2]}.`],
  [/^Invalid dossier code "(.*)": /, (m) => `Mã hồ sơ "${m[1]}" không hợp lệ.`],
  [/^Invalid cursor/, () => "Con trỏ trang không hợp lệ: hãy dùng đúng giá trị nextCursor của trang trước."],
  [/^`to` must be after `from`/, () => "Ngày kết thúc phải sau ngày bắt đầu."],
  [/^Invalid (query|path parameters): (.*)$/, (m) => `Tham số không hợp lệ: ${m[2]}`],
  [/^Invalid body: (.*)$/, (m) => `Dữ liệu gửi lên không hợp lệ: ${m[1]}`],
  [/^Invalid dossier$/, () => "Hồ sơ không hợp lệ; xem chi tiết từng trường."],
  [/^The body is not valid JSON/, () => "Nội dung gửi lên không phải JSON hợp lệ."],
  [/^A broadcast must be approved by a different staff member/, () => "Thông báo phải được một cán bộ khác với người tạo phê duyệt."],
  [/^Broadcast (\d+) is already (\w+)$/, (m) => `Thông báo ${m[1]} đã ở trạng thái ${BROADCAST_STATUS_VI[m[2]!] ?? m[2]}.`],
  [/^Broadcast (\d+) is (\w+), not awaiting approval$/, (m) => `Thông báo ${m[1]} đang ${BROADCAST_STATUS_VI[m[2]!] ?? m[2]}, không chờ phê duyệt.`],
  [/^Broadcast (\d+) was approved or cancelled meanwhile$/, (m) => `Thông báo ${m[1]} vừa được người khác phê duyệt hoặc hủy.`],
  [/^No channel to send on/, () => "Không có kênh nào để gửi: chưa cấu hình kênh hoặc kênh đã chọn không khả dụng."],
  [/^The apology for (.+) was already sent/, (m) => `Thư xin lỗi cho hồ sơ ${m[1]} đã được gửi; mỗi hồ sơ chỉ gửi một lần.`],
  [/^Internal error$/, () => GENERIC_VI.internal!],
];

const BROADCAST_STATUS_VI: Record<string, string> = {
  draft: "nháp",
  awaiting_approval: "chờ phê duyệt",
  scheduled: "đã hẹn giờ",
  sending: "đang gửi",
  done: "đã gửi xong",
  cancelled: "đã hủy",
};

/** The message of an error body in `lang` (English messages are returned unchanged). */
export function localizeErrorMessage(code: string, message: string, lang: Lang): string {
  if (lang === "en") return message;
  for (const [re, vi] of PATTERNS) {
    const m = re.exec(message);
    if (m) return vi(m);
  }
  return GENERIC_VI[code] ?? GENERIC_VI.bad_request!;
}
