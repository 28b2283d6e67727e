import { DurableObject } from "cloudflare:workers";
import {
  consistencyProofFrom,
  cosignerKey,
  EMPTY_ROOT,
  encodeEntry,
  err,
  fromBase64,
  fromUtf8,
  inclusionProofFrom,
  isValidKeyName,
  leafHash,
  ok,
  parseCheckpointNote,
  portableSha256,
  signCheckpoint,
  toBase64,
  utf8,
  validateEntry,
  verifyConsistency,
  verifyCosignatures,
  type EventType,
  type InclusionProof,
  type LogEntry,
  type Result,
} from "@walwarden/verifier";
import { logOrigin, type CoreEnv } from "../core-env.js";
import { redactEventData } from "../log/free-text.js";
import { logError } from "../log/log-error.js";
import { signingKeys, type SigningKeys } from "./keys.js";
import { mirrorToD1 } from "./mirror.js";
import { appendLeaf, frontierOf, rangeRootOf, type NodeStore } from "./subtree-store.js";
import { replaceLoneSurrogates } from "./well-formed.js";

/** One event to append. `key` makes the append idempotent: the same key twice yields the first entry. */
export interface AppendEvent {
  key: string;
  type: EventType;
  actor: string;
  subject: string;
  data: unknown;
}

/** An appended (or already present) entry with its inclusion proof in the returned checkpoint's tree. */
export interface AppendedEntry {
  key: string;
  seq: number;
  entry: string;
  proof: InclusionProof;
}

/** What an append returns: the entries, and the signed checkpoint their proofs lead to. */
export interface AppendResult {
  entries: AppendedEntry[];
  checkpoint: string;
  treeSize: number;
}

/** Why the Ledger refused. */
export type LedgerErrorCode =
  | "invalid-entry"
  | "keys"
  | "wrong-org"
  | "inconsistent"
  | "out-of-range"
  | "mirror-behind";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, idem TEXT NOT NULL UNIQUE, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cosignatures (size INTEGER NOT NULL, witness TEXT NOT NULL, line TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (size, witness)) WITHOUT ROWID;
