// Numbers and dates as a Vietnamese reader expects them (vi-VN, Asia/Ho_Chi_Minh), and the
// labels of the API's codes.
import type { Role } from "./types.ts";

const TZ = "Asia/Ho_Chi_Minh";
const formats = new Map<number, Intl.NumberFormat>();
const nf = (digits: number) => {
  let f = formats.get(digits);
  if (!f) formats.set(digits, (f = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: digits })));
  return f;
};
export const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
export const num = (v: unknown, digits = 0): string => (isNum(v) ? nf(digits).format(v) : "—");
export const pct = (v: unknown, digits = 1): string => (isNum(v) ? num(v, digits) + "%" : "—");
export const signed = (v: unknown, digits = 1): string => (isNum(v) ? (v > 0 ? "+" : v < 0 ? "−" : "±") + num(Math.abs(v), digits) : "—");

const dateParts = new Intl.DateTimeFormat("vi-VN", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
function partsOf(iso: string | null | undefined): Record<string, string> | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const o: Record<string, string> = {};
  for (const p of dateParts.formatToParts(d)) o[p.type] = p.value;
  return o;
}
export const fmtDate = (iso: string | null | undefined): string => {
  const p = partsOf(iso);
  return p ? `${p.day}/${p.month}/${p.year}` : "—";
};
export const fmtDateTime = (iso: string | null | undefined): string => {
  const p = partsOf(iso);
  return p ? `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}` : "—";
};
export const fmtTime = (iso: string | null | undefined): string => {
  const p = partsOf(iso);
  return p ? `${p.hour}:${p.minute}` : "—";
};
/** "2026-03" → "T3/2026"; "2026-Q1" → "Quý 1/2026"; "2026" → "Năm 2026". */
export function periodLabel(p: string, short = false): string {
  let m = /^(\d{4})-(\d{2})$/.exec(p);
  if (m) return short ? `T${Number(m[2])}/${m[1]!.slice(2)}` : `Tháng ${m[2]}/${m[1]}`;
  m = /^(\d{4})-Q(\d)$/.exec(p);
  if (m) return `Quý ${m[2]}/${m[1]}`;
  return /^\d{4}$/.test(p) ? `Năm ${p}` : p;
}
/** Today in Vietnam as YYYY-MM-DD (the value of a date input). */
export function todayVn(offsetDays = 0): string {
  const p = partsOf(new Date(Date.now() + offsetDays * 86_400_000).toISOString())!;
  return `${p.year}-${p.month}-${p.day}`;
}
/** The months YYYY-MM from one to another, both included. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split("-").map(Number) as [number, number];
  const [ty, tm] = to.split("-").map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
/** The last day of a month YYYY-MM as YYYY-MM-DD. */
export function monthEnd(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, "0")}`;
}

export const ROLE_NAMES: Record<Role, string> = { staff: "cán bộ (staff)", analyst: "phân tích viên (analyst)", admin: "quản trị (admin)" };
export const CHANNEL_NAMES: Record<string, string> = { telegram: "Telegram", zalo: "Zalo", web: "Web (trang dùng thử)", unknown: "Không rõ" };
export const LEVEL_NAMES: Record<string, string> = { province: "tỉnh/thành phố", district: "quận/huyện", ward: "phường/xã", department: "sở, ngành" };
export const RATING_NAMES: Record<string, string> = { very_satisfied: "Rất hài lòng", satisfied: "Hài lòng", not_satisfied: "Không hài lòng" };
export const TIMELINESS_NAMES: Record<string, string> = { on_time: "Đã giải quyết đúng hạn", late: "Đã giải quyết trễ hạn", open: "Đang trong hạn", overdue: "Quá hạn, chưa giải quyết" };
export const RETURN_NAMES: Record<string, string> = { counter: "Tại bộ phận một cửa", postal: "Qua bưu chính", online: "Trực tuyến" };
export const FEE_NAMES: Record<string, string> = { none: "Không thu phí", due: "Chưa nộp", paid: "Đã nộp" };
export const BROADCAST_NAMES: Record<string, string> = { draft: "Nháp", awaiting_approval: "Chờ duyệt", scheduled: "Đã hẹn giờ", sending: "Đang gửi", done: "Đã xong", cancelled: "Đã huỷ" };
export const RECEIPT_NAMES: Record<string, string> = { queued: "Chờ gửi", sending: "Đang gửi", sent: "Đã gửi", failed: "Lỗi", blocked: "Bị chặn", skipped: "Bỏ qua", cancelled: "Đã huỷ", undeliverable: "Không gửi được" };
export const STOP_NAMES: Record<string, string> = { refused: "Từ chối", suspended: "Dừng xử lý", withdrawn: "Rút hồ sơ" };
export const GROUP_NAMES: Record<string, string> = { unit: "đơn vị", field: "lĩnh vực", procedure: "thủ tục", channel: "kênh", month: "tháng", quarter: "quý", year: "năm" };

let statusNames: Record<string, string> = {};
export function setStatusNames(names: Record<string, string>): void {
  statusNames = names;
}
export const statusName = (s: number | string): string => statusNames[String(s)] ?? `Trạng thái ${s}`;
export const statusCodes = (): string[] => Object.keys(statusNames);
