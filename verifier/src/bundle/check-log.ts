import { fromBase64 } from "../bytes/base64.js";
import { bytesEqual } from "../bytes/compare.js";
import { toHex } from "../bytes/hex.js";
import type { LogEntry } from "../log/entry.js";
import type { HashedRange } from "../log/range-hasher.js";
import type { StreamedEntries } from "./bundle-stream.js";
import { CompactRange, verifyConsistency } from "../merkle/index.js";
import { verifyCheckpoint, verifyCosignatures, type VerifiedCheckpoint } from "../note/index.js";
import { BundlePaths, ConsistencyFileSchema, FrontierFileSchema, type BundleIndex } from "./layout.js";
import { err, ok, type Result } from "../result.js";
import { parseJsonFile } from "./parse-file.js";
import type { VerifyPolicy } from "./policy.js";
import type { BundleFiles } from "./read-bundle.js";
import type { ReportBuilder } from "./report.js";

/** Blocks of 2^8 leaves: few enough operations for the compact range, small enough to re-walk for a checkpoint. */
export const BLOCK_LEVEL = 8;

/** What the log checks before reading the entries hand on: the verified head and the compact range at start. */
export interface LogHead {
  hv: VerifiedCheckpoint;
  compact: CompactRange;
}

/** What the log checks hand on to the manifest and restore checks. */
export interface LogWindow {
  /** Entries of the window that later checks need (keptForChecks: backups, expiries, drills, restores), in order. */
  kept: LogEntry[];
}

/**
 * The log checks before the entries: log.checkpoint, log.witnesses, log.origin, log.window, log.frontier.
 * With checkLogEntries after them: the log window [start, end) is complete and untampered: the head checkpoint verifies with a pinned key,
 * every entry is canonical and well-formed with consecutive seq, the frontier at start plus every entry
 * reproduces the root at end, that root is consistent with the head, and every other checkpoint (in the
 * bundle or pinned by the auditor) agrees with the recomputed tree.
 */
export function checkLogHead(
  files: BundleFiles,
  index: BundleIndex,
  policy: VerifyPolicy,
  report: ReportBuilder,
): LogHead | undefined {
  const { start, end, head: headSize } = index.log;

  const hv = report.result(
    "log.checkpoint",
    "Head checkpoint is signed by a pinned key",
    verifyCheckpoint(files.get(BundlePaths.checkpoint) ?? "", policy.checkpointKeys, policy.origin ?? index.origin),
    (c) => `size ${c.size}, origin ${c.origin}`,
  );
  if (!hv) return;
  const witnesses = policy.witnesses ?? [];
  if (witnesses.length > 0) {
    const quorum = policy.witnessQuorum ?? 1;
    const cosigned = report.result(
      "log.witnesses",
      `Head checkpoint is cosigned by ${quorum} of the ${witnesses.length} pinned witness(es)`,
      verifyCosignatures(files.get(BundlePaths.checkpoint) ?? "", witnesses, quorum),
      (c) => c.map((w) => `${w.witness.name} at ${new Date(Number(w.timestamp) * 1000).toISOString()}`).join(", "),
    );
    if (!cosigned) return;
  }
  if (
    !report.expect(
      "log.origin",
      "Checkpoint is for the bundle's log",
      hv.origin === index.origin && Number(hv.size) === headSize,
      `origin ${hv.origin}`,
      `checkpoint is ${hv.origin} at size ${hv.size}; index says ${index.origin} at ${headSize}`,
    )
  )
    return;
  if (
    !report.expect(
      "log.window",
      "Window lies inside the log",
      start <= end && end <= headSize,
      `entries [${start}, ${end}) of ${headSize}`,
      `window [${start}, ${end}) does not fit a log of size ${headSize}`,
    )
  )
    return;

  const frontier = parseJsonFile(files.get(BundlePaths.frontier), FrontierFileSchema);
  const range =
    frontier.ok && frontier.value.size === start
      ? CompactRange.fromFrontier(
          start,
          frontier.value.hashes.map((h) => fromBase64(h)!),
        )
      : undefined;
  if (
    !report.expect(
      "log.frontier",
      "Frontier at the window start is well-formed",
      !!range?.ok,
      `${frontier.ok ? frontier.value.hashes.length : 0} subtree hashes at size ${start}`,
      frontier.ok ? `frontier does not describe a tree of size ${start}` : frontier.message,
    )
  )
    return;
  return { hv, compact: (range as Extract<typeof range, { ok: true }>).value };
}

