import type { Env } from "../env.js";
import { ApiError } from "../http/errors.js";
import type { ApiErrorCode } from "../http/errors.js";
import type { IssueParams, RestoreView, SessionErrorCode, Transition } from "./restore-session.js";
import type { ProgressRequestSchema, TransitionRequestSchema } from "@walwarden/verifier/wire";
import type { z } from "zod";
import type { Result } from "@walwarden/verifier";
import type { ContentfulStatusCode } from "hono/utils/http-status";

type R<T> = Promise<Result<T, SessionErrorCode>>;

/** A restore's RestoreSession, with its RPC methods typed as the session declares them (not as RPC-wrapped types). */
export interface Session {
  issue(p: IssueParams): R<Transition>;
  claim(
    tokenSha256: string,
    orgId: string,
    clientVersion: string,
    now: number,
  ): R<{ progressToken: string; restore: RestoreView }>;
  transition(progressToken: string, t: z.infer<typeof TransitionRequestSchema>, now: number): R<Transition>;
  progress(progressToken: string, p: z.infer<typeof ProgressRequestSchema>, now: number): R<void>;
  cancel(actor: string, now: number): R<Transition>;
  view(): Promise<RestoreView>;
  fetch(request: Request): Promise<Response>;
}

/** The restore's RestoreSession stub. */
export function sessionOf(env: Env, restoreId: string): Session {
  return env.RESTORE_SESSION.get(env.RESTORE_SESSION.idFromName(restoreId)) as unknown as Session;
}

const STATUS: Record<SessionErrorCode, [ContentfulStatusCode, string]> = {
  "already-claimed": [409, "already-claimed"],
  expired: [410, "expired"],
  cancelled: [410, "cancelled"],
  "wrong-org": [403, "wrong-org"],
  "unknown-token": [404, "unknown-token"],
  "not-found": [404, "not-found"],
  unauthenticated: [401, "unauthenticated"],
  "bad-transition": [409, "bad-transition"],
  "not-cancellable": [409, "conflict"],
  "log-unavailable": [503, "unavailable"],
};

/** Unwraps a session result for a route: each refusal is its documented status and code. */
export function unwrapSession<T>(r: Result<T, SessionErrorCode>): T {
  if (r.ok) return r.value;
  const [status, code] = STATUS[r.code];
  throw new ApiError(status, code as ApiErrorCode, r.message);
}
