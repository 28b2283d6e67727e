import type { Context } from "hono";
import type { z } from "zod";
import { describeIssue, isWellFormed } from "@walwarden/verifier";
import { cappedBody } from "./capped-body.js";
import { ApiError } from "./errors.js";
import { checkJsonMediaType } from "./media-type.js";

/** Largest JSON body any route accepts (a complete request with 100,000 tables fits). */
export const MAX_JSON_BYTES = 8 * 1024 * 1024;

function issuesOf(error: z.ZodError): string[] {
  return error.issues.slice(0, 20).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
}

/** Parses text against a schema, or throws a 400 that names the first wrong field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ApiError(400, "bad-request", `invalid ${where}: ${describeIssue(parsed.error)}`, issuesOf(parsed.error));
  return parsed.data;
}

/** A step of a path into a JSON value: its key and the step before it (null at the root). */
type PathStep = { key: string; up: PathStep | null } | null;

/** A path's keys joined as zod names a path (`a.b.0`), root first. */
function pathText(step: PathStep): string {
  const keys: string[] = [];
  for (let s = step; s !== null; s = s.up) keys.push(s.key);
  return keys.reverse().join(".");
}

/**
 * The path (as zod names one, `a.b.0`) of the first string in `value`, keys included, that is not
 * well-formed Unicode, or undefined. JSON allows a lone surrogate as a \\u escape; I-JSON (RFC 7493), and
 * so the log's JCS, does not. Iterative: a body may nest deeply; and linear in its size, since each value
 * keeps only a link to its parent's step (copying the path at each level made a body nested 100,000 deep
 * take minutes). A key in the path that holds one is shown with U+FFFD, so the refusal never echoes it.
 */
function illFormedPath(value: unknown): string | undefined {
  const stack: [unknown, PathStep][] = [[value, null]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (!isWellFormed(v)) return pathText(path) || "(root)";
    } else if (v !== null && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (!isWellFormed(k)) return pathText({ key: k.replace(/\p{Cs}/gu, "\uFFFD"), up: path });
        stack.push([x, { key: k, up: path }]);
      }
  }
  return undefined;
}

/**
 * Reads a JSON request body (Content-Type application/json in UTF-8, at most MAX_JSON_BYTES) and parses
 * it. Bytes that are not UTF-8 are refused, not decoded to U+FFFD: what is kept is what was sent.
 */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const media = checkJsonMediaType(c.req.header("content-type"));
  if (!media.ok) throw new ApiError(415, "unsupported-media-type", media.message);
  const bytes = await cappedBody(c.req.raw, MAX_JSON_BYTES);
  if (!bytes) throw new ApiError(413, "payload-too-large", `body is larger than ${MAX_JSON_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "bad-request", "body is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "bad-request", "body is not valid JSON");
  }
  // Refused before the schema, whose messages may quote what they refuse (an unknown key), and before any
  // route: a lone surrogate in a field without its own check would fail the log's canonicalization (a 500).
  const bad = illFormedPath(value);
  if (bad !== undefined)
    throw new ApiError(
      400,
      "bad-request",
      `invalid body: ${bad}: must be well-formed Unicode (it has a lone surrogate)`,
    );
  return parseWith(schema, value, "body");
}

/** Parses the query string (each key once) against a schema. */
export function query<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseWith(schema, c.req.query(), "query");
}

/** Parses a path parameter against a schema. */
export function param<S extends z.ZodType>(c: Context, name: string, schema: S): z.infer<S> {
  return parseWith(schema, c.req.param(name), `path parameter ${name}`);
}
