/** What a redacted value is replaced with, everywhere. */
export const REDACTED = "[redacted]";

// A key names a secret when it contains one of these words (PGPASSWORD, AWS_SECRET_ACCESS_KEY,
// X-Amz-Signature, X-Amz-Credential, clientSecret, api_key, …) or is one of the short names on its own.
// Bounded repetitions keep the scan linear on long identifier runs.
const LONG =
  "passw(?:or)?d|passphrase|secret|token|signature|credential|api[_-]?key|access[_-]?key|private[_-]?key|authorization|cookie";
const SHORT = "pass|pwd|pw|sig|auth";
const KEY = new RegExp(
  String.raw`(?<![A-Za-z0-9_.-])(\\*["']?)((?:[A-Za-z0-9_.-]{0,40}?(?:${LONG})[A-Za-z0-9_.-]{0,40})|(?:${SHORT}))\1[ \t]*[=:][ \t]*`,
  "gi",
);
/** An HTTP authorization scheme before a credential (`Authorization: Bearer x`): kept, the credential goes. */
const SCHEME = /^(?:bearer|basic|digest|token|negotiate)[ \t]+/i;
/** Where an unquoted value ends: whitespace, a quote, the next query parameter, or clipText's `…`. */
const UNQUOTED_END = /[\s"'&…]/;

/**
 * Redacts the value of every `key=value`, `key: value`, `"key": "value"` (also inside escaped JSON, `\"key\":
 * \"value\"`) and `KEY='a b'` whose key names a secret. A quoted value runs to its closing quote (to the end
 * of the text if it has none: a clipped text must not leak the rest of a secret); an unquoted one to the
 * next whitespace, quote, `&` or `…`.
 */
export function redactKeyValues(text: string): string {
  let out = "";
  let copied = 0;
  KEY.lastIndex = 0;
  for (let m = KEY.exec(text); m; m = KEY.exec(text)) {
    const start = m.index + m[0].length;
    const value = valueAt(text, start, /auth/i.test(m[2]!));
    if (!value) continue;
    out += text.slice(copied, value.from) + REDACTED;
    copied = value.to;
    KEY.lastIndex = Math.max(value.to, KEY.lastIndex);
  }
  return out + text.slice(copied);
}

/** The extent [from, to) of the value that starts at `i`, without its quotes (or authorization scheme). */
function valueAt(text: string, i: number, authorization: boolean): { from: number; to: number } | undefined {
  const quote = /^(\\*)(["'])/.exec(text.slice(i, i + 64));
  if (quote) {
    const from = i + quote[0].length;
    const to = closingQuote(text, from, quote[2]!, quote[1]!.length);
    return to > from ? { from, to } : undefined;
  }
  const scheme = authorization ? SCHEME.exec(text.slice(i, i + 64)) : null;
  const from = i + (scheme ? scheme[0].length : 0);
  let to = from;
  while (to < text.length && !UNQUOTED_END.test(text[to]!)) to++;
  return to > from ? { from, to } : undefined;
}

/**
 * Where the value opened by `k` backslashes and `q` ends (the start of its closing delimiter), or the end of
 * the text. At JSON escaping depth d (k = 2^d − 1) a quote inside the value is preceded by 2^(d+1) − 1
 * backslashes and a backslash by 2^(d+1): so a quote closes the value when the backslashes before it number
 * k plus a multiple of 2^(d+1). (Shell and libpq quoting, `'it\'s'`, is depth 0.)
 */
function closingQuote(text: string, from: number, q: string, k: number): number {
  const period = 2 * (k + 1);
  for (let at = text.indexOf(q, from); at >= 0; at = text.indexOf(q, at + 1)) {
    let run = 0;
    while (at - run - 1 >= from && text[at - run - 1] === "\\") run++;
    if (run >= k && (run - k) % period === 0) return at - k;
  }
  return text.length;
}
