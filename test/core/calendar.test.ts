import { describe, expect, it } from "vitest";
import {
  WorkingCalendar,
  assessTimeliness,
  calendarDataFromHolidayFile,
  formatLocal,
  holidayDataYears,
  parseLocal,
  type HolidayFile,
} from "../../src/core/calendar.ts";
import holidays from "../../src/core/holidays.vn.json" with { type: "json" };

const cal = WorkingCalendar.default();
/** Local Vietnam wall-clock → instant, written with an explicit offset so it is host-TZ independent. */
const vn = (s: string) => new Date(`${s}+07:00`);
const fmt = (d: Date) => formatLocal(d);

describe("local time helpers (host TZ independent)", () => {
  it("maps an instant near midnight UTC to the right Vietnam date", () => {
    // 2023-01-12T17:30Z is 2023-01-13 00:30 in Vietnam, still the 12th in UTC and New York.
    const t = new Date("2023-01-12T17:30:00Z");
    expect(cal.localDate(t)).toBe("2023-01-13");
    expect(formatLocal(t)).toBe("13/01/2023 00:30");
    expect(formatLocal(t, false)).toBe("13/01/2023");
    // 2023-01-12T16:59:59Z is still the 12th (23:59:59) in Vietnam.
    expect(cal.localDate(new Date("2023-01-12T16:59:59Z"))).toBe("2023-01-12");
  });

  it("parseLocal reads Vietnam wall-clock time", () => {
    expect(parseLocal("2023-01-12 09:00").toISOString()).toBe("2023-01-12T02:00:00.000Z");
    expect(parseLocal("2023-01-12T09:00:30").toISOString()).toBe("2023-01-12T02:00:30.000Z");
    expect(parseLocal("2023-01-13").toISOString()).toBe("2023-01-12T17:00:00.000Z");
    expect(() => parseLocal("2023-02-30")).toThrow(RangeError);
  });

  it("a late-evening receipt (UTC date differs from local date) starts next working morning", () => {
    // Thu 2023-01-12 23:30 local = 16:30Z Thu; must start Fri 13/01 07:00 local.
    const start = cal.startOfCounting(new Date("2023-01-12T16:30:00Z"));
    expect(start.toISOString()).toBe("2023-01-13T00:00:00.000Z");
    // Sun 2023-01-15 00:30 local = Sat 17:30Z; must start Mon 16/01 07:00 local.
    expect(cal.startOfCounting(new Date("2023-01-14T17:30:00Z")).toISOString()).toBe("2023-01-16T00:00:00.000Z");
  });
});

describe("isWorkingDay", () => {
  it("knows weekends, holidays and swapped Saturdays", () => {
    expect(cal.isWorkingDay("2023-01-12")).toBe(true); // Thu
    expect(cal.isWorkingDay("2023-01-14")).toBe(false); // Sat
    expect(cal.isWorkingDay("2023-01-23")).toBe(false); // Tết
    expect(cal.isWorkingDay("2023-01-02")).toBe(false); // compensatory for 1/1 Sunday
    expect(cal.isWorkingDay("2023-05-03")).toBe(false);
    expect(cal.isWorkingDay("2023-09-04")).toBe(false);
    expect(cal.isWorkingDay("2024-05-04")).toBe(true); // Saturday worked (swap for 29/4)
    expect(cal.isWorkingDay("2024-04-29")).toBe(false);
    expect(cal.isWorkingDay("2025-04-26")).toBe(true);
    expect(cal.isWorkingDay("2026-01-10")).toBe(true);
    expect(cal.isWorkingDay("2026-02-17")).toBe(false);
    expect(cal.isWorkingDay("2026-08-22")).toBe(true);
    expect(cal.isWorkingDay("2026-08-31")).toBe(false);
  });
});

