import { bytesEqual } from "../bytes/compare.js";
import { fromUtf8 } from "../bytes/utf8.js";
import { err, ok, type Result } from "../result.js";
import { canonicalBytes } from "./serialize.js";

/** Why bytes were refused as canonical JSON. */
export type ParseCanonicalError = "not-utf8" | "not-json" | "not-canonical";

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/**
 * Parses JSON bytes that must be exactly the RFC 8785 canonical form of the value they denote. The check
 * is by re-serialization, so whitespace, key order, number and string spellings, duplicate keys (JSON.parse
 * keeps the last one, so re-serialization loses a member) and lone-surrogate escapes all fail as not-canonical.
 */
export function parseCanonical(bytes: Uint8Array): Result<unknown, ParseCanonicalError> {
  // Bytes are compared, not strings: the decoder drops a leading BOM, which must still count against the input.
  const text = fromUtf8(bytes);
  if (text === undefined) return err("not-utf8", "bytes are not valid UTF-8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return err("not-json", `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  let canonical: Uint8Array;
  try {
    canonical = canonicalBytes(value);
  } catch (e) {
    // Includes RangeError from nesting too deep to re-serialize: refusing is the safe answer.
    return err("not-canonical", e instanceof Error ? e.message : String(e));
  }
  if (!bytesEqual(canonical, bytes))
    return err("not-canonical", `JSON is not in RFC 8785 canonical form (first difference at byte ${firstDifference(canonical, bytes)})`);
  return ok(value);
}
