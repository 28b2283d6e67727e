import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, makeOrg, type Org } from "./support/client.js";
import { settleLogs } from "./support/storage-dump.js";

/** Row counts of every table: a refused request must leave them all as they were. */
async function snapshot(): Promise<Record<string, number>> {
  await settleLogs();
  const tables = (
    await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' AND name != 'd1_migrations'",
    ).all<{ name: string }>()
  ).results;
  const out: Record<string, number> = {};
  for (const { name } of tables)
    out[name] = (await env.DB.prepare(`SELECT count(*) AS n FROM "${name}"`).first<{ n: number }>())!.n;
  return out;
}

let org: Org;
let jobId: string;
let leaseId: string;

beforeAll(async () => {
  org = await makeOrg();
  jobId = (await call("POST", `/v1/databases/${org.databaseId}/backups`, { token: org.operatorToken, json: {} })).body
    .jobId;
  leaseId = (
    await call("POST", "/v1/runner/claim", {
      token: org.runnerToken,
      json: { version: "0.1.0", databases: [org.databaseId] },
    })
  ).body.job.leaseId;
});

type Case = [string, string, (o: Org) => { token: string; json?: unknown }, number, RegExp];

const cases: Case[] = [
  ["POST", "/v1/auth/login", () => ({ token: "", json: { email: "not-an-email", password: "x" } }), 400, /email/],
  ["POST", "/v1/tokens", (o) => ({ token: o.adminToken, json: { name: "ci", role: "root" } }), 400, /role/],
  ["POST", "/v1/tokens", (o) => ({ token: o.adminToken, json: { role: "viewer" } }), 400, /name/],
  ["POST", "/v1/runners", (o) => ({ token: o.adminToken, json: { name: "x".repeat(201) } }), 400, /name/],
  [
    "POST",
    "/v1/users",
    (o) => ({ token: o.adminToken, json: { email: "a@b.test", password: "short", role: "viewer" } }),
    400,
    /password/,
  ],
  [
    "POST",
    "/v1/users",
    (o) => ({ token: o.adminToken, json: { email: "a@b.test", password: "long enough password", role: "god" } }),
    400,
    /role/,
  ],
  [
    "PATCH",
    "/v1/schedules/sch_missing",
    (o) => ({ token: o.adminToken, json: { cron: "0 0 * * *" } }),
    404,
    /schedule not found/,
  ],
  ["POST", "/v1/runner/claim", (o) => ({ token: o.runnerToken, json: { version: "", databases: [] } }), 400, /version/],
  [
    "POST",
    "/v1/runner/claim",
    (o) => ({ token: o.runnerToken, json: { version: "1", databases: ["has space"] } }),
    400,
    /databases/,
  ],
  [
    "POST",
    "/v1/runner/jobs/JOB/heartbeat",
    (o) => ({ token: o.runnerToken, json: { leaseId: "LEASE", progress: { phase: "sleeping", bytes: 1 } } }),
    400,
    /phase/,
  ],
  [
    "POST",
    "/v1/runner/jobs/JOB/heartbeat",
    (o) => ({ token: o.runnerToken, json: { leaseId: "LEASE", progress: { phase: "dumping", bytes: -1 } } }),
    400,
    /bytes/,
  ],
  [
    "POST",
    "/v1/runner/jobs/JOB/fail",
    (o) => ({ token: o.runnerToken, json: { leaseId: "LEASE", reason: "", retryable: true } }),
    400,
    /reason/,
  ],
  [
    "POST",
    "/v1/runner/jobs/JOB/fail",
    (o) => ({ token: o.runnerToken, json: { leaseId: "LEASE", reason: "x".repeat(4001), retryable: true } }),
    400,
    /reason/,
  ],
  [
    "POST",
    "/v1/runner/jobs/JOB/complete",
    (o) => ({ token: o.runnerToken, json: { leaseId: "LEASE", artifactSha256: "XYZ", result: {} } }),
    400,
    /artifactSha256/,
  ],
  ["POST", "/v1/runner/claim", () => ({ token: "wwr_not-a-real-token-at-all" }), 401, /runner token/],
  // A lone surrogate is valid JSON but not I-JSON: it passed the name's schema, then broke the log's JCS (a 500).
  [
    "POST",
    "/v1/databases",
    (o) => ({ token: o.adminToken, json: { name: "\uD800", provider: "neon" } }),
    400,
    /surrogate/,
  ],
  ["POST", "/v1/runners", (o) => ({ token: o.adminToken, json: { name: "ok \uDC00 ok" } }), 400, /surrogate/],
  [
    "POST",
    "/v1/runner/jobs/JOB/fail",
    (o) => ({ token: o.runnerToken, json: { leaseId: "LEASE", reason: "a\uD83D", retryable: true } }),
    400,
    /surrogate/,
  ],
  [
    "POST",
    "/v1/tokens",
    (o) => ({ token: o.adminToken, json: { name: "ci", role: "viewer", "\uD800": 1 } }),
    400,
    /surrogate/,
  ],
];

describe("bad input gets a 4xx that says what is wrong, and changes nothing", () => {
  it.each(cases)("%s %s (%#)", async (method, path, make, status, message) => {
    const before = await snapshot();
    const { token, json } = make(org);
    const r = await call(method, path.replace("JOB", jobId).replace("LEASE", leaseId), {
      token: token || undefined,
      json: json ?? {},
    });
    expect(r.status).toBe(status);
    expect(r.body.error.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
    const job = (await call("GET", `/v1/jobs/${jobId}`, { token: org.viewerToken })).body;
    expect(job).toMatchObject({ status: "leased", progress: null });
  });
});
