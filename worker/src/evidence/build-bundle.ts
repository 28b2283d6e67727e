import {
  BundlePaths,
  bundleFiles,
  canonicalBytes,
  decodeEntry,
  err,
  fromBase64,
  ok,
  renderReportHtml,
  sha256,
  toHex,
  utf8,
  zipBundleFiles,
  type LogEntry,
  type Result,
} from "@walwarden/verifier";
import { MAX_BUCKET_POSTURES } from "@walwarden/verifier/wire";
import { logOrigin, type Env } from "../env.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";
import { signingKeys } from "../ledger/keys.js";
import { periodWindow, type SeqWindow } from "./window.js";

/**
 * Most log entries one bundle holds. The bundle is built in the Worker's memory (128 MB): entries,
 * their bytes, the zip. A longer period is exported in parts.
 */
export const MAX_EXPORT_ENTRIES = 50_000;
/**
 * The entry types report.html reads: backups and their deletions, restores, drills, alerts, bucket posture,
 * and admin actions (access and configuration changes, retention policies among them).
 */
const REPORTED =
  /^(backup\.(completed|failed|expired|expiry_blocked)|restore\.|drill\.|alert\.|user\.|token\.|runner\.|bucket\.|database\.|schedule\.|retention\.)/;

/** Most bytes of entries plus manifests one bundle holds (manifests grow with a database's table count). */
export const MAX_EXPORT_BYTES = 32 * 1024 * 1024;
/** Entries per Ledger read: one RPC answer stays far below the RPC size limit. */
const PAGE = 5_000;
/** Backup ids per D1 manifest query (one JSON parameter). */
const IDS_PER_QUERY = 500;

/** What a bundle is built from: a period already cut at the head's time, and the head it is proven against. */
export interface EvidenceSpec {
  orgId: string;
  period: { from: string; to: string };
  /** The export's time, signed into the index (the caller chooses it: same spec, same bytes). */
  createdAt: string;
  head: { checkpoint: string; treeSize: number };
}

/** A built bundle: the zip, the SHA-256 of its signed index file, and the log window it proves. */
export interface BuiltEvidence {
  zip: Uint8Array;
  indexSha256: string;
  window: SeqWindow & { head: number };
}

/** Why no bundle was built. */
export type EvidenceErrorCode = "too-large";

/** How much one bundle may hold, and how many entries each Ledger read fetches. */
export interface EvidenceLimits {
  maxEntries: number;
  maxBytes: number;
  pageEntries?: number;
}
const LIMITS: EvidenceLimits = { maxEntries: MAX_EXPORT_ENTRIES, maxBytes: MAX_EXPORT_BYTES, pageEntries: PAGE };

/**
 * Builds the evidence bundle (SPEC.md §9) of an org's log entries timestamped in the period, proven
 * against the head: the window from D1's index, the entries' exact bytes, the frontier at the window's
 * start and the consistency proof from its end to the head from the Ledger, the checkpoints handed out with
 * the window's backups, their manifests from D1, and report.html with RPO compliance against the
 * schedules' targets. Writes nothing; the same spec gives the same bytes while the org's schedules stay.
 */
export async function buildEvidence(
  env: Env,
  spec: EvidenceSpec,
  limits: EvidenceLimits = LIMITS,
): Promise<Result<BuiltEvidence, EvidenceErrorCode>> {
  const { orgId, period } = spec;
  let { head } = spec;
  const ledger = ledgerOf(env, orgId);
  unwrapLedger(await ledger.syncMirror(orgId));
  const { start, end } = await periodWindow(
    env.DB,
    orgId,
    Date.parse(period.from),
    Date.parse(period.to),
    head.treeSize,
  );
  if (end - start > limits.maxEntries)
    return err(
      "too-large",
      `the period holds ${end - start} log entries; a bundle holds at most ${limits.maxEntries}: export a shorter period, in parts`,
    );

  // The entries' exact bytes, in pages; only the kinds the report and the manifests need are kept decoded.
  const entries: Uint8Array[] = [];
  const reported: LogEntry[] = [];
  let bytes = 0;
  const page = limits.pageEntries ?? PAGE;
  for (let from = start; from < end; from += page) {
    for (const text of unwrapLedger(await ledger.entryRange(orgId, from, Math.min(end, from + page)))) {
      const b = utf8(text);
      const e = decodeEntry(b);
      if (!e.ok || e.value.seq !== start + entries.length)
        throw new Error(`ledger entry ${start + entries.length} of ${orgId} is not what the log holds there`);
      bytes += b.length;
      if (bytes > limits.maxBytes) return tooManyBytes(limits);
      entries.push(b);
      if (REPORTED.test(e.value.type)) reported.push(e.value);
    }
  }
  const completed = reported.filter((e) => e.type === "backup.completed");
  // Proven against the newest checkpoint a witness cosigned when one covers the window (SPEC §13), so the
  // bundle verifies under a witness policy; else against the head, as signed.
  const witnessed = unwrapLedger(await ledger.newestCosigned(orgId, end));
  if (witnessed && witnessed.treeSize <= head.treeSize) head = witnessed;

  const manifests = await manifestsOf(env.DB, orgId, completed);
  for (const m of manifests.values()) bytes += m.length;
  const drillReceipts = await receiptsOf(env.DB, orgId, reported);
  for (const r of drillReceipts) bytes += r.length;
  if (bytes > limits.maxBytes) return tooManyBytes(limits);

  const frontier = unwrapLedger(await ledger.frontier(orgId, start)).map((h) => fromBase64(h)!);
  const consistency =
    end === 0 || end === head.treeSize
      ? []
      : unwrapLedger(await ledger.consistency(orgId, end, head.treeSize)).map((h) => fromBase64(h)!);
  // The checkpoints the window's backups were handed (in their walk-away kits): the bundle shows they agree with the log.
  const handedOut = unwrapLedger(
    await ledger.appendCheckpoints(
      orgId,
      completed.map((e) => e.seq),
    ),
  );
  const checkpoints = handedOut
    .filter((c) => c.size >= start && c.size <= end && c.size !== head.treeSize)
    .map((c) => c.note);

  const keys = signingKeys(env);
  if (!keys.ok) throw new Error(keys.message);
  const origin = logOrigin(env, orgId);
  const window = { start, end, head: head.treeSize };
  const reportHtml = renderReportHtml({
    orgId,
    origin,
    period,
    window,
    entries: reported,
    rpoTargets: await rpoTargets(env.DB, orgId),
    drillReceipts,
    postureBefore: await postureBefore(env.DB, orgId, start),
    headCheckpoint: head.checkpoint,
  });
  const files = bundleFiles({
    orgId,
    origin,
    period,
    createdAt: spec.createdAt,
    start,
    entries,
    frontier,
    headCheckpoint: head.checkpoint,
    headSize: head.treeSize,
    consistency,
    checkpoints,
    manifests,
    drillReceipts,
    reportHtml,
    indexSigner: keys.value.manifest,
  });
  if (!files.ok) throw new Error(`evidence bundle of ${orgId}: ${files.message}`);
  return ok({
    zip: zipBundleFiles(files.value),
    indexSha256: toHex(sha256(files.value.get(BundlePaths.index)!)),
    window,
  });
}

