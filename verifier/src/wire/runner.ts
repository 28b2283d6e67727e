import { z } from "zod";
import { DsseEnvelopeSchema } from "../dsse/envelope.js";
import { InclusionProofSchema } from "../log/inclusion-proof.js";
import { MAX_MANIFEST_TABLES, PgDumpPredicateSchema } from "../manifest/predicate.js";
import { Id, Instant, Sha256Hex, singleLine, wellFormed } from "../schema/common.js";
import { AssertionSchema, MAX_ASSERTIONS } from "../drill/assertion.js";
import { DRILL_TARGET_KINDS } from "../drill/predicate.js";
import { JOB_KINDS } from "../jobs/job-state.js";
import { BucketPostureSchema } from "../posture/posture.js";
import { RetentionPolicyShape } from "../retention/policy.js";
import { JobPhaseSchema } from "./jobs.js";
import { MAX_PRUNE_TARGETS, PruneTargetSchema } from "./retention.js";

/** A tree size as decimal text (sizes run to 2^63 − 1, past JSON's exact integers). */
const TreeSizeText = z.string().regex(/^(0|[1-9][0-9]{0,18})$/, "a tree size in decimal");

/** POST /v1/runner/claim: a runner asks for work. */
export const ClaimRequestSchema = z.strictObject({
  version: singleLine(z.string().min(1).max(64)),
  databases: z.array(Id).max(1000),
  /** The kinds of job this runner can run; a runner that predates drills sends none and gets backups only. */
  kinds: z.array(z.enum(JOB_KINDS)).min(1).max(JOB_KINDS.length).default(["backup"]),
  /** The bucket's posture as the runner last read it (SPEC §12); sent every few minutes, not on every claim. */
  posture: BucketPostureSchema.optional(),
  /** The size of the checkpoint this runner accepted as its org's witness (SPEC §13); "0" before its first. */
  witness: z.strictObject({ size: TreeSizeText }).optional(),
});

/** A claimed backup job with its lease; the lease id fences heartbeat, complete and fail. */
export const ClaimedBackupJobSchema = z.strictObject({
  kind: z.literal("backup"),
  jobId: Id,
  databaseId: Id,
  scheduleId: Id.nullable(),
  attempt: z.number().int().min(1),
  leaseId: Id,
  leaseExpiresAt: Instant,
  backupId: Id,
  /** The claiming runner's id: the runner puts it in its result (result.runner.id). */
  runnerId: Id,
  /**
   * The database's retention policy's lockDaysFor (SPEC §12): with Object Lock configured, the runner locks
   * the new objects at least this long, so what the policy keeps the lock protects. Null: no policy, or a
   * keepLast-only one; the runner's configured lock applies.
   */
  minLockDays: z.number().int().positive().nullable().default(null),
});
/** A claimed backup job. */
export type ClaimedBackupJob = z.infer<typeof ClaimedBackupJobSchema>;

/**
 * A claimed restore drill (SPEC §11): which backup to restore (the runner reads its kit and artifact from
 * its own bucket and verifies them), where, and what to check. Its lease works as a backup's.
 */
export const ClaimedDrillJobSchema = z.strictObject({
  kind: z.literal("drill"),
  jobId: Id,
  drillId: Id,
  orgId: Id,
  databaseId: Id,
  attempt: z.number().int().min(1),
  leaseId: Id,
  leaseExpiresAt: Instant,
  runnerId: Id,
  backupId: Id,
  /** The backup's artifact as its manifest names it, and the manifest envelope's SHA-256 (from the log). */
  artifact: z.strictObject({
    bucket: z.string().min(1).max(255),
    key: z.string().min(1).max(1024),
    sha256: Sha256Hex,
    sizeBytes: z.number().int().nonnegative(),
  }),
  manifestSha256: Sha256Hex,
  target: z.enum(DRILL_TARGET_KINDS),
  maxRtoSeconds: z.number().int().positive().nullable(),
  assertions: z.array(AssertionSchema).max(MAX_ASSERTIONS),
});
/** A claimed drill. */
export type ClaimedDrillJob = z.infer<typeof ClaimedDrillJobSchema>;

