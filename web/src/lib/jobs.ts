// Jobs (backups, drills, prunes) in the dashboard's words: each state and phase, a job's live line, the jobs
// screen's filters as a query, and whether anything serves a database. Pure, with types only from the verifier.
import type { Job, Runner } from "@walwarden/verifier/wire";
import { formatAge, formatBytes, formatDuration } from "./format.js";

/** A job's kind (the verifier's JOB_KINDS; a unit test holds them equal). */
export type JobKind = Job["kind"];
/** A job's state (the verifier's JOB_STATES). */
export type JobStatus = Job["status"];

/** The kinds, as the filter offers them. */
export const JOB_KINDS: readonly JobKind[] = ["backup", "drill", "prune"];
/** The states, in the order a successful job passes through them. */
export const JOB_STATUSES: readonly JobStatus[] = ["queued", "leased", "completing", "succeeded", "failed"];

/** Each kind in words. */
export const KIND_WORDS: Record<JobKind, string> = {
  backup: "Backup",
  drill: "Restore drill",
  prune: "Retention prune",
};

/** Each state in words, as the filter and the badge say it (leased is a runner running it). */
export const STATUS_WORDS: Record<JobStatus, string> = {
  queued: "Queued",
  leased: "Running",
  completing: "Finishing",
  succeeded: "Succeeded",
  failed: "Failed",
};

/** The states a job still moves out of: while one is in view, the view refreshes. */
export const ACTIVE_STATUSES: ReadonlySet<JobStatus> = new Set(["queued", "leased", "completing"]);

/** Whether a job is still on its way (queued, running or finishing). */
export const isActive = (job: Pick<Job, "status">): boolean => ACTIVE_STATUSES.has(job.status);

/** Whether a queued job is waiting for another attempt after one failed. */
export const isRetry = (job: Pick<Job, "status" | "attempt" | "lastError">): boolean =>
  job.status === "queued" && job.attempt > 0 && job.lastError !== null;

/** A job's badge: its words, tone and symbol (a queued retry reads as retrying). */
export function statusBadge(job: Pick<Job, "status" | "attempt" | "lastError">): {
  word: string;
  tone: string;
  symbol: string;
} {
  if (isRetry(job)) return { word: "Retrying", tone: "warn", symbol: "↻" };
  switch (job.status) {
    case "queued":
      return { word: STATUS_WORDS.queued, tone: "neutral", symbol: "○" };
    case "leased":
      return { word: STATUS_WORDS.leased, tone: "info", symbol: "▶" };
    case "completing":
      return { word: STATUS_WORDS.completing, tone: "info", symbol: "▶" };
    case "succeeded":
      return { word: STATUS_WORDS.succeeded, tone: "good", symbol: "●" };
    case "failed":
      return { word: STATUS_WORDS.failed, tone: "bad", symbol: "✖" };
  }
}

/** What a runner's heartbeat says it is doing, in words. */
const PHASE_WORDS: Record<string, string> = {
  dumping: "dumping the database",
  uploading: "uploading to the bucket",
  finalizing: "finalizing",
  preparing: "preparing the target",
  downloading: "downloading the backup",
  restoring: "restoring",
  checking: "checking the restore",
  deleting: "deleting expired backups",
};

/** A phase in words ("dumping the database"); an unknown one as sent. */
export const phaseWords = (phase: string): string => PHASE_WORDS[phase] ?? phase;

/** "attempt 2 of 3". */
export const attemptWords = (job: Pick<Job, "attempt" | "maxAttempts">): string =>
  `attempt ${job.attempt} of ${job.maxAttempts}`;

/**
 * A job's state in a sentence, for the jobs table and "Back up now": what it waits for, what the runner
 * reports (phase, bytes so far, when it last did), why it failed and after how many attempts.
 */
export function jobLine(job: Job, runnerName: string | undefined, now = Date.now()): string {
  const runner = job.runnerId ? `runner ${runnerName ?? job.runnerId}` : "a runner";
  switch (job.status) {
    case "queued":
      return isRetry(job)
        ? `Attempt ${job.attempt} of ${job.maxAttempts} failed (${job.lastError}); queued again for another attempt.`
        : "Waiting for a runner to take it.";
    case "leased": {
      const p = job.progress;
      if (!p) return `Taken by ${runner} (${attemptWords(job)}); no progress reported yet.`;
      const heard = p.at ? `, heard ${formatAge(Math.max(0, Math.floor((now - Date.parse(p.at)) / 1000)))}` : "";
      return `Running on ${runner} (${attemptWords(job)}): ${phaseWords(p.phase)}, ${formatBytes(p.bytes)} so far${heard}.`;
    }
    case "completing":
      return `${runner[0]!.toUpperCase()}${runner.slice(1)} reported it done; the Worker is recording it.`;
    case "succeeded":
      return `Succeeded on ${runner} (${attemptWords(job)})${tookWords(job)}.`;
    case "failed":
      return `Failed on ${attemptWords(job)}: ${job.lastError ?? "no reason given"}.`;
  }
}

/** ", in 1 min 30 s" from start to finish, or nothing. */
function tookWords(job: Pick<Job, "startedAt" | "finishedAt">): string {
  if (!job.startedAt || !job.finishedAt) return "";
  return `, in ${formatDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}`;
}

/** The jobs screen's filters (empty: all). */
export interface JobFilters {
  kind: string;
  status: string;
  databaseId: string;
}

