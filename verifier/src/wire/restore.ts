import { z } from "zod";
import { DsseEnvelopeSchema } from "../dsse/envelope.js";
import { InclusionProofSchema } from "../log/inclusion-proof.js";
import { RESTORE_STATES } from "../log/restore-state.js";
import { Id, Instant, Sha256Hex, singleLine, wellFormed } from "../schema/common.js";
import { PageQuerySchema, pageOf } from "./page.js";

// The restore protocol (worker/README.md §API): an operator issues a one-time token; the CLI claims it
// and gets what it needs to download and verify; the CLI reports transitions (logged) and progress (not
// logged) with the per-restore progress credential; the dashboard follows along over Server-Sent Events.

/** A restore's state (the state machine in verifier/src/log/restore-state.ts). */
export const RestoreStateSchema = z.enum(RESTORE_STATES);
/** A restore state. */
export type RestoreState = z.infer<typeof RestoreStateSchema>;

/** A one-time restore token or a progress credential: `wwo_` (one-time restore token) / `wwp_` (progress credential) and 43 base64url characters (32 random bytes). */
export const RestoreSecret = z
  .string()
  .regex(/^ww[op]_[A-Za-z0-9_-]{43}$/, "not a Walwarden restore token (wwo_… or wwp_…, 47 characters)");

/** POST /v1/restores (operator): ask to restore a backup. */
export const IssueRestoreRequestSchema = z.strictObject({
  backupId: Id,
  /** True: the command shown has `--dry-run` (download and verify only, the target never contacted). Not logged: the CLI reports what it did. */
  dryRun: z.boolean().optional(),
});
/** Answer to issue: the one-time token (shown once) and the exact CLI command. */
export const IssueRestoreResponseSchema = z.strictObject({
  restoreId: Id,
  token: RestoreSecret,
  expiresAt: Instant,
  command: z.string().min(1),
});
/** An issued restore: the token is in this answer only. */
export type IssueRestoreResponse = z.infer<typeof IssueRestoreResponseSchema>;

/** POST /v1/restores/claim (no session: the token is the credential): the CLI presents the token. */
export const ClaimRestoreRequestSchema = z.strictObject({
  token: RestoreSecret,
  /** The org the operator expects the restore to belong to (from the issued command); another org's token is refused. */
  orgId: Id,
  clientVersion: singleLine(z.string().min(1).max(64)),
});
/** Answer to claim: everything the CLI needs to download and verify, never the target's credentials. */
export const ClaimRestoreResponseSchema = z.strictObject({
  restoreId: Id,
  backupId: Id,
  orgId: Id,
  databaseId: Id,
  /** The signed manifest. */
  envelope: DsseEnvelopeSchema,
  /** The backup.completed entry's exact JCS text, as logged: its leaf hash is what `proof` proves. */
  entry: z.string().min(1),
  /** Inclusion of `entry` in the tree `checkpoint` signs. */
  proof: InclusionProofSchema,
  /** A signed checkpoint (signed note) of the org's log. */
  checkpoint: z.string().min(1),
  /** A presigned GET for the artifact: GET only, valid until expiresAt (≤ 15 minutes). */
  download: z.strictObject({ url: z.url(), expiresAt: Instant, sizeBytes: z.number().int().nonnegative() }),
  /** Bearer credential for this restore's transition and progress reports; only its SHA-256 is kept. */
  progressToken: RestoreSecret,
});
/** A claimed restore. */
export type ClaimRestoreResponse = z.infer<typeof ClaimRestoreResponseSchema>;

/** Why a claim was refused: the `error.code` of the 4xx answer, and the reason logged in restore.claim_rejected. */
export const ClaimRejectionSchema = z.enum(["already-claimed", "expired", "wrong-org", "unknown-token", "cancelled"]);

/** The transitions a CLI reports after claiming. */
export const ReportedState = z.enum(["downloading", "verifying", "restoring", "completed", "failed"]);

