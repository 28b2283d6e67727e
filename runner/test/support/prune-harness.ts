// What the prune tests run against in-process: s3rver behind fault proxies (one plain, others emulating
// Object Lock and versioning, which s3rver lacks), the stand-in Worker as the loopback receiver of claims,
// heartbeats, reports and failures, and the runner's real prune executor with its real S3 client, API
// client, logger (lines captured) and prune journal in a temp state dir.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  type FaultProxy,
  type FaultRule,
  localS3Client,
  type LocalS3,
  startFaultProxy,
  startS3,
} from "@walwarden/testing/s3";
import type { PruneTarget } from "@walwarden/verifier/wire";
import { type ClaimedPruneJob, WorkerApi } from "../../src/api/worker-api.js";
import { type RunnerConfig, RunnerConfigSchema } from "../../src/config/schema.js";
import { createLogger } from "../../src/log/logger.js";
import { PruneJournal } from "../../src/prune/prune-journal.js";
import { type PruneContext, type PruneOutcome, runPrune } from "../../src/prune/run-prune.js";
import { makeS3Client } from "../../src/s3/s3-client.js";
import { RUNNER_VERSION } from "../../src/version.js";
import { type JobRecord, startStandInWorker, type StandInWorker } from "./stand-in-worker.js";

export const TOKEN = "wwr_test_token_0123456789abcdefghijklmnop";
export const BUCKET = "acme-backups";
export const PREFIX = "walwarden";

/** A proxy in front of the local S3, with the fault rule a test sets. */
export interface Proxied {
  proxy: FaultProxy;
  /** A direct-through-this-proxy S3 client (for writing backups as the runner does). */
  client: S3Client;
  setFaults(rule: FaultRule | undefined): void;
}

/** Everything a prune test talks to. */
export interface PruneHarness {
  s3: LocalS3;
  /** A client straight to s3rver (no proxy): what is really in the bucket. */
  direct: S3Client;
  worker: StandInWorker;
  /** The runner's log lines so far (every context's). */
  lines: Record<string, unknown>[];
  /** Starts a proxy (with an emulation if asked). */
  proxied(emulate?: { objectLock?: boolean; versioning?: boolean }): Promise<Proxied>;
  /** A prune context whose S3 goes through `via`, with its own state dir unless one is given. */
  context(via: Proxied, o?: { stateDir?: string; config?: Partial<Record<string, unknown>> }): Promise<PruneContext>;
  /** Queues a prune of `targets`, claims it (kinds ["prune"]) and runs it in `ctx`: the outcome and the stand-in's record. */
  prune(
    ctx: PruneContext,
    targets: PruneTarget[],
    o?: { databaseId?: string; jobId?: string },
  ): Promise<{ outcome: PruneOutcome; record: JobRecord; job: ClaimedPruneJob }>;
  /** Claims again a job queued before (requeue) and runs it in `ctx`. */
  rerun(ctx: PruneContext, jobId: string): Promise<{ outcome: PruneOutcome; record: JobRecord; job: ClaimedPruneJob }>;
  stop(): Promise<void>;
}

let seq = 0;
/** A fresh id with a prefix. */
export function id(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${(seq++).toString(36)}`;
}

/** The secret access key the runner's config holds (s3rver's, which must never show in a reason or log). */
export function runnerConfig(s3: LocalS3, endpoint: string, stateDir: string, over: Record<string, unknown> = {}) {
  return RunnerConfigSchema.parse({
    api: "http://127.0.0.1:1",
    token: TOKEN,
    databases: { db_main: { url: "postgres://backup:db-password-xyz@127.0.0.1:1/app" }, db_other: {} },
    bucket: {
      bucket: BUCKET,
      region: s3.region,
      endpoint,
      forcePathStyle: true,
      prefix: PREFIX,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    },
    heartbeatSeconds: 0.05,
    healthPort: -1,
    stateDir,
    drills: { enabled: false },
    ...over,
  });
}

/** Starts s3rver (bucket acme-backups) and the stand-in Worker. */
export async function startPruneHarness(): Promise<PruneHarness> {
  const [s3, worker] = await Promise.all([startS3({ bucket: BUCKET }), startStandInWorker({ leaseSeconds: 30 })]);
  const direct = localS3Client(s3);
  const proxies: Proxied[] = [];
  const clients: S3Client[] = [direct];
  const lines: Record<string, unknown>[] = [];
  const out = new PassThrough();
  let partial = "";
  out.on("data", (b: Buffer) => {
    const parts = (partial + b.toString("utf8")).split("\n");
    partial = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  const api = new WorkerApi(worker.url, TOKEN, [20, 20]);

  async function claimAndRun(ctx: PruneContext, jobId: string, databaseId: string) {
    const answer = await api.claim(RUNNER_VERSION, [databaseId], ["prune"]);
    const claimed = answer.ok ? { ok: true as const, value: answer.value.job } : answer;
    if (!claimed.ok || claimed.value?.kind !== "prune")
      throw new Error(`no prune claimed: ${claimed.ok ? JSON.stringify(claimed.value) : claimed.message}`);
    if (claimed.value.jobId !== jobId) throw new Error(`claimed ${claimed.value.jobId}, not ${jobId}`);
    const job = claimed.value;
    const outcome = await runPrune(job, ctx, new AbortController().signal);
    return { outcome, record: worker.jobs.get(jobId)!, job };
  }

  return {
    s3,
    direct,
    worker,
    lines,
    async proxied(emulate) {
      let faults: FaultRule | undefined;
      const proxy = await startFaultProxy({
        target: s3.endpoint,
        rules: (req, info) => faults?.(req, info),
        ...(emulate ? { emulate: { bucket: BUCKET, ...emulate } } : {}),
      });
      const client = localS3Client({ ...s3, endpoint: proxy.endpoint });
      clients.push(client);
      const p: Proxied = { proxy, client, setFaults: (rule) => void (faults = rule) };
      proxies.push(p);
      return p;
    },
    async context(via, o = {}) {
      const stateDir = o.stateDir ?? join(mkdtempSync(join(tmpdir(), "ww-prune-")), "state");
      const config: RunnerConfig = runnerConfig(s3, via.proxy.endpoint, stateDir, { api: worker.url, ...o.config });
      const s3Client = makeS3Client(config.bucket);
      clients.push(s3Client);
      const secrets = [config.token, s3.secretAccessKey, "db-password-xyz"];
      return {
        config,
        api: new WorkerApi(worker.url, TOKEN, [20, 20], secrets),
        s3: s3Client,
        log: createLogger("info", out, secrets),
        secrets,
        pruneJournal: await PruneJournal.open(stateDir),
      };
    },
    async prune(ctx, targets, o = {}) {
      const databaseId = o.databaseId ?? "db_main";
      const jobId = o.jobId ?? id("job_prune");
      worker.queue({
        kind: "prune",
        jobId,
        databaseId,
        decidedAt: new Date().toISOString(),
        policy: { keepLast: 1, timezone: "UTC" },
        targets,
      });
      return claimAndRun(ctx, jobId, databaseId);
    },
    async rerun(ctx, jobId) {
      worker.requeue(jobId);
      const r = worker.jobs.get(jobId)!;
      return claimAndRun(ctx, jobId, r.job.databaseId);
    },
    async stop() {
      for (const c of clients) c.destroy();
      for (const p of proxies) await p.proxy.stop();
      await worker.stop();
      await s3.stop();
    },
  };
}
