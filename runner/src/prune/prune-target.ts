import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { err, ok, type Result } from "@walwarden/verifier";
import type { PruneReportRequest, PruneTarget } from "@walwarden/verifier/wire";
import type { RunnerLogger } from "../log/logger.js";
import { inspectArtifact } from "./inspect-artifact.js";
import { findKitFiles, headKitFile, type KeptObject, type KitObject, kitFileName } from "./kit-files.js";
import { isProtected, type LockSupport, readObjectLock } from "./object-lock.js";
import type { PruneJournal } from "./prune-journal.js";
import { describeS3Error } from "./s3-errors.js";
import { checkOwned, type Owned } from "./target-layout.js";

/** One target's outcome, as the report carries it. */
export type PruneResult = PruneReportRequest["results"][number];

/** Most keys one result reports (the wire's limit on deletedKeys). */
export const MAX_DELETED_KEYS = 64;

/** How many versions of one kit file a prune deletes at most (a kit rewritten by complete's retries has several). */
const MAX_KIT_VERSIONS = 8;

/** What pruning one target needs. */
export interface TargetContext {
  s3: S3Client;
  own: Owned;
  journal: PruneJournal;
  /** Whether the bucket has Object Lock, learned once per job. */
  lockSupport: LockSupport;
  /** Bytes deleted so far in the job (what its heartbeats report). */
  progress: { bytes: number };
  log: RunnerLogger;
}

/**
 * Prunes one target (SPEC §12), checking in order: ownership (`foreign`), the object at the key (`missing`,
 * `mismatch`), its Object Lock retention (`locked`, with the retain-until) and legal hold (`legal-hold`),
 * then the same locks on its kit files (a kit is deleted whole: any kit file still locked keeps the whole
 * backup, reported `locked` with the latest retain-until, or `legal-hold`). Then it deletes the artifact
 * (the manifest's version), then each kit file (each version that surfaces, on a versioned bucket),
 * recording each object in the prune journal before its DeleteObject. Never with
 * x-amz-bypass-governance-retention. A target whose deletion began before (the journal's) and whose
 * artifact is gone is resumed: what is left of its kit goes and it is `deleted` with every key. An S3
 * failure is `unavailable` (the job fails retryably).
 */
