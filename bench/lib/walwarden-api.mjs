// Small clients for the real HTTP API of a local Walwarden Worker (worker/README.md has every route; the
// bodies are the zod schemas in verifier/src/wire), for the runner's integration tests and the benches.
// `dev` is the object startDev() returns (or just its base URL). Every call throws an ApiCallError, with
// the status and the response body, on a non-2xx answer: a test failure then says what the Worker said.

/** A non-2xx answer from the Worker: method, path, status and the body it sent. */
export class ApiCallError extends Error {
  /**
   * @param {string} method
   * @param {string} path
   * @param {number} status
   * @param {string} body
   */
  constructor(method, path, status, body) {
    super(`${method} ${path} → ${status}: ${body.slice(0, 2000)}`);
    this.name = "ApiCallError";
    this.status = status;
    this.body = body;
  }
}

/** @param {string | { url: string }} dev */
const baseOf = (dev) => (typeof dev === "string" ? dev : dev.url).replace(/\/$/, "");

/**
 * One API call: JSON in, JSON out (undefined for an empty body). `cookie` signs in as a user, `bearer` as
 * an API or runner token.
 * @param {string | { url: string }} dev
 * @param {string} method
 * @param {string} path
 * @param {{ cookie?: string, bearer?: string, body?: unknown, timeoutMs?: number }} [options]
 */
export async function apiCall(dev, method, path, { cookie, bearer, body, timeoutMs = 60_000 } = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (cookie) headers.cookie = cookie;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${baseOf(dev)}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiCallError(method, path, res.status, text);
  return text === "" ? undefined : JSON.parse(text);
}

/**
 * First run: POST /v1/bootstrap creates the org and its admin. Returns the session `cookie` (a Cookie
 * header value) with the org, the user and the password used.
 * @param {string | { url: string }} dev
 * @param {{ orgName?: string, email?: string, password?: string }} [who]
 */
export async function bootstrapOrg(
  dev,
  { orgName = "Test org", email = "admin@example.com", password = "correct horse battery staple" } = {},
) {
  const res = await fetch(`${baseOf(dev)}/v1/bootstrap`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ orgName, email, password }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiCallError("POST", "/v1/bootstrap", res.status, text);
  // The cookie is Secure (the Worker runs on https in production); we are its client, so we carry it over http.
  const session = res.headers.getSetCookie().find((c) => c.startsWith("ww_session="));
  if (!session)
    throw new ApiCallError("POST", "/v1/bootstrap", res.status, `no ww_session cookie in the answer; body: ${text}`);
  const { org, user } = JSON.parse(text);
  return { cookie: session.split(";")[0], org, user, password };
}

/**
 * POST /v1/databases (admin): a database to back up; returns it ({ id, name, provider, ... }).
 * @param {string | { url: string }} dev
 * @param {string} cookie
 * @param {string} name
 * @param {"neon" | "supabase" | "rds" | "cloudsql" | "azure" | "self-hosted" | "other"} [provider] the wire ProviderSchema
 */
export function createDatabase(dev, cookie, name, provider = "self-hosted") {
  return apiCall(dev, "POST", "/v1/databases", { cookie, body: { name, provider } });
}

/**
 * POST /v1/runners (admin): registers a runner; returns its `id` and its `token` (wwr_…, shown once).
 * @param {string | { url: string }} dev
 * @param {string} cookie
 * @param {string} name
 */
export function createRunnerToken(dev, cookie, name) {
  return apiCall(dev, "POST", "/v1/runners", { cookie, body: { name } });
}

/**
 * POST /v1/databases/:id/backups (operator): queues a backup now; returns { jobId, backupId }.
 * @param {string | { url: string }} dev
 * @param {string} cookie
 * @param {string} databaseId
 */
export function requestBackup(dev, cookie, databaseId) {
  return apiCall(dev, "POST", `/v1/databases/${encodeURIComponent(databaseId)}/backups`, { cookie });
}

/**
 * GET /v1/jobs/:id: status, attempt, lease, progress, lastError.
 * @param {string | { url: string }} dev
 * @param {string} cookie
 * @param {string} jobId
 */
export function getJob(dev, cookie, jobId) {
  return apiCall(dev, "GET", `/v1/jobs/${encodeURIComponent(jobId)}`, { cookie });
}

/**
 * GET /v1/backups: one page of completed backups, newest first ({ items, nextCursor }).
 * @param {string | { url: string }} dev
 * @param {string} cookie
 * @param {{ databaseId?: string, limit?: number, cursor?: string }} [filter]
 */
