/**
 * Working-time calendar for Vietnamese one-stop dossier deadlines.
 *
 * All arithmetic is done on UTC milliseconds shifted by the fixed +07:00 offset of
 * Asia/Ho_Chi_Minh (no DST), so results never depend on the host time zone.
 * Never use local-time Date methods (getHours, getDate, setHours, ...) in this file.
 *
 * Model: every instant has a "working position" = total working milliseconds elapsed
 * since an arbitrary origin. It is non-decreasing in time and constant outside sessions,
 * so working time between two instants is a difference of positions, and adding working
 * time is an inversion. Both are O(log n) in the number of exceptional days (no loops
 * over minutes or days).
 */
import holidayFile from "./holidays.vn.json" with { type: "json" };

export interface WorkSession {
  start: string; // "HH:mm" local
  end: string; // "HH:mm" local
}

export interface CalendarData {
  /** Local dates "YYYY-MM-DD" that are not worked (weekdays; weekend entries are harmless). */
  daysOff: string[];
  /** Local dates "YYYY-MM-DD" worked although normally off (swapped Saturdays). */
  extraWorkingDays: string[];
  /** Daily working sessions; defaults to 07:00–11:30 and 13:30–17:00. */
  sessions?: WorkSession[];
}

export type Timeliness = {
  state: "on_time" | "late" | "open" | "overdue";
  late: boolean;
  workingDaysLate: number;
  countsAsOverdueNationally: boolean;
};

/** Shape of holidays.vn.json (also usable for rows loaded from a database). */
export interface HolidayYear {
  daysOff: string[];
  extraWorkingDays: string[];
  unconfirmedDaysOff?: { date: string; note?: string; confirmed?: boolean }[];
  notes?: string;
  source?: string;
  confirmed: boolean;
}
export interface HolidayFile {
  timezone: string;
  sources?: string[];
  years: Record<string, HolidayYear>;
}

export const VN_TIMEZONE = "Asia/Ho_Chi_Minh";
export const VN_UTC_OFFSET_MINUTES = 7 * 60;
export const DEFAULT_SESSIONS: readonly WorkSession[] = Object.freeze([
  { start: "07:00", end: "11:30" },
  { start: "13:30", end: "17:00" },
]);

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const OFFSET_MS = VN_UTC_OFFSET_MINUTES * MINUTE_MS;

// Day number 0 = 1970-01-01, a Thursday. Weekday flags for Thu, Fri, Sat, Sun, Mon, Tue, Wed.
const WEEKDAY_PREFIX = [0, 1, 2, 2, 2, 3, 4, 5] as const;

/** Number of Monday–Friday days in [0, day) (negative for day < 0); differences are exact counts. */
function weekdaysBefore(day: number): number {
  const weeks = Math.floor(day / 7);
  const rem = day - weeks * 7;
  return weeks * 5 + (WEEKDAY_PREFIX[rem] ?? 0);
}

