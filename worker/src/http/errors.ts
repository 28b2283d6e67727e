import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { logError } from "../log/log-error.js";

/** Stable error codes the API answers with (the `error.code` of every non-2xx body). */
export type ApiErrorCode =
  | "bad-request"
  | "unauthenticated"
  | "forbidden"
  | "not-found"
  | "conflict"
  | "lease-lost"
  | "payload-too-large"
  | "unsupported-media-type"
  | "rate-limited"
  | "unavailable"
  | "internal"
  // Restore claims and transitions (ClaimRejectionSchema in the wire schemas).
  | "already-claimed"
  | "expired"
  | "wrong-org"
  | "unknown-token"
  | "bad-transition";

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
    const body = { error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) } };
    return c.json(body, e.status);
  }
  logError("unhandled error", e, true);
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
}
