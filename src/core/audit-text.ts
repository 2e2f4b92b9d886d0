// The audit log as people read it: who (the API key's name, not "api-key:3") did what, in a
// sentence, in Vietnamese or English. The stored row (actor, action, target, details) stays
// the record; this is only how it is shown. An action without a sentence of its own gets a
// plain one naming the action and target, so nothing is ever hidden.
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Lang } from "./kernel/lang.ts";
import { STATUS_KEYS } from "./status.ts";
import { t } from "./i18n/index.ts";

/** Names for the actors of a page of audit rows (API keys by their name; others by kind). */
export async function actorNames(prisma: PrismaClient, actors: Iterable<string>): Promise<Map<string, { vi: string; en: string }>> {
  const ids = new Set<number>();
  for (const a of actors) {
    const m = /^api-key:(\d+)$/.exec(a);
    if (m) ids.add(Number(m[1]));
  }
  const keys = ids.size ? await prisma.apiKey.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } }) : [];
  const byId = new Map(keys.map((k) => [k.id, k.name]));
  const out = new Map<string, { vi: string; en: string }>();
  for (const a of actors) out.set(a, actorName(a, byId));
  return out;
}

function actorName(actor: string, keys: Map<number, string>): { vi: string; en: string } {
  const key = /^api-key:(\d+)$/.exec(actor);
  if (key) {
    const name = keys.get(Number(key[1]));
    return name ? { vi: name, en: name } : { vi: `khóa API #${key[1]} (đã xóa)`, en: `API key #${key[1]} (deleted)` };
  }
  if (actor === "bootstrap") return { vi: "khóa quản trị ADMIN_API_KEY", en: "the ADMIN_API_KEY admin key" };
  if (actor === "system") return { vi: "hệ thống", en: "the system" };
  if (actor === "cli") return { vi: "dòng lệnh (CLI)", en: "the command line (CLI)" };
  if (actor === "demo-seed") return { vi: "dữ liệu mẫu", en: "the demo data" };
  const citizen = /^citizen:(\d+)$/.exec(actor);
  if (citizen) return { vi: `công dân #${citizen[1]}`, en: `citizen #${citizen[1]}` };
  return { vi: actor, en: actor };
}

type Details = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "");
const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0));

function statusLabel(code: unknown, lang: Lang): string {
  const key = STATUS_KEYS[num(code)];
  return key ? t(lang, `status-${key}`) : str(code);
}

