import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/**
 * Answers JSON shaped by its wire schema (`@walwarden/verifier/wire`): the body is checked against the
 * schema's output type when compiled, and worker/test/contract.test.ts parses every route's real answers
 * with the same schemas; it is not re-parsed on each request.
 */
export function reply<S extends z.ZodType>(
  c: Context,
  _schema: S,
  body: z.output<S>,
  status: ContentfulStatusCode = 200,
): Response {
  return c.json(body as object, status);
}
