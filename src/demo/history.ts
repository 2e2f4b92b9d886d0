// A year of made-up activity for the demo city, so that a first look shows every report with
// something in it: dossiers in every status, some late (most with the apology), supplements
// and refusals with their reasons, survey answers whose index climbs from the high 70s to the
// 84% target, reasons and comments. Deterministic: the same seed and the same "now" give the
// same rows. Pure: it only computes rows; src/demo/seed.ts writes them in a few batches.
import type { WorkingCalendar } from "../core/calendar.ts";
import { DossierStatus } from "../core/status.ts";
import { seededRandom } from "../core/kernel/random.ts";

export { seededRandom };

export interface DemoUnit {
  code: string;
  name: string;
  level: "ward" | "department";
  /** Share of the city's dossiers received here. */
  weight: number;
  /** Procedures handled here, with how slow this unit is at each (1 = as fast as the others). */
  procedures: Partial<Record<ProcedureKey, number>>;
}

export type ProcedureKey = "land" | "birth" | "business" | "marriage" | "copy" | "building";

export interface DemoProcedure {
  fieldCode: string;
  fieldName: string;
  procedureCode: string;
  procedureName: string;
  procedureDurationDays: number;
}

export const DEMO_PROCEDURES: Record<ProcedureKey, DemoProcedure> = {
  land: { fieldCode: "DEMO-DD", fieldName: "[DEMO] Đất đai", procedureCode: "DEMO.004227", procedureName: "[DEMO] Đăng ký biến động quyền sử dụng đất", procedureDurationDays: 10 },
  birth: { fieldCode: "DEMO-HT", fieldName: "[DEMO] Hộ tịch", procedureCode: "DEMO.000894", procedureName: "[DEMO] Đăng ký khai sinh", procedureDurationDays: 3 },
  business: { fieldCode: "DEMO-KD", fieldName: "[DEMO] Hộ kinh doanh", procedureCode: "DEMO.001612", procedureName: "[DEMO] Đăng ký thành lập hộ kinh doanh", procedureDurationDays: 5 },
  marriage: { fieldCode: "DEMO-HT", fieldName: "[DEMO] Hộ tịch", procedureCode: "DEMO.000806", procedureName: "[DEMO] Đăng ký kết hôn", procedureDurationDays: 5 },
  copy: { fieldCode: "DEMO-CT", fieldName: "[DEMO] Chứng thực", procedureCode: "DEMO.000815", procedureName: "[DEMO] Chứng thực bản sao từ bản chính", procedureDurationDays: 2 },
  building: { fieldCode: "DEMO-XD", fieldName: "[DEMO] Xây dựng", procedureCode: "DEMO.002745", procedureName: "[DEMO] Cấp giấy phép xây dựng nhà ở riêng lẻ", procedureDurationDays: 15 },
};

export const DEMO_PROVINCE = { code: "000.00.00.H99", name: "[DEMO] Tỉnh Thử Nghiệm" };

/** Several wards and the city one-stop section. Cam Phú is slow with land dossiers (the at-risk list shows it). */
export const DEMO_UNITS: DemoUnit[] = [
  { code: "000.00.01.H99", name: "[DEMO] Bộ phận một cửa TP. Thử Nghiệm (dữ liệu mẫu)", level: "department", weight: 0.3, procedures: { land: 1.05, business: 1, building: 1.1 } },
  { code: "000.00.15.H99", name: "[DEMO] UBND phường Cam Lộc (dữ liệu mẫu)", level: "ward", weight: 0.2, procedures: { land: 0.9, birth: 0.9, marriage: 0.9, copy: 1 } },
  { code: "000.00.16.H99", name: "[DEMO] UBND phường Cam Nghĩa (dữ liệu mẫu)", level: "ward", weight: 0.16, procedures: { land: 1, birth: 1, marriage: 1, copy: 1 } },
  { code: "000.00.17.H99", name: "[DEMO] UBND phường Cam Phúc Bắc (dữ liệu mẫu)", level: "ward", weight: 0.14, procedures: { land: 0.95, birth: 1, marriage: 0.95, copy: 1 } },
  { code: "000.00.18.H99", name: "[DEMO] UBND phường Cam Phú (dữ liệu mẫu)", level: "ward", weight: 0.13, procedures: { land: 1.6, birth: 1.15, marriage: 1.1, copy: 1 } },
  { code: "000.00.19.H99", name: "[DEMO] UBND phường Cam Thuận (dữ liệu mẫu)", level: "ward", weight: 0.07, procedures: { land: 1, birth: 1, copy: 1 } },
];

