import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  canDecompress,
  choosePgRestore,
  decompressSink,
  type DecompressedArchive,
  libpqChildEnv,
  pgConnection,
  type PgConnection,
  runPgRestore,
  tocItemIds,
  WHOLE_ARCHIVE,
} from "@walwarden/postgres";
import { clipText, MAX_RECEIPT_ERROR_LINES, type PgDumpPredicate, redactSecrets } from "@walwarden/verifier";
import type { ClaimedDrillJob, Progress } from "../api/worker-api.js";
import type { RunnerLogger } from "../log/logger.js";
import { pgTarget } from "../pg/connection.js";
import { RUNNER_VERSION } from "../version.js";
import { runChecks } from "./checks.js";
import { clusterDirOf } from "./cleanup.js";
import type { RunnerContext } from "./drill-context.js";
import type { JournaledDrill } from "./drill-journal.js";
import type { DrillTarget } from "./drill-target.js";
import { downloadArtifact } from "./download-artifact.js";
import { startLocalTarget } from "./local-target.js";
import { readKit } from "./read-kit.js";
import type { DrillMeasures } from "./receipt.js";
import { chooseServer, findServers, serverBinDirs } from "./server-binaries.js";
import { createServerTarget, refuseSourceServer, scratchDatabaseName } from "./server-target.js";
import { unverifiedPredicate, verifyKit } from "./verify-kit.js";

/**
 * How the drill's work ended: measurements to sign into a receipt (passed or failed: a failure about the
 * backup itself), or a failure without a receipt (`retryable`: the bucket, the Worker or a resource;
 * otherwise a problem of this runner's setup that another attempt will not fix).
 */
export type DrillEnd =
  | { kind: "receipt"; measures: DrillMeasures }
  | { kind: "fail"; reason: string; retryable: boolean };

/** What the drill holds that must be removed at the end, whatever happens. */
export interface DrillResources {
  target?: DrillTarget;
}

const ERROR_LINE = /^pg_restore: error:/;

/**
 * The drill's steps, in order, each failure a value: the kit (read from the bucket, verified against the
 * pinned keys and the job), the artifact (streamed through SHA-256 and the decompressing sink, then its
 * digest checked: nothing is restored from bytes that do not verify), the target (a local cluster or a
 * scratch database), pg_restore --jobs, then the checks. Phases are timed as SPEC §11 counts them.
 */
