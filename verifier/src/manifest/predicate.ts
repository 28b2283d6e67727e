import { z } from "zod";
import { Id, Instant, Sha256Hex } from "../schema/common.js";

/** predicateType of Walwarden's pg_dump backup manifest, version 1. */
export const PG_DUMP_PREDICATE_TYPE = "https://walwarden.dev/attestation/pg-dump/v1";

/** Most tables one manifest lists. */
export const MAX_MANIFEST_TABLES = 100_000;

/**
 * The pg-dump v1 predicate: everything needed to find, check and restore one backup artifact.
 * Field by field in SPEC.md §Manifest. Unknown fields are rejected so a signer cannot smuggle data
 * past a verifier that does not understand it.
 */
export const PgDumpPredicateSchema = z.strictObject({
  backupId: Id,
  orgId: Id,
  databaseId: Id,
  jobId: Id,
  startedAt: Instant,
  completedAt: Instant,
  sizeBytes: z.number().int().nonnegative(),
  compression: z.enum(["none", "gzip", "zstd", "lz4"]),
  dumpFormat: z.enum(["custom", "directory", "tar", "plain"]),
  serverVersion: z.string().min(1).max(64),
  pgDumpVersion: z.string().min(1).max(64),
  s3: z.strictObject({
    bucket: z.string().min(1).max(255),
    key: z.string().min(1).max(1024),
    versionId: z.string().min(1).max(1024).nullable(),
    etag: z.string().min(1).max(256),
    objectLock: z.strictObject({ mode: z.enum(["GOVERNANCE", "COMPLIANCE"]), retainUntil: Instant }).nullable(),
  }),
  tables: z
    .array(
      z.strictObject({
        schema: z.string().min(1),
        name: z.string().min(1),
        rows: z.number().int().nonnegative(),
      }),
    )
    .max(MAX_MANIFEST_TABLES),
  schemaFingerprint: Sha256Hex,
  runner: z.strictObject({ id: Id, version: z.string().min(1).max(64) }),
});
/** The pg-dump v1 predicate. */
export type PgDumpPredicate = z.infer<typeof PgDumpPredicateSchema>;

/** The `s3://bucket/key` URI that names a backup artifact in a statement's subject. */
export function artifactUri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