const SUPPLEMENT_REASONS = [
  "Thiếu bản sao hợp đồng thuê nhà có chứng thực",
  "Bản vẽ sơ đồ thửa đất chưa có xác nhận của đơn vị đo đạc",
  "Giấy xác nhận tình trạng hôn nhân đã quá 6 tháng",
  "Thiếu chữ ký của đồng sở hữu trên đơn đăng ký",
  "Ảnh chụp CCCD không rõ, cần bản sao có chứng thực",
  "Tờ khai thiếu thông tin ngành nghề kinh doanh",
];
const REFUSAL_REASONS = [
  "Hồ sơ không thuộc thẩm quyền giải quyết của đơn vị",
  "Thửa đất đang có tranh chấp, chưa đủ điều kiện đăng ký biến động",
  "Người nộp không phải người có quyền yêu cầu",
];
const WITHDRAW_REASONS = ["Công dân xin rút hồ sơ để bổ sung giấy tờ", "Công dân đổi ý, không tiếp tục thực hiện"];
const SUSPEND_REASONS = ["Tạm dừng theo đề nghị của cơ quan thuế để xác minh nghĩa vụ tài chính"];
const LATE_REASONS = [
  "Phải lấy ý kiến của cơ quan thuế về nghĩa vụ tài chính",
  "Cán bộ thụ lý nghỉ ốm, chưa kịp bàn giao",
  "Chờ kết quả đo đạc lại ranh giới thửa đất",
  "Số lượng hồ sơ tăng đột biến trong tháng",
];
const STEPS = ["Thẩm định hồ sơ", "Chờ ký duyệt", "Chuyển phòng chuyên môn", "Xác minh thực địa"];
const COMMENTS_GOOD = [
  "Cán bộ nhiệt tình, hướng dẫn rõ ràng",
  "Nhận kết quả sớm hơn hẹn, cảm ơn",
  "Thủ tục nhanh gọn",
  "Bot báo kết quả kịp thời, không phải đi hỏi",
];
const COMMENTS_BAD = [
  "Phải đi lại ba lần mới xong",
  "Trễ hẹn mà không ai báo trước",
  "Hướng dẫn giấy tờ chưa rõ, phải bổ sung nhiều lần",
  "Chờ ở quầy quá lâu",
];
const SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Huỳnh"];
const MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Quốc", "Ngọc", "Hữu", "Thanh"];
const GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hoa", "Khánh", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Trang", "Tuấn", "Vy", "Yến"];

export interface DemoEvent {
  status: number;
  at: Date;
  note?: string;
  reason?: string;
}

export interface DemoRating {
  overall: "very_satisfied" | "satisfied" | "not_satisfied";
  reasons: string[];
  comment: string | null;
  visits: number;
  onTime: boolean;
  staffAttitude: "good" | "normal" | "bad";
  channel: "telegram" | "zalo";
  at: Date;
}

export interface DemoHistoryDossier {
  code: string;
  unitCode: string;
  procedure: ProcedureKey;
  applicantName: string;
  receivedAt: Date;
  appointmentAt: Date;
  originalAppointmentAt: Date;
  status: number;
  statusAt: Date;
  currentStep: string | null;
  feeStatus: "none" | "due" | "paid";
  feeAmount: number | null;
  supplementCount: number;
  supplementReason: string | null;
  supplementRequestedAt: Date | null;
  stopReason: string | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  events: DemoEvent[];
  apology: { at: Date; reason: string; newAppointmentAt: Date } | null;
  /** Invited to the survey (returned dossiers); `rating` null: never answered. */
  invitedAt: Date | null;
  rating: DemoRating | null;
}

const DAY_MS = 86_400_000;

/**
 * `count` dossiers received over the `days` before `now`. Lateness falls and satisfaction
 * rises over the year, as a city working towards its targets would hope to see.
 */