/** 0 = Sunday … 6 = Saturday. */
function dayOfWeek(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekend(day: number): boolean {
  const dow = dayOfWeek(day);
  return dow === 0 || dow === 6;
}

/** Count of elements < x in a sorted array. */
function lowerBound(arr: readonly number[], x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "YYYY-MM-DD" → day number (days since 1970-01-01). Throws on malformed/invalid dates. */
function parseDay(s: string): number {
  const m = DATE_RE.exec(s);
  if (!m) throw new RangeError(`Invalid local date "${s}", expected YYYY-MM-DD`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`Invalid local date "${s}"`);
  }
  return Math.round(ms / DAY_MS);
}

function dayToString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const TIME_RE = /^(\d{1,2}):(\d{2})$/;

function parseTimeOfDay(s: string): number {
  const m = TIME_RE.exec(s);
  if (!m) throw new RangeError(`Invalid session time "${s}", expected HH:mm`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) throw new RangeError(`Invalid session time "${s}"`);
  return (h * 60 + min) * MINUTE_MS;
}

function assertValidDate(d: Date, name: string): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${name} is not a valid Date`);
  return t;
}

/** Split an instant into local day number and local time-of-day (ms). */
function splitLocal(t: number): { day: number; tod: number } {
  const local = t + OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  return { day, tod: local - day * DAY_MS };
}

function instantAt(day: number, tod: number): Date {
  return new Date(day * DAY_MS + tod - OFFSET_MS);
}

export class WorkingCalendar {
  private readonly offSet: ReadonlySet<number>;
  private readonly extraSet: ReadonlySet<number>;
  /** Weekdays that are off (sorted). */
  private readonly offWeekdays: readonly number[];
  /** Weekend days that are worked (sorted). */
  private readonly extraWeekends: readonly number[];
  /** Sessions as [startMs, endMs) of the local day, sorted, non-overlapping. */
  private readonly sessionsMs: readonly (readonly [number, number])[];
  private readonly dayMs: number;
  readonly sessions: readonly WorkSession[];

  constructor(data: CalendarData) {
    const off = new Set<number>();
    const extra = new Set<number>();
    for (const s of data.daysOff ?? []) off.add(parseDay(s));
    for (const s of data.extraWorkingDays ?? []) extra.add(parseDay(s));
    for (const d of off) {
      if (extra.has(d)) throw new RangeError(`Date ${dayToString(d)} is both a day off and an extra working day`);
    }
    this.offSet = off;
    this.extraSet = extra;
    this.offWeekdays = [...off].filter((d) => !isWeekend(d)).sort((a, b) => a - b);
    this.extraWeekends = [...extra].filter((d) => isWeekend(d)).sort((a, b) => a - b);

    const sessions = data.sessions && data.sessions.length > 0 ? data.sessions : DEFAULT_SESSIONS;
    const parsed = sessions
      .map((s) => [parseTimeOfDay(s.start), parseTimeOfDay(s.end)] as const)
      .sort((a, b) => a[0] - b[0]);
    let prevEnd = -1;
    let total = 0;
    for (const [start, end] of parsed) {
      if (end <= start) throw new RangeError("Each work session must end after it starts");
      if (start < prevEnd) throw new RangeError("Work sessions must not overlap");
      prevEnd = end;
      total += end - start;
    }
    this.sessionsMs = parsed;
    this.dayMs = total;
    this.sessions = Object.freeze(sessions.map((s) => ({ start: s.start, end: s.end })));
  }

  /** Calendar built from holidays.vn.json (confirmed and best-known days) with default sessions. */
  static default(): WorkingCalendar {
    defaultCalendar ??= new WorkingCalendar(calendarDataFromHolidayFile(holidayFile as HolidayFile));
    return defaultCalendar;
  }

  /** Working minutes in one full working day (480 with default sessions: 270 + 210). */
  get minutesPerWorkingDay(): number {
    return this.dayMs / MINUTE_MS;
  }

  isWorkingDay(localDate: string): boolean {
    return this.isWorkingDayNum(parseDay(localDate));
  }

  /** "YYYY-MM-DD" of the instant in Asia/Ho_Chi_Minh. */
  localDate(instant: Date): string {
    return dayToString(splitLocal(assertValidDate(instant, "instant")).day);
  }

  workingMinutesBetween(from: Date, to: Date): number {
    const a = assertValidDate(from, "from");
    const b = assertValidDate(to, "to");
    return (this.position(b) - this.position(a)) / MINUTE_MS;
  }

  workingDaysBetween(from: Date, to: Date): number {
    return this.workingMinutesBetween(from, to) / this.minutesPerWorkingDay;
  }

  /**
   * Add working minutes. Positive: the earliest instant at which that much working time
   * has elapsed (so a deadline landing on a session end stays at e.g. 17:00, not next 07:00).
   * Negative: the latest instant before `from` with that much working time in between.
   * Zero returns a copy of `from`.
   */
  addWorkingMinutes(from: Date, minutes: number): Date {
    const t = assertValidDate(from, "from");
    if (!Number.isFinite(minutes)) throw new RangeError("minutes must be finite");
    const delta = Math.round(minutes * MINUTE_MS);
    if (delta === 0) return new Date(t);
    return this.instantAtPosition(this.position(t) + delta, delta > 0 ? "earliest" : "latest");
  }

  /**
   * When the statutory clock starts: the receipt instant itself if it is inside a session,
   * the next session start if it is before a session or in a break (lunch → 13:30), and the
   * first session start of the next working day after hours / on a non-working day.
   * Sessions are half-open: 11:30 counts as lunch, 17:00 as after hours.
   */
  startOfCounting(receivedAt: Date): Date {
    const t = assertValidDate(receivedAt, "receivedAt");
    const { day, tod } = splitLocal(t);
    if (this.isWorkingDayNum(day)) {
      for (const [start, end] of this.sessionsMs) {
        if (tod < start) return instantAt(day, start);
        if (tod < end) return new Date(t);
      }
    }
    const next = this.dayOfOrdinal(this.workingDaysBefore(day + 1));
    return instantAt(next, this.firstSessionStart());
  }

  /**
   * Ngày hẹn trả: count from startOfCounting(receivedAt); whole working days keep the
   * time of day, a fractional part is added as working minutes.
   */
  appointmentDate(receivedAt: Date, durationWorkingDays: number): Date {
    if (!Number.isFinite(durationWorkingDays) || durationWorkingDays < 0) {
      throw new RangeError("durationWorkingDays must be a finite number >= 0");
    }
    const start = this.startOfCounting(receivedAt);
    const { day, tod } = splitLocal(start.getTime());
    const whole = Math.floor(durationWorkingDays);
    const target = this.dayOfOrdinal(this.workingDaysBefore(day) + whole);
    const result = instantAt(target, tod);
    const frac = durationWorkingDays - whole;
    return frac > 0 ? this.addWorkingMinutes(result, frac * this.minutesPerWorkingDay) : result;
  }

  /**
   * Supplement requested (yêu cầu bổ sung): the clock pauses from the request until the
   * citizen resubmits; the appointment moves by the working time in between.
   */
  extendForSupplement(appointment: Date, requestedAt: Date, resubmittedAt: Date): Date {
    const paused = Math.max(0, this.workingMinutesBetween(requestedAt, resubmittedAt));
    return this.addWorkingMinutes(appointment, paused);
  }

  /**
   * Whole working days left until the appointment (ceil); 0 when due now / due before the
   * next working time; negative when late: -(working days late, ceil, at least 1).
   */
  workingDaysLeft(now: Date, appointment: Date): number {
    const n = assertValidDate(now, "now");
    const a = assertValidDate(appointment, "appointment");
    if (n > a) return -this.workingDaysLateBetween(appointment, now);
    return Math.ceil(this.workingDaysBetween(now, appointment));
  }

  /** Working days (ceil, min 1) between a missed appointment and a later instant. */
  workingDaysLateBetween(appointment: Date, at: Date): number {
    if (at.getTime() <= appointment.getTime()) return 0;
    return Math.max(1, Math.ceil(this.workingDaysBetween(appointment, at)));
  }

  // ---------------------------------------------------------------- internals

  private isWorkingDayNum(day: number): boolean {
    if (this.extraSet.has(day)) return true;
    if (this.offSet.has(day)) return false;
    return !isWeekend(day);
  }

  /** Number of working days in [0, day) (relative count; only differences matter). */
  private workingDaysBefore(day: number): number {
    return (
      weekdaysBefore(day) - lowerBound(this.offWeekdays, day) + lowerBound(this.extraWeekends, day)
    );
  }

  /** The working day d with workingDaysBefore(d) === k (the k-th working day, 0-based). */
  private dayOfOrdinal(k: number): number {
    // Smallest d with workingDaysBefore(d + 1) > k. Start from an estimate, widen, bisect.
    const f = (d: number) => this.workingDaysBefore(d + 1) > k;
    let lo = Math.floor((k * 7) / 5) - 7;
    let step = 16;
    while (f(lo)) {
      lo -= step;
      step *= 2;
    }
    let hi = lo + 16;
    step = 16;
    while (!f(hi)) {
      lo = hi;
      hi += step;
      step *= 2;
      if (step > 1 << 30) throw new RangeError("Calendar has no working days in range");
    }
    // invariant: f(lo) false, f(hi) true
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (f(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  private firstSessionStart(): number {
    return (this.sessionsMs[0] as readonly [number, number])[0];
  }

  private lastSessionEnd(): number {
    return (this.sessionsMs[this.sessionsMs.length - 1] as readonly [number, number])[1];
  }

  /** Working ms elapsed within a working day at local time-of-day `tod`. */
  private workedWithinDay(tod: number): number {
    let sum = 0;
    for (const [start, end] of this.sessionsMs) {
      if (tod <= start) break;
      sum += Math.min(tod, end) - start;
    }
    return sum;
  }

  private position(t: number): number {
    const { day, tod } = splitLocal(t);
    const base = this.workingDaysBefore(day) * this.dayMs;
    return this.isWorkingDayNum(day) ? base + this.workedWithinDay(tod) : base;
  }

  private instantAtPosition(pos: number, tie: "earliest" | "latest"): Date {
    const k = Math.floor(pos / this.dayMs);
    let rem = pos - k * this.dayMs;
    if (rem === 0 && tie === "earliest") {
      return instantAt(this.dayOfOrdinal(k - 1), this.lastSessionEnd());
    }
    const day = this.dayOfOrdinal(k);
    for (const [start, end] of this.sessionsMs) {
      const len = end - start;
      if (tie === "earliest" ? rem <= len : rem < len) return instantAt(day, start + rem);
      rem -= len;
    }
    /* c8 ignore next */
    return instantAt(day, this.lastSessionEnd());
  }
}

let defaultCalendar: WorkingCalendar | undefined;

/**
 * Flatten the holiday file (or equivalent DB rows) into CalendarData. Unconfirmed single
 * days (`unconfirmedDaysOff`) are only included when `includeUnconfirmed` is true; whole
 * years flagged `confirmed: false` are included (they hold best-known statutory days).
 */
export function calendarDataFromHolidayFile(
  file: HolidayFile,
  opts: { includeUnconfirmed?: boolean; sessions?: WorkSession[] } = {},
): CalendarData {
  const daysOff: string[] = [];
  const extraWorkingDays: string[] = [];
  for (const year of Object.values(file.years)) {
    daysOff.push(...year.daysOff);
    extraWorkingDays.push(...year.extraWorkingDays);
    if (opts.includeUnconfirmed) {
      for (const u of year.unconfirmedDaysOff ?? []) daysOff.push(u.date);
    }
  }
  return opts.sessions ? { daysOff, extraWorkingDays, sessions: opts.sessions } : { daysOff, extraWorkingDays };
}

/** Years present in holidays.vn.json with their confirmed flag. */
export function holidayDataYears(): { year: number; confirmed: boolean }[] {
  return Object.entries((holidayFile as HolidayFile).years)
    .map(([y, v]) => ({ year: Number(y), confirmed: v.confirmed }))
    .sort((a, b) => a.year - b.year);
}

export function assessTimeliness(
  cal: WorkingCalendar,
  input: { appointmentAt: Date; finishedAt?: Date | null; now: Date; supplementRequests?: number },
): Timeliness {
  const appointment = input.appointmentAt;
  const finished = input.finishedAt ?? null;
  const ref = finished ?? input.now;
  const late = ref.getTime() > appointment.getTime();
  const workingDaysLate = late ? cal.workingDaysLateBetween(appointment, ref) : 0;
  const state: Timeliness["state"] = finished ? (late ? "late" : "on_time") : late ? "overdue" : "open";
  return {
    state,
    late,
    workingDaysLate,
    countsAsOverdueNationally: late || (input.supplementRequests ?? 0) > 1,
  };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Format as local Vietnam time "dd/MM/yyyy HH:mm" (or "dd/MM/yyyy" when withTime is false). */
export function formatLocal(d: Date, withTime = true): string {
  const l = new Date(assertValidDate(d, "date") + OFFSET_MS);
  const date = `${pad2(l.getUTCDate())}/${pad2(l.getUTCMonth() + 1)}/${l.getUTCFullYear()}`;
  return withTime ? `${date} ${pad2(l.getUTCHours())}:${pad2(l.getUTCMinutes())}` : date;
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Parse a local Vietnam wall-clock string "YYYY-MM-DD", "YYYY-MM-DD HH:mm[:ss]" or
 * "YYYY-MM-DDTHH:mm[:ss]" (no offset) into an instant.
 */
export function parseLocal(s: string): Date {
  const m = LOCAL_RE.exec(s.trim());
  if (!m) throw new RangeError(`Invalid local date-time "${s}"`);
  const day = parseDay(`${m[1]}-${m[2]}-${m[3]}`);
  const h = Number(m[4] ?? 0);
  const min = Number(m[5] ?? 0);
  const sec = Number(m[6] ?? 0);
  if (h > 23 || min > 59 || sec > 59) throw new RangeError(`Invalid local date-time "${s}"`);
  return instantAt(day, ((h * 60 + min) * 60 + sec) * 1000);
}
