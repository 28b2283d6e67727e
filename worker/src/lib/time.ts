/** Epoch milliseconds as an RFC 3339 instant with milliseconds (the wire's Instant), or null. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
