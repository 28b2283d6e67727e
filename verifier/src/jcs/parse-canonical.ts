import { fromUtf8 } from "../bytes/utf8.js";
import { err, ok, type Result } from "../result.js";
import { canonicalize } from "./serialize.js";

/** Why bytes were refused as canonical JSON. */
export type ParseCanonicalError = "not-utf8" | "not-json" | "not-canonical";

/**
 * Parses JSON bytes that must be exactly the RFC 8785 canonical form of the value they denote. The check
 * is by re-serialization, so whitespace, key order, number and string spellings, duplicate keys (JSON.parse
 * keeps the last one, so re-serialization loses a member) and lone-surrogate escapes all fail as not-canonical.
 */
export function parseCanonical(bytes: Uint8Array): Result<unknown, ParseCanonicalError> {
  // The decoder drops a leading BOM, which must still count against the input: canonical JSON never has one.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return err("not-canonical", "JSON starts with a byte-order mark");
  const text = fromUtf8(bytes);
  if (text === undefined) return err("not-utf8", "bytes are not valid UTF-8");
  return parseCanonicalText(text);
}

/** `parseCanonical` for text already decoded from UTF-8 (no BOM check: the caller decoded it). */
export function parseCanonicalText(text: string): Result<unknown, Exclude<ParseCanonicalError, "not-utf8">> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return err("not-json", `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (isCanonicalFast(value, text)) return ok(value);
  let canonical: string;
  try {
    canonical = canonicalize(value);
  } catch (e) {
    // Includes RangeError from nesting too deep to re-serialize: refusing is the safe answer.
    return err("not-canonical", e instanceof Error ? e.message : String(e));
  }
  if (canonical !== text)
    return err(
      "not-canonical",
      `JSON is not in RFC 8785 canonical form (first difference at character ${firstDifference(canonical, text)})`,
    );
  return ok(value);
}

/**
 * An exact shortcut, about 3× cheaper than re-serializing: ECMAScript's JSON.stringify writes numbers and
 * escapes strings exactly as RFC 8785 does (JCS was designed on it) and writes members in property order.
 * So if stringify reproduces the text, every object's property order is UTF-16 sorted, and no string holds
 * a lone surrogate (which JCS refuses but stringify escapes), the text is canonical. Anything else goes to
 * the full check, which decides.
 */
function isCanonicalFast(value: unknown, text: string): boolean {
  try {
    return JSON.stringify(value) === text && !LONE_SURROGATE_ESCAPE.test(text) && keysSorted(value);
  } catch {
    // Nesting too deep for stringify or for keysSorted's recursion (runtimes differ): the full check decides.
    return false;
  }
}

// Any \uD800–\uDFFF escape sends the text to the full check (paired ones too: they are rare and it is exact).
const LONE_SURROGATE_ESCAPE = /\\u[dD][89abcdefABCDEF]/;

function keysSorted(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return true;
  if (Array.isArray(v)) return v.every(keysSorted);
  const keys = Object.keys(v);
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) return false;
  return keys.every((k) => keysSorted((v as Record<string, unknown>)[k]));
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
