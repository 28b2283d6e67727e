import { toBase64 } from "../bytes/base64.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import type { DsseEnvelope, NamedSigner } from "../dsse/envelope.js";
import { sha256 } from "../hash/sha256.js";
import { canonicalBytes } from "../jcs/canonicalize.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { MemoryLog } from "../log/memory-log.js";
import { signManifest } from "../manifest/build-manifest.js";
import type { BackupKit } from "../manifest/kit-report.js";
import { artifactUri, type PgDumpPredicate } from "../manifest/predicate.js";
import { formatVkey, signCheckpoint, type NoteSigner } from "../note/index.js";
import { ORIGIN } from "./fixture-log.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER } from "./keys.js";
import { samplePredicate } from "./predicate.js";

/** The backup.completed entry the Worker logs for a signed manifest (as worker/src/jobs/complete.ts builds it). */
export function completedEntry(
  seq: number,
  envelope: DsseEnvelope,
  predicate: PgDumpPredicate,
  artifactSha256: string,
): LogEntryOf<"backup.completed"> {
  return {
    v: 1,
    seq,
    type: "backup.completed",
    at: "2026-11-24T03:01:10.500Z",
    actor: `runner:${predicate.runner.id}`,
    subject: `database:${predicate.databaseId}`,
    data: {
      jobId: predicate.jobId,
      backupId: predicate.backupId,
      databaseId: predicate.databaseId,
      runnerId: predicate.runner.id,
      artifact: {
        uri: artifactUri(predicate.s3.bucket, predicate.s3.key),
        sha256: artifactSha256,
        sizeBytes: predicate.sizeBytes,
      },
      manifestSha256: toHex(sha256(canonicalBytes(envelope))),
    },
  };
}

/** How kitOf departs from an honest kit. */
export interface KitOptions {
  /** Tree size of the proof (default: the log's size). */
  proofSize?: number;
  /** Leaf the proof is for (default: the entry's seq). */
  proofIndex?: number;
  /** Tree size of the checkpoint (default: proofSize). */
  checkpointSize?: number;
  origin?: string;
  checkpointSigner?: NoteSigner;
}

/** The kit of the entry at `seq` of a log, for `envelope`: its stored text, an inclusion proof and a signed checkpoint. */
export function kitOf(log: MemoryLog, envelope: unknown, seq: number, o: KitOptions = {}): BackupKit {
  const proofSize = o.proofSize ?? log.size;
  const proofIndex = o.proofIndex ?? seq;
  const checkpointSize = o.checkpointSize ?? proofSize;
  const checkpoint = signCheckpoint(
    { origin: o.origin ?? ORIGIN, size: checkpointSize, rootHash: log.root(checkpointSize) },
    o.checkpointSigner ?? CHECKPOINT_SIGNER,
  );
  if (!checkpoint.ok) throw new Error(checkpoint.message);
  return {
    envelope: JSON.parse(new TextDecoder().decode(canonicalBytes(envelope))),
    entry: new TextDecoder().decode(log.entries[seq]!),
    proof: {
      v: 1,
      leafIndex: proofIndex,
      treeSize: proofSize,
      hashes: log.inclusionProof(proofIndex, proofSize).map(toBase64),
    },
    checkpoint: checkpoint.value,
  };
}

/** A sample backup's kit, with the log, artifact and manifest it was made from. */
export interface SampleKit {
  kit: BackupKit;
  log: MemoryLog;
  artifact: Uint8Array;
  artifactSha256: string;
  predicate: PgDumpPredicate;
  envelope: DsseEnvelope;
  /** The seq of the backup's backup.completed entry. */
  seq: number;
  /** The same log's second backup (bk_02), completed after it. */
  other: { predicate: PgDumpPredicate; envelope: DsseEnvelope; seq: number };
}

const ARTIFACT = utf8("PGDMP pretend dump bytes");

/**
 * The kit of the sample predicate's backup, built as the Worker would: a log of key registrations, the
 * backup's scheduled/started/completed entries (completed at seq 4), then a second backup completed at
 * seq 5; the proof and checkpoint at size 6. `manifestSigner` signs the first backup's manifest.
 */
export function sampleKit(manifestSigner: NamedSigner = MANIFEST_SIGNER): SampleKit {
  const predicate = samplePredicate();
  const artifactSha256 = toHex(sha256(ARTIFACT));
  const envelope = signManifest(predicate, artifactSha256, manifestSigner);
  const otherPredicate = samplePredicate({
    backupId: "bk_02",
    jobId: "job_02",
    s3: { ...predicate.s3, key: "walwarden/db_main/2026/11/24/bk_02.dump.zst" },
  });
  const otherEnvelope = signManifest(otherPredicate, artifactSha256, MANIFEST_SIGNER);
  const log = new MemoryLog();
  const subject = `database:${predicate.databaseId}`;
  const entries: LogEntry[] = [
    {
      v: 1,
      seq: 0,
      type: "key.registered",
      at: "2026-11-24T00:00:00.000Z",
      actor: "system:setup",
      subject: "key:checkpoint",
      data: { purpose: "checkpoint", vkey: formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey) },
    },
    {
      v: 1,
      seq: 1,
      type: "key.registered",
      at: "2026-11-24T00:00:00.000Z",
      actor: "system:setup",
      subject: "key:manifest",
      data: { purpose: "manifest", vkey: formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey) },
    },
    {
      v: 1,
      seq: 2,
      type: "backup.scheduled",
      at: "2026-11-24T03:00:00.000Z",
      actor: "system:cron",
      subject,
      data: { jobId: "job_01", scheduleId: "sc_01", databaseId: "db_main", slot: "2026-11-24T03:00:00.000Z" },
    },
    {
      v: 1,
      seq: 3,
      type: "backup.started",
      at: "2026-11-24T03:00:00.125Z",
      actor: "runner:rn_01",
      subject,
      data: { jobId: "job_01", databaseId: "db_main", runnerId: "rn_01", attempt: 1 },
    },
    completedEntry(4, envelope, predicate, artifactSha256),
    completedEntry(5, otherEnvelope, otherPredicate, artifactSha256),
  ];
  for (const e of entries) log.append(e);
  return {
    kit: kitOf(log, envelope, 4),
    log,
    artifact: ARTIFACT,
    artifactSha256,
    predicate,
    envelope,
    seq: 4,
    other: { predicate: otherPredicate, envelope: otherEnvelope, seq: 5 },
  };
}
