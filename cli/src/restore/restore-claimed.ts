import {
  canDecompress,
  checkRowCounts,
  choosePgRestore,
  libpqChildEnv,
  runPgRestore,
  selectedTables,
  tocItemIds,
  type DecompressedArchive,
  type PgRestoreBinary,
  type RestoreSelection,
} from "@walwarden/postgres";
import { err, ok, type Err, type PgDumpPredicate, type Result, clipText, redactSecrets } from "@walwarden/verifier";
import type { ClaimedRestore, TransitionRequest } from "../api/restore-api.js";
import type { RestoreOptions } from "../args/restore-args.js";
import { download, type Downloaded } from "../download/download.js";
import type { TrustedKeys } from "../keys/trusted-keys.js";
import { ensureSchemas } from "../pg/ensure-schemas.js";
import type { RestoreTarget } from "../pg/restore-target.js";
import { progressDisplay } from "../progress/progress-display.js";
import { openArtifactStore, type ArtifactStore } from "./artifact-store.js";
import type { PreflightResult } from "./preflight.js";
import type { RestoreDeps } from "./restore-deps.js";
import type { Stage } from "./stage.js";
import type { RestoreSummary } from "./summary.js";
import { verifyClaim, type VerifiedBackup } from "./verify-claim.js";
import type { WorkerReporter } from "./worker-reporter.js";
import { checkSpace, type Workdir } from "./workdir.js";

/** Everything a claimed restore runs with. */
export interface ClaimedContext {
  options: RestoreOptions;
  target: RestoreTarget;
  deps: RestoreDeps;
  claim: ClaimedRestore;
  keys: TrustedKeys;
  /**
   * The preflight, started with the claim and maybe still running: the download does not wait for it
   * (it reads the bucket only) and stops if it fails; verification waits for it before anything else.
   */
  preflight: Promise<Result<PreflightResult, Stage>>;
  workdir: Workdir;
  reporter: WorkerReporter;
  /** When the restore started (ms), for the total duration. */
  startedAt: number;
  /** How long the claim took to be answered. */
  claimMs: number;
  /** Set once the target is written to (a failure after that may leave part of the backup there). */
  touched: { value: boolean };
}

/** What every step after the claim uses: the clock, the I/O, an interruption as a value, and a transition report that stops the restore when refused. */
function stepTools({ deps, reporter }: ClaimedContext) {
  return {
    now: deps.now ?? Date.now,
    io: deps.io,
    interrupted: (during: string) =>
      err("interrupted" as const, `interrupted (${String(deps.signal.reason ?? "signal")}) ${during}`),
    report: async (transition: TransitionRequest): Promise<Result<void, Stage>> => {
      const reported = await reporter.transition(transition);
      return reported.ok ? ok(undefined) : err("report", `${reported.message}; the restore stopped there.`);
    },
  };
}

/** A preflight that failed after the claim: the token is used, nothing was written to the target. */
export function preflightFailedAfterClaim(failure: Err<Stage>): Err<Stage> {
  return err(
    failure.code,
    `${failure.message} The token is used (the restore was claimed while this was checked): issue a new restore to try again.`,
  );
}

/** Bytes per second over `ms` milliseconds (0 before any time has passed). */
function rate(bytes: number, ms: number): number {
  return ms > 0 ? (bytes * 1000) / ms : 0;
}

