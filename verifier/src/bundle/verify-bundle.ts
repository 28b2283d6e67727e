import { toHex } from "../bytes/hex.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import type { LogEntryOf } from "../log/entry.js";
import type { RangeHasher } from "../log/range-hasher.js";
import { ok, type Result } from "../result.js";
import { type BatchChecker, inThreadBatchChecker } from "./batch-checks.js";
import type { BundleLimits } from "./bundle-limits.js";
import { type StreamedFile, streamEntries, streamManifests, streamUnchecked } from "./bundle-stream.js";
import { checkDrills } from "./check-drills.js";
import { checkIndexFiles, checkIndexSignature, type FileDigests } from "./check-index.js";
import { BLOCK_LEVEL, checkLogEntries, checkLogHead, type LogWindow } from "./check-log.js";
import { checkManifests } from "./check-manifests.js";
import { checkRestores } from "./check-restores.js";
import { checkRetention } from "./check-retention.js";
import { BundlePaths } from "./layout.js";
import type { VerifyPolicy } from "./policy.js";
import {
  type BundleFiles,
  type BundleSource,
  openBundle,
  type ReadBundleErrorCode,
  sourceOfFiles,
} from "./read-bundle.js";
import { ReportBuilder, type Report } from "./report.js";

/**
 * Optional speed-ups for a platform (Node: `@walwarden/verifier/node`). SHA-256 gives identical bytes; a
 * native Ed25519 (used for the many manifest signatures) may only reject more; a BatchChecker runs the
 * same entry and manifest checks elsewhere (worker threads) with the same results.
 */
export interface VerifyBundleOptions {
  sha256?: Sha256;
  /**
   * No longer used: the leaves are hashed with the entries' batches (`batches`). Accepted so that callers
   * passing one still compile.
   */
  rangeHasher?: RangeHasher;
  ed25519?: Ed25519Verify;
  /** Where the batches of entries and manifests are checked: the calling thread unless given. */
  batches?: BatchChecker;
  /** What reading the zip may cost (DEFAULT_BUNDLE_LIMITS for those not given). */
  limits?: Partial<BundleLimits>;
}

/** The files read as streams, never held whole: a window's entries and its manifests. */
const STREAMED: ReadonlySet<string> = new Set([BundlePaths.entries, BundlePaths.manifests]);

const ZIP_CHECK = "Bundle is a readable zip";

/**
 * Verifies an evidence bundle offline against pinned keys: readBundle → checkIndex → checkLog
 * (checkpoint, entries, root, consistency, other checkpoints) → checkManifests → checkDrills → checkRestores
 * → checkRetention.
 * Stops at the first failure that makes later checks meaningless; the report names every check run.
 *
 * The two large files (log/entries.jsonl, manifests.jsonl) are streamed from the zip and checked as they
 * inflate, so what is held is the zip, the small files, the leaf hashes and the entries later checks read
 * (keptForChecks). The checks that depend on a whole file (bundle.zip, index.files) are decided once it has
 * streamed, and the report lists every check in its order with the verdict and detail of reading the whole
 * bundle first.
 */
export async function verifyBundle(
  zip: Uint8Array,
  policy: VerifyPolicy,
  options: VerifyBundleOptions = {},
): Promise<Report> {
  return verifyBundleSource(openBundle(zip, options.limits), policy, options);
}

/**
 * verifyBundle from the outcome of readBundle, for a caller that looks at it first (the Worker answers a
 * zip bomb with 413 rather than a report).
 */
export async function verifyReadBundle(
  read: Result<BundleFiles, ReadBundleErrorCode>,
  policy: VerifyPolicy,
  options: VerifyBundleOptions = {},
): Promise<Report> {
  return verifyBundleSource(read.ok ? ok(sourceOfFiles(read.value)) : read, policy, options);
}

