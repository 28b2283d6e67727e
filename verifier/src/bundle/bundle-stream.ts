import { toHex } from "../bytes/hex.js";
import type { Sha256 } from "../hash/sha256.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { blockCount, firstBlockStartAtOrAfter, type HashedRange } from "../log/range-hasher.js";
import { err, ok, type Result } from "../result.js";
import type { NamedVerifier } from "../dsse/envelope.js";
import {
  type BatchChecker,
  type EntryBatchResult,
  MAX_MANIFEST_PROBLEMS,
  type ManifestBatchResult,
  type ManifestTarget,
} from "./batch-checks.js";
import type { BundleSource, ReadBundleErrorCode } from "./read-bundle.js";

/** Entries per batch: a multiple of every block size the log checks use, so blocks never straddle batches. */
const ENTRY_BATCH = 4096;
/** Manifests per batch (about 1 KiB each). */
const MANIFEST_BATCH = 512;

/** What streaming one file of the bundle found, whatever else it was read for. */
export interface StreamedFile {
  /** The file inflated to its declared size (readBundle's refusal if not). */
  read: Result<void, ReadBundleErrorCode>;
  size: number;
  /** Hex SHA-256 of its bytes (for index.files). */
  sha256: string;
}

/**
 * Splits a stream of bytes into newline-terminated lines as splitLines does (no empty line, the last one
 * terminated), counting them, and hands on batches of whole lines: `batchLines(linesSoFar)` says how many the
 * next batch takes. Once the count is past `maxLines` it only counts.
 */
class LineSplitter {
  lines = 0;
  malformed = false;
  private bytes = 0;
  private atLineStart = true;
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  private starts: number[] = [0];
  private target: number;

  constructor(
    private readonly maxLines: number,
    private readonly batchLines: (linesSoFar: number) => number,
    private readonly onBatch: (bytes: Uint8Array, lineStarts: Uint32Array, firstLine: number) => void,
  ) {
    this.target = batchLines(0);
  }

  private get batching(): boolean {
    return this.lines <= this.maxLines;
  }

  push(c: Uint8Array): void {
    if (this.malformed || c.length === 0) return;
    this.bytes += c.length;
    let segment = 0;
    let prev = -1;
    for (let i = c.indexOf(0x0a); i !== -1; prev = i, i = c.indexOf(0x0a, i + 1)) {
      if (i === prev + 1 && (prev >= 0 || this.atLineStart)) {
        this.malformed = true; // an empty line
        return;
      }
      this.lines++;
      if (!this.batching) continue;
      this.starts.push(this.partsLength + i + 1 - segment);
      if (this.starts.length - 1 === this.target) {
        this.emit(c.subarray(segment, i + 1));
        segment = i + 1;
      }
    }
    this.atLineStart = c[c.length - 1] === 0x0a;
    if (this.batching && segment < c.length) {
      this.parts.push(c.subarray(segment));
      this.partsLength += c.length - segment;
    }
  }

  /** Ends the stream: the last line must be terminated; a last short batch is handed on. */
  end(): void {
    if (this.malformed) return;
    if (this.bytes > 0 && !this.atLineStart) {
      this.malformed = true;
      return;
    }
    if (this.batching && this.starts.length > 1) this.emit(new Uint8Array());
  }

  private emit(tail: Uint8Array): void {
    const bytes = new Uint8Array(this.partsLength + tail.length);
    let o = 0;
    for (const p of this.parts) {
      bytes.set(p, o);
      o += p.length;
    }
    bytes.set(tail, o);
    const n = this.starts.length - 1;
    this.onBatch(bytes, Uint32Array.from(this.starts), this.lines - n);
    this.parts = [];
    this.partsLength = 0;
    this.starts = [0];
    this.target = this.batchLines(this.lines);
  }
}