/** The steps after the claim, in order; each failure is a value with its stage. */
export async function restoreClaimed(context: ClaimedContext): Promise<Result<RestoreSummary, Stage>> {
  const { options, deps, claim, reporter, workdir } = context;
  const { now, io, interrupted, report } = stepTools(context);

  // Check the kit before downloading: a manifest that does not verify is not worth the bytes.
  const kitCheck = verifyClaim(claim, context.keys, undefined);
  if (!kitCheck.ok) return kitCheck;
  const predicate = kitCheck.value.predicate;
  if (!options.dryRun && predicate.dumpFormat !== "custom")
    return err(
      "preflight",
      `this backup is a ${predicate.dumpFormat}-format dump; walwarden restore restores custom-format dumps (the runner's); restore it by hand from the walk-away kit`,
    );
  if (!options.dryRun && !canDecompress(predicate.compression))
    return err(
      "preflight",
      `this backup is ${predicate.compression}-compressed, which walwarden restore cannot decompress; decompress it by hand from the walk-away kit`,
    );
  const artifactPath = workdir.artifactPath(claim.backupId, predicate.compression);
  const space = await checkSpace(workdir, claim.download.sizeBytes);
  if (!space.ok) return space;

  // Download, decompressing as the bytes arrive (pg_restore --jobs needs a seekable file); the SHA-256
  // covers the bytes as stored. Nothing reaches the target before everything verified. The Worker is
  // told `downloading` while the first bytes arrive: the download reads the bucket, not the target, and
  // stops if the Worker refuses; `verifying` is only reported once `downloading` was.
  const refused = new AbortController();
  // A preflight that fails meanwhile stops the download too (checked first once it stopped).
  const preflightFailed = new AbortController();
  void context.preflight.then((r) => r.ok || preflightFailed.abort());
  let downloadingReported = false;
  const downloadingReport = report({ state: "downloading" }).then((reported) => {
    if (reported.ok) downloadingReported = true;
    else refused.abort();
    return reported;
  });
  const store = await openArtifactStore({
    compression: predicate.compression,
    dryRun: options.dryRun,
    keepFile: options.keepFile,
    artifactPath,
    dumpPath: workdir.dumpPath(claim.backupId),
    env: deps.env,
  });
  if (!store.ok) {
    const reported = await downloadingReport;
    return reported.ok ? store : reported;
  }
  try {
    const downloadStartedAt = now();
    const totalBytes = claim.download.sizeBytes;
    const downloadBar = progressDisplay(io, "download", totalBytes, "bytes", now);
    const downloaded = await download({
      url: claim.download.url,
      sink: store.value.sink,
      expectedBytes: totalBytes,
      expiresAt: claim.download.expiresAt,
      signal: AbortSignal.any([deps.signal, refused.signal, preflightFailed.signal]),
      ...deps.download,
      onBytes: (bytes) => {
        downloadBar.update(bytes);
        if (downloadingReported)
          reporter.progress({
            phase: "downloading",
            bytes,
            totalBytes,
            bytesPerSecond: rate(bytes, now() - downloadStartedAt),
          });
      },
    });
    downloadBar.done();
    const reported = await downloadingReport;
    if (!reported.ok) return reported;
    // Verification and everything after it wait for the preflight (a dry run's finds only pg_restore).
    const preflight = await context.preflight;
    if (!preflight.ok) return preflightFailedAfterClaim(preflight);
    if (!downloaded.ok)
      return downloaded.code === "interrupted" ? interrupted("while downloading") : err("download", downloaded.message);
    return await verifyAndRestore(context, {
      preflight: preflight.value,
      predicate,
      artifactPath,
      downloaded: downloaded.value,
      downloadMs: now() - downloadStartedAt,
      store: store.value,
    });
  } finally {
    await store.value.abort();
  }
}

/** What the download left for verifyAndRestore. */
interface DownloadedArtifact {
  preflight: PreflightResult;
  predicate: PgDumpPredicate;
  artifactPath: string;
  downloaded: Downloaded;
  downloadMs: number;
  store: ArtifactStore;
}