/** The filters a location's query says; values the API would refuse are dropped. */
export function filtersOf(query: URLSearchParams): JobFilters {
  const kind = query.get("kind") ?? "";
  const status = query.get("status") ?? "";
  const databaseId = query.get("databaseId") ?? "";
  return {
    kind: (JOB_KINDS as readonly string[]).includes(kind) ? kind : "",
    status: (JOB_STATUSES as readonly string[]).includes(status) ? status : "",
    databaseId: /^[A-Za-z0-9._-]{1,128}$/.test(databaseId) ? databaseId : "",
  };
}

/** The filters as a query (only those set), for the screen's URL and GET /v1/jobs. */
export function queryOf(filters: JobFilters, extra: Record<string, string> = {}): URLSearchParams {
  const q = new URLSearchParams();
  if (filters.kind) q.set("kind", filters.kind);
  if (filters.status) q.set("status", filters.status);
  if (filters.databaseId) q.set("databaseId", filters.databaseId);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

/** How long a runner may go without polling before it counts as silent (the Worker's default runner.silent). */
export const SILENT_MINUTES = 10;
/** How long a job may wait unclaimed, while runners poll, before it says no runner may serve the database. */
export const UNCLAIMED_MINUTES = 5;

/** What the dashboard can tell about whether anything backs a database up. */
export type Coverage =
  | { kind: "no-runners" }
  | { kind: "all-silent"; lastSeenAt: string | null }
  | { kind: "unclaimed"; job: Job; waitedMinutes: number }
  | { kind: "last-runner-silent"; runner: Runner }
  | { kind: "ok"; lastRunner: Runner | undefined };

const minutesSince = (iso: string | null, now: number) => (iso ? (now - Date.parse(iso)) / 60_000 : Infinity);

/**
 * Whether runners serve a database, from what the API tells: when each runner last polled (it does not say
 * which databases a runner's config lists) and the database's jobs (which runner ran each, and how long a
 * queued one has waited). No live runner, or none that polled in SILENT_MINUTES, means nothing takes its
 * jobs; a job left queued for UNCLAIMED_MINUTES while runners poll means none of them lists it; the runner
 * that ran its last job gone silent while another polls is said too.
 */
export function coverageOf(runners: readonly Runner[], jobs: readonly Job[], now = Date.now()): Coverage {
  const live = runners.filter((r) => !r.revokedAt);
  if (live.length === 0) return { kind: "no-runners" };
  const polling = live.filter((r) => minutesSince(r.lastSeenAt, now) <= SILENT_MINUTES);
  if (polling.length === 0) {
    const seen = live.map((r) => r.lastSeenAt).filter((t): t is string => t !== null);
    return { kind: "all-silent", lastSeenAt: seen.sort().at(-1) ?? null };
  }
  const waiting = jobs
    .filter((j) => j.status === "queued" && !isRetry(j))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  if (waiting) {
    const waited = minutesSince(waiting.createdAt, now);
    // Waiting that long while some runner polled since it was queued: no polling runner took it.
    const polledSince = polling.some((r) => r.lastSeenAt && r.lastSeenAt > waiting.createdAt);
    if (waited >= UNCLAIMED_MINUTES && polledSince)
      return { kind: "unclaimed", job: waiting, waitedMinutes: Math.floor(waited) };
  }
  const lastRunnerId = [...jobs]
    .filter((j) => j.runnerId !== null)
    .sort((a, b) => (b.startedAt ?? b.createdAt).localeCompare(a.startedAt ?? a.createdAt))[0]?.runnerId;
  const lastRunner = runners.find((r) => r.id === lastRunnerId);
  if (lastRunner && (lastRunner.revokedAt || minutesSince(lastRunner.lastSeenAt, now) > SILENT_MINUTES))
    return { kind: "last-runner-silent", runner: lastRunner };
  return { kind: "ok", lastRunner };
}

/** A coverage that needs someone's attention, in words (undefined when all is well). */
export function coverageWarning(c: Coverage, now = Date.now()): { title: string; body: string } | undefined {
  switch (c.kind) {
    case "no-runners":
      return {
        title: "No runner is registered",
        body: "Nothing takes this database's backups: schedules queue jobs that wait. An admin registers a runner on the Runners screen and runs it next to the database.",
      };
    case "all-silent":
      return {
        title: `No runner has polled in the last ${SILENT_MINUTES} minutes`,
        body: `Scheduled and requested backups of this database wait until a runner polls again${c.lastSeenAt ? ` (the last poll was ${formatAge(Math.floor((now - Date.parse(c.lastSeenAt)) / 1000))})` : " (no runner has ever polled)"}. Check the runners on the Runners screen.`,
      };
    case "unclaimed":
      return {
        title: `A job has waited ${c.waitedMinutes} minutes and no runner has taken it`,
        body: "Runners are polling, but none took it: the runners' configs may not list this database (Walwarden sees when runners poll, not which databases each one serves), or they are busy with other jobs.",
      };
    case "last-runner-silent":
      return {
        title: `The runner that ran this database's last job is ${c.runner.revokedAt ? "revoked" : "silent"}`,
        body: `${c.runner.name} ${c.runner.revokedAt ? "was revoked" : `has not polled for ${c.runner.lastSeenAt ? formatAge(Math.floor((now - Date.parse(c.runner.lastSeenAt)) / 1000)).replace(/ ago$/, "") : "ever"}`}. Other runners poll, but Walwarden cannot tell whether any of them lists this database: watch that the next job is taken.`,
      };
    case "ok":
      return undefined;
  }
}
