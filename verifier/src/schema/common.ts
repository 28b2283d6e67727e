import { z } from "zod";
import { isWellFormed } from "../jcs/string.js";

/** An opaque Walwarden identifier: letters, digits and `_ . : -`, at most 128 characters. */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, "ids use letters, digits, _ . : -");
/** A UTC instant in RFC 3339 form with milliseconds, e.g. 2026-11-24T13:00:00.000Z. */
export const Instant = z.iso.datetime({ offset: false, precision: 3 });
/**
 * An instant as a person or script sends it: any RFC 3339 date-time with a zone (`Z` or an offset), at most
 * millisecond precision, normalised to the UTC form above (2026-11-01T00:00:00.000Z).
 */
export const ZonedInstant = z.iso
  .datetime({ offset: true, message: "expected an RFC 3339 instant with a zone, e.g. 2026-11-01T00:00:00.000Z" })
  .refine((s) => !/\.\d{4,}/.test(s), "at most millisecond precision")
  .transform((s) => new Date(s).toISOString());
/** 64 lower-case hex digits (a SHA-256). */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lower-case hex digits");

// A lone surrogate has no UTF-8 form: D1 would keep U+FFFD instead of what was sent, and the log's
// canonical JSON cannot hold it at all. So every text the API takes is refused with one.
const LONE_SURROGATE = "must be well-formed Unicode (it has a lone surrogate)";
// C0 and C1 controls (NUL, newline, tab, ESC …), DEL and the Unicode line and paragraph separators: none
// belongs in a key, a region, a version or a name, and each can forge a line in a log or a header.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** The string schema `s`, also refusing a lone surrogate: for free text that may span lines (a failure reason). */
export function wellFormed<S extends z.ZodType<string>>(s: S): S {
  return s.refine(isWellFormed, LONE_SURROGATE);
}

/** The string schema `s`, also refusing a lone surrogate, control characters and line breaks: for one-line fields. */
export function singleLine<S extends z.ZodType<string>>(s: S): S {
  return wellFormed(s).refine((v) => !CONTROL.test(v), "must not contain control characters or line breaks");
}

/** Any free text: well-formed Unicode, line breaks allowed. */
export const FreeText = wellFormed(z.string());
/** One line of text: well-formed Unicode without control characters or line breaks. */
export const SingleLine = singleLine(z.string());

/** The first zod issue as `path: message`, for error messages that say what was wrong. */
export function describeIssue(e: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = e.issues[0];
  return i ? `${i.path.map(String).join(".") || "(root)"}: ${i.message}` : "invalid";
}