export async function pruneTarget(t: PruneTarget, ctx: TargetContext): Promise<Result<PruneResult, "unavailable">> {
  const { s3, journal } = ctx;
  const { bucket, key } = t.artifact;
  const log = ctx.log.child({ backupId: t.backupId, key });
  const kept = (outcome: PruneResult["outcome"], why: string, retainUntil: Date | null = null) => {
    log.info({ event: "prune.kept", outcome, why, retainUntil: retainUntil?.toISOString() ?? null }, `kept: ${why}`);
    return ok<PruneResult>({
      backupId: t.backupId,
      outcome,
      retainUntil: retainUntil?.toISOString() ?? null,
      deletedKeys: [],
    });
  };

  const owned = checkOwned(t, ctx.own);
  if (!owned.ok) return kept("foreign", owned.message);
  const art = await inspectArtifact(s3, t);
  if (!art.ok) return art;
  const begun = journal.find(t);
  const resumed = art.value.kind === "missing" && begun?.deletes[0]?.key === key;
  if (art.value.kind === "missing" && !resumed) return kept("missing", "nothing is at the key");
  if (art.value.kind === "mismatch") return kept("mismatch", `another object is at the key: ${art.value.why}`);

  const found = await findKitFiles(s3, bucket, key, t.backupId);
  if (!found.ok) return found;
  const keep: KeptObject[] = [...found.value.kept];
  const files: KitObject[] = [];
  if (art.value.kind === "present") {
    const lock = await readObjectLock(s3, bucket, key, art.value.deleteVersionId, ctx.lockSupport);
    if (!lock.ok) return lock;
    const now = new Date();
    if (lock.value.retainUntil && lock.value.retainUntil > now)
      return kept("locked", "its Object Lock retention has not passed", lock.value.retainUntil);
    if (lock.value.legalHold) return kept("legal-hold", "a legal hold is on");
  }
  let latest = null as Date | null;
  let held = false;
  for (const f of found.value.files) {
    const lock = await readObjectLock(s3, bucket, f.key, f.versionId, ctx.lockSupport);
    if (!lock.ok) return lock;
    const until = lock.value.retainUntil;
    if (!isProtected(lock.value, new Date())) files.push(f);
    // Resumed (the artifact is gone already): what a lock keeps stays; the rest of the kit goes.
    else if (resumed)
      keep.push({
        key: f.key,
        why: until && until > new Date() ? `locked until ${until.toISOString()}` : "legal hold",
      });
    else if (until && until > new Date()) latest = latest !== null && latest > until ? latest : until;
    else held = true;
  }
  if (latest) return kept("locked", "a kit file's Object Lock retention has not passed", latest);
  if (held) return kept("legal-hold", "a legal hold is on a kit file");

  if (art.value.kind === "present") {
    const gone = await deleteVersion(
      t,
      { key, versionId: art.value.deleteVersionId, sizeBytes: art.value.sizeBytes },
      ctx,
    );
    if (!gone.ok) return gone;
  }
  for (const f of files) {
    const gone = await deleteKitFile(t, f, keep, ctx);
    if (!gone.ok) return gone;
  }
  const keptKeys = new Set(keep.map((k) => k.key));
  const deleted = [...new Set((journal.find(t)?.deletes ?? []).map((d) => d.key))].filter((k) => !keptKeys.has(k));
  for (const k of keep)
    log.warn({ event: "prune.kit_file_kept", kitKey: k.key, why: k.why }, `kit file kept: ${k.why}`);
  if (deleted.length > MAX_DELETED_KEYS)
    log.warn(
      { event: "prune.deleted_keys_clipped", deleted: deleted.length },
      `deleted ${deleted.length} objects; the report names the first ${MAX_DELETED_KEYS}`,
    );
  log.info({ event: "prune.deleted", deleted: deleted.length, resumed }, "backup deleted");
  return ok({
    backupId: t.backupId,
    outcome: "deleted",
    retainUntil: null,
    deletedKeys: deleted.slice(0, MAX_DELETED_KEYS),
  });
}

/** Records the object version in the journal, then deletes it (never bypassing governance retention). */
async function deleteVersion(t: PruneTarget, o: KitObject, ctx: TargetContext): Promise<Result<void, "unavailable">> {
  await ctx.journal.recordDelete(t, { key: o.key, versionId: o.versionId });
  try {
    await ctx.s3.send(
      new DeleteObjectCommand({
        Bucket: t.artifact.bucket,
        Key: o.key,
        ...(o.versionId ? { VersionId: o.versionId } : {}),
      }),
    );
  } catch (e) {
    return err("unavailable", describeS3Error("DeleteObject", o.key, e));
  }
  ctx.progress.bytes += o.sizeBytes;
  return ok(undefined);
}

/**
 * Deletes a kit file's version; on a versioned bucket, then each older version of it that becomes current
 * (a kit file written again by a retried complete), as long as it is the backup's and not locked.
 */
async function deleteKitFile(
  t: PruneTarget,
  f: KitObject,
  keep: KeptObject[],
  ctx: TargetContext,
): Promise<Result<void, "unavailable">> {
  const name = kitFileName(t.artifact.key, f.key)!;
  let current = f;
  for (let i = 0; i < MAX_KIT_VERSIONS; i++) {
    const gone = await deleteVersion(t, current, ctx);
    if (!gone.ok) return gone;
    if (current.versionId === null) return ok(undefined);
    const next = await headKitFile(ctx.s3, t.artifact.bucket, f.key, t.backupId, name);
    if (!next.ok) return next;
    if (next.value === null) return ok(undefined);
    if ("why" in next.value) {
      keep.push(next.value);
      return ok(undefined);
    }
    if (next.value.versionId === current.versionId) return ok(undefined);
    const lock = await readObjectLock(ctx.s3, t.artifact.bucket, f.key, next.value.versionId, ctx.lockSupport);
    if (!lock.ok) return lock;
    if (isProtected(lock.value, new Date())) {
      keep.push({ key: f.key, why: "an older version is locked" });
      return ok(undefined);
    }
    current = next.value;
  }
  return ok(undefined);
}