/** After the download: verify, then (unless a dry run) the decompressed archive's TOC, pg_restore and the row counts. */
async function verifyAndRestore(
  context: ClaimedContext,
  artifact: DownloadedArtifact,
): Promise<Result<RestoreSummary, Stage>> {
  const { options, deps, claim, reporter, target } = context;
  const { predicate, artifactPath, downloaded, downloadMs } = artifact;
  const { now, io, interrupted, report } = stepTools(context);
  // The Worker is told `verifying` while the download is verified and the archive made ready and listed:
  // local work, none of it on the target, and `restoring` waits for both.
  const [verifyingReported, prepared] = await Promise.all([
    report({ state: "verifying", sha256: downloaded.sha256 }),
    prepare(context, artifact),
  ]);
  if (!verifyingReported.ok) return verifyingReported;
  if (!prepared.ok) return prepared;
  const { verified, pgRestore, verifyMs, selection, restorable } = prepared.value;
  const summaryWith = (fields: Partial<RestoreSummary> & Pick<RestoreSummary, "durationsMs">): RestoreSummary => ({
    restoreId: claim.restoreId,
    backupId: claim.backupId,
    orgId: claim.orgId,
    databaseId: claim.databaseId,
    dryRun: options.dryRun,
    target: options.dryRun ? null : target.display,
    artifact: {
      bytes: downloaded.bytes,
      sha256: downloaded.sha256,
      resumes: downloaded.resumes,
      keptAt: options.keepFile ? artifactPath : null,
    },
    pgDumpVersion: predicate.pgDumpVersion,
    pgRestore: pgRestore ? { path: pgRestore.path, version: pgRestore.version } : null,
    keys: context.keys.source,
    signedBy: verified.signedBy,
    tables: [],
    rows: 0,
    ...fields,
  });

  if (!restorable) {
    // A dry run: verified, nothing else.
    const completed = await report({ state: "completed", dryRun: true });
    if (!completed.ok) return completed;
    return ok(
      summaryWith({
        durationsMs: {
          claim: context.claimMs,
          download: downloadMs,
          verify: verifyMs,
          decompress: null,
          restore: null,
          check: null,
          total: now() - context.startedAt,
        },
      }),
    );
  }
  const { archive, tocIds, decompressMs } = restorable;

  // Restore: the first write to the target.
  if (deps.signal.aborted) return interrupted("before restoring");
  const restoringReported = await report({ state: "restoring" });
  if (!restoringReported.ok) return restoringReported;
  const restoreStartedAt = now();
  context.touched.value = true;
  try {
    await ensureSchemas(target, options.schemas);
  } catch (e) {
    return err(
      "restore",
      `cannot create the selected schemas in ${target.display}: ${redactSecrets((e as Error).message, [target.password])}`,
    );
  }
  const dumpBytes = archive.bytes;
  const restoreBar = progressDisplay(io, "pg_restore", tocIds.size, "items", now);
  const restored = await runPgRestore(
    { jobs: options.jobs, clean: options.clean, ...selection },
    {
      pgRestore: restorable.pgRestore.path,
      archive: archive.path,
      target,
      tocIds,
      env: deps.env,
      signal: deps.signal,
      onProgress: (progress) => {
        restoreBar.update(progress.done, progress.current);
        // pg_restore reports items, not bytes: the dump's bytes in proportion to the items done.
        const bytes = progress.total ? Math.round((dumpBytes * progress.done) / progress.total) : 0;
        reporter.progress({
          phase: "restoring",
          bytes,
          totalBytes: dumpBytes,
          bytesPerSecond: rate(bytes, now() - restoreStartedAt),
          detail: clipText(
            redactSecrets(
              `item ${progress.done} of ${progress.total}${progress.current ? `: ${progress.current}` : ""}`,
            ),
            300,
          ),
        });
      },
    },
  );
  restoreBar.done();
  if (!restored.ok) return restored.code === "interrupted" ? interrupted("while pg_restore was running") : restored;
  const restoreMs = now() - restoreStartedAt;
  // pg_restore has read the archive for the last time: the downloaded files go while the rows are counted
  // and the Worker is told (unlinking a few hundred MiB can take 0.1 s), not after.
  const removed = context.workdir.cleanup().catch(() => {});
  try {
    return await checkAndComplete();
  } finally {
    await removed;
  }

  async function checkAndComplete(): Promise<Result<RestoreSummary, Stage>> {
    // Check: the restored tables hold the rows the signed manifest recorded.
    const checkStartedAt = now();
    reporter.progress({
      phase: "restoring",
      bytes: dumpBytes,
      totalBytes: dumpBytes,
      bytesPerSecond: 0,
      detail: "checking row counts",
    });
    const checked = await checkRowCounts(target, selectedTables(predicate.tables, selection), selection);
    if (!checked.ok) return checked;
    const checkMs = now() - checkStartedAt;

    const completed = await reporter.transition({ state: "completed", dryRun: false });
    if (!completed.ok)
      return err(
        "report",
        `the backup was restored into ${target.display} and its row counts match, but the Worker was not told (${completed.message}): the restore's log does not show it completed`,
      );
    return ok(
      summaryWith({
        durationsMs: {
          claim: context.claimMs,
          download: downloadMs,
          verify: verifyMs,
          decompress: decompressMs,
          restore: restoreMs,
          check: checkMs,
          total: now() - context.startedAt,
        },
        tables: checked.value.tables,
        rows: checked.value.rows,
      }),
    );
  }
}

