// The real Worker (root wrangler.toml: the API and, through Workers Static Assets, web/dist on the same
// origin) under wrangler's dev server with local D1 and Durable Objects, an org with its admin, and a
// registered runner whose protocol calls make backups with synthetic results (no PostgreSQL needed).
import { join } from "node:path";
import {
  applyMigrations,
  cleanup,
  ROOT,
  startDev,
  tempDir,
  writeKeysEnvFile,
  type LocalWorker,
} from "@walwarden/testing/local-worker";
import {
  apiCall,
  bootstrapOrg,
  claimJob,
  completeJob,
  createDatabase,
  createRunnerToken,
  requestBackup,
  syntheticBackupResult,
  SYNTHETIC_ARTIFACT_SHA256,
  type BackupResult,
} from "@walwarden/testing/api";

/** The admin the stack signs in as. */
export const ADMIN = { email: "admin@example.com", password: "correct horse battery staple" };

/** A running Worker with an org, its admin's session and a runner. */
export interface Stack {
  dev: LocalWorker;
  cookie: string;
  orgId: string;
  runner: { id: string; token: string };
  /** Adds a database and (with a target) an enabled schedule for it; returns its id. */
  addDatabase(name: string, targetRpoMinutes?: number): Promise<string>;
  /** Makes one backup of a database through the runner protocol (queue, claim, complete) with a synthetic result; returns its id. */
  backUp(databaseId: string, overrides?: Partial<BackupResult>): Promise<string>;
  stop(): Promise<void>;
}

/** A running Worker on an empty deployment: no org, no admin (first run still to do). */
export interface EmptyStack {
  dev: LocalWorker;
  stop(): Promise<void>;
}

/**
 * Starts the Worker on a fresh persistence directory and bootstraps an org with its admin and a runner; with
 * `{ bootstrap: false }`, stops before that: an empty deployment, as a new team first meets it.
 */
export async function startStack(vars?: Record<string, string>): Promise<Stack>;
export async function startStack(vars: Record<string, string>, options: { bootstrap: false }): Promise<EmptyStack>;
export async function startStack(
  vars: Record<string, string> = {},
  { bootstrap = true }: { bootstrap?: boolean } = {},
): Promise<Stack | EmptyStack> {
  const persist = tempDir("ww-web-test-");
  const envFile = writeKeysEnvFile(persist);
  const config = join(ROOT, "wrangler.toml");
  await applyMigrations(persist, { config });
  const dev = await startDev({ persist, envFile, config, vars });
  if (!bootstrap) return { dev, stop: () => cleanup() };
  const { cookie, org } = await bootstrapOrg(dev, ADMIN);
  const runner = await createRunnerToken(dev, cookie, "web test runner");
  let backups = 0;
  return {
    dev,
    cookie,
    orgId: org.id,
    runner: { id: runner.id, token: runner.token },
    addDatabase: async (name, targetRpoMinutes) => {
      const db = await createDatabase(dev, cookie, name, "neon");
      if (targetRpoMinutes !== undefined) {
        await apiCall(dev, "POST", "/v1/schedules", {
          cookie,
          body: { databaseId: db.id, cron: "0 3 * * *", timezone: "UTC", targetRpoMinutes },
        });
      }
      return db.id;
    },
    backUp: async (databaseId, overrides = {}) => {
      const { jobId, backupId } = await requestBackup(dev, cookie, databaseId);
      const { job } = await claimJob(dev, runner.token, { databases: [databaseId] });
      if (!job || job.jobId !== jobId)
        throw new Error(`the runner claimed ${JSON.stringify(job)}, not the queued job ${jobId}`);
      const n = ++backups;
      const completedAt = new Date(Date.now() - 1000);
      const startedAt = new Date(completedAt.getTime() - 20_000 * n);
      await completeJob(dev, runner.token, jobId, {
        leaseId: job.leaseId,
        artifactSha256: SYNTHETIC_ARTIFACT_SHA256,
        result: syntheticBackupResult(runner.id, {
          startedAt: startedAt.toISOString(),
          completedAt: completedAt.toISOString(),
          sizeBytes: 50_000_000 + n * 7_000_000,
          s3: {
            bucket: "acme-backups",
            key: `walwarden/${databaseId}/${backupId}.dump.zst`,
            versionId: null,
            etag: '"9b2cf535f27731c974343645a3985328-3"',
            objectLock: null,
          },
          ...overrides,
        }),
      });
      return backupId;
    },
    stop: () => cleanup(),
  };
}
