import { zipSync } from "fflate";
import { canonicalBytes } from "../jcs/canonicalize.js";
import { sha256 } from "../hash/sha256.js";
import { toHex } from "../bytes/hex.js";
import { fromBase64 } from "../bytes/base64.js";
import { signEnvelope } from "../dsse/envelope.js";
import type { DrillPredicate } from "../drill/predicate.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { MemoryLog } from "../log/memory-log.js";
import { signManifest } from "../manifest/build-manifest.js";
import { formatVkey, signCheckpoint } from "../note/index.js";
import { BundleIndexSchema, BundlePaths, INDEX_PAYLOAD_TYPE } from "../bundle/layout.js";
import { policyFromVkeys, type VerifyPolicy } from "../bundle/policy.js";
import { readBundle, type BundleFiles } from "../bundle/read-bundle.js";
import { renderReportHtml } from "../bundle/report-html.js";
import { writeBundle } from "../bundle/write-bundle.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER } from "./keys.js";
import { samplePredicate } from "./predicate.js";
import { drillConcludedEntry, fixtureDrillReceipt } from "./drill.js";

/** The log origin the fixtures use. */
export const ORIGIN = "test.walwarden.dev/log/org_acme";

/** A small deterministic PRNG (mulberry32) so fixtures depend only on their seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A synthetic org log: realistic backup and restore flows, with manifests and checkpoints along the way. */
export interface FixtureLog {
  log: MemoryLog;
  entries: LogEntry[];
  manifests: Map<string, Uint8Array>;
  /** Drill receipts (their exact JCS bytes) by SHA-256, the entries' receiptSha256 (empty without drills). */
  receipts: Map<string, Uint8Array>;
  /** Signed checkpoints taken during the log's life, by size. */
  checkpoints: Map<number, string>;
}

/** What a fixture log holds besides backups and restores. */
export interface FixtureLogOptions {
  /**
   * Restore drills of the latest completed backup (SPEC §11), signed by RUNNER_SIGNER (runner rn_01): most
   * pass, some fail their checks or their RTO target with a receipt, some end without one (a lost lease,
   * sometimes retried and then passed). Off by default, so that logs built without it stay as they were.
   */
  drills?: boolean;
}

type Queued = Omit<LogEntry, "seq" | "at" | "v">;

/** Builds a log of exactly `size` entries from a seed. */
export function buildFixtureLog(size: number, seed: number, options: FixtureLogOptions = {}): FixtureLog {
  const rand = prng(seed);
  const log = new MemoryLog();
  const entries: LogEntry[] = [];
  const manifests = new Map<string, Uint8Array>();
  const receipts = new Map<string, Uint8Array>();
  const checkpoints = new Map<number, string>();
  let t = Date.UTC(2026, 10, 1);
  let job = 0;
  let restore = 0;
  let drill = 0;
  let lastBackup: LogEntryOf<"backup.completed"> | undefined;
  const queue: Queued[] = [];
  const dbs = ["db_main", "db_analytics", "db_billing"];
  while (entries.length < size) {
    if (queue.length === 0) {
      if (options.drills && lastBackup && rand() < 0.3) {
        queue.push(...drillFlow(lastBackup, ++drill, t, rand, receipts));
        continue;
      }
      const db = dbs[Math.floor(rand() * dbs.length)]!;
      const jobId = `job_${++job}`;
      const backupId = `bk_${job}`;
      const roll = rand();
      if (roll < 0.15 && job > 2) {
        const restoreId = `rs_${++restore}`;
        const ref = { restoreId, backupId: `bk_${job - 1}` };
        const act = { actor: `restore:${restoreId}`, subject: `restore:${restoreId}` };
        queue.push({
          type: "restore.token_issued",
          actor: "user:u_admin",
          subject: act.subject,
          data: {
            ...ref,
            databaseId: db,
            tokenSha256: toHex(sha256(Uint8Array.of(restore))),
            expiresAt: new Date(t + 900_000).toISOString(),
          },
        } as never);
        queue.push({ type: "restore.claimed", ...act, data: { ...ref, clientVersion: "0.1.0" } } as never);
        queue.push({ type: "restore.downloading", ...act, data: ref } as never);
        queue.push({ type: "restore.verifying", ...act, data: { ...ref, sha256: "c".repeat(64) } } as never);
        if (rand() < 0.8) {
          queue.push({ type: "restore.restoring", ...act, data: ref } as never);
          queue.push({ type: "restore.completed", ...act, data: { ...ref, dryRun: false } } as never);
        } else
          queue.push({
            type: "restore.failed",
            ...act,
            data: { ...ref, stage: "verifying", reason: "SHA-256 mismatch" },
          } as never);
        continue;
      }
      const subject = `database:${db}`;
      queue.push({
        type: "backup.scheduled",
        actor: "system:cron",
        subject,
        data: { jobId, scheduleId: `sc_${db}`, databaseId: db, slot: new Date(t).toISOString() },
      } as never);
      queue.push({
        type: "backup.started",
        actor: "runner:rn_1",
        subject,
        data: { jobId, databaseId: db, runnerId: "rn_1", attempt: 1 },
      } as never);
      if (roll < 0.25) {
        queue.push({
          type: "backup.failed",
          actor: "runner:rn_1",
          subject,
          data: {
            jobId,
            databaseId: db,
            runnerId: "rn_1",
            attempt: 1,
            reason: "pg_dump: connection lost",
            willRetry: false,
          },
        } as never);
      } else {
        const sizeBytes = 1000 + Math.floor(rand() * 1e9);
        const artifactSha = toHex(sha256(new Uint8Array([job & 255, job >> 8])));
        const predicate = samplePredicate({
          backupId,
          databaseId: db,
          jobId,
          sizeBytes,
          s3: { ...samplePredicate().s3, key: `walwarden/${db}/${backupId}.dump.zst` },
        });
        const envelope = canonicalBytes(signManifest(predicate, artifactSha, MANIFEST_SIGNER));
        manifests.set(backupId, envelope);
        queue.push({
          type: "backup.completed",
          actor: "runner:rn_1",
          subject,
          data: {
            jobId,
            backupId,
            databaseId: db,
            runnerId: "rn_1",
            artifact: { uri: `s3://${predicate.s3.bucket}/${predicate.s3.key}`, sha256: artifactSha, sizeBytes },
            manifestSha256: toHex(sha256(envelope)),
          },
        } as never);
      }
    }
    t += 1000 + Math.floor(rand() * 60_000);
    const e = { v: 1, seq: entries.length, at: new Date(t).toISOString(), ...queue.shift()! } as LogEntry;
    entries.push(e);
    log.append(e);
    if (e.type === "backup.completed") lastBackup = e;
    if (e.type === "backup.completed" || rand() < 0.05) checkpoints.set(log.size, checkpointAt(log, log.size));
  }
  return { log, entries, manifests, receipts, checkpoints };
}

