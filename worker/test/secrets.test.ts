import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, cookieOf, makeOrg, type Answer, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { completeBody, completedBackup, failBody, failedBackup, leasedJob, onJob } from "./support/runner-calls.js";
import { dumpD1, dumpLedger } from "./support/storage-dump.js";

// Every secret the Worker issues or is sent, after a full workflow (bootstrap, sign-in, tokens, runners,
// a backup completed and one failed, revocations), must be absent from every D1 row, every table of every
// org's Ledger and the log API; tokens and sessions must be there as their SHA-256; passwords as PBKDF2.

const BOOTSTRAP = { orgName: "Secretive Inc", email: "founder@secretive.test", password: "founder passphrase 0451" };
const USER = { email: "ops@secretive.test", password: "operator passphrase 1138", role: "admin" };
const CONNECTION_STRING = "postgres://app:s3cret@db.example.com/app";
const FAIL_REASON =
  'pg_dump: error: connection to server at "db.example.com" (10.0.0.5), port 5432 failed: timeout expired';

const SECRETS = [
  "the bootstrap admin's password",
  "the bootstrap admin's session cookie",
  "an added user's password",
  "an added user's session cookie",
  "the admin API token",
  "the operator API token",
  "the viewer API token",
  "a revoked API token",
  "the runner token",
  "a revoked runner's token",
  "the connection string",
  "the connection string's password",
] as const;
type Secret = (typeof SECRETS)[number];

/** Secrets kept as their SHA-256, and the table that must hold it. */
const HASHED: [Secret, string][] = [
  ["the bootstrap admin's session cookie", "sessions"],
  ["an added user's session cookie", "sessions"],
  ["the admin API token", "api_tokens"],
  ["the operator API token", "api_tokens"],
  ["the viewer API token", "api_tokens"],
  ["a revoked API token", "api_tokens"],
  ["the runner token", "runners"],
  ["a revoked runner's token", "runners"],
];

const secret = { "the connection string": CONNECTION_STRING, "the connection string's password": "s3cret" } as Record<
  Secret,
  string
>;
let org: Org;
let cookie: string;

/** The secret in a session's Set-Cookie (the part after `ww_session=`). */
const cookieSecret = (a: Answer) => cookieOf(a).slice(cookieOf(a).indexOf("=") + 1);

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Creates something with a secret in the answer, then revokes it; the secret. */
async function issuedThenRevoked(path: string, json: unknown): Promise<string> {
  const created = await call("POST", path, { token: org.adminToken, json });
  expect((await call("DELETE", `${path}/${created.body.id}`, { token: org.adminToken })).status).toBe(204);
  return created.body.token;
}

/** Every place something could be stored: each D1 table and each table of each org's Ledger. */
async function storage(): Promise<Record<string, string>> {
  const places: Record<string, string> = {};
  for (const [table, text] of Object.entries(await dumpD1())) places[`D1 ${table}`] = text;
  const { results: orgs } = await env.DB.prepare("SELECT id FROM orgs").all<{ id: string }>();
  for (const { id } of orgs)
    for (const [table, text] of Object.entries(await dumpLedger(id))) places[`Ledger ${id} ${table}`] = text;
  return places;
}

/** Storage, and the org's log as the API serves it. */
async function everything(): Promise<Record<string, string>> {
  return { ...(await storage()), "GET /v1/log/entries": JSON.stringify(await logEntries(org.viewerToken)) };
}

/** Asserts `value` appears in none of the places (listing every place it does). */
function expectNowhere(places: Record<string, string>, value: string, what: string): void {
  expect(
    Object.keys(places).filter((where) => places[where]!.includes(value)),
    `places holding ${what}`,
  ).toEqual([]);
}

beforeAll(async () => {
  const boot = await call("POST", "/v1/bootstrap", { json: BOOTSTRAP });
  expect(boot.status).toBe(201);
  secret["the bootstrap admin's password"] = BOOTSTRAP.password;
  secret["the bootstrap admin's session cookie"] = cookieSecret(boot);

  org = await makeOrg("Secretive Ops");
  secret["the admin API token"] = org.adminToken;
  secret["the operator API token"] = org.operatorToken;
  secret["the viewer API token"] = org.viewerToken;
  secret["the runner token"] = org.runnerToken;
  secret["a revoked API token"] = await issuedThenRevoked("/v1/tokens", { name: "short-lived", role: "operator" });
  secret["a revoked runner's token"] = await issuedThenRevoked("/v1/runners", { name: "retired runner" });

  expect((await call("POST", "/v1/users", { token: org.adminToken, json: USER })).status).toBe(201);
  const login = await call("POST", "/v1/auth/login", { json: { email: USER.email, password: USER.password } });
  expect(login.status).toBe(200);
  secret["an added user's password"] = USER.password;
  secret["an added user's session cookie"] = cookieSecret(login);
  cookie = cookieOf(login);

  const billing = await call("POST", "/v1/databases", { cookie, json: { name: "billing", provider: "supabase" } });
  expect(billing.status).toBe(201);
  await completedBackup(org);
  await failedBackup(org, FAIL_REASON, billing.body.id);
});

