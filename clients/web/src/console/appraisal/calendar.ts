// Dates of the appraisal as the server counts them: in the company's time
// zone (the server's --time-zone) and on the server's working-day calendar
// (weekends, HR's public holidays and make-up working days). The page never
// decides a deadline; it only counts the working days left until the one the
// server stated.
import type { Client } from "@connectrpc/connect";
import type { AppraisalService } from "../../gen/survey/v1/appraisal_pb";

const DAY = 86400;

// The server sends a deadline as the last second of its day in the company's
// time zone (midnight - 1 s), so the zone's UTC offset at that day is what
// is left over: "UTC+08:00" for Asia/Shanghai.
export function offsetOfDeadline(endOfDayUnix: number): number {
  const local = ((-(endOfDayUnix + 1)) % DAY + DAY) % DAY;
  return local > DAY / 2 ? local - DAY : local;
}

// The UTC offset (seconds) of an IANA zone now, e.g. 28800 for
// Asia/Shanghai; the browser's own offset when the zone is unknown to it.
export function zoneOffset(zone: string | undefined, at = new Date()): number {
  if (zone) {
    try {
      const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric",
        month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(at);
      const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
      const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
      return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 1000);
    } catch { /* a zone this browser does not know */ }
  }
  return -at.getTimezoneOffset() * 60;
}

export function offsetLabel(seconds: number): string {
  const sign = seconds < 0 ? "-" : "+";
  const m = Math.abs(seconds) / 60;
  return `UTC${sign}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

// "YYYY-MM-DD" of a Unix time at a UTC offset.
export function dayAt(unix: number, offset: number): string {
  return new Date((unix + offset) * 1000).toISOString().slice(0, 10);
}

// "YYYY-MM-DD HH:MM" of a Unix time at a UTC offset.
export function timeAt(unix: number, offset: number): string {
  return new Date((unix + offset) * 1000).toISOString().slice(0, 16).replace("T", " ");
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY * 1000).toISOString().slice(0, 10);
}

// Working days from `today` through `deadline`, both included (0 once the
// deadline has passed), on the server's calendar of those years.
export async function workingDaysLeft(client: Client<typeof AppraisalService>, today: string,
                                      deadline: string): Promise<number> {
  if (today > deadline) return 0;
  const holidays = new Set<string>(), extra = new Set<string>();
  for (let y = Number(today.slice(0, 4)); y <= Number(deadline.slice(0, 4)); y++) {
    const year = await client.getHolidays({ year: String(y) });
    year.dates.forEach((d) => holidays.add(d));
    year.extraWorkingDays.forEach((d) => extra.add(d));
  }
  let n = 0;
  for (let d = today; d <= deadline; d = nextDay(d)) {
    const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    if (extra.has(d) || (!weekend && !holidays.has(d))) n++;
  }
  return n;
}