export async function measureDrill(
  job: ClaimedDrillJob,
  ctx: RunnerContext,
  entry: JournaledDrill,
  held: DrillResources,
  progress: Progress,
  signal: AbortSignal,
  log: RunnerLogger,
): Promise<DrillEnd> {
  const { config } = ctx;
  const startedAt = new Date();
  const fail = (reason: string, retryable: boolean): DrillEnd => ({ kind: "fail", reason, retryable });
  const stopped = (): DrillEnd =>
    fail(String((signal.reason as Error | undefined)?.message ?? "the drill was stopped"), true);
  const t0 = Date.now();

  if (job.artifact.bucket !== config.bucket.bucket)
    return fail(`the backup is in bucket ${job.artifact.bucket}, but this runner reads ${config.bucket.bucket}`, false);
  const keys = await ctx.drill.kitKeys(job.orgId);
  if (!keys.ok) return fail(keys.message, keys.code === "keys-unavailable");

  // The kit, before any byte of the artifact: a kit that does not verify is not worth the download.
  const read = await readKit(ctx.s3, job.artifact.bucket, job.artifact.key);
  if (!read.ok && read.code === "unavailable") return fail(read.message, true);
  const verified = read.ok ? verifyKit(read.value, job, keys.value.policy) : read;
  const db = config.databases[job.databaseId];
  const filter = { schemas: db?.schemas ?? [], excludeSchemas: db?.excludeSchemas ?? [] };
  const base = (manifest: PgDumpPredicate, fields: Partial<DrillMeasures> = {}): DrillMeasures => ({
    startedAt,
    completedAt: new Date(),
    downloadedSha256: null,
    target: { kind: job.target, serverVersion: null },
    pgRestore: { version: null, jobs: config.drills.jobs, exitCode: null, errors: [] },
    tables: manifest.tables.map((t) => ({ schema: t.schema, name: t.name, expectedRows: t.rows, actualRows: null })),
    fingerprint: { expected: manifest.schemaFingerprint, actual: null },
    assertions: job.assertions.map((a) => ({
      ...a,
      actual: null,
      passed: false,
      error: "not run: the drill stopped before its checks",
    })),
    phases: { downloadVerifyMs: Date.now() - t0, restoreMs: null, checksMs: null },
    targetSetupMs: null,
    runner: { id: job.runnerId, version: RUNNER_VERSION },
    ...fields,
  });
  if (!verified.ok) {
    // A failed receipt needs the manifest's numbers (tables, fingerprint): read unverified, and said so.
    const manifest = read.ok ? unverifiedPredicate(read.value.kit.envelope) : undefined;
    log.warn({ event: "drill.kit_not_verified", reason: verified.message }, "the backup's kit does not verify");
    if (!manifest)
      return fail(`the backup's kit does not verify and its manifest cannot be read: ${verified.message}`, false);
    return { kind: "receipt", measures: base(manifest, { failure: { phase: "verify", reason: verified.message } }) };
  }
  const manifest = verified.value.predicate;
  if (manifest.dumpFormat !== "custom" || !canDecompress(manifest.compression))
    return {
      kind: "receipt",
      measures: base(manifest, {
        failure: {
          phase: "restore",
          reason: `a drill restores custom-format dumps; this one is ${manifest.dumpFormat}, ${manifest.compression}`,
        },
      }),
    };

  // The artifact: hashed and decompressed as it streams from the bucket; its digest decides.
  progress.phase = "downloading";
  await ctx.drill.journal.add(entry);
  await mkdir(entry.dir, { recursive: true, mode: 0o711 });
  const sink = decompressSink(manifest.compression as "zstd" | "gzip" | "none", join(entry.dir, "archive.dump"), {
    env: ctx.env,
    setOffsets: true,
  });
  const downloaded = await downloadArtifact(
    ctx.s3,
    job.artifact.bucket,
    job.artifact.key,
    sink,
    signal,
    (b) => void (progress.bytes = b),
  );
  if (!downloaded.ok) {
    await sink.abort();
    return downloaded.code === "interrupted" ? stopped() : fail(downloaded.message, true);
  }
  const archive = await sink.finish();
  const downloadedSha256 = downloaded.value.sha256;
  if (downloadedSha256 !== verified.value.artifactSha256)
    return {
      kind: "receipt",
      measures: base(manifest, {
        downloadedSha256,
        failure: {
          phase: "verify",
          reason: `the artifact's bytes in the bucket hash to ${downloadedSha256}, not the ${verified.value.artifactSha256} its manifest signed: nothing was restored`,
        },
      }),
    };
  const downloadVerifyMs = Date.now() - t0;
  const measured = (fields: Partial<DrillMeasures>) =>
    base(manifest, { downloadedSha256, phases: { downloadVerifyMs, restoreMs: null, checksMs: null }, ...fields });
  if (!archive.ok)
    return {
      kind: "receipt",
      measures: measured({
        failure: { phase: "restore", reason: `the verified artifact does not decompress: ${archive.message}` },
      }),
    };
  log.info(
    {
      event: "drill.verified",
      sha256: downloadedSha256,
      bytes: downloaded.value.bytes,
      offsetsSet: archive.value.offsetsSet,
      downloadVerifyMs,
    },
    "kit and artifact verified",
  );

  const pgRestore = choosePgRestore(await ctx.drill.pgRestores(), manifest.pgDumpVersion, {
    binDirSetting: "pgBinDirs",
    after: "",
  });
  if (!pgRestore.ok) return fail(pgRestore.message, false);
  if (signal.aborted) return stopped();

  // The target (not part of the RTO: a real recovery has its target).
  progress.phase = "restoring";
  progress.bytes = 0;
  const setupStart = Date.now();
  const target = await makeTarget(job, ctx, entry, manifest, signal);
  const targetSetupMs = Date.now() - setupStart;
  if (!target.ok) {
    if (target.code === "interrupted") return stopped();
    if (target.code === "unavailable") return fail(`the drill target could not be made: ${target.message}`, true);
    return {
      kind: "receipt",
      measures: measured({ targetSetupMs, failure: { phase: "target", reason: target.message } }),
    };
  }
  held.target = target.value;
  const targetFields = { targetSetupMs, target: { kind: job.target, serverVersion: target.value.serverVersion } };
  log.info(
    { event: "drill.target_ready", kind: job.target, serverVersion: target.value.serverVersion, targetSetupMs },
    "drill target ready",
  );

  // pg_restore --jobs N, the archive's offsets filled in so its workers seek.
  const restoreStart = Date.now();
  const secrets = [...ctx.secrets, target.value.connection.password ?? ""].filter(Boolean);
  const restored = await restoreArchive(
    archive.value,
    pgRestore.value.path,
    target.value.connection,
    config.drills.jobs,
    ctx.env,
    signal,
    secrets,
    progress,
  );
  const restoreMs = Date.now() - restoreStart;
  if (restored.interrupted) return stopped();
  const pgRestoreFields = {
    version: pgRestore.value.version,
    jobs: config.drills.jobs,
    exitCode: restored.exitCode,
    errors: restored.errors,
  };
  if (restored.failure)
    return {
      kind: "receipt",
      measures: measured({
        ...targetFields,
        pgRestore: pgRestoreFields,
        phases: { downloadVerifyMs, restoreMs, checksMs: null },
        failure: { phase: "restore", reason: restored.failure },
      }),
    };

  progress.phase = "checking";
  const checksStart = Date.now();
  const checks = await runChecks(target.value.connection, manifest, filter, job.assertions, secrets);
  const checksMs = Date.now() - checksStart;
  return {
    kind: "receipt",
    measures: measured({
      ...targetFields,
      pgRestore: pgRestoreFields,
      tables: checks.tables,
      fingerprint: { expected: manifest.schemaFingerprint, actual: checks.fingerprint },
      assertions: checks.assertions,
      phases: { downloadVerifyMs, restoreMs, checksMs },
      ...(checks.error ? { failure: { phase: "checks" as const, reason: checks.error } } : {}),
    }),
  };
}