/** Reads a whole streamed file, hashing it, and passes each chunk on; awaits `pace` between chunks. */
async function streamFile(
  source: BundleSource,
  name: string,
  sha: Sha256,
  onChunk: (c: Uint8Array) => void,
  pace: () => Promise<void>,
): Promise<StreamedFile> {
  const h = sha.stream();
  let size = 0;
  const chunks = source.chunks(name);
  for (;;) {
    const next = chunks.next();
    if (next.done) return { read: next.value, size, sha256: toHex(h.digest()) };
    h.update(next.value);
    size += next.value.length;
    onChunk(next.value);
    await pace();
  }
}

/** Batches in flight, taken back in order; the reader waits once there are twice as many as the checker runs at once. */
class InOrder<T, M> {
  private readonly queue: { p: Promise<T>; meta: M }[] = [];
  constructor(
    private readonly limit: number,
    private readonly take: (r: T, meta: M) => void,
  ) {}
  add(p: Promise<T>, meta: M): void {
    // A rejection is taken in order too; until then it must not count as unhandled.
    p.catch(() => undefined);
    this.queue.push({ p, meta });
  }
  async pace(): Promise<void> {
    while (this.queue.length >= this.limit) await this.takeOne();
  }
  async drain(): Promise<void> {
    while (this.queue.length > 0) await this.takeOne();
  }
  private async takeOne(): Promise<void> {
    const { p, meta } = this.queue.shift()!;
    this.take(await p, meta);
  }
}

/** What streaming log/entries.jsonl found for the log checks. */
export interface StreamedEntries extends StreamedFile {
  /** splitLines's line count, or undefined if the bytes are not non-empty newline-terminated lines. */
  lines: number | undefined;
  /** log.entries.format's verdict, meaningful when `lines` is the window's size. */
  format: Result<LogEntry[], "bad-entry">;
  hashed: HashedRange;
}

/**
 * Streams log/entries.jsonl: hashes the file, counts its lines and, for a window [start, start + count),
 * checks them in batches on `checker` (canonical, well-formed, seq, `at` never decreasing across batches too)
 * and hashes their leaves and aligned blocks. Only the leaf hashes and the kept entries stay; the verdicts and
 * details are those of checking the whole file at once (parseEntries, before streaming).
 */
export async function streamEntries(
  source: BundleSource,
  name: string,
  declaredSize: number,
  start: number,
  count: number,
  blockLevel: number,
  sha: Sha256,
  checker: BatchChecker,
): Promise<StreamedEntries> {
  // Every line takes at least two bytes: a window larger than that fails the count, so only count lines.
  if (count > declaredSize / 2) {
    const lines = new LineSplitter(
      0,
      () => 0,
      () => undefined,
    );
    const file = await streamFile(
      source,
      name,
      sha,
      (c) => lines.push(c),
      async () => undefined,
    );
    lines.end();
    const none = { leaves: new Uint8Array(), blockLevel, firstBlockStart: start, blocks: new Uint8Array() };
    return { ...file, lines: lines.malformed ? undefined : lines.lines, format: ok([]), hashed: none };
  }
  const blockSize = 2 ** blockLevel;
  const firstBlockStart = firstBlockStartAtOrAfter(start, blockLevel);
  const leaves = new Uint8Array(32 * count);
  const blocks = new Uint8Array(32 * blockCount(start, count, blockLevel));
  const kept: LogEntry[] = [];
  let utf8 = true;
  let error: string | undefined;
  let prevLastAt: string | undefined;

  const inFlight = new InOrder<EntryBatchResult, number>(2 * checker.parallelism, (r, first) => {
    if (!r.utf8) utf8 = false;
    if (!utf8 || error !== undefined) return;
    const at = start + first;
    if (r.firstAt !== undefined && prevLastAt !== undefined && r.firstAt < prevLastAt)
      error = `entry ${at} is timestamped before entry ${at - 1}`;
    else if (r.error) error = r.error.message;
    else {
      for (const e of r.kept) kept.push(e);
      prevLastAt = r.lastAt;
    }
    leaves.set(r.leaves, 32 * first);
    if (r.blocks.length > 0)
      blocks.set(r.blocks, 32 * ((firstBlockStartAtOrAfter(at, blockLevel) - firstBlockStart) / blockSize));
  });
  const splitter = new LineSplitter(
    count,
    (done) => Math.min(count - done, ENTRY_BATCH - ((start + done) % ENTRY_BATCH)),
    (bytes, lineStarts, first) => {
      // A line past the window's end means the count check fails: nothing more to check.
      if (first + lineStarts.length - 1 > count) return;
      inFlight.add(
        checker.checkEntries({ bytes, lineStarts, first: start + first, fileStart: first === 0, blockLevel }),
        first,
      );
    },
  );
  const file = await streamFile(
    source,
    name,
    sha,
    (c) => splitter.push(c),
    () => inFlight.pace(),
  );
  splitter.end();
  await inFlight.drain();
  const lines = splitter.malformed ? undefined : splitter.lines;
  return {
    ...file,
    lines,
    format: !utf8
      ? err("bad-entry", "entries.jsonl is not UTF-8")
      : error !== undefined
        ? err("bad-entry", error)
        : ok(kept),
    hashed: { leaves, blockLevel, firstBlockStart, blocks },
  };
}