export function demoHistory(cal: WorkingCalendar, now: Date, opts: { seed?: number; count?: number; days?: number } = {}): DemoHistoryDossier[] {
  const rnd = seededRandom(opts.seed ?? 20260101);
  const count = opts.count ?? 520;
  const days = opts.days ?? 365;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const perDay = cal.minutesPerWorkingDay;
  // Receipts fall in the `days` before today (local midnight), so the whole day's starts give the same rows.
  const end = Math.floor((now.getTime() + 7 * 3_600_000) / DAY_MS) * DAY_MS - 7 * 3_600_000;
  const start = end - days * DAY_MS;

  // Receipt instants: random working moments in the period, oldest first.
  const received: Date[] = [];
  while (received.length < count) {
    const t = new Date(start + rnd() * (end - start));
    if (!cal.isWorkingDay(cal.localDate(t))) continue;
    const local = new Date(t.getTime() + 7 * 3_600_000);
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
    if (!((minute >= 450 && minute < 690) || (minute >= 810 && minute < 1020))) continue;
    received.push(t);
  }
  received.sort((a, b) => a.getTime() - b.getTime());

  const totalWeight = DEMO_UNITS.reduce((s, u) => s + u.weight, 0);
  const seqByUnitDay = new Map<string, number>();
  const out: DemoHistoryDossier[] = [];
  for (const receivedAt of received) {
    let w = rnd() * totalWeight;
    const unit = DEMO_UNITS.find((u) => (w -= u.weight) < 0) ?? DEMO_UNITS[0]!;
    const procedure = pick(Object.keys(unit.procedures) as ProcedureKey[]);
    const proc = DEMO_PROCEDURES[procedure];
    const slowness = unit.procedures[procedure] ?? 1;
    // 0 at the start of the year, 1 now: the city gets better at keeping its dates.
    const progress = (receivedAt.getTime() - start) / (end - start);
    const day = cal.localDate(receivedAt).slice(2).replace(/-/g, "");
    const seqKey = `${unit.code}-${day}`;
    const seq = (seqByUnitDay.get(seqKey) ?? 100) + 1;
    seqByUnitDay.set(seqKey, seq);
    const code = `${unit.code}-${day}-${String(seq).padStart(4, "0")}`;

    const duration = proc.procedureDurationDays;
    const original = cal.appointmentDate(receivedAt, duration);
    let appointmentAt = original;
    const events: DemoEvent[] = [{ status: DossierStatus.RECEIVED, at: receivedAt }];
    const d: DemoHistoryDossier = {
      code,
      unitCode: unit.code,
      procedure,
      applicantName: `${pick(SURNAMES)} ${pick(MIDDLE)} ${pick(GIVEN)} (demo)`,
      receivedAt,
      appointmentAt,
      originalAppointmentAt: original,
      status: DossierStatus.RECEIVED,
      statusAt: receivedAt,
      currentStep: null,
      feeStatus: "none",
      feeAmount: null,
      supplementCount: 0,
      supplementReason: null,
      supplementRequestedAt: null,
      stopReason: null,
      finishedAt: null,
      returnedAt: null,
      events,
      apology: null,
      invitedAt: null,
      rating: null,
    };
    const at = (workingDays: number, from = receivedAt) => cal.addWorkingMinutes(cal.startOfCounting(from), workingDays * perDay);
    const happened = (t: Date) => t.getTime() <= now.getTime();
    const set = (status: number, t: Date, extra: Partial<DemoEvent> = {}) => {
      events.push({ status, at: t, ...extra });
      d.status = status;
      d.statusAt = t;
    };

    // Refused at the counter, withdrawn or suspended: a few, each with its reason.
    const stopRoll = rnd();
    if (stopRoll < 0.03) {
      const t = at(0.3);
      if (happened(t)) {
        d.stopReason = pick(REFUSAL_REASONS);
        set(DossierStatus.REFUSED, t, { reason: d.stopReason });
        d.finishedAt = t;
        out.push(d);
        continue;
      }
    }

    const processing = at(0.2);
    if (!happened(processing)) {
      out.push(d);
      continue;
    }
    d.currentStep = pick(STEPS);
    set(DossierStatus.PROCESSING, processing, { note: d.currentStep });

    // How long the work takes, in working days: a log-normal around a share of the statutory
    // duration that shrinks over the year; slow unit × procedure pairs run close to the limit.
    const share = (0.62 + 0.14 * (1 - progress)) * slowness;
    let work = Math.max(0.3, duration * share * Math.exp(0.22 * normal()));

    // Supplement requested (the clock pauses while the citizen gathers documents).
    if (rnd() < 0.14 && duration >= 3) {
      const requested = at(Math.min(work * 0.4, duration * 0.5));
      if (happened(requested)) {
        d.supplementCount = 1;
        d.supplementReason = pick(SUPPLEMENT_REASONS);
        set(DossierStatus.SUPPLEMENT_REQUESTED, requested, { reason: d.supplementReason });
        const pause = 1 + rnd() * 4;
        const resubmitted = cal.addWorkingMinutes(requested, pause * perDay);
        if (!happened(resubmitted)) {
          d.supplementRequestedAt = requested;
          d.currentStep = null;
          out.push(d);
          continue;
        }
        appointmentAt = cal.extendForSupplement(appointmentAt, requested, resubmitted);
        d.appointmentAt = appointmentAt;
        set(DossierStatus.PROCESSING, resubmitted, { note: "Đã nhận hồ sơ bổ sung" });
        work += pause;
      }
    }

    if (stopRoll >= 0.03 && stopRoll < 0.05) {
      const t = at(work * 0.5);
      if (happened(t)) {
        const withdrawn = stopRoll < 0.043;
        d.stopReason = withdrawn ? pick(WITHDRAW_REASONS) : pick(SUSPEND_REASONS);
        set(withdrawn ? DossierStatus.WITHDRAWN : DossierStatus.SUSPENDED, t, { reason: d.stopReason });
        d.finishedAt = t;
        d.currentStep = null;
        out.push(d);
        continue;
      }
    }

    const finished = at(work);
    // The apology comes when staff see the date will be missed: a day before it, with a new date.
    if (finished.getTime() > appointmentAt.getTime() && rnd() < 0.75) {
      const apologyAt = cal.addWorkingMinutes(appointmentAt, -perDay * 0.5);
      if (happened(apologyAt)) {
        const newAppointmentAt = cal.addWorkingMinutes(finished, perDay * (0.5 + rnd()));
        d.apology = { at: apologyAt, reason: pick(LATE_REASONS), newAppointmentAt };
        events.push({ status: d.status, at: apologyAt, reason: d.apology.reason });
      }
    }
    if (procedure === "land" && rnd() < 0.5) {
      const feeAt = at(work * 0.8);
      if (happened(feeAt)) {
        d.feeAmount = 500_000 + Math.floor(rnd() * 20) * 100_000;
        d.feeStatus = "due";
        set(DossierStatus.FEE_DUE, feeAt);
        if (!happened(finished)) {
          out.push(d);
          continue;
        }
        d.feeStatus = "paid";
      }
    }
    if (!happened(finished)) {
      out.push(d);
      continue;
    }
    d.currentStep = null;
    d.finishedAt = finished;
    set(DossierStatus.RESULT_READY, finished);
    const returned = cal.addWorkingMinutes(finished, perDay * (0.2 + rnd() * 2.5));
    if (!happened(returned)) {
      out.push(d);
      continue;
    }
    d.returnedAt = returned;
    set(DossierStatus.RETURNED, returned);
    d.invitedAt = new Date(returned.getTime() + 3_600_000);
    out.push(d);
  }
  assignRatings(out, rnd, now, start, end);
  return out;
}

