// Signed walk-away kits for a test artifact, built as the Worker builds them (worker/src/jobs/complete.ts):
// a manifest signed by a manifest key, the backup.completed entry in a log, its inclusion proof and a
// checkpoint signed by a checkpoint key. Tests control the predicate, so they can make kits the real
// Worker never would (a newer pg_dump, wrong row counts, another org) and check the CLI refuses them.
import { createHash } from "node:crypto";
import {
  canonicalBytes,
  formatVkey,
  MemoryLog,
  publicKeyOf,
  sha256,
  signCheckpoint,
  signManifest,
  toBase64,
  toHex,
  artifactUri,
  type LogEntry,
  type NamedSigner,
  type PgDumpPredicate,
} from "@walwarden/verifier";

/** A deterministic test signer (the seed is 32 copies of `byte`). */
export function signer(name: string, byte: number): NamedSigner {
  const secretKey = new Uint8Array(32).fill(byte);
  return { name, secretKey, publicKey: publicKeyOf(secretKey) };
}

/** The test deployment: its log origin prefix and two keys. */
export const DEPLOYMENT = {
  origin: "walwarden.test/log",
  checkpoint: signer("walwarden.test/checkpoint", 11),
  manifest: signer("walwarden.test/manifest", 12),
};

/** The deployment's published keys document. */
export function publishedKeysOf(d: { origin: string; checkpoint: NamedSigner; manifest: NamedSigner } = DEPLOYMENT) {
  return {
    origin: d.origin,
    checkpoint: [formatVkey(d.checkpoint.name, d.checkpoint.publicKey)],
    manifest: [formatVkey(d.manifest.name, d.manifest.publicKey)],
  };
}

/** The kit part of a claim. */
export interface TestKit {
  envelope: unknown;
  entry: string;
  proof: unknown;
  checkpoint: string;
  predicate: PgDumpPredicate;
  sha256: string;
}

/** A predicate for `artifact` with realistic defaults. */
export function predicateFor(artifact: Buffer, o: Partial<PgDumpPredicate> = {}): PgDumpPredicate {
  return {
    backupId: "bk_01",
    orgId: "org_acme",
    databaseId: "db_main",
    jobId: "job_01",
    startedAt: "2026-11-24T03:00:00.000Z",
    completedAt: "2026-11-24T03:01:10.250Z",
    sizeBytes: artifact.length,
    compression: "zstd",
    dumpFormat: "custom",
    serverVersion: "15.18",
    pgDumpVersion: "15.18",
    s3: {
      bucket: "acme-backups",
      key: "walwarden/db_main/2026/11/24/bk_01.dump.zst",
      versionId: null,
      etag: '"0123456789abcdef0123456789abcdef"',
      objectLock: null,
    },
    tables: [],
    schemaFingerprint: "a".repeat(64),
    runner: { id: "rn_01", version: "0.1.0" },
    ...o,
  };
}

/** Signs a kit for `artifact` with `predicate`: the manifest, its log entry at seq 2 of a 4-entry log, the proof and checkpoint. */
export function signedKit(artifact: Buffer, predicate: PgDumpPredicate, d = DEPLOYMENT): TestKit {
  const digest = createHash("sha256").update(artifact).digest("hex");
  const envelope = signManifest(predicate, digest, d.manifest);
  const log = new MemoryLog();
  const subject = `database:${predicate.databaseId}`;
  const completed: LogEntry = {
    v: 1,
    seq: 2,
    type: "backup.completed",
    at: "2026-11-24T03:01:10.500Z",
    actor: `runner:${predicate.runner.id}`,
    subject,
    data: {
      jobId: predicate.jobId,
      backupId: predicate.backupId,
      databaseId: predicate.databaseId,
      runnerId: predicate.runner.id,
      artifact: {
        uri: artifactUri(predicate.s3.bucket, predicate.s3.key),
        sha256: digest,
        sizeBytes: predicate.sizeBytes,
      },
      manifestSha256: toHex(sha256(canonicalBytes(envelope))),
    },
  };
  const entries: LogEntry[] = [
    {
      v: 1,
      seq: 0,
      type: "backup.scheduled",
      at: "2026-11-24T03:00:00.000Z",
      actor: "system:cron",
      subject,
      data: {
        jobId: predicate.jobId,
        scheduleId: "sc_01",
        databaseId: predicate.databaseId,
        slot: "2026-11-24T03:00:00.000Z",
      },
    },
    {
      v: 1,
      seq: 1,
      type: "backup.started",
      at: "2026-11-24T03:00:00.125Z",
      actor: `runner:${predicate.runner.id}`,
      subject,
      data: { jobId: predicate.jobId, databaseId: predicate.databaseId, runnerId: predicate.runner.id, attempt: 1 },
    },
    completed,
    {
      v: 1,
      seq: 3,
      type: "backup.started",
      at: "2026-11-24T04:00:00.125Z",
      actor: `runner:${predicate.runner.id}`,
      subject,
      data: { jobId: "job_02", databaseId: predicate.databaseId, runnerId: predicate.runner.id, attempt: 1 },
    },
  ];
  for (const e of entries) log.append(e);
  const checkpoint = signCheckpoint(
    { origin: `${d.origin}/${predicate.orgId}`, size: log.size, rootHash: log.root() },
    d.checkpoint,
  );
  if (!checkpoint.ok) throw new Error(checkpoint.message);
  return {
    envelope: JSON.parse(new TextDecoder().decode(canonicalBytes(envelope))),
    entry: new TextDecoder().decode(log.entries[2]!),
    proof: { v: 1, leafIndex: 2, treeSize: log.size, hashes: log.inclusionProof(2).map(toBase64) },
    checkpoint: checkpoint.value,
    predicate,
    sha256: digest,
  };
}
