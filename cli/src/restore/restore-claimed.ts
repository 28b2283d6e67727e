import { err, ok, type PgDumpPredicate, type Result, clipText, redactSecrets } from "@walwarden/verifier";
import type { ClaimedRestore, TransitionRequest } from "../api/restore-api.js";
import type { RestoreOptions } from "../args/restore-args.js";
import { download, type Downloaded } from "../download/download.js";
import type { TrustedKeys } from "../keys/trusted-keys.js";
import { ensureSchemas } from "../pg/ensure-schemas.js";
import type { RestoreSelection } from "../pg/non-empty-objects.js";
import { choosePgRestore, type PgRestoreBinary } from "../pg/pg-restore-binaries.js";
import { libpqChildEnv, type RestoreTarget } from "../pg/restore-target.js";
import { checkRowCounts, selectedTables } from "../pg/row-check.js";
import { runPgRestore } from "../pg/run-pg-restore.js";
import { tocItemIds } from "../pg/toc.js";
import { progressDisplay } from "../progress/progress-display.js";
import { canDecompress, type DecompressedArchive } from "../tools/decompress-sink.js";
import { openArtifactStore, type ArtifactStore } from "./artifact-store.js";
import type { PreflightResult } from "./preflight.js";
import type { RestoreDeps } from "./run-restore.js";
import type { Stage } from "./stage.js";
import type { RestoreSummary } from "./summary.js";
import { verifyClaim, type VerifiedBackup } from "./verify-claim.js";
import type { WorkerReporter } from "./worker-reporter.js";
import { checkSpace, type Workdir } from "./workdir.js";

/** Everything a claimed restore runs with. */
export interface ClaimedContext {
  o: RestoreOptions;
  target: RestoreTarget;
  d: RestoreDeps;
  claim: ClaimedRestore;
  keys: TrustedKeys;
  pre: PreflightResult;
  work: Workdir;
  reporter: WorkerReporter;
  started: number;
  /** Set once the target is written to (a failure after that may leave part of the backup there). */
  touched: { value: boolean };
}

/** What every step after the claim uses: the clock, the I/O, an interruption as a value, and a transition report that stops the restore when refused. */
function stepTools({ d, reporter }: ClaimedContext) {
  return {
    now: d.now ?? Date.now,
    io: d.io,
    interrupted: (during: string) =>
      err("interrupted" as const, `interrupted (${String(d.signal.reason ?? "signal")}) ${during}`),
    report: async (t: TransitionRequest): Promise<Result<void, Stage>> => {
      const r = await reporter.transition(t);
      return r.ok ? ok(undefined) : err("report", `${r.message}; the restore stopped there.`);
    },
  };
}

/** The steps after the claim, in order; each failure is a value with its stage. */
export async function restoreClaimed(x: ClaimedContext): Promise<Result<RestoreSummary, Stage>> {
  const { o, d, claim, reporter } = x;
  const { now, io, interrupted, report } = stepTools(x);

  // Check the kit before downloading: a manifest that does not verify is not worth the bytes.
  const early = verifyClaim(claim, x.keys, undefined);
  if (!early.ok) return early;
  const p = early.value.predicate;
  if (!o.dryRun && p.dumpFormat !== "custom")
    return err(
      "preflight",
      `this backup is a ${p.dumpFormat}-format dump; walwarden restore restores custom-format dumps (the runner's); restore it by hand from the walk-away kit`,
    );
  if (!o.dryRun && !canDecompress(p.compression))
    return err(
      "preflight",
      `this backup is ${p.compression}-compressed, which walwarden restore cannot decompress; decompress it by hand from the walk-away kit`,
    );
  const artifactPath = x.work.artifactPath(claim.backupId, p.compression);
  const space = await checkSpace(x.work, claim.download.sizeBytes);
  if (!space.ok) return space;

  // Download, decompressing as the bytes arrive (pg_restore --jobs needs a seekable file); the SHA-256
  // covers the bytes as stored. Nothing reaches the target before everything verified. The Worker is
  // told `downloading` while the first bytes arrive: the download reads the bucket, not the target, and
  // stops if the Worker refuses; `verifying` is only reported once `downloading` was.
  const refused = new AbortController();
  let told = false;
  const telling = report({ state: "downloading" }).then((r) => {
    if (r.ok) told = true;
    else refused.abort();
    return r;
  });
  const store = await openArtifactStore({
    compression: p.compression,
    dryRun: o.dryRun,
    keepFile: o.keepFile,
    artifactPath,
    dumpPath: x.work.dumpPath(claim.backupId),
    env: d.env,
  });
  if (!store.ok) {
    const r = await telling;
    return r.ok ? store : r;
  }
  try {
    const t0 = now();
    const total = claim.download.sizeBytes;
    const bar = progressDisplay(io, "download", total, "bytes", now);
    const dl = await download({
      url: claim.download.url,
      sink: store.value.sink,
      expectedBytes: total,
      expiresAt: claim.download.expiresAt,
      signal: AbortSignal.any([d.signal, refused.signal]),
      ...d.download,
      onBytes: (bytes) => {
        bar.update(bytes);
        const s = (now() - t0) / 1000;
        if (told)
          reporter.progress({ phase: "downloading", bytes, totalBytes: total, bytesPerSecond: s > 0 ? bytes / s : 0 });
      },
    });
    bar.done();
    const r = await telling;
    if (!r.ok) return r;
    if (!dl.ok) return dl.code === "interrupted" ? interrupted("while downloading") : err("download", dl.message);
    return await verifyAndRestore(x, {
      predicate: p,
      artifactPath,
      dl: dl.value,
      downloadMs: now() - t0,
      store: store.value,
    });
  } finally {
    await store.value.abort();
  }
}

