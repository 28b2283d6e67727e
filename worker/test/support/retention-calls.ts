import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { vi } from "vitest";
import { decodeEntry, kitObjectKey, type LogEntry } from "@walwarden/verifier";
import type { ClaimedPruneJob, PruneReportRequest } from "@walwarden/verifier/wire";
import worker from "../../src/index.js";
import { ARTIFACT_SHA256, backupResult } from "./backup-result.js";
import { call, type Answer, type Org } from "./client.js";
import { logEntries } from "./log-checks.js";

// The calls retention tests are written with (verifier/SPEC.md §12): policies, a runner claiming prunes and
// reporting what it did, backups completed at a chosen instant, and the org's log decoded.

/** Setup steps throw (instead of asserting), so a broken step is reported as what it was. */
function expectStatus(a: Answer, status: number, what: string): Answer {
  if (a.status !== status) throw new Error(`${what}: expected ${status}, got ${a.status} ${JSON.stringify(a.body)}`);
  return a;
}

/** The path of a database's retention policy. */
export const policyPath = (databaseId: string) => `/v1/databases/${databaseId}/retention-policy`;

/** PUT /v1/databases/:id/retention-policy as the org's admin. */
export const putRetention = (org: Org, json: unknown, databaseId = org.databaseId) =>
  call("PUT", policyPath(databaseId), { token: org.adminToken, json });

/** GET /v1/databases/:id/retention as the org's viewer. */
export const retentionOf = (org: Org, databaseId = org.databaseId) =>
  call("GET", `/v1/databases/${databaseId}/retention`, { token: org.viewerToken });

/** POST /v1/runner/claim asking for prunes only. */
export const claimPrune = (token: string, databases: string[]) =>
  call("POST", "/v1/runner/claim", { token, json: { version: "0.1.0", databases, kinds: ["prune"] } });

/** Claims the prune waiting for a database with the org's runner: the job, which must be there. */
export async function leasedPrune(org: Org, databaseId = org.databaseId): Promise<ClaimedPruneJob> {
  const job = expectStatus(await claimPrune(org.runnerToken, [databaseId]), 200, "claim a prune").body.job;
  if (job?.kind !== "prune") throw new Error(`claim: expected a prune, got ${JSON.stringify(job)}`);
  return job as ClaimedPruneJob;
}

/** POST /v1/runner/jobs/:jobId/prune. */
export const sendReport = (token: string, jobId: string, json: unknown) =>
  call("POST", `/v1/runner/jobs/${jobId}/prune`, { token, json });

/** The keys an honest runner deletes for a target: the artifact first, then its kit's files. */
export const deletedKeysOf = (key: string) => [
  key,
  ...(["manifest", "entry", "proof", "checkpoint", "readme", "script"] as const).map((f) => kitObjectKey(key, f)),
];

/** A report of a claimed prune in which every target was deleted, with some targets' outcomes overridden. */
export function reportOf(
  job: ClaimedPruneJob,
  over: Record<string, Partial<PruneReportRequest["results"][number]>> = {},
): PruneReportRequest {
  return {
    leaseId: job.leaseId,
    results: job.targets.map((t) => {
      const o = over[t.backupId];
      const deleted = o?.outcome === undefined || o.outcome === "deleted";
      return {
        backupId: t.backupId,
        outcome: "deleted" as const,
        retainUntil: null,
        deletedKeys: deleted ? deletedKeysOf(t.artifact.key) : [],
        ...o,
      };
    }),
  };
}

/** The object key of a test backup completed at `at` (each backup its own key, as the runner's layout has). */
export const keyOf = (databaseId: string, n: number) =>
  `walwarden/${databaseId}/bkp-${String(n).padStart(4, "0")}.dump.zst`;

/**
 * Calls the Worker's own fetch handler with a bearer token and a JSON body, as fuzz.test.ts does: through
 * SELF, vitest-pool-workers 0.15 wraps its entrypoint in one more Proxy per request (cloudflare/workers-sdk#15092),
 * so the thousand requests a year of backups takes would each cost more than the last.
 */
async function direct(method: string, path: string, token: string, json?: unknown): Promise<Answer> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://walwarden.test${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: json === undefined ? undefined : JSON.stringify(json),
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/**
 * Runs one backup to completion with the org's runner while the (fake) clock reads `at`: its backup.completed
 * entry's instant is `at`. Its artifact has its own key (`keyOf(databaseId, n)`), and a version id when n is
 * even; the backup id is returned.
 */
export async function backupAt(org: Org, at: number, n: number, databaseId = org.databaseId): Promise<string> {
  vi.setSystemTime(at);
  const queued = expectStatus(
    await direct("POST", `/v1/databases/${databaseId}/backups`, org.operatorToken, {}),
    202,
    "queue a backup",
  ).body;
  const job = expectStatus(
    await direct("POST", "/v1/runner/claim", org.runnerToken, { version: "0.1.0", databases: [databaseId] }),
    200,
    "claim",
  ).body.job;
  if (job?.jobId !== queued.jobId) throw new Error(`claim: expected ${queued.jobId}, got ${JSON.stringify(job)}`);
  const s3 = backupResult(org.runnerId).s3;
  const result = backupResult(org.runnerId, {
    startedAt: new Date(at - 60_000).toISOString(),
    completedAt: new Date(at).toISOString(),
    s3: { ...s3, key: keyOf(databaseId, n), versionId: n % 2 === 0 ? `v${n}` : null },
  });
  expectStatus(
    await direct("POST", `/v1/runner/jobs/${job.jobId}/complete`, org.runnerToken, {
      leaseId: job.leaseId,
      artifactSha256: ARTIFACT_SHA256,
      result,
    }),
    200,
    "complete",
  );
  return queued.backupId;
}

/** The org's log, decoded, oldest first. */
export async function decodedLog(org: Org): Promise<LogEntry[]> {
  return (await logEntries(org.viewerToken)).map((text) => {
    const e = decodeEntry(new TextEncoder().encode(text));
    if (!e.ok) throw new Error(e.message);
    return e.value;
  });
}

/** The ids of a database's backups not expired, per D1. */
export async function liveBackupIds(databaseId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT id FROM backups WHERE database_id = ?1 AND expired_at IS NULL ORDER BY id",
  )
    .bind(databaseId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