describe("a connection string sent where a careless API would keep it", () => {
  // Cookie auth on purpose: a session records no last-used time, so a refused call must leave storage byte-identical.
  const withConnectionString = { connectionString: CONNECTION_STRING };
  it.each([
    [
      "POST /v1/databases",
      () =>
        call("POST", "/v1/databases", {
          cookie,
          json: { name: "billing two", provider: "neon", ...withConnectionString },
        }),
    ],
    [
      "PATCH /v1/databases/:id",
      () =>
        call("PATCH", `/v1/databases/${org.databaseId}`, { cookie, json: { name: "main", ...withConnectionString } }),
    ],
    [
      "POST /v1/schedules",
      () =>
        call("POST", "/v1/schedules", {
          cookie,
          json: {
            databaseId: org.databaseId,
            cron: "0 3 * * *",
            timezone: "UTC",
            targetRpoMinutes: 1440,
            ...withConnectionString,
          },
        }),
    ],
    [
      "POST /v1/runners",
      () => call("POST", "/v1/runners", { cookie, json: { name: "runner three", ...withConnectionString } }),
    ],
    [
      "POST /v1/runner/claim",
      () =>
        call("POST", "/v1/runner/claim", {
          token: org.runnerToken,
          json: { version: "0.1.0", databases: [org.databaseId], ...withConnectionString },
        }),
    ],
    [
      "POST /v1/runner/jobs/:id/complete (in the result)",
      () => {
        const body = completeBody("lease_any", org.runnerId);
        return onJob(org.runnerToken, "job_any", "complete", {
          ...body,
          result: { ...body.result, ...withConnectionString },
        });
      },
    ],
  ])("%s is refused with a 400 that does not echo it, and nothing is written anywhere", async (_route, send) => {
    const before = await storage();
    const r = await send();
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/connectionString/);
    expect(JSON.stringify(r.body)).not.toContain("s3cret");
    expect(await storage()).toEqual(before);
  });
});

describe("storage and the log after a full workflow", () => {
  it("holds what the workflow wrote (so the checks below search real data): both backups, the failure reason, every credential row", async () => {
    const places = await everything();
    for (const where of ["D1 log_entries", `Ledger ${org.orgId} entries`, "GET /v1/log/entries"]) {
      expect(places[where]).toContain("backup.completed");
      expect(places[where]).toContain("port 5432 failed: timeout expired");
    }
    expect(places["D1 jobs"]).toContain("port 5432 failed: timeout expired");
    expect(places["D1 databases"]).toContain("billing");
    const rows = async (table: string) =>
      (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
    expect({
      users: await rows("users"),
      sessions: await rows("sessions"),
      tokens: await rows("api_tokens"),
      runners: await rows("runners"),
    }).toEqual({
      users: 3,
      sessions: 3,
      tokens: 4,
      runners: 2,
    });
  });

  it.each(SECRETS)("%s appears nowhere: no D1 row, no Ledger table, no log entry", async (name) => {
    expect(secret[name]).toBeTruthy();
    expectNowhere(await everything(), secret[name], name);
  });

  it.each(HASHED)("%s is stored as its SHA-256 (in %s)", async (name, table) => {
    expect((await dumpD1())[table]).toContain(await sha256Hex(secret[name]));
  });

  it("stores every password as PBKDF2-SHA256 at 100,000 iterations, each with its own salt", async () => {
    const { results } = await env.DB.prepare("SELECT password_hash FROM users").all<{ password_hash: string }>();
    expect(results).toHaveLength(3);
    for (const { password_hash } of results)
      expect(password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(new Set(results.map((r) => r.password_hash.split("$")[2])).size).toBe(3);
  });
});

describe("a runner's failure reason", () => {
  // The reason is free text that goes into jobs.last_error and, signed and forever, into the append-only log.
  it("that quotes a connection string does not put the connection string's password in storage or the log", async () => {
    const leaked = "hunter2-from-a-reason";
    const job = await leasedJob(org);
    const r = await onJob(
      org.runnerToken,
      job.jobId,
      "fail",
      failBody(job.leaseId, `pg_dump: error: could not connect to postgres://app:${leaked}@db.example.com:5432/app`),
    );
    expect(r.status).toBeLessThan(500);
    expectNowhere(await everything(), leaked, "the password in a failure reason");
  });
});