`;

/** Most witnesses whose cosignatures one checkpoint keeps (a note holds at most 100 signature lines). */
export const MAX_COSIGNERS = 16;

/** Most witness names one witnessHeads call answers for (GET /v1/witnesses: the runners of MAX_RUNNER_WITNESSES). */
export const MAX_WITNESS_HEADS = 100;

const sha = portableSha256;
/** How long appends may gather before their entries are copied to D1 together. */
const MIRROR_DELAY_MS = 25;

/**
 * The Ledger: one per org (`idFromName(orgId)`), the only writer of the org's Merkle log. It appends
 * entries, keeps the roots of complete subtrees (so proofs never scan the log), signs a checkpoint after
 * every append and refuses to sign one that is not consistent with the previous, serves proofs, and copies
 * entries into D1 for queries (in the background; log readers call syncMirror first). Everything it
 * writes happens in one synchronous step, so concurrent calls never interleave inside an append.
 */
export class Ledger extends DurableObject<CoreEnv> {
  private readonly sql: SqlStorage;
  private readonly nodes: NodeStore;
  /** Meta values and the entry count, cached: this object is the only one that writes them. */
  private readonly metaCache = new Map<string, string | undefined>();
  private count: number | undefined;
  /** The D1 copy in progress, if any, and the timer that will start the next one. */
  private mirroring: Promise<void> | undefined;
  private mirrorTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, env: CoreEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    this.nodes = {
      get: (level, index) => {
        const row = this.sql
          .exec<{ hash: ArrayBuffer }>("SELECT hash FROM nodes WHERE level = ? AND idx = ?", level, index)
          .toArray()[0];
        return row ? new Uint8Array(row.hash) : undefined;
      },
      put: (level, index, hash) => {
        this.sql.exec("INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)", level, index, hash.slice().buffer);
      },
    };
  }

  private meta(k: string): string | undefined {
    if (!this.metaCache.has(k))
      this.metaCache.set(k, this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v);
    return this.metaCache.get(k);
  }

  private setMeta(k: string, v: string): void {
    this.sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", k, v);
    this.metaCache.set(k, v);
  }

  /** Number of entries in the log. */
  size(): number {
    this.count ??= this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM entries").one().n;
    return this.count;
  }

  private bindOrg(orgId: string): Result<string, "wrong-org"> {
    const bound = this.meta("org");
    if (bound === undefined) this.setMeta("org", orgId);
    else if (bound !== orgId) return err("wrong-org", `this ledger belongs to ${bound}, not ${orgId}`);
    return ok(orgId);
  }

  /** Key events owed before anything else: key.registered for a new log, key.rotated when a secret changed. */
  private keyEvents(keys: SigningKeys): AppendEvent[] {
    const events: AppendEvent[] = [];
    for (const purpose of ["checkpoint", "manifest"] as const) {
      const vkey = keys[purpose].vkey;
      const previous = this.meta(`vkey:${purpose}`);
      if (previous === vkey) continue;
      const data = previous === undefined ? { purpose, vkey } : { purpose, previousVkey: previous, vkey };
      events.push({
        key: `key:${purpose}:${vkey}`,
        type: previous === undefined ? "key.registered" : "key.rotated",
        actor: "system:ledger",
        subject: `key:${purpose}`,
        data,
      });
    }
    return events;
  }

  /** Appends events (idempotently, by key), signs a checkpoint over the new tree and returns proofs. */
  async append(orgId: string, events: AppendEvent[]): Promise<Result<AppendResult, LedgerErrorCode>> {
    const keys = signingKeys(this.env);
    if (!keys.ok) return keys;
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    const all = [...this.keyEvents(keys.value), ...events];

    // Build and check every new entry before writing any: a bad event changes nothing.
    let seq = this.size();
    const lastAt = this.meta("lastAt");
    const at = new Date(Math.max(Date.now(), lastAt ? Date.parse(lastAt) : 0)).toISOString();
    const fresh: { key: string; entry: LogEntry; text: string }[] = [];
    const seen = new Set<string>();
    for (const e of all) {
      if (seen.has(e.key) || this.seqOf(e.key) !== undefined) continue;
      seen.add(e.key);
      // Well-formed first (the log cannot hold a lone surrogate), then redacted.
      const { actor, subject, data: raw } = replaceLoneSurrogates({ actor: e.actor, subject: e.subject, data: e.data });
      const data = redactEventData(raw);
      const checked = validateEntry({ v: 1, seq, type: e.type, at, actor, subject, data });
      if (!checked.ok) return err("invalid-entry", `${e.type}: ${checked.message}`);
      fresh.push({ key: e.key, entry: checked.value, text: fromUtf8(encodeEntry(checked.value))! });
      seq++;
    }

    const checkpoint = this.commit(orgId, fresh, at, keys.value);
    if (!checkpoint.ok) return checkpoint;

    const treeSize = seq;
    const rootOf = rangeRootOf(this.nodes, sha);
    const entries = events.map((e) => {
      const s = this.seqOf(e.key)!;
      const text = this.sql.exec<{ entry: string }>("SELECT entry FROM entries WHERE seq = ?", s).one().entry;
      return {
        key: e.key,
        seq: s,
        entry: text,
        proof: proofJson(s, treeSize, inclusionProofFrom(rootOf, s, treeSize)),
      };
    });
    if (fresh.length > 0) this.mirrorSoon();
    return ok({ entries, checkpoint: checkpoint.value, treeSize });
  }

  /**
   * Writes new entries and their subtree roots and signs the checkpoint, as one transaction: a checkpoint
   * we refuse to sign takes the entries with it (throwing inside transactionSync rolls it back).
   */
  private commit(
    orgId: string,
    fresh: { key: string; entry: LogEntry; text: string }[],
    at: string,
    keys: SigningKeys,
  ): Result<string, LedgerErrorCode> {
    let checkpoint: Result<string, LedgerErrorCode> = err("inconsistent", "no checkpoint");
    try {
      this.ctx.storage.transactionSync(() => {
        for (const f of fresh) {
          this.sql.exec("INSERT INTO entries (seq, idem, entry) VALUES (?, ?, ?)", f.entry.seq, f.key, f.text);
          appendLeaf(this.nodes, f.entry.seq, leafHash(utf8(f.text), sha), sha);
          if (f.entry.type === "key.registered" || f.entry.type === "key.rotated")
            this.setMeta(`vkey:${f.entry.data.purpose}`, f.entry.data.vkey);
        }
        if (fresh.length > 0) this.setMeta("lastAt", at);
        if (fresh.length > 0) this.count = fresh.at(-1)!.entry.seq + 1;
        checkpoint = this.signCurrent(orgId, keys);
        if (!checkpoint.ok) throw new RefusedCheckpoint();
      });
    } catch (e) {
      // Rolled back: what the caches learned inside the transaction is no longer true.
      this.metaCache.clear();
      this.count = undefined;
      if (!(e instanceof RefusedCheckpoint)) throw e;
    }
    return checkpoint;
  }

  private seqOf(key: string): number | undefined {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM entries WHERE idem = ?", key).toArray()[0]?.seq;
  }

  /**
   * Signs a checkpoint for the current tree unless one exists, after checking the new root is consistent
   * with the last signed checkpoint (a corrupted subtree store would otherwise be signed into a fork).
   */
  private signCurrent(orgId: string, keys: SigningKeys): Result<string, LedgerErrorCode> {
    const size = this.size();
    const existing = this.sql.exec<{ note: string }>("SELECT note FROM checkpoints WHERE size = ?", size).toArray()[0];
    if (existing) return ok(existing.note);
    const rootOf = rangeRootOf(this.nodes, sha);
    const root = size === 0 ? EMPTY_ROOT : rootOf(0, size);
    const previous = this.sql
      .exec<{ size: number; note: string }>("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1")
      .toArray()[0];
    if (previous && previous.size > 0) {
      const prev = parseCheckpointNote(previous.note);
      if (!prev.ok) return err("inconsistent", `stored checkpoint ${previous.size} does not parse`);
      const proof = consistencyProofFrom(rootOf, previous.size, size);
      const consistent = verifyConsistency(previous.size, size, prev.value.rootHash, root, proof, sha);
      if (!consistent.ok)
        return err(
          "inconsistent",
          `refusing to sign size ${size}: not consistent with checkpoint ${previous.size} (${consistent.message})`,
        );
    }
    const note = signCheckpoint({ origin: logOrigin(this.env, orgId), size, rootHash: root }, keys.checkpoint);
    if (!note.ok) return err("keys", note.message);
    this.sql.exec("INSERT INTO checkpoints (size, note) VALUES (?, ?)", size, note.value);
    return ok(note.value);
  }

  /** The newest signed checkpoint (signing one for the empty log on first use). */
  checkpoint(orgId: string): Result<{ checkpoint: string; treeSize: number }, LedgerErrorCode> {
    const keys = signingKeys(this.env);
    if (!keys.ok) return keys;
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    const note = this.signCurrent(orgId, keys.value);
    return note.ok ? ok({ checkpoint: this.cosigned(this.size(), note.value), treeSize: this.size() }) : note;
  }

  /** A stored checkpoint with the cosignature lines witnesses sent for its size appended (SPEC §13). */
  private cosigned(size: number, note: string): string {
    const lines = this.sql
      .exec<{ line: string }>("SELECT line FROM cosignatures WHERE size = ? ORDER BY witness", size)
      .toArray();
    return note + lines.map((l) => l.line).join("");
  }

  /**
   * What a witness at `fromSize` is handed (SPEC §13): the newest checkpoint and the consistency proof from
   * its size, or null when the log is no larger. A size larger than the log gets the checkpoint with no
   * proof, which the witness refuses as a rollback: that is what it is shown.
   */
  witnessView(
    orgId: string,
    fromSize: number,
  ): Result<{ checkpoint: string; proof: string[] } | null, LedgerErrorCode> {
    const head = this.checkpoint(orgId);
    if (!head.ok) return head;
    const size = head.value.treeSize;
    if (fromSize === size) return ok(null);
    const proof =
      fromSize === 0 || fromSize > size
        ? []
        : consistencyProofFrom(rangeRootOf(this.nodes, sha), fromSize, size).map(toBase64);
    return ok({ checkpoint: head.value.checkpoint, proof });
  }

  /**
   * Keeps a witness's cosignature/v1 line for the checkpoint signed at `size` if it verifies with the
   * witness's key over that checkpoint ("invalid-entry" otherwise); the same witness again replaces its line.
   */
  addCosignature(
    orgId: string,
    size: number,
    witness: { name: string; publicKey: string },
    line: string,
    at: number,
  ): Result<true, LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    const signed = this.sql.exec<{ note: string }>("SELECT note FROM checkpoints WHERE size = ?", size).toArray()[0];
    if (!signed) return err("out-of-range", `no checkpoint was signed at size ${size}`);
    const publicKey = fromBase64(witness.publicKey);
    if (publicKey?.length !== 32 || !isValidKeyName(witness.name))
      return err("invalid-entry", "the witness key is not a named Ed25519 key");
    const key = cosignerKey(witness.name, publicKey);
    if (!line.endsWith("\n") || line.indexOf("\n") !== line.length - 1)
      return err("invalid-entry", "a cosignature is one signature line ending in a newline");
    const checked = verifyCosignatures(signed.note + line, [key], 1);
    if (!checked.ok) return err("invalid-entry", `the cosignature does not verify: ${checked.message}`);
    const others = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM cosignatures WHERE size = ? AND witness <> ?", size, witness.name)
      .one().n;
    if (others >= MAX_COSIGNERS)
      return err("out-of-range", `checkpoint ${size} already has ${MAX_COSIGNERS} cosigners`);
    this.sql.exec(
      "INSERT INTO cosignatures (size, witness, line, at) VALUES (?, ?, ?, ?) ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line, at = excluded.at",
      size,
      witness.name,
      line,
      at,
    );
    return ok(true);
  }

  /**
   * For each witness key name (at most MAX_WITNESS_HEADS), the newest size it cosigned that is kept and when
   * that was kept (0 and null: none), and while it is behind the log, when the oldest entry it has not
   * cosigned was appended (that entry's `at`): one call for a witness list's lag (SPEC §13). Each name is one
   * read down the cosignatures by size from the newest, so a witness that keeps up is found at once.
   */
  witnessHeads(
    orgId: string,
    names: string[],
  ): Result<
    { treeSize: number; heads: { name: string; size: number; at: number | null; waitingSince: number | null }[] },
    LedgerErrorCode
  > {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    if (names.length > MAX_WITNESS_HEADS)
      return err("out-of-range", `at most ${MAX_WITNESS_HEADS} witnesses at once, got ${names.length}`);
    const treeSize = this.size();
    const waiting = new Map<number, number | null>();
    const waitingSince = (size: number): number | null => {
      if (size >= treeSize) return null;
      if (!waiting.has(size)) {
        const entry = this.sql
          .exec<{ entry: string }>("SELECT entry FROM entries WHERE seq = ?", size)
          .toArray()[0]?.entry;
        const at = entry === undefined ? Number.NaN : Date.parse((JSON.parse(entry) as { at: string }).at);
        waiting.set(size, Number.isFinite(at) ? at : null);
      }
      return waiting.get(size) ?? null;
    };
    const heads = names.map((name) => {
      const row = this.sql
        .exec<{ size: number; at: number }>(
          "SELECT size, at FROM cosignatures WHERE witness = ? ORDER BY size DESC LIMIT 1",
          name,
        )
        .toArray()[0];
      const size = row?.size ?? 0;
      return { name, size, at: row?.at ?? null, waitingSince: waitingSince(size) };
    });
    return ok({ treeSize, heads });
  }

  /**
   * The newest checkpoint of at least `minSize` that a witness cosigned, with its lines, or null: what an
   * evidence bundle is proven against when one covers its window (SPEC §13).
   */
  newestCosigned(
    orgId: string,
    minSize: number,
  ): Result<{ checkpoint: string; treeSize: number } | null, LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    const row = this.sql
      .exec<{ size: number; note: string }>(
        "SELECT c.size, c.note FROM checkpoints c WHERE c.size >= ? AND EXISTS (SELECT 1 FROM cosignatures w WHERE w.size = c.size) ORDER BY c.size DESC LIMIT 1",
        minSize,
      )
      .toArray()[0];
    return ok(row ? { checkpoint: this.cosigned(row.size, row.note), treeSize: row.size } : null);
  }

  /** The signed checkpoint of an earlier size, if one was signed at that size. */
  checkpointAt(orgId: string, size: number): Result<string, LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    const row = this.sql.exec<{ note: string }>("SELECT note FROM checkpoints WHERE size = ?", size).toArray()[0];
    return row ? ok(this.cosigned(size, row.note)) : err("out-of-range", `no checkpoint was signed at size ${size}`);
  }

  /**
   * The newest signed checkpoint, and `at`: the Ledger's clock, before which no entry appended from now on
   * can be timestamped (entries' `at` never decreases). An evidence export cuts its period there, so the
   * same period exported later covers the same entries.
   */
  head(orgId: string): Result<{ checkpoint: string; treeSize: number; at: string }, LedgerErrorCode> {
    const current = this.checkpoint(orgId);
    if (!current.ok) return current;
    const lastAt = this.meta("lastAt");
    return ok({ ...current.value, at: new Date(Math.max(Date.now(), lastAt ? Date.parse(lastAt) : 0)).toISOString() });
  }

  /**
   * For each entry, the checkpoint its append returned (the first signed after it): the one a runner
   * stores in the backup's walk-away kit. Distinct notes, by size.
   */
  appendCheckpoints(orgId: string, seqs: number[]): Result<{ size: number; note: string }[], LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    const found = new Map<number, string>();
    for (const seq of seqs) {
      const row = this.sql
        .exec<{ size: number; note: string }>(
          "SELECT size, note FROM checkpoints WHERE size > ? ORDER BY size LIMIT 1",
          seq,
        )
        .toArray()[0];
      if (row) found.set(row.size, this.cosigned(row.size, row.note));
    }
    return ok([...found].sort(([a], [b]) => a - b).map(([size, note]) => ({ size, note })));
  }

  /** The compact range (left frontier) of the tree of `size`, base64, largest subtree first: O(log n) reads. */
  frontier(orgId: string, size: number): Result<string[], LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size())
      return err("out-of-range", `need 0 ≤ size ≤ ${this.size()}, got ${size}`);
    return ok(frontierOf(this.nodes, size).map(toBase64));
  }

  /** Inclusion proof of entry `seq` in the tree of `treeSize` (default: now). */
  inclusion(orgId: string, seq: number, treeSize?: number): Result<InclusionProof, LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    const size = treeSize ?? this.size();
    if (size > this.size() || seq >= size)
      return err("out-of-range", `entry ${seq} is not in a tree of ${size} (the log has ${this.size()} entries)`);
    return ok(proofJson(seq, size, inclusionProofFrom(rangeRootOf(this.nodes, sha), seq, size)));
  }

  /** Consistency proof (base64 hashes) from tree size `from` to `to`. */
  consistency(orgId: string, from: number, to: number): Result<string[], LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    if (from < 1 || from > to || to > this.size())
      return err("out-of-range", `need 1 ≤ from ≤ to ≤ ${this.size()}, got ${from} and ${to}`);
    return ok(consistencyProofFrom(rangeRootOf(this.nodes, sha), from, to).map(toBase64));
  }

  /** Stored entry texts [from, from + limit), for exports (fewer at the end of the log). */
  entries(orgId: string, from: number, limit: number): Result<string[], LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    return ok(
      this.sql
        .exec<{ entry: string }>("SELECT entry FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?", from, limit)
        .toArray()
        .map((r) => r.entry),
    );
  }

  /**
   * Stored entry texts [start, end) exactly, for an evidence bundle read in pages (one RPC answer stays
   * well under the RPC size limit): out-of-range unless the log holds all of them.
   */
  entryRange(orgId: string, start: number, end: number): Result<string[], LedgerErrorCode> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > this.size())
      return err("out-of-range", `need 0 ≤ start ≤ end ≤ ${this.size()}, got [${start}, ${end})`);
    return ok(
      this.sql
        .exec<{ entry: string }>("SELECT entry FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq", start, end)
        .toArray()
        .map((r) => r.entry),
    );
  }

  /**
   * Waits until D1 holds every entry appended so far, so a log query right after an action sees it.
   * Appends do not wait for the copy (it would double their cost); readers do.
   */
  async syncMirror(orgId: string): Promise<Result<number, LedgerErrorCode>> {
    const org = this.bindOrg(orgId);
    if (!org.ok) return org;
    await this.startMirror();
    const mirrored = Number(this.meta("mirrored") ?? "0");
    return mirrored >= this.size()
      ? ok(mirrored)
      : err("mirror-behind", `D1 holds ${mirrored} of ${this.size()} entries; the copy is retried by alarm`);
  }

  /**
   * Copies to D1 shortly: appends arriving within MIRROR_DELAY_MS share one D1 statement instead of paying
   * one each (a running copy also picks them up, as it loops until caught up).
   */
  private mirrorSoon(): void {
    if (this.mirrorTimer !== undefined || this.mirroring) return;
    this.mirrorTimer = setTimeout(() => {
      this.mirrorTimer = undefined;
      this.ctx.waitUntil(this.startMirror());
    }, MIRROR_DELAY_MS);
  }

  /** Starts copying entries into D1 unless a copy is running; either way, the promise of the running copy. */
  private startMirror(): Promise<void> {
    if (this.mirrorTimer !== undefined) clearTimeout(this.mirrorTimer);
    this.mirrorTimer = undefined;
    this.mirroring ??= this.mirror().finally(() => {
      this.mirroring = undefined;
    });
    return this.mirroring;
  }

  /** Copies entries not yet in D1 into D1, until caught up; on failure leaves an alarm to try again. */
  private async mirror(): Promise<void> {
    const org = this.meta("org");
    if (!org) return;
    for (;;) {
      const from = Number(this.meta("mirrored") ?? "0");
      const rows = this.sql
        .exec<{ entry: string }>("SELECT entry FROM entries WHERE seq >= ? ORDER BY seq LIMIT 1000", from)
        .toArray();
      if (rows.length === 0) return;
      try {
        await mirrorToD1(
          this.env.DB,
          org,
          rows.map((r) => r.entry),
        );
      } catch (e) {
        logError("ledger mirror to D1 failed; retrying by alarm", e);
        await this.ctx.storage.setAlarm(Date.now() + 5_000);
        return;
      }
      this.setMeta("mirrored", String(from + rows.length));
    }
  }

  /** Retries the D1 copy. */
  override async alarm(): Promise<void> {
    await this.startMirror();
  }
}

class RefusedCheckpoint extends Error {}

function proofJson(leafIndex: number, treeSize: number, hashes: Uint8Array[]): InclusionProof {
  return { v: 1, leafIndex, treeSize, hashes: hashes.map(toBase64) };
}
