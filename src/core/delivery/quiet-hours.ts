// Quiet hours in Vietnam local time (fixed +07:00, no DST). Non-urgent announcements wait
// for the morning; Zalo refuses proactive messages 22:00–06:00 (error -234) whatever we
// configure, so that window always applies to Zalo.
import { z } from "zod";
import { VN_UTC_OFFSET_MINUTES } from "../calendar.ts";

export interface QuietWindow {
  /** "HH:mm" local; the window may wrap midnight (start > end). */
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietWindow = { start: "21:00", end: "07:00" };
export const ZALO_NIGHT: QuietWindow = { start: "22:00", end: "06:00" };

const hhmm = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "21:00-07:00" → window; "off" → null. */
export const quietHoursSchema = z
  .string()
  .trim()
  .refine((v) => v === "off" || /^\d{2}:\d{2}-\d{2}:\d{2}$/.test(v), 'must look like 21:00-07:00 or be "off"')
  .transform((v, ctx) => {
    if (v === "off") return null;
    const [start, end] = v.split("-") as [string, string];
    if (!hhmm.test(start) || !hhmm.test(end) || start === end) {
      ctx.addIssue({ code: "custom", message: "times must be HH:mm (00:00–23:59) and differ" });
      return z.NEVER;
    }
    return { start, end } satisfies QuietWindow;
  });

const DAY_MS = 86_400_000;
const OFFSET_MS = VN_UTC_OFFSET_MINUTES * 60_000;

function minutes(s: string): number {
  const m = hhmm.exec(s);
  if (!m) throw new RangeError(`Invalid time "${s}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The end of the quiet window `at` is in, or null when `at` is outside it. */
export function quietUntil(at: Date, w: QuietWindow): Date | null {
  const local = at.getTime() + OFFSET_MS;
  const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  const minute = (local - dayStart) / 60_000;
  const s = minutes(w.start);
  const e = minutes(w.end);
  let endLocal: number;
  if (s < e) {
    if (minute < s || minute >= e) return null;
    endLocal = dayStart + e * 60_000;
  } else {
    if (minute >= s) endLocal = dayStart + DAY_MS + e * 60_000;
    else if (minute < e) endLocal = dayStart + e * 60_000;
    else return null;
  }
  return new Date(endLocal - OFFSET_MS);
}

export interface QuietRule {
  channel: "telegram" | "zalo" | "web";
  kind: string;
  urgent: boolean;
}

/**
 * When a message may go out at the earliest, given the quiet windows: non-urgent
 * broadcasts wait for `quiet` to end; anything on Zalo waits for the night rule to end.
 * Returns null when it may go now.
 */
export function deferredUntil(at: Date, m: QuietRule, quiet: QuietWindow | null): Date | null {
  let until: Date | null = null;
  // Both windows can apply and overlap; re-check after each jump until none does.
  for (let i = 0; i < 4; i++) {
    const t: Date = until ?? at;
    const a: Date | null = m.kind === "broadcast" && !m.urgent && quiet ? quietUntil(t, quiet) : null;
    const b: Date | null = m.channel === "zalo" ? quietUntil(t, ZALO_NIGHT) : null;
    const next: Date | null = a && b ? (a > b ? a : b) : (a ?? b);
    if (!next) break;
    until = next;
  }
  return until;
}
