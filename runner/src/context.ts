import { PublishedKeysSchema } from "@walwarden/verifier/wire";
import { WorkerApi } from "./api/worker-api.js";
import { CompletionJournal } from "./backup/completion-journal.js";
import type { BackupContext } from "./backup/run-backup.js";
import type { RunnerConfig } from "./config/schema.js";
import { knownSecrets } from "./log/known-secrets.js";
import type { RunnerLogger } from "./log/logger.js";
import { findPgDumps } from "./pg/pg-dump-binaries.js";
import { makeS3Client } from "./s3/s3-client.js";
import { UploadJournal } from "./s3/upload-journal.js";

/** Builds what jobs need from a validated configuration: the API client, the S3 client, the upload and completion journals. */
export async function createContext(
  config: RunnerConfig,
  env: NodeJS.ProcessEnv,
  log: RunnerLogger,
): Promise<BackupContext> {
  const secrets = knownSecrets(config, env);
  return {
    config,
    api: new WorkerApi(config.api, config.token, undefined, secrets),
    s3: makeS3Client(config.bucket),
    journal: await UploadJournal.open(config.stateDir),
    completions: await CompletionJournal.open(config.stateDir),
    log,
    env,
    secrets,
    pgDumps: () => findPgDumps(config.pgBinDirs, env),
    publishedKeys: () => publishedKeys(config.api),
  };
}

/** The Worker's published vkeys (checkpoint and manifest), for the kit's README. */
export async function publishedKeys(api: string): Promise<string[]> {
  const res = await fetch(new URL("/.well-known/walwarden/keys", api), { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`GET /.well-known/walwarden/keys → ${res.status}`);
  const keys = PublishedKeysSchema.parse(await res.json());
  return [...keys.checkpoint, ...keys.manifest];
}
