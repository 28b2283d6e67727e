// Restores through the API: the bucket credential the Worker presigns with, issuing a restore as an
// operator, and claiming and reporting it as the CLI does.
import type {
  BucketCredentialRequestSchema,
  ClaimRestoreRequestSchema,
  ClaimRestoreResponseSchema,
  IssueRestoreResponseSchema,
  ProgressRequestSchema,
  TransitionRequestSchema,
  TransitionResponseSchema,
} from "@walwarden/verifier/wire";
import type { z } from "zod";
import { apiCall, type Dev } from "./api-call.js";

/** A claim's answer: the wire's ClaimRestoreResponseSchema. */
export type ClaimedRestore = z.infer<typeof ClaimRestoreResponseSchema>;
/** An issued restore, with its one-time token: the wire's IssueRestoreResponseSchema. */
export type IssuedRestore = z.infer<typeof IssueRestoreResponseSchema>;

/** A bucket credential as the Worker keeps it (PUT /v1/buckets/:bucket answers with it, without the secret). */
export interface BucketCredentialRecord {
  bucket: string;
  endpoint: string | null;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  updatedBy: string;
  updatedAt: string;
}

/**
 * PUT /v1/buckets/:bucket (admin): the read-only credential restores presign downloads with (nothing
 * contacts the bucket).
 */
export function putBucketCredential(
  dev: Dev,
  cookie: string,
  bucket: string,
  credential: z.input<typeof BucketCredentialRequestSchema>,
): Promise<BucketCredentialRecord> {
  return apiCall(dev, "PUT", `/v1/buckets/${encodeURIComponent(bucket)}`, { cookie, body: credential });
}

/** POST /v1/restores (operator): issues a restore of a backup (the one-time token is in this answer only). */
export function issueRestore(dev: Dev, cookie: string, backupId: string): Promise<IssuedRestore> {
  return apiCall(dev, "POST", "/v1/restores", { cookie, body: { backupId } });
}

/** POST /v1/restores/claim as the CLI: consumes the one-time token; the answer carries the `progressToken`. */
export function claimRestore(
  dev: Dev,
  {
    token,
    orgId,
    clientVersion = "0.0.0-bench",
  }: Omit<z.input<typeof ClaimRestoreRequestSchema>, "clientVersion"> & { clientVersion?: string },
): Promise<ClaimedRestore> {
  return apiCall(dev, "POST", "/v1/restores/claim", { body: { token, orgId, clientVersion } });
}

/** POST /v1/restores/:id/transition as the CLI (Bearer progressToken); resolves once the transition is logged. */
export function reportTransition(
  dev: Dev,
  restoreId: string,
  progressToken: string,
  transition: z.input<typeof TransitionRequestSchema>,
): Promise<z.infer<typeof TransitionResponseSchema>> {
  return apiCall(dev, "POST", `/v1/restores/${encodeURIComponent(restoreId)}/transition`, {
    bearer: progressToken,
    body: transition,
  });
}

/** POST /v1/restores/:id/progress as the CLI (Bearer progressToken): live numbers, streamed to viewers, never logged. */
export function reportProgress(
  dev: Dev,
  restoreId: string,
  progressToken: string,
  progress: z.input<typeof ProgressRequestSchema>,
): Promise<void> {
  return apiCall(dev, "POST", `/v1/restores/${encodeURIComponent(restoreId)}/progress`, {
    bearer: progressToken,
    body: progress,
  });
}