describe("appointmentDate", () => {
  it("worked example: 12/01/2023 09:00 + 10 working days = 02/02/2023 09:00 (Tết 20–26/1)", () => {
    const appt = cal.appointmentDate(vn("2023-01-12T09:00"), 10);
    expect(appt.toISOString()).toBe(vn("2023-02-02T09:00").toISOString());
    expect(fmt(appt)).toBe("02/02/2023 09:00");
  });

  it("counts across Tết 2023 from inside the break", () => {
    // Received during Tết (Tue 24/1) → counting starts Fri 27/1 07:00; 3 days → Wed 1/2 07:00.
    expect(fmt(cal.appointmentDate(vn("2023-01-24T10:00"), 3))).toBe("01/02/2023 07:00");
    // Received Thu 19/1 15:00 (last day before Tết), 1 day → Fri 27/1 15:00.
    expect(fmt(cal.appointmentDate(vn("2023-01-19T15:00"), 1))).toBe("27/01/2023 15:00");
  });

  it("counts across the 29/4–3/5/2023 break", () => {
    // Fri 28/4 10:00 + 2 → Thu 4/5 (1), Fri 5/5 (2).
    expect(fmt(cal.appointmentDate(vn("2023-04-28T10:00"), 2))).toBe("05/05/2023 10:00");
    // Wed 26/4 14:00 + 5 → 27/4, 28/4, 4/5, 5/5, 8/5.
    expect(fmt(cal.appointmentDate(vn("2023-04-26T14:00"), 5))).toBe("08/05/2023 14:00");
  });

  it("after 17:00 counts from the next working morning 07:00", () => {
    expect(fmt(cal.startOfCounting(vn("2023-03-01T17:30")))).toBe("02/03/2023 07:00");
    expect(fmt(cal.startOfCounting(vn("2023-03-01T17:00")))).toBe("02/03/2023 07:00");
    expect(fmt(cal.appointmentDate(vn("2023-03-01T17:30"), 3))).toBe("07/03/2023 07:00");
    // Friday evening → Monday.
    expect(fmt(cal.appointmentDate(vn("2023-03-03T18:00"), 1))).toBe("07/03/2023 07:00");
  });

  it("before 07:00 counts from 07:00 the same day", () => {
    expect(fmt(cal.startOfCounting(vn("2023-03-01T06:15")))).toBe("01/03/2023 07:00");
  });

  it("weekend receipt counts from Monday 07:00", () => {
    expect(fmt(cal.startOfCounting(vn("2023-03-04T10:00")))).toBe("06/03/2023 07:00"); // Sat
    expect(fmt(cal.appointmentDate(vn("2023-03-05T10:00"), 2))).toBe("08/03/2023 07:00"); // Sun
  });

  it("lunch-break receipt counts from 13:30", () => {
    expect(fmt(cal.startOfCounting(vn("2023-03-01T12:00")))).toBe("01/03/2023 13:30");
    expect(fmt(cal.startOfCounting(vn("2023-03-01T11:30")))).toBe("01/03/2023 13:30");
    expect(fmt(cal.appointmentDate(vn("2023-03-01T12:00"), 2))).toBe("03/03/2023 13:30");
    // Inside a session the receipt time is kept as-is.
    expect(cal.startOfCounting(vn("2023-03-01T11:29")).getTime()).toBe(vn("2023-03-01T11:29").getTime());
  });

  it("an extra working Saturday is counted", () => {
    // 2024: Mon 29/4 off (swapped), 30/4, 1/5 off, Sat 4/5 worked.
    // Thu 2/5 10:00 + 2 → Fri 3/5 (1), Sat 4/5 (2).
    expect(fmt(cal.appointmentDate(vn("2024-05-02T10:00"), 2))).toBe("04/05/2024 10:00");
    // Received on the working Saturday itself keeps its time.
    expect(fmt(cal.startOfCounting(vn("2024-05-04T08:00")))).toBe("04/05/2024 08:00");
    // 2025: Fri 25/4 09:00 + 1 → Sat 26/4 09:00 (worked); + 2 → Mon 28/4.
    expect(fmt(cal.appointmentDate(vn("2025-04-25T09:00"), 1))).toBe("26/04/2025 09:00");
    expect(fmt(cal.appointmentDate(vn("2025-04-25T09:00"), 2))).toBe("28/04/2025 09:00");
  });

  it("Tết 2026 (14–22/2) and the 2026 new-year swap", () => {
    // Fri 13/2/2026 09:00 + 1 → Mon 23/2.
    expect(fmt(cal.appointmentDate(vn("2026-02-13T09:00"), 1))).toBe("23/02/2026 09:00");
    // Wed 31/12/2025 10:00 + 1 → Mon 5/1/2026 (1/1, 2/1 off).
    expect(fmt(cal.appointmentDate(vn("2025-12-31T10:00"), 1))).toBe("05/01/2026 10:00");
  });

  it("supports zero and fractional durations; rejects negative", () => {
    expect(fmt(cal.appointmentDate(vn("2023-03-01T12:00"), 0))).toBe("01/03/2023 13:30");
    // half a day (240 min) from Wed 09:00: 150 min to 11:30, +90 min from 13:30 → 15:00
    expect(fmt(cal.appointmentDate(vn("2023-03-01T09:00"), 0.5))).toBe("01/03/2023 15:00");
    expect(fmt(cal.appointmentDate(vn("2023-03-01T09:00"), 1.5))).toBe("02/03/2023 15:00");
    expect(() => cal.appointmentDate(vn("2023-03-01T09:00"), -1)).toThrow(RangeError);
  });
});