/** A claimed prune (SPEC §12): the backups retention expired, to delete if the runner's checks allow it. */
export const ClaimedPruneJobSchema = z.strictObject({
  kind: z.literal("prune"),
  jobId: Id,
  databaseId: Id,
  attempt: z.number().int().min(1),
  leaseId: Id,
  leaseExpiresAt: Instant,
  runnerId: Id,
  decidedAt: Instant,
  policy: RetentionPolicyShape,
  targets: z.array(PruneTargetSchema).min(1).max(MAX_PRUNE_TARGETS),
});
/** A claimed prune. */
export type ClaimedPruneJob = z.infer<typeof ClaimedPruneJobSchema>;

/** A claimed job of any kind. */
export const ClaimedJobSchema = z.discriminatedUnion("kind", [
  ClaimedBackupJobSchema,
  ClaimedDrillJobSchema,
  ClaimedPruneJobSchema,
]);
/** A claimed job. */
export type ClaimedJob = z.infer<typeof ClaimedJobSchema>;
/** Answer to claim: a job, or null when there is nothing to do. */
/** What a witnessing runner is handed when the log has grown past its accepted size (SPEC §13). */
export const WitnessViewSchema = z.strictObject({
  /** The newest signed checkpoint (signed note text). */
  checkpoint: z.string().min(1).max(16_384),
  /** RFC 9162 consistency proof, base64 hashes, from the runner's accepted size (empty from 0). */
  proof: z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/)).max(64),
});
/** A witness view. */
export type WitnessView = z.infer<typeof WitnessViewSchema>;

export const ClaimResponseSchema = z.strictObject({
  job: ClaimedJobSchema.nullable(),
  /** Present when the runner sent `witness` and the log is larger than its accepted size. */
  witness: WitnessViewSchema.optional(),
});

/**
 * POST /v1/runner/witness: the runner's cosignature/v1 line for the checkpoint of `size` it accepted, or
 * why it refused the one it was handed (SPEC §13).
 */
export const WitnessReportSchema = z.union([
  z.strictObject({ size: TreeSizeText, cosignature: z.string().min(1).max(512) }),
  z.strictObject({
    size: TreeSizeText,
    refused: z.strictObject({
      /** The size of the checkpoint the runner had accepted (its state, unchanged by the refusal). */
      acceptedSize: TreeSizeText,
      code: z.string().regex(/^[a-z][a-z-]{0,31}$/),
      message: singleLine(z.string().min(1).max(2000)),
    }),
  }),
]);
/** A witness report. */
export type WitnessReport = z.infer<typeof WitnessReportSchema>;
/** Answer to POST /v1/runner/witness. */
export const WitnessReportResponseSchema = z.strictObject({ accepted: z.boolean() });

/** POST /v1/runner/jobs/:jobId/heartbeat: extends the lease and reports progress. */
export const HeartbeatRequestSchema = z.strictObject({
  leaseId: Id,
  progress: z.strictObject({ phase: JobPhaseSchema, bytes: z.number().int().nonnegative() }),
});
/** Backup progress, as a heartbeat reports it. */
export type HeartbeatProgress = z.infer<typeof HeartbeatRequestSchema>["progress"];
/** Answer to heartbeat: the new lease expiry. */
export const HeartbeatResponseSchema = z.strictObject({ leaseExpiresAt: Instant });

/** The predicate's fields the runner measures (the Worker owns the ids). */
const Measured = PgDumpPredicateSchema.omit({ backupId: true, orgId: true, databaseId: true, jobId: true });
const { s3: S3, tables: Tables, runner: MeasuringRunner } = Measured.shape;
const Table = Tables.element;
/**
 * What the runner measured, held tighter than the predicate itself: versions, bucket and etag are one
 * line, and no text has a lone surrogate (the manifest is signed over canonical JSON, which cannot hold
 * one). Only what the Worker signs from now on; verifying keeps the predicate's rules, so that a
 * manifest signed earlier still verifies. PostgreSQL names and S3 keys may hold line breaks.
 */
const MeasuredResult = Measured.extend({
  serverVersion: singleLine(Measured.shape.serverVersion),
  pgDumpVersion: singleLine(Measured.shape.pgDumpVersion),
  s3: S3.extend({
    bucket: singleLine(S3.shape.bucket),
    key: wellFormed(S3.shape.key),
    versionId: singleLine(S3.shape.versionId.unwrap()).nullable(),
    etag: singleLine(S3.shape.etag),
  }),
  tables: z
    .array(Table.extend({ schema: wellFormed(Table.shape.schema), name: wellFormed(Table.shape.name) }))
    .max(MAX_MANIFEST_TABLES),
  runner: MeasuringRunner.extend({ version: singleLine(MeasuringRunner.shape.version) }),
});

