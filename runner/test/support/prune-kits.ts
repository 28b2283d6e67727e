// Backups in a bucket as the runner writes them, without PostgreSQL: the artifact through the runner's own
// upload code (uploadArtifact, with the metadata run-backup gives it), the walk-away kit through its kit
// writer (writeKit: a manifest signed with the test manifest key, a real log entry, proof and checkpoint),
// a drill receipt where asked; and the prune target a Worker would send for it.
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  artifactExtension,
  backupObjectKey,
  canonicalBytes,
  drillReceiptKey,
  MemoryLog,
  type PgDumpPredicate,
  sha256,
  signCheckpoint,
  signManifest,
  toBase64,
  toHex,
} from "@walwarden/verifier";
import { CHECKPOINT_SIGNER, completedEntry, MANIFEST_SIGNER } from "@walwarden/verifier/testing";
import type { PruneTarget } from "@walwarden/verifier/wire";
import type { Completed } from "../../src/api/worker-api.js";
import { BACKUP_METADATA, type Retention, writeKit } from "../../src/kit/write-kit.js";
import { uploadArtifact } from "../../src/s3/upload-artifact.js";

/** A backup written to the bucket, and the target that names it. */
export interface WrittenBackup {
  target: PruneTarget;
  /** Every key written, the artifact first. */
  keys: string[];
}

/** The options of one backup. */
export interface BackupSpec {
  bucket: string;
  prefix: string;
  databaseId: string;
  backupId: string;
  startedAt: Date;
  /** The artifact's bytes (default: 64 random bytes). */
  bytes?: Uint8Array;
  /** Object Lock for the kit objects, as run-backup passes it. */
  retention?: Retention;
  /** Drill receipts to write next to the kit (their drill ids). */
  drills?: string[];
}

/** The signed manifest, log entry, proof and checkpoint of a predicate (what the Worker's complete answers). */
export function completion(predicate: PgDumpPredicate, artifactSha256: string): Completed {
  const envelope = signManifest(predicate, artifactSha256, MANIFEST_SIGNER);
  const log = new MemoryLog();
  // The entry the Worker logs for it (the verifier's test support builds it), at the backup's completion.
  const bytes = log.append({ ...completedEntry(0, envelope, predicate, artifactSha256), at: predicate.completedAt });
  const checkpoint = signCheckpoint(
    { origin: "test.walwarden.dev/log/org_acme", size: log.size, rootHash: log.root() },
    CHECKPOINT_SIGNER,
  );
  if (!checkpoint.ok) throw new Error(checkpoint.message);
  return {
    envelope,
    entry: new TextDecoder().decode(bytes),
    proof: { v: 1, leafIndex: 0, treeSize: log.size, hashes: log.inclusionProof(0).map(toBase64) },
    checkpoint: checkpoint.value,
  };
}

/** Writes a backup (artifact, kit, receipts) with the runner's own code; returns its prune target and keys. */
export async function writeBackup(s3: S3Client, spec: BackupSpec): Promise<WrittenBackup> {
  const key = backupObjectKey({
    prefix: spec.prefix,
    databaseId: spec.databaseId,
    backupId: spec.backupId,
    startedAt: spec.startedAt.toISOString(),
    artifactExt: artifactExtension("zstd", "custom"),
  });
  if (!key.ok) throw new Error(key.message);
  const bytes = spec.bytes ?? randomBytes(64);
  const jobId = `job_${spec.backupId}`;
  const stored = await uploadArtifact(s3, Readable.from([Buffer.from(bytes)]), {
    bucket: spec.bucket,
    key: key.value,
    partSize: 5 * 1024 * 1024,
    queueSize: 1,
    contentType: "application/octet-stream",
    metadata: { [BACKUP_METADATA]: spec.backupId, "walwarden-job": jobId, "walwarden-lease": "ls_test" },
  }).done;
  const artifactSha256 = createHash("sha256").update(bytes).digest("hex");
  const completedAt = new Date(spec.startedAt.getTime() + 60_000).toISOString();
  const predicate: PgDumpPredicate = {
    backupId: spec.backupId,
    orgId: "org_acme",
    databaseId: spec.databaseId,
    jobId,
    startedAt: spec.startedAt.toISOString(),
    completedAt,
    sizeBytes: bytes.length,
    compression: "zstd",
    dumpFormat: "custom",
    serverVersion: "15.8",
    pgDumpVersion: "15.8",
    s3: {
      bucket: spec.bucket,
      key: key.value,
      versionId: stored.versionId,
      etag: stored.etag,
      objectLock: spec.retention
        ? { mode: spec.retention.mode, retainUntil: spec.retention.retainUntil.toISOString() }
        : null,
    },
    tables: [{ schema: "public", name: "t", rows: 1 }],
    schemaFingerprint: "0".repeat(64),
    runner: { id: "rn_01", version: "0.1.0" },
  };
  const done = completion(predicate, artifactSha256);
  const kit = await writeKit(
    s3,
    spec.bucket,
    key.value,
    done,
    {
      backupId: spec.backupId,
      databaseId: spec.databaseId,
      artifactKey: key.value,
      compression: "zstd",
      pgDumpVersion: "15.8",
      serverVersion: "15.8",
      completedAt,
      sha256: artifactSha256,
      publishedKeys: [],
    },
    spec.retention,
  );
  const receipts: string[] = [];
  for (const drillId of spec.drills ?? []) {
    const k = drillReceiptKey(key.value, drillId);
    await s3.send(
      new PutObjectCommand({
        Bucket: spec.bucket,
        Key: k,
        Body: `{"drill":"${drillId}"}`,
        ContentType: "application/json",
        Metadata: { [BACKUP_METADATA]: spec.backupId },
      }),
    );
    receipts.push(k);
  }
  return {
    target: {
      backupId: spec.backupId,
      completedAt,
      artifact: {
        bucket: spec.bucket,
        key: key.value,
        versionId: stored.versionId,
        etag: stored.etag,
        sha256: artifactSha256,
      },
      manifestSha256: toHex(sha256(canonicalBytes(done.envelope))),
      reason: "unkept",
    },
    keys: [key.value, ...kit, ...receipts],
  };
}

/** Every key in a bucket (under `prefix`), sorted. */
export async function bucketKeys(s3: S3Client, bucket: string, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}
