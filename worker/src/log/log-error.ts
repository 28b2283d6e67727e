import { redactSecrets } from "@walwarden/verifier";

/** Writes an error to the Worker's log (console.error), with any credential in its message redacted. */
export function logError(what: string, e: unknown, withStack = false): void {
  const text = e instanceof Error ? ((withStack ? e.stack : undefined) ?? e.message) : String(e);
  console.error(what, redactSecrets(text));
}
