import { z } from "zod";
import { MAX_MANIFEST_TABLES } from "../manifest/predicate.js";
import { Id, Instant, Sha256Hex } from "../schema/common.js";
import { AssertionExpectSchema, MAX_ASSERTIONS } from "./assertion.js";

/** predicateType of Walwarden's restore-drill receipt, version 1. */
export const DRILL_PREDICATE_TYPE = "https://walwarden.dev/attestation/restore-drill/v1";

/** Where a drill restores: a cluster the runner starts, or a scratch database on a configured server. */
export const DRILL_TARGET_KINDS = ["local", "server"] as const;
/** A drill target's kind. */
export type DrillTargetKind = (typeof DRILL_TARGET_KINDS)[number];

/** The phase in which a failed drill stopped (SPEC §11). */
export const DRILL_FAILURE_PHASES = ["verify", "target", "restore", "checks", "rto"] as const;
/** A drill failure's phase. */
export type DrillFailurePhase = (typeof DRILL_FAILURE_PHASES)[number];

/** Most pg_restore error lines a receipt keeps, and the longest. */
export const MAX_RECEIPT_ERROR_LINES = 20;
const ErrorLine = z.string().min(1).max(500);
const Ms = z.number().int().nonnegative();

/**
 * The restore-drill v1 predicate: what a runner restored, where, what it checked and found, and how long
 * it took. Field by field in SPEC.md §11. Unknown fields are rejected.
 */
export const DrillPredicateSchema = z.strictObject({
  drillId: Id,
  orgId: Id,
  databaseId: Id,
  backupId: Id,
  jobId: Id,
  /** SHA-256 of the backup's manifest envelope (its JCS bytes): the manifest the runner verified. */
  manifestSha256: Sha256Hex,
  startedAt: Instant,
  completedAt: Instant,
  outcome: z.enum(["passed", "failed"]),
  failure: z.strictObject({ phase: z.enum(DRILL_FAILURE_PHASES), reason: z.string().min(1).max(2000) }).nullable(),
  /** SHA-256 of the bytes the runner downloaded (null if the download did not finish). */
  downloadedSha256: Sha256Hex.nullable(),
  target: z.strictObject({
    kind: z.enum(DRILL_TARGET_KINDS),
    /** The target server's version (null if it never started). */
    serverVersion: z.string().min(1).max(64).nullable(),
  }),
  pgRestore: z.strictObject({
    version: z.string().min(1).max(64).nullable(),
    jobs: z.number().int().min(1).max(64),
    /** Its exit status (null if it did not run). */
    exitCode: z.number().int().nullable(),
    /** Its `pg_restore: error:` lines, the first MAX_RECEIPT_ERROR_LINES. */
    errors: z.array(ErrorLine).max(MAX_RECEIPT_ERROR_LINES),
  }),
  /** Every table of the manifest, with the rows the manifest recorded and the rows found (null: not counted). */
  tables: z
    .array(
      z.strictObject({
        schema: z.string().min(1),
        name: z.string().min(1),
        expectedRows: z.number().int().nonnegative(),
        actualRows: z.number().int().nonnegative().nullable(),
      }),
    )
    .max(MAX_MANIFEST_TABLES),
  schemaFingerprint: z.strictObject({ expected: Sha256Hex, actual: Sha256Hex.nullable() }),
  assertions: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(100),
        sql: z.string().min(1).max(4000),
        expect: AssertionExpectSchema,
        /** The value in PostgreSQL's text output (null: SQL NULL, or the query failed). */
        actual: z.string().max(1000).nullable(),
        passed: z.boolean(),
        /** Why the query gave no value (an error, or not exactly one row of one column). */
        error: z.string().min(1).max(1000).nullable(),
      }),
    )
    .max(MAX_ASSERTIONS),
  /** Milliseconds per phase (null: the phase did not run); RTO is their sum. */
  phases: z.strictObject({ downloadVerifyMs: Ms, restoreMs: Ms.nullable(), checksMs: Ms.nullable() }),
  /** Making the target ready (not part of the RTO: a real recovery has its target). */
  targetSetupMs: Ms.nullable(),
  rto: z.strictObject({ ms: Ms, targetMs: z.number().int().positive().nullable() }),
  runner: z.strictObject({ id: Id, version: z.string().min(1).max(64) }),
});
/** The restore-drill v1 predicate. */
export type DrillPredicate = z.infer<typeof DrillPredicateSchema>;
