import type { BucketPosture } from "@walwarden/verifier";
import { abortStaleUploads, abortUploadsOf } from "../s3/upload-artifact.js";
import { finishPendingCompletions } from "../backup/finish-pending.js";
import { runBackup, type BackupOutcome } from "../backup/run-backup.js";
import { type JobKind, sleep } from "../api/worker-api.js";
import { cleanUpDrillTargets, type Leftover } from "../drill/cleanup.js";
import type { RunnerContext } from "../drill/drill-context.js";
import { type DrillOutcome, runDrill } from "../drill/run-drill.js";
import { type PruneOutcome, runPrune } from "../prune/run-prune.js";
import { PostureReport } from "../posture/posture-report.js";
import { readBucketPosture } from "../posture/read-posture.js";
import { RUNNER_VERSION } from "../version.js";
import { RunnerWitness } from "../witness/witness-loop.js";
import { backupRetention } from "../kit/lock-retention.js";

/**
 * How a job ended: a backup's outcome, a drill's (`drilled`: a receipt was accepted, the drill passed or
 * failed), or a prune's (`pruned`: the Worker took its report).
 */
export type JobOutcome = BackupOutcome | DrillOutcome | PruneOutcome;

/** What the loop has done, for /healthz and tests. */
export interface LoopState {
  running: number;
  completed: number;
  failed: number;
  lastClaimAt: string | null;
  lastError: string | null;
  stopping: boolean;
  /** Uploaded backups whose completion is not settled yet (retried before each claim). */
  pending: number;
}

/**
 * Claims and runs jobs, `concurrency` at a time. Each slot claims, runs what it got, and otherwise waits
 * pollSeconds ± 50 % (jitter, so many runners do not claim in lockstep). stop() stops claiming and
 * cancels running jobs: each aborts its upload and is failed as retryable, so the Worker re-queues it.
 */
export class JobLoop {
  readonly state: LoopState = {
    running: 0,
    completed: 0,
    failed: 0,
    lastClaimAt: null,
    lastError: null,
    stopping: false,
    pending: 0,
  };
  /** The pass over pending completions under way, if any (slots share one). */
  private finishing: Promise<void> | undefined;
  private readonly shutdown = new AbortController();
  /** Called after each job (tests and --once use it). */
  onOutcome: (o: JobOutcome) => void = () => {};
  /** When the bucket's posture goes with a claim (the first, then every few minutes). */
  private readonly posture = new PostureReport((signal) => this.readPosture(signal));
  /** The posture last read (JSON), to log it when it changes. */
  private lastPosture: string | undefined;

  /** The runner as its org's witness (SPEC §13): the size it accepted goes with each claim and complete. */
  private readonly witness: RunnerWitness;
  /** What backups run with: the context and the witness, which witnesses each kit's checkpoint (SPEC §10). */
  private readonly jobCtx: RunnerContext;

  constructor(private readonly ctx: RunnerContext) {
    this.witness = new RunnerWitness({
      stateDir: ctx.config.stateDir,
      api: ctx.api,
      log: ctx.log,
      signer: () => ctx.drill.signer(),
      orgId: () => ctx.drill.orgId(),
      logPolicy: async (orgId) => {
        const keys = await ctx.drill.kitKeys(orgId);
        return keys.ok ? { ok: true, value: keys.value.policy } : { ok: false, message: keys.message, code: keys.code };
      },
      anchors: {
        s3: ctx.s3,
        bucket: ctx.config.bucket.bucket,
        prefix: ctx.config.bucket.prefix,
        retention: () => backupRetention(ctx.config.bucket.objectLock, null, new Date()),
      },
    });
    this.jobCtx = { ...ctx, witness: this.witness };
  }

  /** Reads the bucket's posture (SPEC §12); logged when it differs from the last read. */
  private async readPosture(signal: AbortSignal): Promise<BucketPosture> {
    const { config, s3, log, secrets } = this.ctx;
    try {
      const { posture, unknown } = await readBucketPosture(s3, config.bucket, { log, secrets, signal });
      const json = JSON.stringify(posture);
      if (json !== this.lastPosture)
        log.info(
          { event: "posture.read", posture, unknown: Object.keys(unknown) },
          "read the bucket's posture (sent with the next claim)",
        );
      this.lastPosture = json;
      return posture;
    } catch (e) {
      log.warn({ event: "posture.read_failed", reason: (e as Error).message }, "could not read the bucket's posture");
      throw e;
    }
  }

  /** Removes drill targets a crash left (the drill journal's entries): leftover clusters, work dirs, scratch databases. */
  cleanUpDrills(): Promise<Leftover[]> {
    return cleanUpDrillTargets(this.ctx.drill.journal, this.ctx.config.drills.server, this.ctx.env, this.ctx.log);
  }

  /** The kinds to claim now: drills too when enabled and the runner key is registered; prunes unless turned off. */
  private async kinds(): Promise<JobKind[]> {
    const drills = this.ctx.config.drills.enabled && (await this.ctx.drill.ensureKey());
    return [
      "backup",
      ...(drills ? (["drill"] as const) : []),
      ...(this.ctx.config.prune.enabled ? (["prune"] as const) : []),
    ];
  }