/** The target the job asks for: a local cluster, or a scratch database on drills.server (never a source's server). */
async function makeTarget(
  job: ClaimedDrillJob,
  ctx: RunnerContext,
  entry: JournaledDrill,
  manifest: PgDumpPredicate,
  signal: AbortSignal,
) {
  const { config } = ctx;
  if (job.target === "local") {
    const dirs = await serverBinDirs(config.drills.local.binDirs);
    const server = chooseServer(await findServers(dirs), manifest.pgDumpVersion, dirs);
    if (!server.ok) return { ok: false as const, code: "unusable" as const, message: server.message };
    entry.binDir = server.value.dir;
    await ctx.drill.journal.update(entry);
    return startLocalTarget(clusterDirOf(entry), server.value, signal);
  }
  if (!config.drills.server)
    return {
      ok: false as const,
      code: "unusable" as const,
      message: "this drill's policy restores into a scratch server, but this runner has no drills.server configured",
    };
  const scratch = pgConnection(config.drills.server, ctx.env, "walwarden-drill");
  if (!scratch.ok)
    return { ok: false as const, code: "unusable" as const, message: `drills.server: ${scratch.message}` };
  const sources: Record<string, PgConnection> = {};
  for (const [id, db] of Object.entries(config.databases)) {
    const t = pgTarget(db, ctx.env);
    if (t.ok) sources[id] = t.value;
  }
  const refused = await refuseSourceServer(scratch.value, sources);
  if (refused) return { ok: false as const, code: "refused" as const, message: refused };
  entry.database = scratchDatabaseName(job.drillId);
  await ctx.drill.journal.update(entry);
  return createServerTarget(config.drills.server, entry.database, ctx.env);
}

/** What pg_restore did: its exit status, its first error lines (redacted), and why it failed if it did. */
interface Restored {
  exitCode: number | null;
  errors: string[];
  failure?: string;
  interrupted?: boolean;
}

/** Lists the archive's TOC, then runs pg_restore --jobs into the target, keeping its `pg_restore: error:` lines. */
async function restoreArchive(
  archive: DecompressedArchive,
  pgRestore: string,
  target: PgConnection,
  jobs: number,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  secrets: string[],
  progress: Progress,
): Promise<Restored> {
  const tocIds = await tocItemIds(pgRestore, archive.path, WHOLE_ARCHIVE, libpqChildEnv(target, env), signal);
  if (!tocIds.ok)
    return signal.aborted
      ? { exitCode: null, errors: [], interrupted: true }
      : { exitCode: null, errors: [], failure: `pg_restore cannot read the archive: ${tocIds.message}` };
  const errors: string[] = [];
  let exitCode: number | null = null;
  const r = await runPgRestore(
    { jobs, clean: false, ...WHOLE_ARCHIVE },
    {
      pgRestore,
      archive: archive.path,
      target,
      tocIds: tocIds.value,
      env,
      signal,
      onProgress: (p) => void (progress.bytes = p.total ? Math.round((archive.bytes * p.done) / p.total) : 0),
      onOtherLine: (line) => {
        if (ERROR_LINE.test(line) && errors.length < MAX_RECEIPT_ERROR_LINES)
          errors.push(clipText(redactSecrets(line, secrets), 500));
      },
      onExit: (code) => void (exitCode = code),
    },
  );
  if (!r.ok && r.code === "interrupted") return { exitCode, errors, interrupted: true };
  if (!r.ok) return { exitCode, errors, failure: clipText(redactSecrets(r.message, secrets), 2000) };
  return { exitCode, errors };
}
