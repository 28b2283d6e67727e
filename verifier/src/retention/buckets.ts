import type { RetentionPeriod } from "./policy.js";

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone (building one costs far more than using it). Throws RangeError for an unknown zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar parts of an instant in a zone. */
export function localParts(ms: number, timeZone: string): { year: number; month: number; day: number; hour: number } {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(ms)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** ISO 8601 week-year and week of a calendar date (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const date = Date.UTC(year, month - 1, day);
  const weekday = (new Date(date).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = date + (3 - weekday) * 86_400_000; // the week's Thursday decides its year
  const weekYear = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(weekYear, 0, 1)) / (7 * 86_400_000)) + 1;
  return { year: weekYear, week };
}

/** The bucket an instant falls in for a period, in a zone: `2026-12-06T21`, `2026-12-06`, `2026-W49`, `2026-12`, `2026`. */
export function bucketKey(ms: number, period: RetentionPeriod, timeZone: string): string {
  const { year, month, day, hour } = localParts(ms, timeZone);
  switch (period) {
    case "hourly":
      return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}`;
    case "daily":
      return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
    case "weekly": {
      const w = isoWeek(year, month, day);
      return `${pad(w.year, 4)}-W${pad(w.week)}`;
    }
    case "monthly":
      return `${pad(year, 4)}-${pad(month)}`;
    case "yearly":
      return pad(year, 4);
  }
}