/** verifyBundle on an opened BundleSource (openBundle, or sourceOfFiles of files already read). */
export async function verifyBundleSource(
  opened: Result<BundleSource, ReadBundleErrorCode>,
  policy: VerifyPolicy,
  options: VerifyBundleOptions = {},
): Promise<Report> {
  const sha = options.sha256 ?? portableSha256;
  const checker = options.batches ?? inThreadBatchChecker(sha, options.ed25519);
  const report = new ReportBuilder();
  if (!opened.ok) {
    report.result("bundle.zip", ZIP_CHECK, opened, () => "");
    return report.build();
  }
  const source = opened.value;
  const position = new Map(source.files.map((f, i) => [f.name, i]));

  // Every other file, whole, in the zip's order, as readBundle reads them; it stops at the first refusal.
  const files: BundleFiles = new Map();
  let refusal: { at: number; read: Result<never, ReadBundleErrorCode> } | undefined;
  for (let i = 0; i < source.files.length && !refusal; i++) {
    const f = source.files[i]!;
    if (STREAMED.has(f.name)) continue;
    const r = readWhole(source, f.name, f.size);
    if (r.ok) files.set(f.name, r.value);
    else refusal = { at: i, read: r };
  }
  if (refusal) {
    // A streamed file before the refused one in the zip's order is the first refusal if it is refused.
    for (const name of STREAMED) {
      const at = position.get(name);
      if (at === undefined || at > refusal.at) continue;
      const s = await streamUnchecked(source, name, sha);
      if (!s.read.ok && at < refusal.at) refusal = { at, read: s.read };
    }
    report.result("bundle.zip", ZIP_CHECK, refusal.read, () => "");
    return report.build();
  }

  // The checks that need only the small files run first, each into its own part of the report; the
  // streams then read the large files for them; the report puts the parts in order at the end.
  const indexPart = new ReportBuilder();
  const index = checkIndexSignature(files, policy, indexPart);
  const logPart = new ReportBuilder();
  const head = index && checkLogHead(files, index, policy, logPart);
  const entriesSize = source.files[position.get(BundlePaths.entries) ?? -1]?.size ?? 0;
  let entries: StreamedFile;
  let log: LogWindow | undefined;
  if (index && head) {
    const { start, end } = index.log;
    const streamed = await streamEntries(
      source,
      BundlePaths.entries,
      entriesSize,
      start,
      end - start,
      BLOCK_LEVEL,
      sha,
      checker,
    );
    entries = streamed;
    log = checkLogEntries(files, index, policy, head, streamed, logPart);
  } else entries = await streamUnchecked(source, BundlePaths.entries, sha);
  const completed = log?.kept.filter((e): e is LogEntryOf<"backup.completed"> => e.type === "backup.completed");
  const manifests = await streamManifests(source, BundlePaths.manifests, completed, policy.manifestKeys, sha, checker);

  const streamed = new Map([
    [BundlePaths.entries as string, entries],
    [BundlePaths.manifests as string, manifests],
  ]);
  const refused = [...streamed]
    .filter(([name, s]) => position.has(name) && !s.read.ok)
    .sort(([a], [b]) => position.get(a)! - position.get(b)!)[0];
  if (refused) {
    report.result("bundle.zip", ZIP_CHECK, refused[1].read, () => "");
    return report.build();
  }
  report.add("bundle.zip", ZIP_CHECK, "pass", `${source.files.length} files`);

  report.append(indexPart);
  if (!index) return report.build();
  const digests: FileDigests = new Map();
  for (const f of source.files) {
    const s = streamed.get(f.name);
    const bytes = files.get(f.name);
    digests.set(
      f.name,
      s ? { size: s.size, sha256: () => s.sha256 } : { size: bytes!.length, sha256: () => toHex(sha.digest(bytes!)) },
    );
  }
  if (!checkIndexFiles(index, digests, report)) return report.build();

  report.append(logPart);
  if (!log) return report.build();
  checkManifests(completed!.length, manifests.problems, report);
  checkDrills(files, index, log.kept, policy, sha, options.ed25519, report);
  checkRestores(files, log.kept, report);
  checkRetention(log.kept, report);
  return report.build();
}

/** A file of the source in one piece, or its refusal. */
function readWhole(source: BundleSource, name: string, size: number): Result<Uint8Array, ReadBundleErrorCode> {
  const chunks = source.chunks(name);
  const parts: Uint8Array[] = [];
  for (;;) {
    const next = chunks.next();
    if (!next.done) {
      parts.push(next.value);
      continue;
    }
    if (!next.value.ok) return next.value;
    if (parts.length === 1 && parts[0]!.length === size) return ok(parts[0]!);
    // The stream yields no more than `size` bytes (inflateChunks stops there) and ends refused if fewer.
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return ok(out);
  }
}
