import { fromUtf8 } from "../bytes/utf8.js";
import { describeIssue } from "../schema/common.js";

/** A parsed bundle file, or why it could not be parsed. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

interface Schema<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** Parses a bundle file as UTF-8 JSON checked by a zod schema. */
export function parseJsonFile<T>(bytes: Uint8Array | undefined, schema: Schema<T>): Parsed<T> {
  const s = fileText(bytes);
  if (s === undefined) return { ok: false, message: bytes ? "not UTF-8" : "missing" };
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return { ok: false, message: "not JSON" };
  }
  const r = schema.safeParse(v);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: describeIssue(r.error) };
}

/** A bundle file's text, or undefined if it is missing or not UTF-8. */
export function fileText(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? fromUtf8(bytes) : undefined;
}
