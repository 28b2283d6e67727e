import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  anchorObjectKeys,
  bytesEqual,
  type CosignerKey,
  cosignCheckpoint,
  cosignerOf,
  encodeAnchorProof,
  err,
  fromBase64,
  type NamedSigner,
  ok,
  parseSignedNote,
  type Result,
  toBase64,
  type WitnessState,
} from "@walwarden/verifier";
import { z } from "zod";
import type { Retention } from "../kit/write-kit.js";
import { writeStateFile } from "./witness-store.js";

/** The checkpoints accepted and not yet written to the bucket, in the state dir (SPEC §13 "Anchored checkpoints"). */
export const WITNESS_ANCHORS_FILE = "witness-anchors.json";

const Decimal = z.string().regex(/^(0|[1-9][0-9]{0,18})$/);
const Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
const PendingSchema = z.strictObject({
  /** The size of the witness state before this checkpoint was accepted (`to` itself: it was accepted before anchoring). */
  from: Decimal,
  to: Decimal,
  /** The checkpoint's root, to drop it if the stored state never recorded it. */
  root: Hash,
  /** The checkpoint as the Worker handed it. */
  note: z.string().min(1),
  /** The consistency proof from `from` to `to` the runner verified. */
  proof: z.array(Hash).max(64),
});
const QueueSchema = z.strictObject({
  v: z.literal(1),
  /** The newest checkpoint written to the bucket. */
  anchored: z.strictObject({ size: Decimal, root: Hash }).nullable(),
  pending: z.array(PendingSchema),
});
type AnchorQueue = z.infer<typeof QueueSchema>;

/** Where and how the runner writes its anchors: its bucket, prefix and Object Lock. */
export interface AnchorBucket {
  s3: S3Client;
  bucket: string;
  prefix: string;
  /** The Object Lock of an anchor written now (none without `bucket.objectLock`). */
  retention: () => Retention | undefined;
}

/** The queue as stored (empty before the first anchor); a file that does not parse is an error, never reset. */
async function loadQueue(stateDir: string): Promise<Result<AnchorQueue, "state-unreadable">> {
  const path = join(stateDir, WITNESS_ANCHORS_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return ok({ v: 1, anchored: null, pending: [] });
    return err("state-unreadable", `cannot read ${path}: ${code}`);
  }
  try {
    return ok(QueueSchema.parse(JSON.parse(text)));
  } catch {
    return err(
      "state-unreadable",
      `${path} is not the runner's anchor queue: restore it from a backup of the state dir`,
    );
  }
}

async function saveQueue(stateDir: string, q: AnchorQueue): Promise<Result<void, "state-unwritable">> {
  const saved = await writeStateFile(stateDir, WITNESS_ANCHORS_FILE, `${JSON.stringify(q)}\n`);
  return saved.ok ? saved : err("state-unwritable", `cannot write the anchor queue ${saved.message}`);
}

/**
 * Queues the checkpoint the witness step just accepted, before its state is stored (SPEC §13): with the
 * proof it verified from the state it had (`"0"` on first use). The same checkpoint again is queued only if
 * it was never anchored (a state older than anchoring: from its own size, no proof). Entries the stored
 * state never recorded (beyond the size this step starts from) are dropped: they were never accepted.
 */
export async function queueAnchor(
  stateDir: string,
  previous: WitnessState | null,
  next: WitnessState,
  note: string,
  proof: readonly Uint8Array[],
): Promise<Result<void, "state-unreadable" | "state-unwritable">> {
  const q = await loadQueue(stateDir);
  if (!q.ok) return q;
  const to = next.size.toString();
  const unchanged = previous !== null && previous.size === next.size;
  if (unchanged && (q.value.anchored?.size === to || q.value.pending.some((p) => p.to === to))) return ok(undefined);
  const from = unchanged ? next.size : (previous?.size ?? 0n);
  const entry = {
    from: from.toString(),
    to,
    root: toBase64(next.rootHash),
    note,
    proof: unchanged ? [] : proof.map(toBase64),
  };
  const pending = [...q.value.pending.filter((p) => BigInt(p.to) <= from), entry];
  return saveQueue(stateDir, { ...q.value, pending });
}