/**
 * The rest of the log checks, on log/entries.jsonl as streamed (streamEntries) from the head's window:
 * log.entries.count, log.entries.format, then the roots (log.checkpoints, log.root, policy.previous).
 */
export function checkLogEntries(
  files: BundleFiles,
  index: BundleIndex,
  policy: VerifyPolicy,
  head: LogHead,
  streamed: Pick<StreamedEntries, "lines" | "format" | "hashed">,
  report: ReportBuilder,
): LogWindow | undefined {
  const { start, end, head: headSize } = index.log;
  const { hv, compact } = head;
  const lines = streamed.lines;
  if (
    !report.expect(
      "log.entries.count",
      "Every entry of the window is present",
      lines === end - start,
      `${end - start} entries`,
      lines !== undefined
        ? `${lines} entries for a window of ${end - start}`
        : "entries.jsonl is not newline-terminated lines",
    )
  )
    return;

  const kept = report.result(
    "log.entries.format",
    "Entries are canonical, well-formed and consecutive",
    streamed.format,
    () => `seq ${start}…${end - 1}`,
  );
  if (!kept) return;
  const hashed = streamed.hashed;

  // Sizes at which a root is needed: the window's end, and every other checkpoint that falls inside it.
  const bundledNotes = [...files].filter(([path]) => path.startsWith(BundlePaths.checkpointsDir));
  const bundled = verifyAll(
    bundledNotes,
    policy,
    index.origin,
    report,
    "log.checkpoints",
    "Every bundled checkpoint agrees with the entries",
  );
  if (!bundled) return;
  const pinnedNotes = (policy.previousCheckpoints ?? []).map((note, i): [string, string] => [
    `pinned checkpoint ${i + 1}`,
    note,
  ]);
  const previous = verifyAll(pinnedNotes, policy, index.origin, report, "policy.previous", "Pinned checkpoints verify");
  if (!previous) return;
  const wanted = new Set<number>([
    end,
    ...[...bundled, ...previous].map((c) => Number(c.size)).filter((s) => s >= start && s <= end),
  ]);
  const roots = foldWindow(compact, hashed, start, end, wanted);
  const rootAtEnd = roots.get(end)!;

  const cons = parseJsonFile(files.get(BundlePaths.consistency), ConsistencyFileSchema);
  const consistent = checkConsistency(cons, end, headSize, rootAtEnd, hv.rootHash);
  if (
    !report.expect(
      "log.root",
      "Frontier plus entries reproduce the signed log",
      consistent.ok,
      `root at ${end} = ${toHex(rootAtEnd).slice(0, 16)}…, consistent with the head at ${headSize}`,
      consistent.ok ? "" : `entries do not reproduce the signed tree: ${consistent.message}`,
    )
  )
    return;

  const forks = [...bundled].filter(
    (c) => Number(c.size) < start || Number(c.size) > end || !bytesEqual(roots.get(Number(c.size))!, c.rootHash),
  );
  if (
    !report.expect(
      "log.checkpoints",
      "Every bundled checkpoint agrees with the entries",
      forks.length === 0,
      `${bundled.length} checkpoint(s) inside the window agree`,
      `checkpoint(s) at size ${forks.map((c) => c.size).join(", ")} disagree with the entries or lie outside the window (forked log)`,
    )
  )
    return;

  checkPrevious(previous, roots, start, end, hv, report);
  return { kept };
}

/**
 * Extends the frontier at `start` with every leaf of the window, a whole block at a time where no wanted
 * size falls inside it, and returns the root at each wanted size in [start, end].
 */
