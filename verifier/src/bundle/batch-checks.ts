import type { NamedVerifier } from "../dsse/envelope.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { toHex } from "../bytes/hex.js";
import type { Sha256 } from "../hash/sha256.js";
import { parseCanonicalText } from "../jcs/canonicalize.js";
import { validateEntry, type LogEntry, type LogEntryOf } from "../log/entry.js";
import { blockCount, firstBlockStartAtOrAfter, hashEntriesInto } from "../log/range-hasher.js";
import { verifyManifest } from "../manifest/verify-manifest.js";

// The per-batch halves of the log.entries.format and manifests checks (SPEC §9). They are pure functions of
// structured-cloneable inputs, so the same code runs on the calling thread (browsers, workerd) or in worker
// threads (`@walwarden/verifier/node`); the stream that feeds them (bundle-stream.ts) puts the batches back
// in order and keeps exactly the verdict and detail of checking the whole file at once.

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const keepBomDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A run of consecutive lines of log/entries.jsonl. */
export interface EntryBatch {
  /** The lines, each followed by `\n`. */
  bytes: Uint8Array;
  /** n+1 offsets into bytes: line i is bytes[lineStarts[i], lineStarts[i+1] − 1). */
  lineStarts: Uint32Array;
  /** The seq (absolute leaf index) line 0 must have. */
  first: number;
  /** Whether the batch starts the file (only the file's start may drop a byte-order mark, as decoding the whole file does). */
  fileStart: boolean;
  /** Blocks of 2^blockLevel leaves, aligned on absolute indexes; the batch's own are hashed. */
  blockLevel: number;
}

/** What checking a batch found. */
export interface EntryBatchResult {
  /** False if the bytes are not UTF-8 (the whole file then is not). */
  utf8: boolean;
  /** The first entry that fails, by absolute position, with the detail the whole-file check gives. */
  error?: { at: number; message: string };
  /** `at` of line 0, if it parsed, validated and has its seq (the caller compares it with the previous batch's last). */
  firstAt?: string;
  /** `at` of the last line, when no line failed. */
  lastAt?: string;
  /** The entries later checks read (keptForChecks), in order, up to the first that fails. */
  kept: LogEntry[];
  /** Leaf hashes of every line, 32 bytes each, and roots of the aligned blocks fully inside the batch. */
  leaves: Uint8Array;
  blocks: Uint8Array;
}

/** Checks each line of a batch as the whole-file check does (canonical, well-formed, seq, `at` order inside it) and hashes its leaves. */
export function checkEntryBatch(b: EntryBatch, sha: Sha256): EntryBatchResult {
  const n = b.lineStarts.length - 1;
  const leaves = new Uint8Array(32 * n);
  const firstBlockStart = firstBlockStartAtOrAfter(b.first, b.blockLevel);
  const blocks = new Uint8Array(32 * blockCount(b.first, n, b.blockLevel));
  hashEntriesInto(sha, b.bytes, b.lineStarts, b.first, 0, n, b.blockLevel, firstBlockStart, leaves, blocks);
  const out: EntryBatchResult = { utf8: true, kept: [], leaves, blocks };
  let text: string;
  try {
    text = (b.fileStart ? strictDecoder : keepBomDecoder).decode(b.bytes);
  } catch {
    out.utf8 = false;
    return out;
  }
  const lines = text.length === 0 ? [] : text.slice(0, -1).split("\n");
  let prevAt = "";
  for (let i = 0; i < lines.length; i++) {
    const at = b.first + i;
    const json = parseCanonicalText(lines[i]!);
    if (!json.ok) {
      out.error = { at, message: `entry ${at} is not canonical JSON (${json.code})` };
      return out;
    }
    const entry = validateEntry(json.value);
    if (!entry.ok) {
      out.error = { at, message: `entry ${at}: ${entry.message}` };
      return out;
    }
    const e = entry.value;
    if (e.seq !== at) {
      out.error = {
        at,
        message: `entry at position ${at} has seq ${e.seq} (dropped, duplicated or reordered entries)`,
      };
      return out;
    }
    if (i === 0) out.firstAt = e.at;
    else if (e.at < prevAt) {
      out.error = { at, message: `entry ${e.seq} is timestamped before entry ${e.seq - 1}` };
      return out;
    }
    prevAt = e.at;
    if (keptForChecks(e)) out.kept.push(e);
  }
  out.lastAt = prevAt;
  return out;
}