/** POST /v1/restores/:restoreId/transition (Bearer progressToken): a state change, logged. */
export const TransitionRequestSchema = z
  .strictObject({
    state: ReportedState,
    /** verifying: the SHA-256 of the downloaded file. */
    sha256: Sha256Hex.optional(),
    /** completed: true when only verified (--dry-run), nothing restored. */
    dryRun: z.boolean().optional(),
    /** failed: the stage that failed (download, verify, preflight, restore, …). */
    stage: singleLine(z.string().min(1).max(64)).optional(),
    /** failed: what went wrong, without credentials. */
    reason: wellFormed(z.string().min(1).max(4000)).optional(),
  })
  .refine(
    (t) => t.state !== "failed" || (t.stage !== undefined && t.reason !== undefined),
    "a failed transition needs stage and reason",
  )
  .refine((t) => t.state !== "completed" || t.dryRun !== undefined, "a completed transition needs dryRun");
/** Answer to a transition: the state now, and the log entry that records it. */
export const TransitionResponseSchema = z.strictObject({
  state: RestoreStateSchema,
  seq: z.number().int().nonnegative(),
});
/** The answer to a transition. */
export type TransitionResponse = z.infer<typeof TransitionResponseSchema>;

/** POST /v1/restores/:restoreId/progress (Bearer progressToken): live numbers between transitions, streamed but not logged. */
export const ProgressRequestSchema = z.strictObject({
  phase: z.enum(["downloading", "verifying", "restoring"]),
  bytes: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative().nullable(),
  bytesPerSecond: z.number().nonnegative(),
  /** restoring: what pg_restore is doing now (e.g. "TABLE DATA public orders"), no credentials. */
  detail: wellFormed(z.string().max(300)).optional(),
});
/** Answer to progress (202): nothing to say; the numbers were streamed. */
export const ProgressResponseSchema = z.strictObject({});

/** SSE `event: transition` (with `id: <n>`, n = 1, 2, … per restore): one logged state change. */
export const TransitionEventSchema = z.strictObject({
  restoreId: Id,
  /** 1-based position in this restore's history; also the SSE id, for Last-Event-ID replay. */
  n: z.number().int().min(1),
  state: RestoreStateSchema,
  at: Instant,
  /** Seq of the log entry that records it. */
  seq: z.number().int().nonnegative(),
  /** The entry's data (restore.* schema of that state). */
  data: z.record(z.string(), z.unknown()),
});
/** One logged transition of a restore, as listed and as streamed. */
export type TransitionEvent = z.infer<typeof TransitionEventSchema>;
/** SSE `event: progress` (no id: progress is not replayed): the latest numbers. */
export const ProgressEventSchema = ProgressRequestSchema.extend({ restoreId: Id, at: Instant });
/** Live numbers from the CLI, as streamed. */
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

/** A restore in a list (GET /v1/restores): its state, who issued it, its times and why it failed. */
export const RestoreSchema = z.strictObject({
  id: Id,
  backupId: Id,
  databaseId: Id,
  /** The database's name (a deleted database keeps it); null if the Worker has no record of the database. */
  databaseName: z.string().nullable(),
  state: RestoreStateSchema,
  /** The log's actor who issued it: `user:<id>` or `token:<id>`. */
  issuedBy: z.string().min(1),
  /** Who that is, for people: the user's email or the API token's name; null once the user or token is gone. */
  issuedByName: z.string().nullable(),
  issuedAt: Instant,
  expiresAt: Instant,
  claimedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
  /** Set once completed: true when only verified, nothing restored. */
  dryRun: z.boolean().nullable(),
  failure: z.strictObject({ stage: z.string(), reason: z.string() }).nullable(),
});
/** A restore. */
export type Restore = z.infer<typeof RestoreSchema>;
/** GET /v1/restores. */
export const RestorePageSchema = pageOf(RestoreSchema);
/** A page of restores. */
export type RestorePage = z.infer<typeof RestorePageSchema>;
/** GET /v1/restores?databaseId=: a page, optionally of one database's restores. */
export const ListRestoresQuerySchema = PageQuerySchema.extend({ databaseId: Id.optional() });

/** GET /v1/restores/:id: a restore and its logged history. */
export const RestoreViewSchema = RestoreSchema.extend({ transitions: z.array(TransitionEventSchema) });
/** A restore with its history. */
export type RestoreView = z.infer<typeof RestoreViewSchema>;

/** POST /v1/restores/:id/cancel (operator, no body): revokes a token no CLI has claimed; the state now and the log entry that records it. */
export const CancelRestoreResponseSchema = TransitionResponseSchema;
/** The answer to a cancel. */
export type CancelRestoreResponse = z.infer<typeof CancelRestoreResponseSchema>;
