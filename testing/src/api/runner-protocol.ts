// The runner protocol spoken directly (claim, complete), for tests and benches that need backups without
// running a real runner: a synthetic result stands for a backup that was never made.
import type {
  ClaimRequestSchema,
  ClaimResponseSchema,
  CompleteRequestSchema,
  CompleteResponseSchema,
} from "@walwarden/verifier/wire";
import type { z } from "zod";
import { apiCall, type Dev } from "./api-call.js";

/** A claimed job: the wire's ClaimedJobSchema. */
export type ClaimedJob = NonNullable<z.infer<typeof ClaimResponseSchema>["job"]>;
/** What a runner reports when a backup is done: the wire's CompleteRequestSchema. */
export type CompleteRequest = z.input<typeof CompleteRequestSchema>;
/** A runner's measurements of a backup: the `result` of a complete request. */
export type BackupResult = CompleteRequest["result"];

/** POST /v1/runner/claim as a runner: { job } (null when nothing is queued for these databases). */
export function claimJob(
  dev: Dev,
  runnerToken: string,
  { version = "0.0.0-test", databases }: Partial<z.input<typeof ClaimRequestSchema>> & { databases: string[] },
): Promise<z.infer<typeof ClaimResponseSchema>> {
  return apiCall(dev, "POST", "/v1/runner/claim", { bearer: runnerToken, body: { version, databases } });
}

/** POST /v1/runner/jobs/:id/complete as a runner: reports a leased job done; returns the signed manifest, entry, proof and checkpoint. */
export function completeJob(
  dev: Dev,
  runnerToken: string,
  jobId: string,
  body: CompleteRequest,
): Promise<z.infer<typeof CompleteResponseSchema>> {
  return apiCall(dev, "POST", `/v1/runner/jobs/${encodeURIComponent(jobId)}/complete`, { bearer: runnerToken, body });
}

/** A plausible SHA-256 (hex) of a stored artifact, for synthetic results (no artifact exists). */
export const SYNTHETIC_ARTIFACT_SHA256 = "5e0b3b9c6a1f1f0c3d6f2e8b9a7c4d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c";

/**
 * A runner's result for completeJob as a runner would measure it, for a backup that was never made (the
 * same as worker/test/support/backup-result.ts): its artifact is in bucket `acme-backups` unless overridden.
 */
export function syntheticBackupResult(runnerId: string, overrides: Partial<BackupResult> = {}): BackupResult {
  return {
    startedAt: "2026-11-24T03:00:00.000Z",
    completedAt: "2026-11-24T03:01:30.000Z",
    sizeBytes: 123_456_789,
    compression: "zstd",
    dumpFormat: "custom",
    serverVersion: "16.4",
    pgDumpVersion: "17.2",
    s3: {
      bucket: "acme-backups",
      key: "walwarden/db/2026/11/24/bkp.dump.zst",
      versionId: null,
      etag: '"9b2cf535f27731c974343645a3985328-3"',
      objectLock: null,
    },
    tables: [
      { schema: "public", name: "orders", rows: 1200 },
      { schema: "public", name: "customers", rows: 80 },
    ],
    schemaFingerprint: "a".repeat(64),
    runner: { id: runnerId, version: "0.1.0" },
    ...overrides,
  };
}
