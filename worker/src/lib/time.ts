/** Epoch milliseconds as an RFC 3339 instant with milliseconds (the wire's Instant), or null. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** A duration for people: whole minutes as minutes ("15 minutes", "1 minute"), anything else in seconds. */
export function durationText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [n, unit] = seconds % 60 === 0 && seconds > 0 ? [seconds / 60, "minute"] : [seconds, "second"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}
