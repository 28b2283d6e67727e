import { z } from "zod";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * --api: the Walwarden API's base URL, https (plain http only on loopback, for a local deployment: the
 * one-time token and the progress credential travel in these requests). Normalized without a trailing slash.
 */
export const ApiUrl = z
  .string()
  .min(1, "is required")
  .refine((s) => URL.canParse(s), "not a URL (e.g. https://api.walwarden.example)")
  .transform((s) => new URL(s))
  .refine(
    (u) => u.protocol === "https:" || (u.protocol === "http:" && LOOPBACK.has(u.hostname)),
    "must be an https:// URL (plain http only for localhost)",
  )
  .refine(
    (u) => !u.username && !u.password && !u.search && !u.hash,
    "must not carry credentials, a query or a fragment",
  )
  .transform((u) => `${u.origin}${u.pathname.replace(/\/+$/, "")}`);

/** An exact schema or table name for --schema / --table (never a pattern: row counts must cover exactly what is restored). */
export const ObjectName = z
  .string()
  .min(1, "an empty name")
  .max(63, "names are at most 63 bytes")
  .regex(/^[^\x00-\x1f"*?]+$/, "an exact name (no quotes, wildcards or control characters)");

/** Repeatable string options arrive as arrays. */
export const StringList = z.array(z.string()).default([]);
