import { z } from "zod";
import { DsseEnvelopeSchema } from "../dsse/envelope.js";
import { InclusionProofSchema } from "../log/inclusion-proof.js";
import { Id, Instant } from "../schema/common.js";

/** POST /v1/restores: an operator asks to restore a backup. */
export const IssueRestoreRequestSchema = z.strictObject({ backupId: Id });
/** Answer to issue: the one-time token (shown once) and the exact CLI command. */
export const IssueRestoreResponseSchema = z.strictObject({
  restoreId: Id,
  token: z.string().min(43),
  expiresAt: Instant,
  command: z.string().min(1),
});

/** POST /v1/restores/claim: the CLI presents the token. */
export const ClaimRestoreRequestSchema = z.strictObject({ token: z.string().min(43).max(256), clientVersion: z.string().min(1).max(64) });
/** Answer to claim: everything the CLI needs to download and verify, never the target's credentials. */
export const ClaimRestoreResponseSchema = z.strictObject({
  restoreId: Id,
  backupId: Id,
  envelope: DsseEnvelopeSchema,
  proof: InclusionProofSchema,
  checkpoint: z.string().min(1),
  download: z.strictObject({ url: z.url(), expiresAt: Instant, sizeBytes: z.number().int().nonnegative() }),
  progressToken: z.string().min(43),
});

/** The transitions a CLI reports after claiming. */
export const ReportedState = z.enum(["downloading", "verifying", "restoring", "completed", "failed"]);

/** POST /v1/restores/:restoreId/transition: a state change, logged. */
export const TransitionRequestSchema = z.strictObject({
  state: ReportedState,
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  dryRun: z.boolean().optional(),
  stage: z.string().min(1).max(64).optional(),
  reason: z.string().min(1).max(4000).optional(),
});

/** POST /v1/restores/:restoreId/progress: live numbers between transitions, streamed but not logged. */
export const ProgressRequestSchema = z.strictObject({
  phase: z.enum(["downloading", "verifying", "restoring"]),
  bytes: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative().nullable(),
  bytesPerSecond: z.number().nonnegative(),
});
