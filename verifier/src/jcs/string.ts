// In unicode mode a class of surrogate code units matches only unpaired ones: a valid pair is read as
// one astral code point and falls outside the class.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// RFC 8785 §3.2.2.2 escapes exactly these: the C0 controls, the quotation mark and the reverse solidus.
const MUST_ESCAPE = /[\u0000-\u001F"\\]/g;
const SHORT_ESCAPES: Record<string, string> = {
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
  '"': '\\"',
  "\\": "\\\\",
};

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** True when a string has no unpaired surrogate, i.e. it has a UTF-8 encoding and so a canonical form. */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * The RFC 8785 §3.2.2.2 string literal: the two-character escapes for \b \t \n \f \r " \\, \u00xx (lower-case
 * hex) for the other C0 controls, and every other character (including DEL, U+2028 and "/") as itself.
 * Throws TypeError for a string with a lone surrogate, which has no canonical form (RFC 8785 §3.2.2.2).
 */
export function serializeString(s: string, path: string): string {
  if (!isWellFormed(s)) throw new TypeError(`JCS: cannot canonicalize ${path}: string contains a lone surrogate`);
  return `"${s.replace(MUST_ESCAPE, escapeChar)}"`;
}
