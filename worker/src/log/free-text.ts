import { clipText, redactSecrets } from "@walwarden/verifier";

/** The free-text fields of log entries and their longest lengths (verifier/src/log/event-data.ts). */
const FREE_TEXT_FIELDS: Readonly<Record<string, number>> = { reason: 4000, stage: 64, clientVersion: 64 };

/**
 * A free text from a runner or a CLI, made fit to store, log and stream: credentials redacted (the one
 * redaction, from the verifier), then cut to `max` (redacting can lengthen a text past its limit).
 */
export function safeText(text: string, max: number): string {
  return clipText(redactSecrets(text), max);
}

/**
 * An event's data with each free-text field (reason, stage, clientVersion) made safe. The Ledger applies it
 * to every entry it writes, whoever appended it: the log is append-only, so a secret that reaches it stays.
 */
export function redactEventData(data: unknown): unknown {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return data;
  let out: Record<string, unknown> | undefined;
  for (const [field, max] of Object.entries(FREE_TEXT_FIELDS)) {
    const value = (data as Record<string, unknown>)[field];
    if (typeof value !== "string") continue;
    const safe = safeText(value, max);
    if (safe === value) continue;
    out ??= { ...(data as Record<string, unknown>) };
    out[field] = safe;
  }
  return out ?? data;
}