/** What prepare() made ready: the verified backup, the pg_restore to use, and (unless a dry run) the listed archive. */
interface Prepared {
  verified: VerifiedBackup;
  /** Undefined only in a dry run whose pg_restore could not read the dump (a note says so). */
  pgRestore: PgRestoreBinary | undefined;
  verifyMs: number;
  selection: RestoreSelection;
  /** Absent in a dry run: the decompressed archive, the TOC items the selection restores, and the pg_restore that reads it. */
  restorable?: { archive: DecompressedArchive; tocIds: Set<number>; decompressMs: number; pgRestore: PgRestoreBinary };
}

/**
 * The local steps between the download and the target: verify the download against the kit, choose the
 * pg_restore, then (unless a dry run) wait for the decompressed archive and list what the selection
 * restores: every --schema and --table must be in the backup.
 */
async function prepare(context: ClaimedContext, artifact: DownloadedArtifact): Promise<Result<Prepared, Stage>> {
  const { options, deps, claim } = context;
  const { now, interrupted } = stepTools(context);

  // Verify: the bytes are the ones the manifest signed, in the log the pinned keys sign.
  const verifyStartedAt = now();
  const verified = verifyClaim(claim, context.keys, artifact.downloaded.sha256);
  if (!verified.ok) return verified;
  const chosen = choosePgRestore(artifact.preflight.pgRestores, artifact.predicate.pgDumpVersion);
  const verifyMs = now() - verifyStartedAt;
  const passedChecks = verified.value.report.checks.filter((check) => check.status === "pass").length;
  deps.io.stderr(
    `Verified: SHA-256 ${artifact.downloaded.sha256} is the signed manifest's, and the backup is in the log (${passedChecks} checks passed).\n`,
  );
  const selection: RestoreSelection = { schemas: options.schemas, tables: options.tables };
  if (options.dryRun) {
    if (!chosen.ok) deps.io.stderr(`Note: ${chosen.message.replace(/ The target was not touched\.$/, "")}\n`);
    return ok({ verified: verified.value, pgRestore: chosen.ok ? chosen.value : undefined, verifyMs, selection });
  }
  if (!chosen.ok) return err("preflight", chosen.message);
  const pgRestore = chosen.value;

  // The decompressed archive (written during the download; its last bytes and offsets since).
  if (deps.signal.aborted) return interrupted("after verifying");
  const decompressStartedAt = now();
  const archive = await artifact.store.finish();
  if (!archive.ok) return err("decompress", archive.message);
  if (!archive.value) return err("decompress", "no archive was decompressed");
  const decompressMs = now() - decompressStartedAt;

  const pgRestoreEnv = libpqChildEnv(context.target, deps.env);
  const tocIds = await tocItemIds(pgRestore.path, archive.value.path, selection, pgRestoreEnv, deps.signal);
  if (!tocIds.ok)
    return deps.signal.aborted
      ? interrupted("while reading the archive")
      : err("decompress", `pg_restore cannot read the archive: ${tocIds.message}`);
  const missing = await missingSelections(pgRestore.path, archive.value.path, selection, pgRestoreEnv);
  if (missing.length)
    return err(
      "preflight",
      `the backup has no ${missing.join(", ")}: check --schema and --table (exact names, as in the manifest)`,
    );
  return ok({
    verified: verified.value,
    pgRestore,
    verifyMs,
    selection,
    restorable: { archive: archive.value, tocIds: tocIds.value, decompressMs, pgRestore },
  });
}

/** The --schema and --table names the archive has nothing for ("schema x", "table y"). */
async function missingSelections(
  pgRestorePath: string,
  archivePath: string,
  selection: RestoreSelection,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const missing: string[] = [];
  for (const schema of selection.schemas) {
    const ids = await tocItemIds(pgRestorePath, archivePath, { schemas: [schema], tables: [] }, env);
    if (ids.ok && ids.value.size === 0) missing.push(`schema ${schema}`);
  }
  for (const table of selection.tables) {
    const ids = await tocItemIds(pgRestorePath, archivePath, { schemas: selection.schemas, tables: [table] }, env);
    if (ids.ok && ids.value.size === 0)
      missing.push(`table ${table}${selection.schemas.length ? ` in ${selection.schemas.join(", ")}` : ""}`);
  }
  return missing;
}