export function listBackups(dev, cookie, filter = {}) {
  const q = new URLSearchParams(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
  return apiCall(dev, "GET", `/v1/backups${q.size ? `?${q}` : ""}`, { cookie });
}

/**
 * POST /v1/runner/claim as a runner: { job } (null when nothing is queued for these databases).
 * @param {string | { url: string }} dev
 * @param {string} runnerToken
 * @param {{ version?: string, databases: string[] }} body
 */
export function claimJob(dev, runnerToken, { version = "0.0.0-test", databases }) {
  return apiCall(dev, "POST", "/v1/runner/claim", { bearer: runnerToken, body: { version, databases } });
}

/**
 * Fires the Worker's scheduled handler at `timeMs` (miniflare's trigger route; a real `* * * * *` tick:
 * it queues due backups and re-queues expired leases). The tick runs in waitUntil, after the answer: when
 * `dev` is a startDev() object we wait for the tick's {"event":"cron.tick"} line and return its stats.
 * @param {string | { url: string, stdout?: string, waitFor?: Function }} dev
 * @param {number} timeMs
 * @param {{ timeoutMs?: number }} [options]
 */
export async function triggerCron(dev, timeMs, { timeoutMs = 60_000 } = {}) {
  const lines = (out) => out.match(/^\{"event":"cron\.tick".*\}$/gm) ?? [];
  const before = typeof dev === "object" && typeof dev.stdout === "string" ? lines(dev.stdout).length : undefined;
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
  if (before === undefined || typeof dev !== "object" || typeof dev.waitFor !== "function") return undefined;
  const line = await dev.waitFor((out) => lines(out)[before], timeoutMs, "the tick's cron.tick line");
  return JSON.parse(line);
}

/**
 * GET /.well-known/walwarden/keys: { origin, checkpoint[], manifest[] } vkeys, current first.
 * @param {string | { url: string }} dev
 */
export function publishedKeys(dev) {
  return apiCall(dev, "GET", "/.well-known/walwarden/keys");
}

/**
 * POST /v1/runner/jobs/:id/complete as a runner: reports a leased job done with `result` (the runner's
 * measurements, the wire's CompleteRequestSchema); returns { envelope, entry, proof, checkpoint }.
 * @param {string | { url: string }} dev
 * @param {string} runnerToken
 * @param {string} jobId
 * @param {{ leaseId: string, artifactSha256: string, result: Record<string, unknown> }} body
 */
export function completeJob(dev, runnerToken, jobId, body) {
  return apiCall(dev, "POST", `/v1/runner/jobs/${encodeURIComponent(jobId)}/complete`, { bearer: runnerToken, body });
}

/** A plausible SHA-256 (hex) of a stored artifact, for synthetic results (no artifact exists). */
export const SYNTHETIC_ARTIFACT_SHA256 = "5e0b3b9c6a1f1f0c3d6f2e8b9a7c4d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c";

/**
 * A runner's result for completeJob as a runner would measure it, for a backup that was never made (the
 * same as worker/test/support/backup-result.ts): its artifact is in bucket `acme-backups` unless overridden.
 * @param {string} runnerId
 * @param {Record<string, unknown>} [overrides]
 */
export function syntheticBackupResult(runnerId, overrides = {}) {
  return {
    startedAt: "2026-11-24T03:00:00.000Z",
    completedAt: "2026-11-24T03:01:30.000Z",
    sizeBytes: 123_456_789,
    compression: "zstd",
    dumpFormat: "custom",
    serverVersion: "16.4",
    pgDumpVersion: "17.2",
    s3: {
      bucket: "acme-backups",
      key: "walwarden/db/2026/11/24/bkp.dump.zst",
      versionId: null,
      etag: '"9b2cf535f27731c974343645a3985328-3"',
      objectLock: null,
    },
    tables: [
      { schema: "public", name: "orders", rows: 1200 },
      { schema: "public", name: "customers", rows: 80 },
    ],
    schemaFingerprint: "a".repeat(64),
    runner: { id: runnerId, version: "0.1.0" },
    ...overrides,
  };
}

/**
 * PUT /v1/buckets/:bucket (admin): the read-only credential restores presign downloads with (nothing
 * contacts the bucket); `credential` is the wire's BucketCredentialRequestSchema.
 * @param {string | { url: string }} dev
 * @param {string} cookie
 * @param {string} bucket
 * @param {{ endpoint?: string, region: string, forcePathStyle: boolean, accessKeyId: string, secretAccessKey: string }} credential
 */
export function putBucketCredential(dev, cookie, bucket, credential) {
  return apiCall(dev, "PUT", `/v1/buckets/${encodeURIComponent(bucket)}`, { cookie, body: credential });
}

/**
 * POST /v1/restores (operator): issues a restore of a backup; returns { restoreId, token, expiresAt, command }
 * (the one-time token is in this answer only).
 * @param {string | { url: string }} dev
 * @param {string} cookie
 * @param {string} backupId
 */
export function issueRestore(dev, cookie, backupId) {
  return apiCall(dev, "POST", "/v1/restores", { cookie, body: { backupId } });
}

/**
 * POST /v1/restores/claim as the CLI: consumes the one-time token; the answer carries the `progressToken`
 * that transitions and progress are reported with.
 * @param {string | { url: string }} dev
 * @param {{ token: string, orgId: string, clientVersion?: string }} claim
 */
export function claimRestore(dev, { token, orgId, clientVersion = "0.0.0-bench" }) {
  return apiCall(dev, "POST", "/v1/restores/claim", { body: { token, orgId, clientVersion } });
}

/**
 * POST /v1/restores/:id/transition as the CLI (Bearer progressToken): { state } and, by state, sha256,
 * dryRun or stage and reason; returns { state, seq } once the transition is logged.
 * @param {string | { url: string }} dev
 * @param {string} restoreId
 * @param {string} progressToken
 * @param {{ state: "downloading" | "verifying" | "restoring" | "completed" | "failed", sha256?: string, dryRun?: boolean, stage?: string, reason?: string }} transition
 */
export function reportTransition(dev, restoreId, progressToken, transition) {
  return apiCall(dev, "POST", `/v1/restores/${encodeURIComponent(restoreId)}/transition`, {
    bearer: progressToken,
    body: transition,
  });
}
