import { z } from "zod";
import { BucketPostureSchema } from "../posture/posture.js";
import { Id, Instant, SingleLine, singleLine } from "../schema/common.js";

// Read-only bucket credentials: the key the Worker presigns restore downloads with (docs/restore-credentials.md).

/** PUT /v1/buckets/:bucket (admin): how the Worker presigns GETs for restores from this bucket. */
export const BucketCredentialRequestSchema = z.strictObject({
  /** S3 endpoint; omit for AWS (https://s3.<region>.amazonaws.com). R2: https://<account>.r2.cloudflarestorage.com. */
  // Checked as sent, before z.url() normalises it (a URL parser drops tabs and line breaks silently).
  endpoint: SingleLine.pipe(z.url()).optional(),
  region: singleLine(z.string().min(1).max(64)).default("us-east-1"),
  /** Path-style URLs (endpoint/bucket/key), as MinIO and most local servers need. */
  forcePathStyle: z.boolean().default(false),
  /** A read-only key: s3:GetObject on the backup prefix and nothing else (docs/restore-credentials.md). */
  accessKeyId: singleLine(z.string().min(1).max(128)),
  secretAccessKey: singleLine(z.string().min(1).max(256)),
});

/** A bucket credential as answered (GET /v1/buckets, PUT /v1/buckets/:bucket): the secret is never answered back. */
export const BucketCredentialSchema = z.strictObject({
  bucket: z.string().min(3).max(63),
  endpoint: z.url().nullable(),
  region: z.string().min(1),
  forcePathStyle: z.boolean(),
  accessKeyId: z.string().min(1),
  updatedBy: z.string().min(1),
  updatedAt: Instant,
});
/** A bucket credential, without its secret. */
export type BucketCredential = z.infer<typeof BucketCredentialSchema>;
/** Answer to GET /v1/buckets: every bucket the org has set up (a handful; not paged). */
export const BucketCredentialListSchema = z.strictObject({ items: z.array(BucketCredentialSchema) });
/** The org's bucket credentials. */
export type BucketCredentialList = z.infer<typeof BucketCredentialListSchema>;

/** One bucket's posture as the Worker last logged it (SPEC §12, bucket posture). */
export const BucketPostureViewSchema = z.strictObject({
  bucket: z.string().min(1).max(255),
  /** The runner whose report was last logged. */
  runnerId: Id,
  posture: BucketPostureSchema,
  /** How it is worse than the reference; empty when it is not (bucket.at_risk holds while it is not empty). */
  worsening: z.array(z.string().min(1)),
  /** When the posture was last logged (a change), and when a runner last reported it (changed or not). */
  changedAt: Instant,
  reportedAt: Instant,
});
/** A bucket's posture as answered. */
export type BucketPostureView = z.infer<typeof BucketPostureViewSchema>;
/** Most buckets GET /v1/bucket-postures answers (by name): an org has a bucket or a few per runner. */
export const MAX_BUCKET_POSTURES = 500;
/** Answer to GET /v1/bucket-postures: the buckets runners of the org have reported, by name (not paged). */
export const BucketPostureListSchema = z.strictObject({
  items: z.array(BucketPostureViewSchema).max(MAX_BUCKET_POSTURES),
});
