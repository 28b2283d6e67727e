import { z } from "zod";

/** An opaque Walwarden identifier: letters, digits and `_ . : -`, at most 128 characters. */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, "ids use letters, digits, _ . : -");
/** A UTC instant in RFC 3339 form with milliseconds, e.g. 2026-11-24T13:00:00.000Z. */
export const Instant = z.iso.datetime({ offset: false, precision: 3 });
/** 64 lower-case hex digits (a SHA-256). */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lower-case hex digits");

/** The first zod issue as `path: message`, for error messages that say what was wrong. */
export function describeIssue(e: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = e.issues[0];
  return i ? `${i.path.map(String).join(".") || "(root)"}: ${i.message}` : "invalid";
}
