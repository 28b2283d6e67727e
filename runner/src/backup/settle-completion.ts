import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Result } from "@walwarden/verifier";
import type { ApiErrorCode, Completed, WorkerApi } from "../api/worker-api.js";
import { sleep } from "../api/worker-api.js";
import { lockObject, writeKit } from "../kit/write-kit.js";
import type { RunnerLogger } from "../log/logger.js";
import type { KitWitness, KitWitnessPort } from "../witness/witness-loop.js";
import type { CompletionJournal, PendingCompletion } from "./completion-journal.js";

/** What settling needs from the runner's context. */
export interface SettleContext {
  api: WorkerApi;
  s3: S3Client;
  completions: CompletionJournal;
  env: NodeJS.ProcessEnv;
  publishedKeys(): Promise<string[]>;
  /** The runner as its org's witness (SPEC §10 "Witnessed kits"); without it kits are not witnessed. */
  witness?: KitWitnessPort;
}

/** How the kit's checkpoint was witnessed (SPEC §10 "Witnessed kits"). */
export type KitWitnessStatus = Exclude<KitWitness["status"], "retry">;

/**
 * How a pending completion ended: the kit is written; nothing was signed (the object was deleted if it
 * was still this attempt's); the lease completed with another body (the object is kept); or still
 * undecided (kept in the journal for the next try).
 */
export type Settled =
  | { status: "kitted"; completed: Completed; kit: string[]; witness: KitWitnessStatus }
  | { status: "not-signed"; reason: string; reported: boolean }
  | { status: "mismatch"; reason: string }
  | { status: "pending"; reason: string };

/** The object metadata naming the lease an artifact was uploaded under (what deleteIfOurs checks). */
export const LEASE_METADATA = "walwarden-lease";

/**
 * Acts on complete's answer for a pending completion. Only two answers prove that nothing was or will be
 * signed for the lease (the wire's CompleteRefusalCodeSchema): complete's `lease-lost`, and a 200 from
 * fail; only then is the object deleted. A timeout, a 5xx, `unavailable` or an answer that does not parse
 * proves nothing: the object and the journal entry stay, and the next try sends the same body again.
 */
export async function settleCompletion(
  p: PendingCompletion,
  answer: Result<Completed, ApiErrorCode>,
  ctx: SettleContext,
  log: RunnerLogger,
  sent?: { size: string },
): Promise<Settled> {
  const { bucket, key } = p.body.result.s3;
  if (answer.ok) {
    await pauseForTest(ctx.env, log);
    const witnessed = await witnessKit(p, answer.value, sent, ctx, log);
    if (witnessed.status === "retry")
      return {
        status: "pending",
        reason: `signed, but the kit's checkpoint is to be witnessed again: ${witnessed.reason}`,
      };
    try {
      const publishedKeys = await ctx.publishedKeys().catch(() => []);
      const retention = p.retention
        ? { mode: p.retention.mode, retainUntil: new Date(p.retention.retainUntil) }
        : undefined;
      const kit = await writeKit(
        ctx.s3,
        bucket,
        key,
        witnessed.completed,
        { ...p.facts, publishedKeys, witness: witnessed.status },
        retention,
        witnessed.status === "refused" ? witnessed.refusal : undefined,
      );
      if (retention) await lockObject(ctx.s3, bucket, key, retention);
      await ctx.completions.remove(p.jobId);
      return { status: "kitted", completed: witnessed.completed, kit, witness: witnessed.status };
    } catch (e) {
      // Signed, but the kit could not be written now: complete again later (same answer) and retry the kit.
      return { status: "pending", reason: `signed, but writing the kit failed: ${(e as Error).message}` };
    }
  }
  if (answer.code === "lease-lost") {
    await deleteIfOurs(ctx.s3, bucket, key, p.leaseId, log);
    await ctx.completions.remove(p.jobId);
    return { status: "not-signed", reason: answer.message, reported: false };
  }
  if (answer.code === "completion-mismatch") {
    log.error(
      { event: "complete.mismatch", key, reason: answer.message },
      "the Worker signed another result for this lease; the object is kept and not retried",
    );
    await ctx.completions.remove(p.jobId);
    return { status: "mismatch", reason: answer.message };
  }
  if (answer.code === "refused") {
    // Nothing was signed for this body; failing the lease makes sure nothing ever will be.
    const failed = await ctx.api.fail(p.jobId, p.leaseId, answer.message, true);
    if (failed.ok) {
      await deleteIfOurs(ctx.s3, bucket, key, p.leaseId, log);
      await ctx.completions.remove(p.jobId);
      return { status: "not-signed", reason: answer.message, reported: true };
    }
  }
  return { status: "pending", reason: answer.message };
}

