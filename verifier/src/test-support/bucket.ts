import { anchorObjectKeys, encodeAnchorProof } from "../bucket/anchor-layout.js";
import type { BucketCopy } from "../bucket/audit-bucket.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { sha256 } from "../hash/sha256.js";
import { canonicalBytes } from "../jcs/canonicalize.js";
import type { LogEntry } from "../log/entry.js";
import { MemoryLog } from "../log/memory-log.js";
import { kitObjectKey } from "../manifest/kit-layout.js";
import type { BackupKit } from "../manifest/kit-report.js";
import { cosignCheckpoint, type NoteSigner, parseSignedNote } from "../note/index.js";
import { checkpointAt } from "./fixture-log.js";
import { RUNNER_SIGNER } from "./keys.js";
import { kitOf, sampleKit } from "./kit.js";

/** The prefix the fixture's kits name (their s3.key starts with it); the copy is of what lies below it. */
export const FIXTURE_PREFIX = "walwarden";

/** A note with a witness's cosignature/v1 line appended. */
export function cosigned(note: string, witness: NoteSigner = RUNNER_SIGNER, at = 1_765_000_000): string {
  const body = parseSignedNote(note);
  if (!body.ok) throw new Error(body.message);
  const line = cosignCheckpoint(body.value.text, witness, at);
  if (!line.ok) throw new Error(line.message);
  return note + line.value;
}

/** A copy of a prefix held in memory: path below the prefix → bytes. */
export type CopyFiles = Map<string, Uint8Array>;

/** The copy as the audit reads it; dumps are hashed unless `noArtifact`. */
export function memoryCopy(files: CopyFiles, noArtifact = false): BucketCopy {
  return {
    paths: [...files.keys()],
    read: async (p) => files.get(p),
    sha256: async (p) => (noArtifact || !files.has(p) ? undefined : toHex(sha256(files.get(p)!))),
  };
}

/**
 * Writes the anchors of `sizes` of `log` into `files` as runner `runnerId` writes them (SPEC §13): each
 * cosigned note with its proof from the previous size (from `from` for the first: 0 by default), and
 * latest.txt the last. `logs` gives, per size, the log a checkpoint is of (another branch: a fork).
 */
export function writeAnchors(
  files: CopyFiles,
  runnerId: string,
  log: MemoryLog,
  sizes: readonly number[],
  o: { from?: number; logs?: Record<number, MemoryLog>; witness?: NoteSigner } = {},
): void {
  let previous = o.from ?? 0;
  for (const size of sizes) {
    const of = o.logs?.[size] ?? log;
    const keys = anchorObjectKeys("", runnerId, BigInt(size));
    if (!keys.ok) throw new Error(keys.message);
    const hashes = previous === 0 || previous === size ? [] : of.consistencyProof(previous, size);
    const note = cosigned(checkpointAt(of, size), o.witness);
    files.set(keys.value.proof, utf8(encodeAnchorProof(BigInt(previous), BigInt(size), hashes)));
    files.set(keys.value.note, utf8(note));
    files.set(keys.value.latest, utf8(note));
    previous = size;
  }
}

/** Writes a kit's files (and its dump, when given) where the runner writes them, below the prefix. */
export function writeKitFiles(files: CopyFiles, artifactKey: string, kit: BackupKit, artifact?: Uint8Array): void {
  const rel = artifactKey.slice(FIXTURE_PREFIX.length + 1);
  files.set(kitObjectKey(rel, "manifest"), canonicalBytes(kit.envelope));
  files.set(kitObjectKey(rel, "entry"), utf8(kit.entry));
  files.set(kitObjectKey(rel, "proof"), canonicalBytes(kit.proof));
  files.set(kitObjectKey(rel, "checkpoint"), utf8(kit.checkpoint));
  if (artifact) files.set(rel, artifact);
}

/** The fixture's log grown by `n` more entries after the sample kit's six (a branch when `branch` differs). */
export function grownLog(n: number, branch = "a", forkAt = Number.POSITIVE_INFINITY): MemoryLog {
  const s = sampleKit();
  const log = new MemoryLog();
  for (const bytes of s.log.entries.slice(0, Math.min(forkAt, 6))) log.appendBytes(bytes);
  const scheduled = (seq: number, fork: boolean): LogEntry => ({
    v: 1,
    seq,
    type: "backup.scheduled",
    at: "2026-11-24T04:00:00.000Z",
    actor: "system:cron",
    subject: "database:db_main",
    data: {
      jobId: `job_${seq}${fork ? `_${branch}` : ""}`,
      scheduleId: "sc_01",
      databaseId: "db_main",
      slot: "2026-11-24T04:00:00.000Z",
    },
  });
  for (let seq = log.size; seq < 6 + n; seq++) log.append(scheduled(seq, seq >= forkAt));
  return log;
}

/** The honest bucket of the fixture: two backups with their dumps and witnessed kits, and the runner's chain. */
export interface BucketFixture {
  files: CopyFiles;
  /** The log the kits and anchors are of: the sample kit's six entries and two more. */
  log: MemoryLog;
  /** The paths below the prefix of the two dumps. */
  dumps: [string, string];
}

/**
 * Runner rn_01's bucket: bk_01 (seq 4) with its kit's checkpoint at 6, bk_02 (seq 5) at 8, both cosigned by
 * the runner, the dumps next to them, and its anchored chain 5 (first use), 6, 8.
 */
export function bucketFixture(): BucketFixture {
  const s = sampleKit();
  const log = grownLog(2);
  const files: CopyFiles = new Map();
  const one = kitOf(log, s.envelope, s.seq, { proofSize: 6 });
  const two = kitOf(log, s.other.envelope, s.other.seq, { proofSize: 8 });
  writeKitFiles(files, s.predicate.s3.key, { ...one, checkpoint: cosigned(one.checkpoint) }, s.artifact);
  writeKitFiles(files, s.other.predicate.s3.key, { ...two, checkpoint: cosigned(two.checkpoint) }, s.artifact);
  writeAnchors(files, "rn_01", log, [5, 6, 8]);
  const rel = (k: string) => k.slice(FIXTURE_PREFIX.length + 1);
  return { files, log, dumps: [rel(s.predicate.s3.key), rel(s.other.predicate.s3.key)] };
}