/** Streams a file only to read and hash it (for index.files and bundle.zip). */
export function streamUnchecked(source: BundleSource, name: string, sha: Sha256): Promise<StreamedFile> {
  return streamFile(
    source,
    name,
    sha,
    () => undefined,
    async () => undefined,
  );
}

/** What streaming manifests.jsonl found. */
export interface StreamedManifests extends StreamedFile {
  /** The manifests check's problems, at most five, in order (none: it passes). */
  problems: string[];
}

/**
 * Streams manifests.jsonl against the window's backup.completed entries (`completed`, or undefined when the
 * check is not reached): one line each, in order, checked in batches on `checker`. The problems are those of
 * checking the whole file at once: its lines first (missing, malformed, how many), then each manifest's.
 */
export async function streamManifests(
  source: BundleSource,
  name: string,
  completed: LogEntryOf<"backup.completed">[] | undefined,
  keys: NamedVerifier[],
  sha: Sha256,
  checker: BatchChecker,
): Promise<StreamedManifests> {
  const count = completed?.length ?? 0;
  const problems: string[] = [];
  const inFlight = new InOrder<ManifestBatchResult, number>(2 * checker.parallelism, (r) => {
    for (const p of r.problems) if (problems.length < MAX_MANIFEST_PROBLEMS) problems.push(p);
  });
  const splitter = new LineSplitter(
    count,
    (done) => Math.min(count - done, MANIFEST_BATCH),
    (bytes, lineStarts, first) => {
      const n = lineStarts.length - 1;
      if (!completed || first + n > count) return;
      const targets: ManifestTarget[] = [];
      for (let i = first; i < first + n; i++) {
        const e = completed[i]!;
        const d = e.data;
        targets.push({
          seq: e.seq,
          data: {
            backupId: d.backupId,
            databaseId: d.databaseId,
            jobId: d.jobId,
            artifact: d.artifact,
            manifestSha256: d.manifestSha256,
          },
        });
      }
      inFlight.add(checker.checkManifests({ bytes, lineStarts, first, targets, keys }), first);
    },
  );
  const present = source.files.some((f) => f.name === name);
  const file = await streamFile(
    source,
    name,
    sha,
    (c) => splitter.push(c),
    () => inFlight.pace(),
  );
  splitter.end();
  await inFlight.drain();
  // A missing file read as one unterminated byte before streaming: not lines.
  if (!present || splitter.malformed)
    return { ...file, problems: [`${name} is missing or not newline-terminated lines`] };
  if (splitter.lines !== count)
    return { ...file, problems: [`${splitter.lines} manifests for ${count} backup.completed entries`] };
  return { ...file, problems };
}
