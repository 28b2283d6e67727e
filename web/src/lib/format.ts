// Numbers, sizes, durations and times in words a person reads at a glance; exact values go in titles.

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

/** An ISO time as a short local date and time, e.g. "24 Nov 2026, 21:15:02". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
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
