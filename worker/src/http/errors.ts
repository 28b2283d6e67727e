import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiError as ApiErrorBody, ApiErrorCode } from "@walwarden/verifier/wire";
import { logError } from "../log/log-error.js";

/** Stable error codes the API answers with (the `error.code` of every non-2xx body): the wire's ApiErrorCodeSchema. */
export type { ApiErrorCode };

/** The one error type of the API: a status, a code and a sentence saying what was wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: string[],
  ) {
    super(message);
  }
}

/** 404 with the same words whether the thing does not exist or belongs to another org. */
export function notFound(what: string): ApiError {
  return new ApiError(404, "not-found", `${what} not found`);
}

/** Renders any thrown error as the wire ApiError body; unknown errors become a 500 that leaks nothing. */
export function errorResponse(e: unknown, c: Context): Response {
  if (e instanceof ApiError) {
    const body: ApiErrorBody = {
      error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) },
    };
    return c.json(body, e.status);
  }
  logError("unhandled error", e, true);
  return c.json({ error: { code: "internal", message: "internal error" } } satisfies ApiErrorBody, 500);
}