describe("workingMinutesBetween", () => {
  it("within one morning", () => {
    expect(cal.workingMinutesBetween(vn("2023-03-01T08:00"), vn("2023-03-01T10:15"))).toBe(135);
  });
  it("across lunch", () => {
    expect(cal.workingMinutesBetween(vn("2023-03-01T11:00"), vn("2023-03-01T14:00"))).toBe(60);
    expect(cal.workingMinutesBetween(vn("2023-03-01T12:00"), vn("2023-03-01T13:00"))).toBe(0);
  });
  it("a whole day is 480 minutes, negative when reversed", () => {
    expect(cal.workingMinutesBetween(vn("2023-03-01T00:00"), vn("2023-03-02T00:00"))).toBe(480);
    expect(cal.workingMinutesBetween(vn("2023-03-02T00:00"), vn("2023-03-01T00:00"))).toBe(-480);
    expect(cal.workingDaysBetween(vn("2023-03-01T09:00"), vn("2023-03-03T09:00"))).toBe(2);
  });
  it("across a weekend", () => {
    // Fri 16:00 → Mon 08:00 = 60 + 60.
    expect(cal.workingMinutesBetween(vn("2023-03-03T16:00"), vn("2023-03-06T08:00"))).toBe(120);
    expect(cal.workingMinutesBetween(vn("2023-03-04T09:00"), vn("2023-03-05T16:00"))).toBe(0);
  });
  it("across Tết 2023", () => {
    // Thu 19/1 17:00 → Fri 27/1 07:00: nothing worked.
    expect(cal.workingMinutesBetween(vn("2023-01-19T17:00"), vn("2023-01-27T07:00"))).toBe(0);
    // Thu 12/1 09:00 → Thu 2/2 09:00 is exactly 10 working days.
    expect(cal.workingDaysBetween(vn("2023-01-12T09:00"), vn("2023-02-02T09:00"))).toBe(10);
  });
  it("agrees with a naive per-minute count on random ranges", () => {
    const naive = (from: Date, to: Date) => {
      let n = 0;
      for (let t = from.getTime(); t < to.getTime(); t += 60_000) {
        const d = new Date(t);
        if (!cal.isWorkingDay(cal.localDate(d))) continue;
        const hm = formatLocal(d).slice(11);
        if ((hm >= "07:00" && hm < "11:30") || (hm >= "13:30" && hm < "17:00")) n++;
      }
      return n;
    };
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const base = vn("2024-04-20T00:00").getTime();
    for (let i = 0; i < 20; i++) {
      const a = new Date(base + Math.floor(rnd() * 20 * 1440) * 60_000);
      const b = new Date(a.getTime() + Math.floor(rnd() * 6 * 1440) * 60_000);
      expect(cal.workingMinutesBetween(a, b)).toBe(naive(a, b));
    }
  });
});