function foldWindow(
  compact: CompactRange,
  hashed: HashedRange,
  start: number,
  end: number,
  wanted: Set<number>,
): Map<number, Uint8Array> {
  const roots = new Map<number, Uint8Array>();
  if (wanted.has(start)) roots.set(start, compact.root());
  const blockSize = 2 ** hashed.blockLevel;
  const targets = [...wanted].sort((a, b) => a - b);
  let t = 0;
  for (let i = start; i < end; ) {
    while (targets[t] !== undefined && targets[t]! <= i) t++;
    const block = (i - hashed.firstBlockStart) / blockSize;
    const wholeBlock =
      i % blockSize === 0 &&
      i >= hashed.firstBlockStart &&
      32 * block < hashed.blocks.length &&
      i + blockSize <= (targets[t] ?? Infinity);
    if (wholeBlock) {
      // The frontier at a multiple of the block size holds only subtrees at least that large, so this cannot fail.
      const r = compact.appendSubtree(hashed.blockLevel, hashed.blocks.subarray(32 * block, 32 * block + 32));
      if (!r.ok) throw new Error(`compact range invariant broken at ${i}: ${r.message}`);
      i += blockSize;
    } else {
      compact.append(hashed.leaves.subarray(32 * (i - start), 32 * (i - start) + 32));
      i++;
    }
    if (wanted.has(i)) roots.set(i, compact.root());
  }
  return roots;
}

function checkConsistency(
  cons: Result<{ fromSize: number; toSize: number; hashes: string[] }>,
  end: number,
  headSize: number,
  rootAtEnd: Uint8Array,
  headRoot: Uint8Array,
): Result<true, string> {
  if (!cons.ok) return err("bad-file", `log/consistency.json: ${cons.message}`);
  const c = cons.value;
  if (c.fromSize !== end || c.toSize !== headSize)
    return err("wrong-sizes", `consistency proof is from ${c.fromSize} to ${c.toSize}, expected ${end} to ${headSize}`);
  const proof = c.hashes.map((h) => fromBase64(h)!);
  if (end === headSize)
    return proof.length === 0 && bytesEqual(rootAtEnd, headRoot)
      ? ok(true)
      : err("root-mismatch", `root at ${end} differs from the head's`);
  // Every tree extends the empty one; RFC 9162 has no proof from size 0, so there must be none.
  if (end === 0) return proof.length === 0 ? ok(true) : err("wrong-proof-size", "a proof from size 0 must be empty");
  return verifyConsistency(end, headSize, rootAtEnd, headRoot, proof);
}

function checkPrevious(
  previous: VerifiedCheckpoint[],
  roots: Map<number, Uint8Array>,
  start: number,
  end: number,
  head: VerifiedCheckpoint,
  report: ReportBuilder,
): void {
  if (previous.length === 0) return;
  const headSize = Number(head.size);
  for (const p of previous) {
    const size = Number(p.size);
    const id = `policy.previous.${size}`;
    const name = `Pinned checkpoint at size ${size}`;
    if (size > headSize)
      report.add(
        id,
        name,
        "fail",
        `the bundle's head (${headSize}) is older than a checkpoint already seen (${size}): rolled back`,
      );
    else if (size === headSize)
      report.expect(
        id,
        name,
        bytesEqual(p.rootHash, head.rootHash),
        "same root as the head",
        "same size as the head but a different root: forked log",
      );
    else if (size >= start && size <= end)
      report.expect(
        id,
        name,
        bytesEqual(p.rootHash, roots.get(size)!),
        "agrees with the entries",
        "disagrees with the entries of the window: forked log",
      );
    else
      report.add(
        id,
        name,
        "skip",
        `size ${size} is outside the window [${start}, ${end}] and not the head; this bundle cannot decide it`,
      );
  }
}

/** Verifies signed checkpoints for the log, or records the first that fails under `id` and returns undefined. */
function verifyAll(
  notes: [label: string, note: Uint8Array | string][],
  policy: VerifyPolicy,
  origin: string,
  report: ReportBuilder,
  id: string,
  name: string,
): VerifiedCheckpoint[] | undefined {
  const out: VerifiedCheckpoint[] = [];
  for (const [label, note] of notes) {
    const c = verifyCheckpoint(note, policy.checkpointKeys, origin);
    if (!c.ok) {
      report.add(id, name, "fail", `${label}: ${c.code}: ${c.message}`);
      return undefined;
    }
    out.push(c.value);
  }
  return out;
}

/** The entries the manifest, drill, restore and retention checks read (kept here for the writer). */
export { keptForChecks } from "./batch-checks.js";
