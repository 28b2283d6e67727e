import type { Progress } from "../api/worker-api.js";
import { sleep } from "../api/worker-api.js";
import type { RunnerLogger } from "../log/logger.js";
import type { RunnerContext } from "./drill-context.js";

/** Why a drill stopped early: the runner is shutting down, or the lease is gone (both: no receipt). */
export class DrillStopped extends Error {
  constructor(
    message: string,
    readonly leaseLost: boolean,
  ) {
    super(message);
  }
}

/** Heartbeats every heartbeatSeconds with the drill's phase until `stop`; a lost lease stops the drill. */
export async function drillHeartbeats(
  job: { jobId: string; leaseId: string },
  ctx: RunnerContext,
  progress: Progress,
  stop: AbortController,
  log: RunnerLogger,
): Promise<void> {
  while (!stop.signal.aborted) {
    await sleep(ctx.config.heartbeatSeconds * 1000, stop.signal);
    if (stop.signal.aborted) return;
    const r = await ctx.api.heartbeat(job.jobId, job.leaseId, { ...progress });
    if (!r.ok && r.code === "lease-lost") {
      log.warn({ event: "heartbeat.lease_lost" }, r.message);
      stop.abort(new DrillStopped(`lease lost: ${r.message}`, true));
      return;
    }
    if (!r.ok) log.warn({ event: "heartbeat.failed", reason: r.message }, "heartbeat failed; will retry");
  }
}