function localDate(iso: unknown): string {
  const d = new Date(str(iso));
  if (Number.isNaN(d.getTime())) return str(iso);
  const l = new Date(d.getTime() + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(l.getUTCDate())}/${p(l.getUTCMonth() + 1)}/${l.getUTCFullYear()} ${p(l.getUTCHours())}:${p(l.getUTCMinutes())}`;
}

const ROLE = { vi: { staff: "cán bộ", analyst: "phân tích", admin: "quản trị" }, en: { staff: "staff", analyst: "analyst", admin: "admin" } } as const;

/** One sentence per action, vi and en, without the actor (shown beside it). */
const SENTENCES: Record<string, (target: string, d: Details, lang: Lang) => string> = {
  "dossier.create": (tg, _d, l) => (l === "vi" ? `Tạo hồ sơ ${tg} (đồng bộ).` : `Created dossier ${tg} (sync).`),
  "dossier.update": (tg, _d, l) => (l === "vi" ? `Cập nhật hồ sơ ${tg} (đồng bộ).` : `Updated dossier ${tg} (sync).`),
  "dossier.event": (tg, d, l) =>
    l === "vi"
      ? `Ghi trạng thái “${statusLabel(d.status, l)}” cho hồ sơ ${tg}${d.applied === false ? " (đến trễ hơn trạng thái hiện tại nên chỉ lưu vào lịch sử)" : ""}.`
      : `Recorded status “${statusLabel(d.status, l)}” for dossier ${tg}${d.applied === false ? " (older than the current status: kept in the history only)" : ""}.`,
  "dossier.import": (_tg, d, l) => (l === "vi" ? `Nhập hàng loạt ${num(d.rows ?? d.count ?? d.dossiers)} hồ sơ.` : `Imported ${num(d.rows ?? d.count ?? d.dossiers)} dossiers in bulk.`),
  "dossier.link": (tg, d, l) =>
    l === "vi" ? `Liên kết hồ sơ ${tg} với tài khoản chat ${str(d.channel)} (xác minh: ${str(d.verifiedBy)}).` : `Linked dossier ${tg} to a ${str(d.channel)} chat (proof: ${str(d.verifiedBy)}).`,
  "dossier.unlink": (tg, d, l) => (l === "vi" ? `Hủy liên kết hồ sơ ${tg} trên ${str(d.channel)}.` : `Unlinked dossier ${tg} on ${str(d.channel)}.`),
  "dossier.view": (tg, d, l) => (l === "vi" ? `Xem tình trạng hồ sơ ${tg} qua ${str(d.channel)}.` : `Viewed the status of dossier ${tg} on ${str(d.channel)}.`),
  "notice.apology": (tg, d, l) =>
    l === "vi"
      ? `Gửi thư xin lỗi vì hồ sơ ${tg} trễ hạn. Lý do: ${str(d.reason)}. Hẹn trả mới: ${localDate(d.newAppointmentAt)}.`
      : `Sent the late apology for dossier ${tg}. Reason: ${str(d.reason)}. New appointment: ${localDate(d.newAppointmentAt)}.`,
  "broadcast.create": (tg, d, l) =>
    l === "vi"
      ? `Tạo thông báo ${tg.replace("broadcast:", "#")} tới ${num(d.audienceCount)} người nhận${d.urgent ? " (khẩn)" : ""}${d.awaitingApproval ? ", chờ phê duyệt" : ""}.`
      : `Created broadcast ${tg.replace("broadcast:", "#")} to ${num(d.audienceCount)} recipients${d.urgent ? " (urgent)" : ""}${d.awaitingApproval ? ", awaiting approval" : ""}.`,
  "broadcast.approve": (tg, _d, l) => (l === "vi" ? `Phê duyệt thông báo ${tg.replace("broadcast:", "#")}.` : `Approved broadcast ${tg.replace("broadcast:", "#")}.`),
  "broadcast.cancel": (tg, d, l) =>
    l === "vi"
      ? `Hủy thông báo ${tg.replace("broadcast:", "#")} (${num(d.cancelledMessages)} tin chưa gửi được hủy).`
      : `Cancelled broadcast ${tg.replace("broadcast:", "#")} (${num(d.cancelledMessages)} unsent messages cancelled).`,
  "api_key.create": (tg, d, l) =>
    l === "vi"
      ? `Tạo khóa API ${tg.replace("api-key:", "#")} “${str(d.name)}” với vai trò ${ROLE.vi[str(d.role) as keyof typeof ROLE.vi] ?? str(d.role)}.`
      : `Created API key ${tg.replace("api-key:", "#")} “${str(d.name)}” with the ${ROLE.en[str(d.role) as keyof typeof ROLE.en] ?? str(d.role)} role.`,
  "api_key.revoke": (tg, _d, l) => (l === "vi" ? `Thu hồi khóa API ${tg.replace("api-key:", "#")}.` : `Revoked API key ${tg.replace("api-key:", "#")}.`),
  "unit.upsert": (tg, d, l) => (l === "vi" ? `${d.created ? "Thêm" : "Sửa"} đơn vị ${tg.replace("unit:", "")}.` : `${d.created ? "Added" : "Changed"} unit ${tg.replace("unit:", "")}.`),
  "unit.delete": (tg, _d, l) => (l === "vi" ? `Xóa đơn vị ${tg.replace("unit:", "")}.` : `Deleted unit ${tg.replace("unit:", "")}.`),
  "field.upsert": (tg, d, l) => (l === "vi" ? `${d.created ? "Thêm" : "Sửa"} lĩnh vực ${tg.replace("field:", "")}.` : `${d.created ? "Added" : "Changed"} field ${tg.replace("field:", "")}.`),
  "procedure.upsert": (tg, d, l) =>
    l === "vi" ? `${d.created ? "Thêm" : "Sửa"} thủ tục ${tg.replace("procedure:", "")}.` : `${d.created ? "Added" : "Changed"} procedure ${tg.replace("procedure:", "")}.`,
  "procedure.delete": (tg, _d, l) => (l === "vi" ? `Xóa thủ tục ${tg.replace("procedure:", "")}.` : `Deleted procedure ${tg.replace("procedure:", "")}.`),
  "holiday.upsert": (tg, _d, l) => (l === "vi" ? `Cập nhật lịch nghỉ ngày ${tg.replace("holiday:", "")}.` : `Set the calendar entry of ${tg.replace("holiday:", "")}.`),
  "holiday.delete": (tg, _d, l) => (l === "vi" ? `Xóa lịch nghỉ ngày ${tg.replace("holiday:", "")}.` : `Removed the calendar entry of ${tg.replace("holiday:", "")}.`),
  "holiday.import": (tg, d, l) =>
    l === "vi"
      ? `Nhập lịch nghỉ năm ${tg.replace("holiday-year:", "")}: ${num(d.daysOff)} ngày nghỉ, ${num(d.extraWorkingDays)} ngày làm bù${d.source ? ` (nguồn: ${str(d.source)})` : ""}.`
      : `Imported the ${tg.replace("holiday-year:", "")} calendar: ${num(d.daysOff)} days off, ${num(d.extraWorkingDays)} extra working days${d.source ? ` (source: ${str(d.source)})` : ""}.`,
  "survey.publish": (tg, _d, l) => (l === "vi" ? `Ban hành phiếu khảo sát ${tg.replace("survey:", "")}.` : `Published survey ${tg.replace("survey:", "")}.`),
  "feedback.export": (_tg, d, l) => (l === "vi" ? `Xuất phản hồi (${str(d.format).toUpperCase()}), ẩn danh.` : `Exported feedback (${str(d.format).toUpperCase()}), pseudonymised.`),
  "feedback.export.identities": (_tg, d, l) =>
    l === "vi" ? `Xuất phản hồi (${str(d.format).toUpperCase()}) KÈM thông tin định danh.` : `Exported feedback (${str(d.format).toUpperCase()}) WITH identities.`,
  "feedback.list.identities": (_tg, _d, l) => (l === "vi" ? "Xem danh sách phản hồi kèm thông tin định danh." : "Listed feedback with identities."),
  "citizen.erase": (_tg, _d, l) => (l === "vi" ? "Công dân yêu cầu xóa dữ liệu của mình; đã xóa." : "A citizen asked to delete their data; deleted."),
  "citizen.merge": (_tg, _d, l) => (l === "vi" ? "Gộp tài khoản chat vào công dân đã xác minh cùng số điện thoại." : "Merged a chat account into the citizen with the same verified phone."),
  "understanding.label": (tg, d, l) => (l === "vi" ? `Gán nhãn “${str(d.label)}” cho tin nhắn chưa hiểu ${tg}.` : `Labelled unrecognised message ${tg} as “${str(d.label)}”.`),
  "demo.seed": (_tg, d, l) => (l === "vi" ? `Nạp dữ liệu mẫu (${num(d.dossiers)} hồ sơ).` : `Loaded the demo data (${num(d.dossiers)} dossiers).`),
};

/** The sentence of one audit row (without the actor). */
export function describeAudit(e: { action: string; target: string | null; details: unknown }, lang: Lang): string {
  const d = (e.details && typeof e.details === "object" && !Array.isArray(e.details) ? e.details : {}) as Details;
  const f = SENTENCES[e.action];
  if (f) return f(e.target ?? "", d, lang);
  return lang === "vi" ? `Thao tác ${e.action}${e.target ? ` trên ${e.target}` : ""}.` : `${e.action}${e.target ? ` on ${e.target}` : ""}.`;
}
