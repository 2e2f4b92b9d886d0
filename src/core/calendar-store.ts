// The working-day calendar as data: holidays and swapped working days live in the
// CalendarDay table (seeded from holidays.vn.json, edited through the admin API).
import type { PrismaClient } from "../generated/prisma/client.ts";
import { WorkingCalendar, type WorkSession } from "./calendar.ts";
import shipped from "./holidays.vn.json" with { type: "json" };

export class CalendarStore {
  private cached: { at: number; cal: WorkingCalendar } | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sessions?: WorkSession[],
    /** Other instances may edit the calendar: re-read at most this often. */
    private readonly ttlMs = 60_000,
  ) {}

  async get(): Promise<WorkingCalendar> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.cal;
    const rows = await this.prisma.calendarDay.findMany();
    const cal = new WorkingCalendar({
      daysOff: rows.filter((r) => r.kind === "day_off").map((r) => r.date),
      extraWorkingDays: rows.filter((r) => r.kind === "extra_working_day").map((r) => r.date),
      ...(this.sessions ? { sessions: this.sessions } : {}),
    });
    this.cached = { at: Date.now(), cal };
    return cal;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  /** First start: copy the shipped holiday data into the table (never overwrites edits). */
  async seedIfEmpty(): Promise<number> {
    if ((await this.prisma.calendarDay.count()) > 0) return 0;
    const rows: { date: string; kind: "day_off" | "extra_working_day"; name: string | null; source: string | null }[] = [];
    for (const [year, y] of Object.entries(shippedYears())) {
      for (const date of y.daysOff) rows.push({ date, kind: "day_off", name: y.notes ?? null, source: y.source ?? `holidays.vn.json ${year}` });
      for (const date of y.extraWorkingDays)
        rows.push({ date, kind: "extra_working_day", name: y.notes ?? null, source: y.source ?? `holidays.vn.json ${year}` });
    }
    const { count } = await this.prisma.calendarDay.createMany({ data: rows, skipDuplicates: true });
    this.invalidate();
    return count;
  }
}

/** The calendar of the shipped holiday data alone (no database: the in-memory conversation, tests). */
export function shippedCalendar(sessions?: WorkSession[]): WorkingCalendar {
  const years = Object.values(shippedYears());
  return new WorkingCalendar({ daysOff: years.flatMap((y) => y.daysOff), extraWorkingDays: years.flatMap((y) => y.extraWorkingDays), ...(sessions ? { sessions } : {}) });
}

interface ShippedYear {
  daysOff: string[];
  extraWorkingDays: string[];
  notes?: string;
  source?: string;
}

function shippedYears(): Record<string, ShippedYear> {
  return (shipped as unknown as { years: Record<string, ShippedYear> }).years;
}
