import { type Progress, sleep, type WorkerApi } from "../api/worker-api.js";
import type { RunnerLogger } from "../log/logger.js";

/** Why a prune stopped between targets: the runner is shutting down, or the lease is gone (then no report is sent). */
export class PruneStopped extends Error {
  constructor(
    message: string,
    readonly leaseLost: boolean,
  ) {
    super(message);
  }
}

/** Heartbeats every `seconds` with the prune's progress (phase `deleting`, bytes deleted) until `stop`; a lost lease stops the prune. */
export async function pruneHeartbeats(
  job: { jobId: string; leaseId: string },
  api: WorkerApi,
  seconds: number,
  progress: Progress,
  stop: AbortController,
  log: RunnerLogger,
): Promise<void> {
  while (!stop.signal.aborted) {
    await sleep(seconds * 1000, stop.signal);
    if (stop.signal.aborted) return;
    const r = await api.heartbeat(job.jobId, job.leaseId, { ...progress });
    if (!r.ok && r.code === "lease-lost") {
      log.warn({ event: "heartbeat.lease_lost" }, r.message);
      stop.abort(new PruneStopped(`lease lost: ${r.message}`, true));
      return;
    }
    if (!r.ok) log.warn({ event: "heartbeat.failed", reason: r.message }, "heartbeat failed; will retry");
  }
}
