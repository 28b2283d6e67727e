import { zipSync, type Zippable } from "fflate";
import { toBase64 } from "../bytes/base64.js";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { signEnvelope, type NamedSigner } from "../dsse/envelope.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { canonicalBytes } from "../jcs/canonicalize.js";
import { decodeEntry, type LogEntry } from "../log/entry.js";
import { parseCheckpointNote } from "../note/index.js";
import { err, ok, type Result } from "../result.js";
import { receiptedDrills } from "./check-drills.js";
import { keptForChecks } from "./check-log.js";
import { restoreHistories } from "./check-restores.js";
import { joinLines } from "./lines.js";
import { BundlePaths, INDEX_PAYLOAD_TYPE, type BundleIndex } from "./layout.js";

/** Everything an evidence bundle is made of; the Worker gathers it from the Ledger. */
export interface BundleInput {
  orgId: string;
  origin: string;
  period: { from: string; to: string };
  createdAt: string;
  /** Exact stored bytes of entries [start, start + entries.length). */
  start: number;
  entries: Uint8Array[];
  /** The compact range of the tree of size `start`, largest subtree first. */
  frontier: Uint8Array[];
  /** Signed head checkpoint (note text) and the consistency proof from the window's end to it. */
  headCheckpoint: string;
  headSize: number;
  consistency: Uint8Array[];
  /** Other signed checkpoints whose sizes fall inside [start, end]. */
  checkpoints?: string[];
  /** Manifest envelopes of the window's backup.completed entries, by backupId, as their exact JCS bytes. */
  manifests: Map<string, Uint8Array>;
  /**
   * Drill receipt envelopes (SPEC §11) as their exact JCS bytes: at least those of the window's drill.completed
   * and drill.failed entries whose receiptSha256 is not null. Matched to the entries by SHA-256, so order
   * does not matter and others are ignored. Optional: a window without receipted drills needs none.
   */
  drillReceipts?: Uint8Array[];
  reportHtml: string;
  indexSigner: NamedSigner;
}

// A fixed timestamp makes the zip bytes a function of the content alone.
const ZIP_MTIME = new Date(Date.UTC(2000, 0, 1));

/** Builds the bundle zip (deterministic: same input, same bytes). */
export function writeBundle(input: BundleInput, sha: Sha256 = portableSha256): Result<Uint8Array, "bad-input"> {
  const files = bundleFiles(input, sha);
  return files.ok ? ok(zipBundleFiles(files.value)) : files;
}

/**
 * Every file of the bundle by path, the signed index included: what `writeBundle` zips. A writer that must
 * know a file's exact bytes (the Worker logs the SHA-256 of `index.dsse.json`) builds them here, then zips
 * them with `zipBundleFiles`.
 */
export function bundleFiles(
  input: BundleInput,
  sha: Sha256 = portableSha256,
): Result<Map<string, Uint8Array>, "bad-input"> {
  const end = input.start + input.entries.length;
  const kept: LogEntry[] = [];
  for (const bytes of input.entries) {
    const e = decodeEntry(bytes);
    if (!e.ok) return err("bad-input", `entry is not a valid log entry: ${e.message}`);
    if (keptForChecks(e.value)) kept.push(e.value);
  }
  const files = new Map<string, Uint8Array>();
  files.set(BundlePaths.checkpoint, utf8(input.headCheckpoint));
  files.set(BundlePaths.frontier, canonicalBytes({ v: 1, size: input.start, hashes: input.frontier.map(toBase64) }));
  files.set(BundlePaths.entries, joinLines(input.entries));
  files.set(
    BundlePaths.consistency,
    canonicalBytes({ v: 1, fromSize: end, toSize: input.headSize, hashes: input.consistency.map(toBase64) }),
  );
  for (const note of input.checkpoints ?? []) {
    const c = parseCheckpointNote(note);
    if (!c.ok) return err("bad-input", `checkpoint: ${c.message}`);
    files.set(`${BundlePaths.checkpointsDir}${c.value.size}.txt`, utf8(note));
  }
  const manifests: Uint8Array[] = [];
  for (const e of kept) {
    if (e.type !== "backup.completed") continue;
    const m = input.manifests.get(e.data.backupId);
    if (!m) return err("bad-input", `no manifest for ${e.data.backupId} (entry ${e.seq})`);
    manifests.push(m);
  }
  files.set(BundlePaths.manifests, joinLines(manifests));
  const receipts = new Map((input.drillReceipts ?? []).map((r) => [toHex(sha.digest(r)), r]));
  const drills: Uint8Array[] = [];
  for (const e of receiptedDrills(kept)) {
    const r = receipts.get(e.data.receiptSha256!);
    if (!r) return err("bad-input", `no receipt for drill ${e.data.drillId} (entry ${e.seq}, ${e.data.receiptSha256})`);
    drills.push(r);
  }
  // Only a window with receipted drills has drills.jsonl, so a bundle without them is as before drills.
  if (drills.length > 0) files.set(BundlePaths.drills, joinLines(drills));
  files.set(BundlePaths.restores, joinLines(restoreHistories(kept).map((h) => canonicalBytes(h))));
  files.set(BundlePaths.report, utf8(input.reportHtml));

  const index: BundleIndex = {
    v: 1,
    kind: "walwarden-evidence-bundle",
    orgId: input.orgId,
    origin: input.origin,
    period: input.period,
    log: { start: input.start, end, head: input.headSize },
    createdAt: input.createdAt,
    files: [...files.keys()].sort().map((path) => {
      const bytes = files.get(path)!;
      return { path, size: bytes.length, sha256: toHex(sha.digest(bytes)) };
    }),
  };
  files.set(
    BundlePaths.index,
    canonicalBytes(signEnvelope(INDEX_PAYLOAD_TYPE, canonicalBytes(index), [input.indexSigner])),
  );
  return ok(files);
}

/** Zips bundle files deterministically: sorted by path, a fixed timestamp, deflate level 6. */
export function zipBundleFiles(files: Map<string, Uint8Array>): Uint8Array {
  const zippable: Zippable = {};
  for (const path of [...files.keys()].sort()) zippable[path] = [files.get(path)!, { mtime: ZIP_MTIME }];
  return zipSync(zippable, { level: 6 });
}