describe("addWorkingMinutes", () => {
  it("steps over lunch, evenings and weekends", () => {
    expect(fmt(cal.addWorkingMinutes(vn("2023-03-01T11:00"), 60))).toBe("01/03/2023 14:00");
    expect(fmt(cal.addWorkingMinutes(vn("2023-03-03T16:00"), 120))).toBe("06/03/2023 08:00");
    // Lands exactly on a session end → stays there (earliest instant).
    expect(fmt(cal.addWorkingMinutes(vn("2023-03-03T16:00"), 60))).toBe("03/03/2023 17:00");
    expect(fmt(cal.addWorkingMinutes(vn("2023-03-01T09:00"), 150))).toBe("01/03/2023 11:30");
  });
  it("goes backwards for negative minutes", () => {
    expect(fmt(cal.addWorkingMinutes(vn("2023-03-06T08:00"), -120))).toBe("03/03/2023 16:00");
    expect(fmt(cal.addWorkingMinutes(vn("2023-03-06T08:00"), -60))).toBe("06/03/2023 07:00");
  });
  it("round-trips with workingMinutesBetween over a long span", () => {
    const from = vn("2023-01-10T10:10");
    const to = cal.addWorkingMinutes(from, 480 * 300 + 17);
    expect(cal.workingMinutesBetween(from, to)).toBe(480 * 300 + 17);
  });
});

describe("extendForSupplement", () => {
  it("adds the paused working time to the appointment", () => {
    const appt = cal.appointmentDate(vn("2023-03-01T09:00"), 10); // Wed 15/3 09:00
    expect(fmt(appt)).toBe("15/03/2023 09:00");
    // Requested Fri 3/3 10:00, resubmitted Tue 7/3 10:00 = 2 working days paused.
    const extended = cal.extendForSupplement(appt, vn("2023-03-03T10:00"), vn("2023-03-07T10:00"));
    expect(fmt(extended)).toBe("17/03/2023 09:00");
    // A pause of 3h (Fri 3/3 14:00 → Mon 6/3 07:00) moves 09:00 → 11:30 (150 min) + 30 min after lunch.
    const short = cal.extendForSupplement(appt, vn("2023-03-03T14:00"), vn("2023-03-06T07:00"));
    expect(cal.workingMinutesBetween(appt, short)).toBe(180);
    expect(fmt(short)).toBe("15/03/2023 14:00");
  });
  it("a pause spanning Tết only counts working time", () => {
    const appt = vn("2023-02-02T09:00");
    const extended = cal.extendForSupplement(appt, vn("2023-01-19T09:00"), vn("2023-01-27T09:00"));
    expect(fmt(extended)).toBe("03/02/2023 09:00");
  });
  it("a resubmission before the request does not shorten the deadline", () => {
    const appt = vn("2023-02-02T09:00");
    expect(cal.extendForSupplement(appt, vn("2023-01-27T09:00"), vn("2023-01-26T09:00")).getTime()).toBe(appt.getTime());
  });
});

describe("workingDaysLeft", () => {
  const appt = vn("2023-03-15T09:00"); // Wed
  it("positive (ceil)", () => {
    expect(cal.workingDaysLeft(vn("2023-03-13T09:00"), appt)).toBe(2);
    expect(cal.workingDaysLeft(vn("2023-03-13T10:00"), appt)).toBe(2); // 1.86 → 2
    expect(cal.workingDaysLeft(vn("2023-03-10T09:00"), appt)).toBe(3); // across a weekend
  });
  it("zero when due now", () => {
    expect(cal.workingDaysLeft(appt, appt)).toBe(0);
  });
  it("negative when late", () => {
    expect(cal.workingDaysLeft(vn("2023-03-15T10:00"), appt)).toBe(-1);
    expect(cal.workingDaysLeft(vn("2023-03-17T09:00"), appt)).toBe(-2);
    expect(cal.workingDaysLeft(vn("2023-03-17T09:01"), appt)).toBe(-3);
    // Late but only non-working time elapsed since the deadline still counts as 1 day late.
    expect(cal.workingDaysLeft(vn("2023-03-18T10:00"), vn("2023-03-17T17:00"))).toBe(-1);
  });
});