function tooManyBytes(limits: EvidenceLimits): Result<never, EvidenceErrorCode> {
  return err(
    "too-large",
    `the period's log entries and manifests come to more than ${limits.maxBytes % 1048576 === 0 ? `${limits.maxBytes / 1048576} MiB` : `${limits.maxBytes} bytes`}, the most a bundle holds: export a shorter period, in parts`,
  );
}

/**
 * The manifest envelopes of backup.completed entries, by backup id, as their JCS bytes: each must hash to
 * the entry's manifestSha256 (a bundle that would not verify is never handed out).
 */
async function manifestsOf(db: D1Database, orgId: string, completed: LogEntry[]): Promise<Map<string, Uint8Array>> {
  const want = new Map<string, string>();
  for (const e of completed) if (e.type === "backup.completed") want.set(e.data.backupId, e.data.manifestSha256);
  const ids = [...want.keys()];
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const { results } = await db
      .prepare("SELECT id, envelope FROM backups WHERE org_id = ?1 AND id IN (SELECT value FROM json_each(?2))")
      .bind(orgId, JSON.stringify(ids.slice(i, i + IDS_PER_QUERY)))
      .all<{ id: string; envelope: string }>();
    for (const r of results) out.set(r.id, canonicalBytes(JSON.parse(r.envelope)));
  }
  for (const [id, digest] of want) {
    const m = out.get(id);
    if (!m) throw new Error(`backup ${id} of ${orgId} is in the log but not in D1`);
    if (toHex(sha256(m)) !== digest)
      throw new Error(`backup ${id} of ${orgId}: the stored manifest does not hash to the logged manifestSha256`);
  }
  return out;
}

/**
 * The receipts of the window's drill.completed and drill.failed entries that name one, as their JCS bytes:
 * each must hash to the entry's receiptSha256 (the writer matches them by hash and refuses a missing one).
 */
/** Each bucket's last bucket.posture entry before the window (D1's copy of the log): its posture at the start. */
async function postureBefore(db: D1Database, orgId: string, start: number): Promise<LogEntry[]> {
  const { results } = await db
    .prepare(
      `SELECT entry FROM log_entries e WHERE org_id = ?1 AND type = 'bucket.posture' AND seq < ?2
         AND seq = (SELECT MAX(seq) FROM log_entries x WHERE x.org_id = ?1 AND x.type = 'bucket.posture'
                    AND x.subject = e.subject AND x.seq < ?2)
       LIMIT ${MAX_BUCKET_POSTURES}`,
    )
    .bind(orgId, start)
    .all<{ entry: string }>();
  return results.flatMap((r) => {
    const e = decodeEntry(utf8(r.entry));
    return e.ok ? [e.value] : [];
  });
}

async function receiptsOf(db: D1Database, orgId: string, reported: LogEntry[]): Promise<Uint8Array[]> {
  const want = new Set<string>();
  for (const e of reported)
    if ((e.type === "drill.completed" || e.type === "drill.failed") && e.data.receiptSha256)
      want.add(e.data.receiptSha256);
  const hashes = [...want];
  const out: Uint8Array[] = [];
  for (let i = 0; i < hashes.length; i += IDS_PER_QUERY) {
    const { results } = await db
      .prepare(
        "SELECT receipt FROM drills WHERE org_id = ?1 AND receipt_sha256 IN (SELECT value FROM json_each(?2)) AND receipt IS NOT NULL",
      )
      .bind(orgId, JSON.stringify(hashes.slice(i, i + IDS_PER_QUERY)))
      .all<{ receipt: string }>();
    for (const r of results) out.push(canonicalBytes(JSON.parse(r.receipt)));
  }
  return out;
}

/** Each database's RPO target: the tightest among its enabled schedules (as GET /v1/rpo has it). */
async function rpoTargets(db: D1Database, orgId: string): Promise<{ databaseId: string; targetRpoMinutes: number }[]> {
  const { results } = await db
    .prepare(
      "SELECT database_id AS databaseId, MIN(target_rpo_minutes) AS targetRpoMinutes FROM schedules WHERE org_id = ?1 AND enabled = 1 GROUP BY database_id ORDER BY database_id",
    )
    .bind(orgId)
    .all<{ databaseId: string; targetRpoMinutes: number }>();
  return results;
}
