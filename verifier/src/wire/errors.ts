import { z } from "zod";

/** The stable `error.code` of every non-2xx API answer. */
export const ApiErrorCodeSchema = z.enum([
  "bad-request",
  "unauthenticated",
  "forbidden",
  "not-found",
  "conflict",
  "lease-lost",
  // complete under a lease that already completed with another body (CompleteRefusalCodeSchema).
  "completion-mismatch",
  "payload-too-large",
  "unsupported-media-type",
  "rate-limited",
  "unavailable",
  "internal",
  // Restore claims and transitions (ClaimRejectionSchema).
  "already-claimed",
  "expired",
  "wrong-org",
  "unknown-token",
  "cancelled",
  "bad-transition",
]);
/** An API error code. */
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

/** Every non-2xx API answer: a stable code and a sentence that says what was wrong. */
export const ApiErrorSchema = z.strictObject({
  error: z.strictObject({
    code: ApiErrorCodeSchema,
    message: z.string().min(1),
    issues: z.array(z.string()).optional(),
  }),
});
/** An API error body. */
export type ApiError = z.infer<typeof ApiErrorSchema>;

/**
 * The runner protocol's refusals of `complete` (409), and what each guarantees about signing. A runner may
 * delete an uploaded object only on a guarantee that nothing was signed for it:
 * - `lease-lost`: no completion was ever recorded under this lease, and none can be from now on (the job
 *   was re-queued, failed, or completed under another lease; a job keeps the lease its completion was
 *   recorded under for good). Nothing was signed for this lease: the object may be deleted.
 * - `completion-mismatch`: this lease already completed with a different body. Nothing was signed for
 *   this body, but a manifest was signed for the lease, maybe over the same object: keep it.
 * A 200 from `fail` gives the same guarantee as `lease-lost` (fail ends only a lease with no recorded
 * completion). Anything else (a timeout, a 5xx, `unavailable`, an answer that does not parse) says
 * nothing: the completion may have been signed and logged; retry it with the same body.
 */
export const CompleteRefusalCodeSchema = z.enum(["lease-lost", "completion-mismatch"]);
/** A refusal code of `complete`. */
export type CompleteRefusalCode = z.infer<typeof CompleteRefusalCodeSchema>;
