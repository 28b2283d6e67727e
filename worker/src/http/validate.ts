import type { Context } from "hono";
import type { z } from "zod";
import { describeIssue } from "@walwarden/verifier";
import { cappedBody } from "./capped-body.js";
import { ApiError } from "./errors.js";

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

/** A lone surrogate: JSON allows one as a \u escape; I-JSON (RFC 7493), and so the log's JCS, does not. */
const LONE_SURROGATE = /\p{Cs}/u;

/** True if every string in `value`, keys too, is well-formed Unicode. Iterative: a body may nest deeply. */
function wellFormed(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) return false;
    } else if (v !== null && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return false;
        stack.push(x);
      }
  }
  return true;
}

/** Reads a JSON request body (Content-Type application/json, at most MAX_JSON_BYTES) and parses it. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type))
    throw new ApiError(415, "unsupported-media-type", "send the body as application/json");
  const bytes = await cappedBody(c.req.raw, MAX_JSON_BYTES);
  if (!bytes) throw new ApiError(413, "payload-too-large", `body is larger than ${MAX_JSON_BYTES} bytes`);
  const text = new TextDecoder().decode(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "bad-request", "body is not valid JSON");
  }
  // Refused here, before any route sees it: a name with a lone surrogate passed its schema and then failed
  // the log's canonicalization as a 500.
  if (!wellFormed(value))
    throw new ApiError(
      400,
      "bad-request",
      "body is not I-JSON: a string has a lone surrogate (\\uD800–\\uDFFF unpaired)",
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
