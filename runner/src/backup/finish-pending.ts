import type { BackupContext, BackupOutcome } from "./run-backup.js";
import { settleCompletion } from "./settle-completion.js";

/**
 * Finishes the completions a crash, a lost answer or an unreachable Worker left pending: complete again
 * with the journal's exact body (the Worker answers the same signed manifest), then the kit. Returns the
 * outcomes of those that settled; the others stay in the journal for the next pass.
 */
export async function finishPendingCompletions(ctx: BackupContext): Promise<BackupOutcome[]> {
  const outcomes: BackupOutcome[] = [];
  for (const p of ctx.completions.unheld()) {
    const key = p.body.result.s3.key;
    const log = ctx.log.child({ jobId: p.jobId, backupId: p.backupId, databaseId: p.databaseId });
    log.info({ event: "completion.resumed", key }, "finishing a completion left pending");
    const sent = await ctx.witness?.completeField();
    const settled = await settleCompletion(p, await ctx.api.complete(p.jobId, p.body, sent), ctx, log, sent);
    if (settled.status === "kitted") {
      log.info(
        {
          event: "backup.completed",
          key,
          sha256: p.body.artifactSha256,
          sizeBytes: p.body.result.sizeBytes,
          resumed: true,
          witness: settled.witness,
        },
        "backup completed",
      );
      outcomes.push({
        status: "completed",
        key,
        sha256: p.body.artifactSha256,
        sizeBytes: p.body.result.sizeBytes,
        rawBytes: null,
        kit: settled.kit,
        witness: settled.witness,
      });
    } else if (settled.status === "pending") {
      log.warn({ event: "completion.still_pending", key, reason: settled.reason }, "completion still pending");
    } else {
      const reported = settled.status === "not-signed" && settled.reported;
      log.error({ event: "backup.failed", reason: settled.reason, reported }, "backup failed");
      outcomes.push({ status: "failed", reason: settled.reason, retryable: settled.status !== "mismatch", reported });
    }
  }
  return outcomes;
}