/** One drill of a backup as the log records it, its receipts added to `receipts`. */
function drillFlow(
  backup: LogEntryOf<"backup.completed">,
  n: number,
  t: number,
  rand: () => number,
  receipts: Map<string, Uint8Array>,
): Queued[] {
  const drillId = `dr_${n}`;
  const jobId = `job_dr_${n}`;
  const ref = { jobId, drillId, databaseId: backup.data.databaseId, backupId: backup.data.backupId };
  const subject = `database:${backup.data.databaseId}`;
  const flow: Queued[] = [
    { type: "drill.scheduled", actor: "system:cron", subject, data: { ...ref, slot: new Date(t).toISOString() } },
  ];
  const concluded = (over: (rtoMs: number) => Partial<DrillPredicate>) => {
    const phases = {
      downloadVerifyMs: 500 + Math.floor(rand() * 2000),
      restoreMs: 1000 + Math.floor(rand() * 10_000),
      checksMs: 100 + Math.floor(rand() * 1000),
    };
    const ms = phases.downloadVerifyMs + phases.restoreMs + phases.checksMs;
    const receipt = fixtureDrillReceipt(backup, {
      drillId,
      jobId,
      startedAt: new Date(t).toISOString(),
      completedAt: new Date(t + 1610 + ms).toISOString(),
      phases,
      rto: { ms, targetMs: 900_000 },
      ...over(ms),
    });
    receipts.set(receipt.sha256, receipt.bytes);
    const { v: _v, seq: _seq, at: _at, ...queued } = drillConcludedEntry(0, "", receipt);
    return queued as Queued;
  };
  const roll = rand();
  const pass = () => ({});
  if (roll < 0.6) flow.push(concluded(pass));
  else if (roll < 0.75)
    flow.push(
      concluded(() => ({
        outcome: "failed",
        failure: { phase: "checks", reason: "1 of 2 tables differ from the manifest" },
        tables: [
          { schema: "public", name: "orders", expectedRows: 1200, actualRows: 1100 },
          { schema: "public", name: "users", expectedRows: 42, actualRows: 42 },
        ],
      })),
    );
  else if (roll < 0.85)
    flow.push(
      concluded((ms) => ({
        outcome: "failed",
        failure: { phase: "rto", reason: "the restore took longer than the policy's maximum RTO" },
        rto: { ms, targetMs: 1000 },
      })),
    );
  else {
    const willRetry = rand() < 0.5;
    flow.push({
      type: "drill.failed",
      actor: "system:lease",
      subject,
      data: {
        ...ref,
        runnerId: null,
        attempt: 1,
        reason: "the runner's lease expired",
        willRetry,
        receiptSha256: null,
        runnerVkey: null,
      },
    } as Queued);
    if (willRetry) flow.push(concluded(pass));
  }
  return flow;
}

