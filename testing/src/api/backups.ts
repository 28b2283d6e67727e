// Backups through the API as an operator sees them: queue one, follow its job, list the results; the
// cron tick that schedules them; the published keys that verify them.
import type { PublishedKeys } from "@walwarden/verifier/wire";
import { ApiCallError, apiCall, baseOf, type Dev } from "./api-call.js";

/** A backup job (GET /v1/jobs/:id). */
export interface Job {
  id: string;
  databaseId: string;
  scheduleId: string | null;
  trigger: "manual" | "schedule";
  slotAt: string | null;
  status: "queued" | "leased" | "completing" | "succeeded" | "failed";
  attempt: number;
  maxAttempts: number;
  runnerId: string | null;
  leaseExpiresAt: string | null;
  progress: { phase: string; bytes: number; at: string | null } | null;
  backupId: string | null;
  lastError: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A completed backup (GET /v1/backups). */
export interface Backup {
  id: string;
  databaseId: string;
  jobId: string;
  runnerId: string;
  artifactUri: string;
  sha256: string;
  sizeBytes: number;
  manifestSha256: string;
  logSeq: number;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number;
  /** When retention deleted its objects, or null. */
  expiredAt: string | null;
}

/** The stats line a cron tick logs ({"event":"cron.tick",…}). */
export interface CronTickStats {
  event: "cron.tick";
  cron: string;
  due: number;
  queued: number;
  invalid: number;
  expired: number;
  logged: number;
  orgsLogged: number;
  statements: number;
  [k: string]: unknown;
}

/** POST /v1/databases/:id/backups (operator): queues a backup now. */
export function requestBackup(
  dev: Dev,
  cookie: string,
  databaseId: string,
): Promise<{ jobId: string; backupId: string }> {
  return apiCall(dev, "POST", `/v1/databases/${encodeURIComponent(databaseId)}/backups`, { cookie });
}

/** GET /v1/jobs/:id: status, attempt, lease, progress, lastError. */
export function getJob(dev: Dev, cookie: string, jobId: string): Promise<Job> {
  return apiCall(dev, "GET", `/v1/jobs/${encodeURIComponent(jobId)}`, { cookie });
}

/** GET /v1/backups: one page of completed backups, newest first. */
export function listBackups(
  dev: Dev,
  cookie: string,
  filter: { databaseId?: string; limit?: number; cursor?: string } = {},
): Promise<{ items: Backup[]; nextCursor: string | null }> {
  const q = new URLSearchParams(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]): [string, string] => [k, String(v)]),
  );
  return apiCall(dev, "GET", `/v1/backups${q.size ? `?${q}` : ""}`, { cookie });
}

/** A local Worker whose output triggerCron can watch for the tick's stats line (what startDev returns). */
interface WatchedDev {
  url: string;
  stdout: string;
  waitFor<T>(test: (stdout: string) => T | undefined | null | false | "", timeoutMs: number, what: string): Promise<T>;
}

const isWatched = (dev: Dev): dev is WatchedDev =>
  typeof dev === "object" &&
  typeof (dev as Partial<WatchedDev>).stdout === "string" &&
  typeof (dev as Partial<WatchedDev>).waitFor === "function";

/**
 * Fires the Worker's scheduled handler at `timeMs` (miniflare's trigger route; a real `* * * * *` tick:
 * it queues due backups and re-queues expired leases). The tick runs in waitUntil, after the answer: when
 * `dev` is a startDev() object we wait for the tick's {"event":"cron.tick"} line and return its stats.
 */
export async function triggerCron(
  dev: Dev,
  timeMs: number,
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<CronTickStats | undefined> {
  const lines = (out: string) => out.match(/^\{"event":"cron\.tick".*\}$/gm) ?? [];
  const watched = isWatched(dev) ? dev : undefined;
  const before = watched ? lines(watched.stdout).length : 0;
  const path = `/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${Math.floor(timeMs)}`;
  const res = await fetch(`${baseOf(dev)}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok)
    throw new ApiCallError(
      "GET",
      path,
      res.status,
      res.status === 500 && text === "exception"
        ? `${text} (a Worker served with its static assets has wrangler's asset router in front, which has no scheduled handler: start it with startDev({ apiOnly: true }))`
        : text,
    );
  if (!watched) return undefined;
  const line = await watched.waitFor((out) => lines(out)[before], timeoutMs, "the tick's cron.tick line");
  return JSON.parse(line) as CronTickStats;
}

/** GET /.well-known/walwarden/keys: { origin, checkpoint[], manifest[] } vkeys, current first. */
export function publishedKeys(dev: Dev): Promise<PublishedKeys> {
  return apiCall(dev, "GET", "/.well-known/walwarden/keys");
}
