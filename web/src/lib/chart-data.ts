import type { Backup } from "@walwarden/verifier/wire";
import { formatTimeParts, fieldsIn } from "./format.js";
import type { TimeZonePreference } from "./preferences.js";

const MiB = 1024 * 1024;
const HOUR = 3600;
const DAY = 86_400;

/** The history chart's columns: completion times (s), sizes (MiB) and durations (s), oldest first; backups without a completion time are left out. */
export function chartData(backups: Backup[]): [number[], number[], number[]] {
  const rows = backups
    .filter((b) => b.completedAt)
    .map((b) => ({ t: Date.parse(b.completedAt!) / 1000, size: b.sizeBytes / MiB, dur: b.durationMs / 1000 }))
    .sort((a, b) => a.t - b.t);
  return [rows.map((r) => r.t), rows.map((r) => r.size), rows.map((r) => r.dur)];
}

/**
 * The time axis's range (s) around the backups' completion times: a twentieth of their span either side,
 * and at least two hours centred on them, so one backup (or several within a minute) sits in the middle of
 * an axis of hours, not of years (uPlot's own range for a single time is years wide).
 */
export function timeRange(min: number | null, max: number | null, now = Date.now() / 1000): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [now - DAY, now];
  const span = max - min;
  if (span < 2 * HOUR) {
    const mid = (min + max) / 2;
    return [mid - HOUR, mid + HOUR];
  }
  return [min - span / 20, max + span / 20];
}

/**
 * The x scale's range for uPlot, given what it asks for (`min`, `max`) and the first and last completion
 * times: around the backups (timeRange) when it asks for its automatic range, which starts at the first
 * time (for a single time uPlot asks for 1000 days after it: its own bug, seconds taken for milliseconds),
 * and exactly what it asks for otherwise (a zoom the viewer dragged).
 */
export function xRange(
  min: number | null,
  max: number | null,
  first: number | undefined,
  last: number | undefined,
): [number, number] {
  if (first === undefined || last === undefined) return timeRange(null, null);
  if (min === null || max === null || (min === first && (max === last || first === last)))
    return timeRange(first, last);
  return [min, max];
}

/**
 * The time axis's labels in the dashboard's date style ("2 Dec 2026, 14:05" cut to what the ticks' spacing
 * needs), in the zone: clock times for ticks under a day apart, with the day under the first tick and
 * wherever the day changes; days ("2 Dec") with the year under the first and at a new year; months
 * ("Dec 2026") for ticks a month or more apart; years beyond. `incr` is uPlot's spacing of the ticks (s).
 */
export function axisLabels(splits: readonly number[], incr: number, zone: TimeZonePreference): string[] {
  let previous: { year: number; month: number; day: number } | undefined;
  return splits.map((s) => {
    const at = new Date(s * 1000);
    const f = fieldsIn(at, zone);
    const newDay = !previous || f.day !== previous.day || f.month !== previous.month || f.year !== previous.year;
    const newYear = !previous || f.year !== previous.year;
    previous = f;
    if (incr < DAY) {
      const clock = formatTimeParts(at, "clock", zone);
      return newDay ? `${clock}\n${formatTimeParts(at, "day-year", zone)}` : clock;
    }
    if (incr < 28 * DAY) {
      const day = formatTimeParts(at, "day", zone);
      return newYear ? `${day}\n${f.year}` : day;
    }
    if (incr < 365 * DAY) return formatTimeParts(at, "month-year", zone);
    return formatTimeParts(at, "year", zone);
  });
}