/**
 * POST /v1/runner/jobs/:jobId/complete: what the runner measured. The Worker adds the ids it owns
 * (org, backup, job) to build the predicate, signs the manifest and logs backup.completed.
 */
export const CompleteRequestSchema = z.strictObject({
  leaseId: Id,
  artifactSha256: Sha256Hex,
  result: MeasuredResult,
  /**
   * The size of the checkpoint this runner accepted as its org's witness (SPEC §10 "Witnessed kits", §13);
   * "0" before its first. Not part of what was measured: the request's digest (idempotency, mismatch) leaves
   * it out, so a retry may send another size.
   */
  witness: z.strictObject({ size: TreeSizeText }).optional(),
});
/** What the runner measured, sent with complete. */
export type CompleteRequest = z.infer<typeof CompleteRequestSchema>;
/** One Merkle hash (32 bytes) in base64, as a consistency proof carries it. */
const Base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "a 32-byte hash in base64");
/**
 * Answer to complete: the signed manifest, the backup.completed log entry (its exact JCS text as stored in
 * the log, so the proof can be checked offline), its inclusion proof and the checkpoint (signed note text).
 */
export const CompleteResponseSchema = z.strictObject({
  envelope: DsseEnvelopeSchema,
  entry: z.string().min(1),
  proof: InclusionProofSchema,
  checkpoint: z.string().min(1),
  /**
   * Present when the request sent `witness`: the RFC 9162 consistency proof, base64 hashes, from that size to
   * the checkpoint's (empty from 0, at the same size, or from a larger size: the witness refuses that).
   */
  witnessProof: z.array(Base64Hash).max(64).optional(),
});
/** The signed manifest, its log entry, the entry's inclusion proof and the checkpoint. */
export type CompleteResponse = z.infer<typeof CompleteResponseSchema>;

/** POST /v1/runner/jobs/:jobId/fail: the job failed; reason is shown to people and logged. */
export const FailRequestSchema = z.strictObject({
  leaseId: Id,
  reason: wellFormed(z.string().min(1).max(4000)),
  retryable: z.boolean(),
});
/** Answer to fail: whether the job was re-queued for another attempt, and which attempt failed. */
export const FailResponseSchema = z.strictObject({ willRetry: z.boolean(), attempt: z.number().int().min(1) });
/** The outcome of a fail. */
export type FailResponse = z.infer<typeof FailResponseSchema>;

/** POST /v1/runner/jobs/:jobId/drill: a drill's signed receipt (SPEC §11), passed or failed. */
export const DrillResultRequestSchema = z.strictObject({ leaseId: Id, receipt: DsseEnvelopeSchema });
/** A drill's result. */
export type DrillResultRequest = z.infer<typeof DrillResultRequestSchema>;
/** Answer to a drill result: the log entry it made (`drill.completed` or `drill.failed`), as stored. */
export const DrillResultResponseSchema = z.strictObject({
  type: z.enum(["drill.completed", "drill.failed"]),
  entry: z.string().min(1),
});
/** The answer to a drill result. */
export type DrillResultResponse = z.infer<typeof DrillResultResponseSchema>;

/**
 * POST /v1/runner/key: the runner registers its Ed25519 public key (base64, 32 bytes) with a signature
 * (base64) over runnerKeyProofMessage(publicKey), proving it holds the key.
 */
export const RunnerKeyRequestSchema = z.strictObject({
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "a 32-byte Ed25519 public key in base64"),
  proof: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, "a 64-byte Ed25519 signature in base64"),
});
/** A runner key registration. */
export type RunnerKeyRequest = z.infer<typeof RunnerKeyRequestSchema>;
/** Answer to a key registration: who the runner is, the vkey its key is known by, and what changed. */
export const RunnerKeyResponseSchema = z.strictObject({
  runnerId: Id,
  orgId: Id,
  vkey: z.string().min(1).max(512),
  status: z.enum(["registered", "unchanged", "rotated"]),
});
/** The answer to a key registration. */
export type RunnerKeyResponse = z.infer<typeof RunnerKeyResponseSchema>;
