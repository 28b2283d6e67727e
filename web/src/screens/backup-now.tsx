// "Back up now" (operators): queues a backup (202 queued, 200 the one already waiting), then follows its job
// closely — every second at first — through queued, taken by a runner with its reported phase and bytes,
// recorded, and done, so the new backup is listed the moment it completes; or failed with its reason.
import type { Job, QueuedBackup } from "@walwarden/verifier/wire";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, getJson, postJsonStatus } from "../api/client.js";
import { Link } from "../components/link.js";
import { isActive, jobLine, statusBadge } from "../lib/jobs.js";

/** How often the job is read: every second for its first two minutes, then every five seconds. */
const FAST_MS = 1000;
const SLOW_MS = 5000;
const FAST_FOR_MS = 120_000;
/** A read that has not answered in this long is given up on (the next one is sent), so the line never freezes. */
const READ_TIMEOUT_MS = 10_000;

const STEPS = ["Queued", "Running", "Finishing", "Done"] as const;
const STEP_OF: Record<Job["status"], number> = { queued: 0, leased: 1, completing: 2, succeeded: 3, failed: -1 };

/**
 * The button, the job's live line and its steps. `onStep` runs each time the job's state changes (a runner
 * took it: the screen's runner facts are news), `onDone` when it ends (the backup list reloads).
 */
export function BackupNow({
  databaseId,
  runnerNames,
  onStep,
  onDone,
}: {
  databaseId: string;
  runnerNames: Map<string, string>;
  onStep: (job: Job) => void;
  onDone: (job: Job) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [queued, setQueued] = useState<{ backup: QueuedBackup; existing: boolean; at: number } | undefined>();
  const [job, setJob] = useState<Job | undefined>();
  const done = useRef(onDone);
  done.current = onDone;
  const stepped = useRef(onStep);
  stepped.current = onStep;

  useEffect(() => {
    if (!queued) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = "";
    const tick = async () => {
      try {
        const j = await Promise.race([
          getJson<Job>(`/v1/jobs/${encodeURIComponent(queued.backup.jobId)}`),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer")), READ_TIMEOUT_MS)),
        ]);
        if (stopped) return;
        setJob(j);
        if (j.status !== last) {
          last = j.status;
          stepped.current(j);
        }
        if (!isActive(j)) return done.current(j);
      } catch {
        // A failed read is retried on the next tick; the line keeps the last state.
      }
      if (!stopped) timer = setTimeout(() => void tick(), Date.now() - queued.at < FAST_FOR_MS ? FAST_MS : SLOW_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [queued]);

  const ask = async () => {
    setAsking(true);
    setProblem(undefined);
    try {
      const r = await postJsonStatus<QueuedBackup>(`/v1/databases/${encodeURIComponent(databaseId)}/backups`);
      setJob(undefined);
      setQueued({ backup: r.body, existing: r.status === 200, at: Date.now() });
    } catch (e) {
      setProblem(`Could not queue a backup: ${e instanceof ApiError ? e.message : String(e)}`);
    } finally {
      setAsking(false);
    }
  };

  const following = queued !== undefined && (job === undefined || isActive(job));
  const step = job ? STEP_OF[job.status] : 0;
  const badge = job ? statusBadge(job) : undefined;
  return (
    <div class="backup-now" data-backup-now-panel>
      <p>
        <button type="button" class="secondary" onClick={() => void ask()} disabled={asking || following}>
          Back up now
        </button>{" "}
        <span role="status" data-backup-now data-job-status={job?.status ?? (queued ? "queued" : "")}>
          {queued ? (
            <>
              {!job || (job.status === "queued" && !job.lastError) ? (
                <>
                  {queued.existing
                    ? `A backup was already waiting as job ${queued.backup.jobId}; following it. `
                    : `Backup queued as job ${queued.backup.jobId}. `}
                  Waiting for a runner to take it.
                </>
              ) : (
                jobLine(job, job.runnerId ? runnerNames.get(job.runnerId) : undefined)
              )}
              {job?.status === "succeeded" ? (
                <>
                  {" "}
                  <Link href={`/backups/${job.backupId}`}>See backup {job.backupId}</Link>
                </>
              ) : null}
            </>
          ) : (
            ""
          )}
        </span>
      </p>
      {queued ? (
        <ol class="stepper" aria-label="Backup job steps">
          {STEPS.map((s, i) => (
            <li
              key={s}
              class={step > i || job?.status === "succeeded" ? "done" : step === i ? "current" : undefined}
              aria-current={step === i && job?.status !== "succeeded" ? "step" : undefined}
            >
              {s}
            </li>
          ))}
          {badge && job?.status === "failed" ? (
            <li class="failed">
              <span aria-hidden="true">{badge.symbol} </span>
              {badge.word}
            </li>
          ) : null}
        </ol>
      ) : null}
      {problem ? (
        <p class="alert error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
