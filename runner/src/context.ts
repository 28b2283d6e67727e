import { join, resolve } from "node:path";
import { findPgRestores } from "@walwarden/postgres";
import { type PublishedKeys, PublishedKeysSchema } from "@walwarden/verifier/wire";
import { WorkerApi } from "./api/worker-api.js";
import { CompletionJournal } from "./backup/completion-journal.js";
import type { RunnerConfig } from "./config/schema.js";
import type { RunnerContext } from "./drill/drill-context.js";
import { DrillJournal } from "./drill/drill-journal.js";
import { kitKeys } from "./drill/kit-keys.js";
import { KeyRegistration } from "./key/key-registration.js";
import { loadOrCreateRunnerKey, RUNNER_KEY_FILE } from "./key/runner-key.js";
import { knownSecrets } from "./log/known-secrets.js";
import type { RunnerLogger } from "./log/logger.js";
import { findPgDumps } from "./pg/pg-dump-binaries.js";
import { makeS3Client } from "./s3/s3-client.js";
import { PruneJournal } from "./prune/prune-journal.js";
import { UploadJournal } from "./s3/upload-journal.js";

/** How often a failed runner key registration is tried again (before a claim). */
const KEY_RETRY_MS = 60_000;

/**
 * Builds what jobs need from a validated configuration: the API client, the S3 client, the upload,
 * completion, drill and prune journals, and (drills enabled) the runner key, made on first start in the state
 * dir (registered by the loop before its first claim).
 */
export async function createContext(
  config: RunnerConfig,
  env: NodeJS.ProcessEnv,
  log: RunnerLogger,
  keyRetryMs = Math.min(KEY_RETRY_MS, config.pollSeconds * 10_000),
): Promise<RunnerContext> {
  const secrets = knownSecrets(config, env);
  const api = new WorkerApi(config.api, config.token, undefined, secrets);
  let key: Awaited<ReturnType<typeof loadOrCreateRunnerKey>> | undefined;
  if (config.drills.enabled) {
    key = await loadOrCreateRunnerKey(config.stateDir);
    if (!key.ok)
      log.error(
        { event: "runner.key_unusable", reason: key.message },
        "the runner key is unusable: drills are not claimed (backups go on)",
      );
    else if (key.value.created)
      log.info(
        { event: "runner.key_created", file: join(config.stateDir, RUNNER_KEY_FILE) },
        "made the runner's own key",
      );
  }
  const registration = new KeyRegistration(key?.ok ? key.value : undefined, api, log, keyRetryMs);
  return {
    config,
    api,
    s3: makeS3Client(config.bucket),
    journal: await UploadJournal.open(config.stateDir),
    completions: await CompletionJournal.open(config.stateDir),
    log,
    env,
    secrets,
    pgDumps: () => findPgDumps(config.pgBinDirs, env),
    publishedKeys: () => publishedKeys(config.api),
    pruneJournal: await PruneJournal.open(config.stateDir),
    drill: {
      signer: () => registration.signer(),
      ensureKey: () => registration.ensure(),
      orgId: () => registration.orgId(),
      journal: await DrillJournal.open(config.stateDir),
      scratchDir: resolve(config.drills.local.scratchDir ?? join(config.stateDir, "drills")),
      kitKeys: (orgId) =>
        kitKeys({ trustedKeys: config.drills.trustedKeys, stateDir: config.stateDir, api: config.api, orgId }, () =>
          publishedKeyDocument(config.api),
        ),
      pgRestores: () => findPgRestores(config.pgBinDirs, env),
    },
  };
}

/** The Worker's published vkeys (checkpoint and manifest), for the kit's README. */
export async function publishedKeys(api: string): Promise<string[]> {
  const keys = await publishedKeyDocument(api);
  return [...keys.checkpoint, ...keys.manifest];
}

/** GET /.well-known/walwarden/keys: the log origin and the published vkeys by role. */
export async function publishedKeyDocument(api: string): Promise<PublishedKeys> {
  const res = await fetch(new URL("/.well-known/walwarden/keys", api), { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`GET /.well-known/walwarden/keys → ${res.status}`);
  return PublishedKeysSchema.parse(await res.json());
}