/** What the download left for verifyAndRestore. */
interface DownloadedArtifact {
  predicate: PgDumpPredicate;
  artifactPath: string;
  dl: Downloaded;
  downloadMs: number;
  store: ArtifactStore;
}

/** After the download: verify, then (unless a dry run) the decompressed archive's TOC, pg_restore and the row counts. */
async function verifyAndRestore(x: ClaimedContext, a: DownloadedArtifact): Promise<Result<RestoreSummary, Stage>> {
  const { o, d, claim, reporter } = x;
  const { predicate: p, artifactPath, dl, downloadMs } = a;
  const { now, io, interrupted, report } = stepTools(x);
  // The Worker is told `verifying` while the download is verified and the archive made ready and listed:
  // local work, none of it on the target, and `restoring` waits for both.
  const [told, ready] = await Promise.all([report({ state: "verifying", sha256: dl.sha256 }), prepare(x, a)]);
  if (!told.ok) return told;
  if (!ready.ok) return ready;
  const { verified, tool, verifyMs, selection } = ready.value;
  const summary = (rest: Partial<RestoreSummary> & Pick<RestoreSummary, "durationsMs">): RestoreSummary => ({
    restoreId: claim.restoreId,
    backupId: claim.backupId,
    orgId: claim.orgId,
    databaseId: claim.databaseId,
    dryRun: o.dryRun,
    target: o.dryRun ? null : x.target.display,
    artifact: { bytes: dl.bytes, sha256: dl.sha256, resumes: dl.resumes, keptAt: o.keepFile ? artifactPath : null },
    pgDumpVersion: p.pgDumpVersion,
    pgRestore: tool ? { path: tool.path, version: tool.version } : null,
    keys: x.keys.source,
    signedBy: verified.signedBy,
    tables: [],
    rows: 0,
    ...rest,
  });

  if (!ready.value.archive) {
    // A dry run: verified, nothing else.
    const r = await report({ state: "completed", dryRun: true });
    if (!r.ok) return r;
    return ok(
      summary({
        durationsMs: {
          download: downloadMs,
          verify: verifyMs,
          decompress: null,
          restore: null,
          check: null,
          total: now() - x.started,
        },
      }),
    );
  }
  const { archive, toc, decompressMs, pgRestore } = ready.value.archive;

  // Restore: the first write to the target.
  if (d.signal.aborted) return interrupted("before restoring");
  const r = await report({ state: "restoring" });
  if (!r.ok) return r;
  const t3 = now();
  x.touched.value = true;
  try {
    await ensureSchemas(x.target, o.schemas);
  } catch (e) {
    return err(
      "restore",
      `cannot create the selected schemas in ${x.target.display}: ${redactSecrets((e as Error).message, [x.target.password])}`,
    );
  }
  const dumpBytes = archive.bytes;
  const restoreBar = progressDisplay(io, "pg_restore", toc.size, "items", now);
  const restored = await runPgRestore(
    { jobs: o.jobs, clean: o.clean, ...selection },
    {
      pgRestore: pgRestore.path,
      archive: archive.path,
      target: x.target,
      tocIds: toc,
      env: d.env,
      signal: d.signal,
      onProgress: (pr) => {
        restoreBar.update(pr.done, pr.current);
        const bytes = pr.total ? Math.round((dumpBytes * pr.done) / pr.total) : 0;
        const s = (now() - t3) / 1000;
        reporter.progress({
          phase: "restoring",
          bytes,
          totalBytes: dumpBytes,
          bytesPerSecond: s > 0 ? bytes / s : 0,
          detail: clipText(redactSecrets(`item ${pr.done} of ${pr.total}${pr.current ? `: ${pr.current}` : ""}`), 300),
        });
      },
    },
  );
  restoreBar.done();
  if (!restored.ok) return restored.code === "interrupted" ? interrupted("while pg_restore was running") : restored;
  const restoreMs = now() - t3;

  // Check: the restored tables hold the rows the signed manifest recorded.
  const t4 = now();
  reporter.progress({
    phase: "restoring",
    bytes: dumpBytes,
    totalBytes: dumpBytes,
    bytesPerSecond: 0,
    detail: "checking row counts",
  });
  const checked = await checkRowCounts(x.target, selectedTables(p.tables, selection), selection);
  if (!checked.ok) return checked;
  const checkMs = now() - t4;

  const completed = await reporter.transition({ state: "completed", dryRun: false });
  if (!completed.ok)
    return err(
      "report",
      `the backup was restored into ${x.target.display} and its row counts match, but the Worker was not told (${completed.message}): the restore's log does not show it completed`,
    );
  return ok(
    summary({
      durationsMs: {
        download: downloadMs,
        verify: verifyMs,
        decompress: decompressMs,
        restore: restoreMs,
        check: checkMs,
        total: now() - x.started,
      },
      tables: checked.value.tables,
      rows: checked.value.rows,
    }),
  );
}