  /** Aborts uploads a crash left open: the journal's keys, and anything under the prefix older than staleUploadHours. */
  async cleanUpAfterCrash(): Promise<{ journal: number; stale: number }> {
    const { config, s3, journal, log } = this.ctx;
    let fromJournal = 0;
    for (const key of journal.open()) {
      fromJournal += await abortUploadsOf(s3, config.bucket.bucket, key);
      await journal.remove(key);
    }
    const before = new Date(Date.now() - config.staleUploadHours * 3_600_000);
    const stale = await abortStaleUploads(s3, config.bucket.bucket, config.bucket.prefix, before).catch((e: Error) => {
      log.warn(
        { event: "cleanup.list_failed", reason: e.message },
        "could not list open multipart uploads (set a lifecycle rule AbortIncompleteMultipartUpload)",
      );
      return 0;
    });
    if (fromJournal || stale)
      log.info({ event: "cleanup.aborted_uploads", fromJournal, stale }, "aborted multipart uploads left by a crash");
    return { journal: fromJournal, stale };
  }

  /**
   * Finishes completions left pending (by a crash, a lost answer, an unreachable Worker): before the first
   * claim and before each claim after. One pass at a time, whichever slot asks.
   */
  finishPending(): Promise<void> {
    this.finishing ??= (async () => {
      try {
        for (const o of await finishPendingCompletions(this.jobCtx)) this.record(o);
      } finally {
        this.state.pending = this.ctx.completions.size;
        this.finishing = undefined;
      }
    })();
    return this.finishing;
  }

  private record(o: JobOutcome): void {
    if (o.status === "completed" || o.status === "pruned" || (o.status === "drilled" && o.outcome === "passed"))
      this.state.completed++;
    else if (o.status === "drilled") {
      this.state.failed++;
      this.state.lastError = o.reason;
    } else if (o.status === "failed") {
      this.state.failed++;
      this.state.lastError = o.reason;
    } else this.state.lastError = o.reason;
    this.onOutcome(o);
  }

  /** Runs until stop(); with `once`, returns when a claim finds nothing and no job is running. */
  async run({ once = false }: { once?: boolean } = {}): Promise<void> {
    const slots = Array.from({ length: this.ctx.config.concurrency }, (_, i) => this.slot(i, once));
    await Promise.all(slots);
  }

  /** Stops claiming and cancels running jobs (they fail as retryable and abort their uploads); run() then returns. */
  stop(): void {
    this.state.stopping = true;
    this.shutdown.abort();
  }

  private async slot(index: number, once: boolean): Promise<void> {
    const { config, api, log } = this.ctx;
    const databases = Object.keys(config.databases);
    // Spread the first claims of the slots (and of runners started together) over one poll period.
    if (!once) await sleep(Math.random() * config.pollSeconds * 1000 * (index === 0 ? 0.1 : 1), this.shutdown.signal);
    while (!this.shutdown.signal.aborted) {
      await this.finishPending();
      if (this.shutdown.signal.aborted) return;
      const kinds = await this.kinds();
      const posture = await this.posture.take(this.shutdown.signal);
      if (this.shutdown.signal.aborted) return posture?.settle(false);
      const witnessField = await this.witness.claimField();
      const answer = await api.claim(RUNNER_VERSION, databases, kinds, posture?.posture, witnessField);
      posture?.settle(answer.ok);
      if (answer.ok && answer.value.witness) await this.witness.handle(answer.value.witness);
      const claimed = answer.ok ? { ok: true as const, value: answer.value.job } : answer;
      this.state.lastClaimAt = new Date().toISOString();
      if (!claimed.ok) {
        this.state.lastError = claimed.message;
        log.warn({ event: "claim.failed", reason: claimed.message }, "claim failed");
        // --once must not report success when it could not even ask for work (after the API client's retries).
        if (once) throw new Error(claimed.message);
      } else if (claimed.value) {
        this.state.running++;
        try {
          const job = claimed.value;
          const outcome: JobOutcome =
            job.kind === "drill"
              ? await runDrill(job, this.ctx, this.shutdown.signal)
              : job.kind === "prune"
                ? await runPrune(job, this.ctx, this.shutdown.signal)
                : await runBackup(job, this.jobCtx, this.shutdown.signal);
          this.record(outcome);
          this.state.pending = this.ctx.completions.size;
          // After a failure, pause before claiming again: a re-queued job should not be retried at once.
          if (outcome.status === "failed" || outcome.status === "pending")
            await sleep(config.pollSeconds * 1000 * (0.5 + Math.random()), this.shutdown.signal);
        } finally {
          this.state.running--;
        }
        continue;
      } else if (once) return;
      await sleep(config.pollSeconds * 1000 * (0.5 + Math.random()), this.shutdown.signal);
    }
  }
}
