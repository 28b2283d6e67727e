import { REDACTED, redactKeyValues } from "./key-values.js";

export { REDACTED } from "./key-values.js";

// scheme://user:password@host: the password runs to the last @ of the URL's run of non-space characters,
// so one that contains / @ : or % goes whole (`p@ss` leaves nothing behind). A user without a password
// stays. Bounded repetitions keep the scan linear whatever the text.
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:@/]{0,128}:)\S{0,256}@/gi;
// `Bearer <token>` wherever it appears (RFC 6750 b64token characters).
const BEARER = /(?<![A-Za-z0-9])(bearer[ \t]+)[A-Za-z0-9._~+/=-]+/gi;
// Walwarden's own secrets (wwr_ runner, wwt_ API, wwo_ restore, wwp_ progress, wws_ session): the prefix stays.
const PRODUCT_TOKEN = /(?<![A-Za-z0-9])(ww[a-z]_)[A-Za-z0-9_-]{16,}/g;
/** Known secrets shorter than this are not searched for verbatim (they would blank ordinary words). */
const MIN_KNOWN_LENGTH = 3;

/**
 * Removes credentials from free text before it is logged, stored, printed or sent (a failure reason quoting
 * pg_dump, an error message, a log line). The one redaction of every component: the Worker before anything
 * reaches the append-only log, the runner and the CLI before anything leaves the machine. It removes:
 * `known` secrets verbatim (also percent- and JSON-encoded), the password of any `scheme://user:password@`
 * URL, `Bearer` credentials and Walwarden tokens, and the value of every key=value, `key: value` or JSON
 * field whose key names a secret (password, PGPASSWORD, secret, token, AWS_SECRET_ACCESS_KEY, api_key,
 * X-Amz-Signature, X-Amz-Credential, …). Each is replaced by `[redacted]`; other text is left as it was,
 * and redacting twice changes nothing more. Pure (no platform API), so it runs everywhere the verifier does.
 */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let out = redactKnown(text, known);
  out = out.replace(URL_PASSWORD, `$1${REDACTED}@`);
  out = out.replace(BEARER, `$1${REDACTED}`);
  out = out.replace(PRODUCT_TOKEN, `$1${REDACTED}`);
  return redactKeyValues(out);
}

function redactKnown(text: string, known: readonly (string | undefined)[]): string {
  const forms = new Set<string>();
  for (const s of known) {
    if (!s || s.length < MIN_KNOWN_LENGTH) continue;
    forms.add(s);
    forms.add(percentEncoded(s));
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  let out = text;
  // Longest first, so a secret that contains another goes whole.
  for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join(REDACTED);
  return out;
}

function percentEncoded(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s; // a lone surrogate cannot be percent-encoded, so it cannot appear that way either
  }
}