/**
 * Survey answers: about two in three invited citizens answer. Per month the share satisfied
 * follows the city's climb from 77% to 85% (counted, not drawn, so the trend reads cleanly);
 * "not satisfied" goes to late dossiers first, as it does in real surveys.
 */
function assignRatings(ds: DemoHistoryDossier[], rnd: () => number, now: Date, start: number, end: number): void {
  const invited = ds.filter((d) => d.invitedAt && d.invitedAt.getTime() < now.getTime() - 3_600_000);
  const answered = invited.filter(() => rnd() < 0.68);
  const byMonth = new Map<string, DemoHistoryDossier[]>();
  for (const d of answered) {
    const m = new Date(d.returnedAt!.getTime() + 7 * 3_600_000).toISOString().slice(0, 7);
    byMonth.set(m, [...(byMonth.get(m) ?? []), d]);
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (const list of byMonth.values()) {
    const mid = list[Math.floor(list.length / 2)]!.returnedAt!.getTime();
    const progress = Math.min(1, Math.max(0, (mid - start) / (end - start)));
    const target = 0.77 + 0.08 * progress;
    const unhappy = Math.round(list.length * (1 - target));
    const late = (d: DemoHistoryDossier) => d.finishedAt!.getTime() > d.appointmentAt.getTime();
    // Late dossiers first, then the rest in a seeded order.
    const order = [...list].map((d) => ({ d, k: (late(d) ? 0 : 1) + rnd() * 0.9 })).sort((a, b) => a.k - b.k);
    order.forEach(({ d }, i) => {
      const isLate = late(d);
      const bad = i < unhappy;
      const reasons = bad ? (isLate ? ["overdue", ...(rnd() < 0.3 ? ["many_visits"] : [])] : [pick(["many_visits", "unclear_guidance", "staff_attitude", "many_visits", "unclear_guidance", "many_visits", "extra_fees"])]) : [];
      d.rating = {
        overall: bad ? "not_satisfied" : rnd() < 0.45 ? "very_satisfied" : "satisfied",
        reasons,
        comment: bad ? (rnd() < 0.6 ? pick(COMMENTS_BAD) : null) : rnd() < 0.15 ? pick(COMMENTS_GOOD) : null,
        visits: bad && reasons.includes("many_visits") ? 3 : rnd() < 0.8 ? 1 : 2,
        onTime: !isLate,
        staffAttitude: bad && reasons.includes("staff_attitude") ? "bad" : rnd() < 0.7 ? "good" : "normal",
        channel: rnd() < 0.58 ? "telegram" : "zalo",
        at: new Date(d.invitedAt!.getTime() + (0.5 + rnd() * 20) * 3_600_000),
      };
    });
  }
}