/**
 * Witnesses the kit's checkpoint (SPEC §10 "Witnessed kits") and says how it went in the log: cosigned,
 * refused (loudly: the log showed another history; the kit is written with the refusal beside it), or not
 * witnessed (the runner's own reason). Never loses the dump: only `retry` holds the kit back, and then the
 * completion stays pending.
 */
async function witnessKit(
  p: PendingCompletion,
  answer: Completed,
  sent: { size: string } | undefined,
  ctx: SettleContext,
  log: RunnerLogger,
): Promise<KitWitness> {
  const w = ctx.witness
    ? await ctx.witness
        .witnessKit(answer, sent, (witness) => ctx.api.complete(p.jobId, p.body, witness))
        .catch((e: Error): KitWitness => ({ status: "retry", reason: e.message }))
    : ({
        status: "unwitnessed",
        completed: answer,
        reason: "this runner does not witness",
        registered: false,
      } as const);
  const key = p.body.result.s3.key;
  if (w.status === "cosigned")
    log.info({ event: "kit.witnessed", key, size: w.size }, "witnessed the kit's checkpoint before writing the kit");
  else if (w.status === "refused")
    log.error(
      {
        event: "kit.witness_refused",
        key,
        code: w.refusal.code,
        size: w.refusal.size,
        acceptedSize: w.refusal.acceptedSize,
        reason: w.refusal.message,
      },
      "refused the kit's checkpoint as the org's witness: the kit is written without the runner's cosignature and with the refusal beside it",
    );
  else if (w.status === "unwitnessed")
    log[w.registered ? "error" : "warn"](
      { event: "kit.unwitnessed", key, reason: w.reason },
      "the kit's checkpoint is not witnessed: the kit is written with the checkpoint as the Worker signed it",
    );
  else
    log.warn({ event: "kit.witness_retry", key, reason: w.reason }, "witnessing the kit's checkpoint is retried later");
  return w;
}

/**
 * Deletes the artifact only if it is still the one this lease uploaded (its metadata names the lease):
 * another attempt of the same job writes the same key, and its object may be signed.
 */
async function deleteIfOurs(s3: S3Client, bucket: string, key: string, leaseId: string, log: RunnerLogger) {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.Metadata?.[LEASE_METADATA] !== leaseId) {
      log.warn({ event: "cleanup.kept_object", key }, "not deleting: the object at this key is another attempt's");
      return;
    }
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: head.VersionId }));
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return;
    log.warn(
      { event: "cleanup.delete_failed", key, reason: (e as Error).message },
      "could not delete an unsigned object",
    );
  }
}

/**
 * Test-only: WALWARDEN_TEST_PAUSE_AFTER_COMPLETE=1 logs `test.paused_after_complete` and waits for good
 * after complete answered and before the kit is written, so a test can SIGKILL the runner exactly there.
 * Never set in production.
 */
async function pauseForTest(env: NodeJS.ProcessEnv, log: RunnerLogger): Promise<void> {
  if (env.WALWARDEN_TEST_PAUSE_AFTER_COMPLETE !== "1") return;
  log.warn({ event: "test.paused_after_complete" }, "test hook: paused after complete, before the kit");
  for (;;) await sleep(60_000);
}
