import { fromUtf8 } from "../bytes/utf8.js";
import { err, ok, type Result } from "../result.js";
import { describeIssue } from "../schema/common.js";

interface Schema<T> {
  safeParse(
    v: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** Parses a bundle file as UTF-8 JSON checked by a zod schema. */
export function parseJsonFile<T>(bytes: Uint8Array | undefined, schema: Schema<T>): Result<T, "bad-file"> {
  const s = fileText(bytes);
  if (s === undefined) return err("bad-file", bytes ? "not UTF-8" : "missing");
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return err("bad-file", "not JSON");
  }
  const r = schema.safeParse(v);
  return r.success ? ok(r.data) : err("bad-file", describeIssue(r.error));
}

/** A bundle file's text, or undefined if it is missing or not UTF-8. */
export function fileText(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? fromUtf8(bytes) : undefined;
}