describe("assessTimeliness", () => {
  const appt = vn("2023-03-15T09:00");
  it("finished late", () => {
    const r = assessTimeliness(cal, { appointmentAt: appt, finishedAt: vn("2023-03-16T10:00"), now: vn("2023-03-20T10:00") });
    expect(r).toEqual({ state: "late", late: true, workingDaysLate: 2, countsAsOverdueNationally: true });
  });
  it("finished on time", () => {
    const r = assessTimeliness(cal, { appointmentAt: appt, finishedAt: vn("2023-03-15T09:00"), now: vn("2023-03-20T10:00") });
    expect(r).toEqual({ state: "on_time", late: false, workingDaysLate: 0, countsAsOverdueNationally: false });
  });
  it("open and overdue", () => {
    const r = assessTimeliness(cal, { appointmentAt: appt, finishedAt: null, now: vn("2023-03-20T09:00") });
    expect(r).toEqual({ state: "overdue", late: true, workingDaysLate: 3, countsAsOverdueNationally: true });
  });
  it("open, not yet due", () => {
    const r = assessTimeliness(cal, { appointmentAt: appt, now: vn("2023-03-14T09:00") });
    expect(r).toEqual({ state: "open", late: false, workingDaysLate: 0, countsAsOverdueNationally: false });
  });
  it("more than one supplement request counts as overdue nationally", () => {
    const two = assessTimeliness(cal, { appointmentAt: appt, finishedAt: vn("2023-03-14T09:00"), now: vn("2023-03-20T09:00"), supplementRequests: 2 });
    expect(two.state).toBe("on_time");
    expect(two.late).toBe(false);
    expect(two.countsAsOverdueNationally).toBe(true);
    const one = assessTimeliness(cal, { appointmentAt: appt, now: vn("2023-03-14T09:00"), supplementRequests: 1 });
    expect(one.countsAsOverdueNationally).toBe(false);
  });
});

describe("custom data and sessions", () => {
  it("uses plain CalendarData (e.g. loaded from a database)", () => {
    const c = new WorkingCalendar({
      daysOff: ["2030-01-01"],
      extraWorkingDays: ["2030-01-05"],
      sessions: [{ start: "08:00", end: "12:00" }, { start: "13:00", end: "17:00" }],
    });
    expect(c.minutesPerWorkingDay).toBe(480);
    expect(c.isWorkingDay("2030-01-01")).toBe(false);
    expect(c.isWorkingDay("2030-01-05")).toBe(true); // Saturday
    expect(fmt(c.startOfCounting(vn("2030-01-02T07:30")))).toBe("02/01/2030 08:00");
    // Fri 4/1 09:00 + 1 → Sat 5/1 09:00.
    expect(fmt(c.appointmentDate(vn("2030-01-04T09:00"), 1))).toBe("05/01/2030 09:00");
  });
  it("rejects invalid data", () => {
    expect(() => new WorkingCalendar({ daysOff: ["2030-13-01"], extraWorkingDays: [] })).toThrow(RangeError);
    expect(() => new WorkingCalendar({ daysOff: ["2030-01-05"], extraWorkingDays: ["2030-01-05"] })).toThrow(RangeError);
    expect(
      () => new WorkingCalendar({ daysOff: [], extraWorkingDays: [], sessions: [{ start: "09:00", end: "08:00" }] }),
    ).toThrow(RangeError);
  });
});

describe("holidays.vn.json", () => {
  const file = holidays as HolidayFile;
  it("lists only weekdays in daysOff and only Saturdays/Sundays in extraWorkingDays", () => {
    for (const [year, y] of Object.entries(file.years)) {
      for (const d of y.daysOff) {
        expect(d.startsWith(year)).toBe(true);
        expect([1, 2, 3, 4, 5]).toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
      }
      for (const d of y.extraWorkingDays) expect([0, 6]).toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
      expect(typeof y.confirmed).toBe("boolean");
      expect(y.source).toBeTruthy();
    }
    expect(file.timezone).toBe("Asia/Ho_Chi_Minh");
  });
  it("contains the 2023 and 2026 days from the brief", () => {
    expect(file.years["2023"]?.daysOff).toEqual(
      expect.arrayContaining(["2023-01-02", "2023-01-20", "2023-01-26", "2023-05-01", "2023-05-03", "2023-09-01", "2023-09-04"]),
    );
    expect(file.years["2026"]?.daysOff).toEqual(expect.arrayContaining(["2026-02-16", "2026-02-20"]));
    expect(holidayDataYears().map((y) => y.year)).toEqual([2023, 2024, 2025, 2026, 2027]);
  });
  it("unconfirmed single days are only applied on request", () => {
    expect(cal.isWorkingDay("2026-11-24")).toBe(true);
    const withPending = new WorkingCalendar(calendarDataFromHolidayFile(file, { includeUnconfirmed: true }));
    expect(withPending.isWorkingDay("2026-11-24")).toBe(false);
  });
});