/** How many queued anchors there are (0 when the queue cannot be read). */
export async function pendingAnchors(stateDir: string): Promise<number> {
  const q = await loadQueue(stateDir);
  return q.ok ? q.value.pending.length : 0;
}

/**
 * A checkpoint with the runner's cosignature line: any line of its own witness key removed (a note may not
 * carry two lines of one key), the new line appended after the others.
 */
export function withOwnCosignature(note: string, line: string, key: CosignerKey): string {
  const end = note.indexOf("\n\n");
  if (end < 0) return note + line;
  const lines = note
    .slice(end + 2)
    .split("\n")
    .filter((l) => l !== "" && !isLineOf(l, key));
  return `${note.slice(0, end + 2)}${lines.map((l) => `${l}\n`).join("")}${line}`;
}

function isLineOf(line: string, key: CosignerKey): boolean {
  const head = `— ${key.name} `;
  if (!line.startsWith(head)) return false;
  const sig = fromBase64(line.slice(head.length));
  if (!sig || sig.length < 4) return false;
  return ((sig[0]! << 24) | (sig[1]! << 16) | (sig[2]! << 8) | sig[3]!) >>> 0 === key.keyId;
}

/**
 * Writes the queued anchors to the bucket, oldest first (SPEC §13): for each, `<size>.proof.json`, then the
 * checkpoint with a fresh cosignature line as `<size>.txt`, then `latest.txt`, each with the lock when one is
 * configured; it leaves the queue after its three writes. Entries the stored state `state` does not cover
 * are dropped. A failed write stops here and keeps the rest queued for the next call; the count written.
 */
export async function flushAnchors(
  stateDir: string,
  state: WitnessState | null,
  bucket: AnchorBucket,
  signer: NamedSigner,
  runnerId: string,
  nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
): Promise<Result<number, "state-unreadable" | "state-unwritable" | "anchor-failed">> {
  const loaded = await loadQueue(stateDir);
  if (!loaded.ok) return loaded;
  const q = loaded.value;
  const covered = q.pending.filter(
    (p) =>
      state !== null &&
      (BigInt(p.to) < state.size || (BigInt(p.to) === state.size && bytesEqual(fromBase64(p.root)!, state.rootHash))),
  );
  if (covered.length !== q.pending.length) {
    q.pending = covered;
    const saved = await saveQueue(stateDir, q);
    if (!saved.ok) return saved;
  }
  const key = cosignerOf(signer);
  let written = 0;
  while (q.pending.length) {
    const p = q.pending[0]!;
    const keys = anchorObjectKeys(bucket.prefix, runnerId, p.to);
    if (!keys.ok) return err("anchor-failed", keys.message);
    const body = parseSignedNote(p.note);
    if (!body.ok) return err("anchor-failed", `queued checkpoint ${p.to} does not parse: ${body.message}`);
    const line = cosignCheckpoint(body.value.text, signer, nowSeconds());
    if (!line.ok) return err("anchor-failed", line.message);
    const note = withOwnCosignature(p.note, line.value, key);
    const retention = bucket.retention();
    try {
      for (const [k, text, type] of [
        [keys.value.proof, encodeAnchorProof(BigInt(p.from), BigInt(p.to), p.proof), "application/json"],
        [keys.value.note, note, "text/plain; charset=utf-8"],
        [keys.value.latest, note, "text/plain; charset=utf-8"],
      ] as const)
        await bucket.s3.send(
          new PutObjectCommand({
            Bucket: bucket.bucket,
            Key: k,
            Body: text,
            ContentType: type,
            ...(retention ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: retention.retainUntil } : {}),
          }),
        );
    } catch (e) {
      return err("anchor-failed", `writing the anchor of ${p.to} to the bucket failed: ${(e as Error).message}`);
    }
    q.anchored = { size: p.to, root: p.root };
    q.pending.shift();
    const saved = await saveQueue(stateDir, q);
    if (!saved.ok) return saved;
    written++;
  }
  return ok(written);
}