/** What prepare() made ready: the verified backup, the pg_restore to use, and (unless a dry run) the listed archive. */
interface Prepared {
  verified: VerifiedBackup;
  /** Undefined only in a dry run whose pg_restore could not read the dump (a note says so). */
  tool: PgRestoreBinary | undefined;
  verifyMs: number;
  selection: RestoreSelection;
  archive?: { archive: DecompressedArchive; toc: Set<number>; decompressMs: number; pgRestore: PgRestoreBinary };
}

/**
 * The local steps between the download and the target: verify the download against the kit, choose the
 * pg_restore, then (unless a dry run) wait for the decompressed archive and list what the selection
 * restores: every --schema and --table must be in the backup.
 */
async function prepare(x: ClaimedContext, a: DownloadedArtifact): Promise<Result<Prepared, Stage>> {
  const { o, d, claim } = x;
  const now = d.now ?? Date.now;
  const interrupted = (during: string) =>
    err("interrupted" as const, `interrupted (${String(d.signal.reason ?? "signal")}) ${during}`);

  // Verify: the bytes are the ones the manifest signed, in the log the pinned keys sign.
  const t1 = now();
  const verified = verifyClaim(claim, x.keys, a.dl.sha256);
  if (!verified.ok) return verified;
  const tool = choosePgRestore(x.pre.pgRestores, a.predicate.pgDumpVersion);
  const verifyMs = now() - t1;
  d.io.stderr(
    `Verified: SHA-256 ${a.dl.sha256} is the signed manifest's, and the backup is in the log (${verified.value.report.checks.filter((c) => c.status === "pass").length} checks passed).\n`,
  );
  const selection: RestoreSelection = { schemas: o.schemas, tables: o.tables };
  if (o.dryRun) {
    if (!tool.ok) d.io.stderr(`Note: ${tool.message.replace(/ The target was not touched\.$/, "")}\n`);
    return ok({ verified: verified.value, tool: tool.ok ? tool.value : undefined, verifyMs, selection });
  }
  if (!tool.ok) return err("preflight", tool.message);

  // The decompressed archive (written during the download; its last bytes and offsets since).
  if (d.signal.aborted) return interrupted("after verifying");
  const t2 = now();
  const archive = await a.store.finish();
  if (!archive.ok) return err("decompress", archive.message);
  if (!archive.value) return err("decompress", "no archive was decompressed");
  const decompressMs = now() - t2;

  const toolEnv = libpqChildEnv(x.target, d.env);
  const toc = await tocItemIds(tool.value.path, archive.value.path, selection, toolEnv, d.signal);
  if (!toc.ok)
    return d.signal.aborted
      ? interrupted("while reading the archive")
      : err("decompress", `pg_restore cannot read the archive: ${toc.message}`);
  const missing = await missingSelections(tool.value.path, archive.value.path, selection, toolEnv);
  if (missing.length)
    return err(
      "preflight",
      `the backup has no ${missing.join(", ")}: check --schema and --table (exact names, as in the manifest)`,
    );
  return ok({
    verified: verified.value,
    tool: tool.value,
    verifyMs,
    selection,
    archive: { archive: archive.value, toc: toc.value, decompressMs, pgRestore: tool.value },
  });
}

/** The --schema and --table names the archive has nothing for ("schema x", "table y"). */
async function missingSelections(
  pgRestore: string,
  archive: string,
  s: RestoreSelection,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const missing: string[] = [];
  for (const schema of s.schemas) {
    const ids = await tocItemIds(pgRestore, archive, { schemas: [schema], tables: [] }, env);
    if (ids.ok && ids.value.size === 0) missing.push(`schema ${schema}`);
  }
  for (const table of s.tables) {
    const ids = await tocItemIds(pgRestore, archive, { schemas: s.schemas, tables: [table] }, env);
    if (ids.ok && ids.value.size === 0)
      missing.push(`table ${table}${s.schemas.length ? ` in ${s.schemas.join(", ")}` : ""}`);
  }
  return missing;
}