/**
 * A fixture log made of given entries (tests that change what the log says: the entries are re-logged
 * and its checkpoints re-signed, as a Worker that logged them would have). Checkpoints after each backup.
 */
export function fixtureLogOf(
  entries: LogEntry[],
  manifests: Map<string, Uint8Array>,
  receipts: Map<string, Uint8Array> = new Map(),
): FixtureLog {
  const log = new MemoryLog();
  const checkpoints = new Map<number, string>();
  for (const e of entries) {
    log.append(e);
    if (e.type === "backup.completed") checkpoints.set(log.size, checkpointAt(log, log.size));
  }
  return { log, entries, manifests, receipts, checkpoints };
}

/** A checkpoint of the fixture log at a size, signed by the test checkpoint key. */
export function checkpointAt(log: MemoryLog, size: number, origin = ORIGIN): string {
  const c = signCheckpoint({ origin, size, rootHash: log.root(size) }, CHECKPOINT_SIGNER);
  if (!c.ok) throw new Error(c.message);
  return c.value;
}

/** The policy that pins the test keys. */
export function fixturePolicy(extra: Partial<VerifyPolicy> = {}): VerifyPolicy {
  const p = policyFromVkeys([
    formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey),
    formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey),
  ]);
  if (!p.ok) throw new Error(p.message);
  return { ...p.value, ...extra };
}

/** A bundle of the window [start, end) of a fixture log, with the head at the log's size. */
export function fixtureBundle(f: FixtureLog, start: number, end: number): Uint8Array {
  const head = f.log.size;
  const window = f.entries.slice(start, end);
  const period = {
    from: window[0]?.at ?? "2026-11-01T00:00:00.000Z",
    to: window[window.length - 1]?.at ?? "2026-11-01T00:00:00.000Z",
  };
  const manifests = new Map<string, Uint8Array>();
  const drillReceipts: Uint8Array[] = [];
  for (const e of window)
    if (e.type === "backup.completed") manifests.set(e.data.backupId, f.manifests.get(e.data.backupId)!);
    else if ((e.type === "drill.completed" || e.type === "drill.failed") && e.data.receiptSha256)
      drillReceipts.push(f.receipts.get(e.data.receiptSha256)!);
  const zip = writeBundle({
    orgId: "org_acme",
    origin: ORIGIN,
    period,
    createdAt: "2026-11-24T12:00:00.000Z",
    start,
    entries: f.log.entries.slice(start, end),
    frontier: f.log.frontier(start),
    headCheckpoint: checkpointAt(f.log, head),
    headSize: head,
    consistency: end === 0 || end === head ? [] : f.log.consistencyProof(end, head),
    checkpoints: [...f.checkpoints].filter(([s]) => s >= start && s <= end && s !== head).map(([, note]) => note),
    manifests,
    ...(drillReceipts.length > 0 ? { drillReceipts } : {}),
    reportHtml: renderReportHtml({
      orgId: "org_acme",
      origin: ORIGIN,
      period,
      window: { start, end, head },
      entries: window,
      ...(drillReceipts.length > 0 ? { drillReceipts } : {}),
    }),
    indexSigner: MANIFEST_SIGNER,
  });
  if (!zip.ok) throw new Error(zip.message);
  return zip.value;
}

/** The files of a bundle (for tests that tamper with them). */
export function unzipBundle(zip: Uint8Array): BundleFiles {
  const r = readBundle(zip);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

/**
 * Zips files back into a bundle. With `resignIndex`, the index is rebuilt over the tampered files and
 * signed with the manifest key: an attacker who stole that key but not the checkpoint key.
 */
export function rezip(files: BundleFiles, options: { resignIndex?: boolean } = {}): Uint8Array {
  const out = new Map(files);
  if (options.resignIndex) {
    const env = JSON.parse(new TextDecoder().decode(files.get(BundlePaths.index)!));
    const index = BundleIndexSchema.parse(JSON.parse(new TextDecoder().decode(fromBase64(env.payload)!)));
    out.delete(BundlePaths.index);
    index.files = [...out.keys()]
      .sort()
      .map((path) => ({ path, size: out.get(path)!.length, sha256: toHex(sha256(out.get(path)!)) }));
    out.set(
      BundlePaths.index,
      canonicalBytes(signEnvelope(INDEX_PAYLOAD_TYPE, canonicalBytes(index), [MANIFEST_SIGNER])),
    );
  }
  return zipSync(Object.fromEntries(out));
}
