// Numbers, sizes, durations and times in words a person reads at a glance; exact values go in titles.
import { matchPath } from "./match-path.js";
import { currentTimeZone, intlTimeZone, type TimeZonePreference } from "./preferences.js";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 57000000 → "54.4 MiB"; three significant digits from 100 up ("118 MiB"). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${UNITS[u]}`;
}

/** 90000 → "1 min 30 s"; under a second in ms. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h / 24} d`;
}

/** An age in seconds as "4 min ago", "just now". */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 10) return "just now";
  return `${formatDuration(seconds * 1000)} ago`;
}

/** Seconds between an ISO time and now (never negative). */
export function ageSeconds(iso: string | null | undefined, now = Date.now()): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : Math.max(0, Math.floor((now - t) / 1000));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const numeric = new Map<TimeZonePreference, Intl.DateTimeFormat>();

/** An instant's calendar fields in the zone (this computer's, or UTC). */
export function fieldsIn(
  at: Date,
  zone: TimeZonePreference,
): { year: number; month: number; day: number; hour: number; minute: number } {
  let f = numeric.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
      timeZone: intlTimeZone(zone),
    });
    numeric.set(zone, f);
  }
  const n = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, Number(p.value)]));
  return { year: n.year!, month: n.month!, day: n.day!, hour: n.hour! % 24, minute: n.minute! };
}

/** The parts of the dashboard's one date style, "2 Dec 2026, 14:05": for the chart's axis and the rest. */
export function formatTimeParts(
  at: Date,
  parts: "day" | "day-year" | "month-year" | "year" | "clock" | "full",
  zone: TimeZonePreference = currentTimeZone(),
): string {
  const f = fieldsIn(at, zone);
  const clock = `${String(f.hour).padStart(2, "0")}:${String(f.minute).padStart(2, "0")}`;
  const day = `${f.day} ${MONTHS[f.month - 1]}`;
  switch (parts) {
    case "day":
      return day;
    case "day-year":
      return `${day} ${f.year}`;
    case "month-year":
      return `${MONTHS[f.month - 1]} ${f.year}`;
    case "year":
      return String(f.year);
    case "clock":
      return clock;
    case "full":
      return `${day} ${f.year}, ${clock}`;
  }
}

/**
 * An ISO time in the dashboard's one style, in the zone chosen in the header (or `zone`): "2 Dec 2026, 14:05"
 * in local time, "2 Dec 2026, 14:05 UTC" in UTC. The exact instant goes in a title (the Time component).
 */
export function formatTime(iso: string | null | undefined, zone: TimeZonePreference = currentTimeZone()): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = formatTimeParts(d, "full", zone);
  return zone === "utc" ? `${text} UTC` : text;
}

/** The clock time of an ISO time in the zone chosen in the header (or `zone`): "14:05", or "14:05 UTC". */
export function formatClock(iso: string, zone: TimeZonePreference = currentTimeZone()): string {
  const text = formatTimeParts(new Date(iso), "clock", zone);
  return zone === "utc" ? `${text} UTC` : text;
}

/** The start of a hex hash for a table cell ("3f9a1c…e21b"); the full value goes in a title. */
export function shortHash(hex: string | null | undefined, head = 12): string {
  if (!hex) return "—";
  return hex.length <= head + 6 ? hex : `${hex.slice(0, head)}…${hex.slice(-4)}`;
}

/** A target RPO in minutes as words: 60 → "1 h", 1440 → "1 d". */
export function formatMinutes(minutes: number | null | undefined): string {
  return minutes === null || minutes === undefined ? "—" : formatDuration(minutes * 60_000);
}

/** Each screen's title by its path pattern (routes.tsx): ids go in the title, not the screen's text. */
const TITLES: readonly [pattern: string, title: (p: Record<string, string>) => string][] = [
  ["/databases", () => "Databases"],
  ["/databases/:id", (p) => `Database ${p.id}`],
  ["/backups/:id", (p) => `Backup ${p.id}`],
  ["/drills/:id", (p) => `Drill ${p.id}`],
  ["/restores", () => "Restores"],
  ["/restores/:id", (p) => `Restore ${p.id}`],
  ["/log", () => "Audit log"],
  ["/jobs", () => "Jobs"],
  ["/runners", () => "Runners"],
  ["/witnesses", () => "Witnesses"],
  ["/evidence", () => "Evidence export"],
  ["/alerts", () => "Alerts"],
  ["/alerts/channels", () => "Alert channels"],
  ["/welcome", () => "Get started"],
  ["/settings", () => "Settings"],
  ["/settings/users", () => "Users · Settings"],
  ["/settings/tokens", () => "API tokens · Settings"],
  ["/settings/buckets", () => "Buckets · Settings"],
];

/**
 * The document title of the screen at `path`: "Databases · Walwarden", "Backup bkp_… · Walwarden"; any other
 * path is "Not found · Walwarden" (what routes.tsx shows there): a new screen adds its title above.
 */
export function screenTitle(path: string): string {
  for (const [pattern, title] of TITLES) {
    const p = matchPath(pattern, path);
    if (p) return `${title(p)} · Walwarden`;
  }
  return path === "/" || path === "/index.html" ? "Walwarden" : "Not found · Walwarden";
}