/** The entries the manifest, drill, restore and retention checks read: backup.completed and .expired, drill.completed and .failed, restore.*. */
export function keptForChecks(e: LogEntry): boolean {
  return (
    e.type === "backup.completed" ||
    e.type === "backup.expired" ||
    e.type === "drill.completed" ||
    e.type === "drill.failed" ||
    e.type.startsWith("restore.")
  );
}

/** What the manifests check compares a manifest with: its backup.completed entry's seq and data. */
export interface ManifestTarget {
  seq: number;
  data: Pick<
    LogEntryOf<"backup.completed">["data"],
    "backupId" | "databaseId" | "jobId" | "artifact" | "manifestSha256"
  >;
}

/** Consecutive lines of manifests.jsonl with their backup.completed entries. */
export interface ManifestBatch {
  bytes: Uint8Array;
  lineStarts: Uint32Array;
  /** Index (from 0) of line 0 among all manifests. */
  first: number;
  targets: ManifestTarget[];
  keys: NamedVerifier[];
}

/** The problems found, in order, at most `MAX_MANIFEST_PROBLEMS`. */
export interface ManifestBatchResult {
  problems: string[];
}

/** The manifests check names at most this many problems. */
export const MAX_MANIFEST_PROBLEMS = 5;

/** Checks each manifest of a batch against its entry: the bytes the log committed to, signed by a pinned key, describing the same backup. */
export function checkManifestBatch(
  b: ManifestBatch,
  sha: Sha256,
  verifySignature: Ed25519Verify | undefined,
): ManifestBatchResult {
  const problems: string[] = [];
  for (let j = 0; j < b.targets.length && problems.length < MAX_MANIFEST_PROBLEMS; j++) {
    const problem = checkManifestLine(
      b.bytes.subarray(b.lineStarts[j]!, b.lineStarts[j + 1]! - 1),
      b.first + j,
      b.targets[j]!,
      b.keys,
      sha,
      verifySignature,
    );
    if (problem) problems.push(problem);
  }
  return { problems };
}

const lineDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function checkManifestLine(
  bytes: Uint8Array,
  i: number,
  target: ManifestTarget,
  keys: NamedVerifier[],
  sha: Sha256,
  verifySignature: Ed25519Verify | undefined,
): string | undefined {
  const d = target.data;
  const where = `manifest ${i + 1} (entry ${target.seq}, ${d.backupId})`;
  if (toHex(sha.digest(bytes)) !== d.manifestSha256) return `${where} is not the manifest the log committed to`;
  let envelope: unknown;
  try {
    let text = "";
    try {
      text = lineDecoder.decode(bytes);
    } catch {
      // not UTF-8: JSON.parse("") refuses it below, as fileText's undefined did
    }
    envelope = JSON.parse(text);
  } catch {
    return `${where} is not JSON`;
  }
  const m = verifyManifest(envelope, keys, d.artifact.sha256, verifySignature);
  if (!m.ok) return `${where}: ${m.code}: ${m.message}`;
  const p = m.value.predicate;
  const mismatch = [
    p.backupId !== d.backupId && "backupId",
    p.databaseId !== d.databaseId && "databaseId",
    p.jobId !== d.jobId && "jobId",
    p.sizeBytes !== d.artifact.sizeBytes && "size",
    m.value.artifact.uri !== d.artifact.uri && "artifact URI",
  ].filter(Boolean);
  if (mismatch.length) return `${where} does not match its entry: ${mismatch.join(", ")}`;
  return undefined;
}

/**
 * Runs entry and manifest batches. The portable one runs them on the calling thread; a Node program may pass
 * one that spreads them over worker threads (`parallelBatchChecker` in `@walwarden/verifier/node`): the same
 * functions on the same inputs, so the same results.
 */
export interface BatchChecker {
  /** How many batches it checks at once: the stream keeps about twice that many in flight, no more. */
  readonly parallelism: number;
  checkEntries(batch: EntryBatch): Promise<EntryBatchResult>;
  checkManifests(batch: ManifestBatch): Promise<ManifestBatchResult>;
}

/** A BatchChecker on the calling thread. */
export function inThreadBatchChecker(sha: Sha256, verifySignature?: Ed25519Verify): BatchChecker {
  return {
    parallelism: 1,
    checkEntries: async (batch) => checkEntryBatch(batch, sha),
    checkManifests: async (batch) => checkManifestBatch(batch, sha, verifySignature),
  };
}
