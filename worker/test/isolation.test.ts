import { beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/auth/principal.js";
import { call, makeOrg, type Answer, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import {
  claim,
  completeBody,
  completedBackup,
  failBody,
  heartbeatBody,
  leasedJob,
  onJob,
  queueBackup,
} from "./support/runner-calls.js";

// Tenant isolation. Orgs A and B each get one of everything; then A's credentials are pointed at B's ids,
// route by route, and every answer must be the same "not found" (or "lease lost") an id that exists nowhere
// gets, must carry nothing of B's, and must change nothing of B's.

/** The ids of one org's resources that routes take in their path or body. */
interface Ids {
  orgId: string;
  databaseId: string;
  scheduleId: string;
  backupId: string;
  finishedJobId: string;
  finishedLeaseId: string;
  liveJobId: string;
  liveLeaseId: string;
  queuedJobId: string;
  tokenId: string;
  userId: string;
  runnerId: string;
}

/** An org with one of every resource, and the secrets and names that identify them. */
interface Tenant extends Org, Ids {
  databaseName: string;
  tokenName: string;
  token: string;
  userEmail: string;
}

const schedule = (databaseId: string) => ({
  databaseId,
  cron: "0 3 * * *",
  timezone: "UTC",
  targetRpoMinutes: 1440,
});

/** Gives an org a named database, a schedule, a finished backup, a leased job, a queued job, a token and a user. */
async function populate(org: Org, tag: string): Promise<Tenant> {
  const databaseName = `${tag} payroll`;
  await call("PATCH", `/v1/databases/${org.databaseId}`, { token: org.adminToken, json: { name: databaseName } });
  const sch = await call("POST", "/v1/schedules", { token: org.adminToken, json: schedule(org.databaseId) });
  const retention = await call("PUT", `/v1/databases/${org.databaseId}/retention-policy`, {
    token: org.adminToken,
    json: { daily: 7, monthly: 12 },
  });
  expect(retention.status).toBe(200);
  const finished = await completedBackup(org);
  const live = await leasedJob(org);
  const queuedJobId = await queueBackup(org);
  const tokenName = `${tag} deploy key`;
  const tok = await call("POST", "/v1/tokens", { token: org.adminToken, json: { name: tokenName, role: "viewer" } });
  const userEmail = `ops@${tag}.test`;
  const user = await call("POST", "/v1/users", {
    token: org.adminToken,
    json: { email: userEmail, password: `${tag} operator passphrase`, role: "operator" },
  });
  for (const r of [sch, tok, user]) expect(r.status).toBe(201);
  return {
    ...org,
    databaseName,
    scheduleId: sch.body.id,
    backupId: finished.backupId,
    finishedJobId: finished.jobId,
    finishedLeaseId: finished.leaseId,
    liveJobId: live.jobId,
    liveLeaseId: live.leaseId,
    queuedJobId,
    tokenId: tok.body.id,
    tokenName,
    token: tok.body.token,
    userId: user.body.id,
    userEmail,
  };
}

/** Ids that exist in no org, shaped like real ones: what "not found" looks like when nothing is being hidden. */
const ghost: Ids = Object.fromEntries(
  (
    [
      "orgId",
      "databaseId",
      "scheduleId",
      "backupId",
      "finishedJobId",
      "finishedLeaseId",
      "liveJobId",
      "liveLeaseId",
      "queuedJobId",
      "tokenId",
      "userId",
      "runnerId",
    ] as const
  ).map((k) => [k, `ghost_00000000000000${k.toLowerCase()}`]),
) as unknown as Ids;

/** Fills `{database}`, `{schedule}`, … in a route template with one org's ids. */
function fill(template: string, t: Ids): string {
  const ids: Record<string, string> = {
    database: t.databaseId,
    schedule: t.scheduleId,
    backup: t.backupId,
    liveJob: t.liveJobId,
    finishedJob: t.finishedJobId,
    user: t.userId,
    token: t.tokenId,
    runner: t.runnerId,
  };
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => ids[k] ?? `{${k}}`);
}

/** An org route: method, path template, the weakest role allowed, and a valid body naming `target`'s ids. */
interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  role: Role;
  json?: (target: Ids) => unknown;
  note?: string;
}
const label = (r: Route) => `${r.method} ${r.path}${r.note ? ` (${r.note})` : ""}`;
const send = (r: Route, target: Ids, token?: string): Promise<Answer> =>
  call(r.method, fill(r.path, target), { token, json: r.json?.(target) });

/** Every route that names one resource by id (in the path, or the body for a new schedule); deletes last. */
const BY_ID: Route[] = [
  { method: "GET", path: "/v1/databases/{database}", role: "viewer" },
  {
    method: "PATCH",
    path: "/v1/databases/{database}",
    role: "admin",
    json: () => ({ name: "renamed by another org" }),
  },
  { method: "POST", path: "/v1/databases/{database}/backups", role: "operator", json: () => ({}) },
  {
    method: "POST",
    path: "/v1/schedules",
    role: "admin",
    json: (t) => schedule(t.databaseId),
    note: "the database id in the body",
  },
  { method: "GET", path: "/v1/schedules/{schedule}", role: "viewer" },
  { method: "PATCH", path: "/v1/schedules/{schedule}", role: "admin", json: () => ({ enabled: false }) },
  { method: "GET", path: "/v1/databases/{database}/retention-policy", role: "viewer" },
  {
    method: "PUT",
    path: "/v1/databases/{database}/retention-policy",
    role: "admin",
    json: () => ({ keepLast: 1 }),
  },
  { method: "GET", path: "/v1/databases/{database}/retention", role: "viewer" },
  { method: "GET", path: "/v1/backups/{backup}", role: "viewer" },
  { method: "GET", path: "/v1/jobs/{liveJob}", role: "viewer" },
  { method: "GET", path: "/v1/jobs/{finishedJob}", role: "viewer" },
  { method: "GET", path: "/v1/rpo/{database}", role: "viewer" },
  { method: "PATCH", path: "/v1/users/{user}", role: "admin", json: () => ({ role: "admin" }) },
  { method: "DELETE", path: "/v1/users/{user}", role: "admin" },
  { method: "DELETE", path: "/v1/tokens/{token}", role: "admin" },
  { method: "DELETE", path: "/v1/runners/{runner}", role: "admin" },
  { method: "DELETE", path: "/v1/schedules/{schedule}", role: "admin" },
  { method: "DELETE", path: "/v1/databases/{database}/retention-policy", role: "admin" },
  { method: "DELETE", path: "/v1/databases/{database}", role: "admin" },
];

/** Every list route, and one id of the caller's own that the list must show (so an empty answer cannot pass). */
const LISTS: (Route & { own: keyof Ids })[] = [
  { method: "GET", path: "/v1/databases", role: "viewer", own: "databaseId" },
  { method: "GET", path: "/v1/schedules", role: "viewer", own: "scheduleId" },
  { method: "GET", path: "/v1/backups", role: "viewer", own: "backupId" },
  { method: "GET", path: "/v1/jobs", role: "viewer", own: "liveJobId" },
  { method: "GET", path: "/v1/runners", role: "viewer", own: "runnerId" },
  { method: "GET", path: "/v1/users", role: "admin", own: "userId" },
  { method: "GET", path: "/v1/tokens", role: "admin", own: "tokenId" },
  { method: "GET", path: "/v1/rpo", role: "viewer", own: "databaseId" },
  { method: "GET", path: "/v1/log/entries?limit=1000", role: "viewer", own: "backupId" },
  { method: "GET", path: "/v1/log/checkpoint", role: "viewer", own: "orgId" },
  { method: "GET", path: "/v1/auth/me", role: "viewer", own: "orgId" },
];

/** List routes filtered by a database id. */
const FILTERED: Route[] = [
  { method: "GET", path: "/v1/schedules?databaseId={database}", role: "viewer" },
  { method: "GET", path: "/v1/jobs?databaseId={database}", role: "viewer" },
  { method: "GET", path: "/v1/backups?databaseId={database}", role: "viewer" },
  { method: "GET", path: "/v1/log/entries?subject=database:{database}", role: "viewer" },
];

/** Routes that create something (they take no id; here for the credential checks). */
const CREATES: Route[] = [
  {
    method: "POST",
    path: "/v1/databases",
    role: "admin",
    json: () => ({ name: "made without the right", provider: "neon" }),
  },
  {
    method: "POST",
    path: "/v1/users",
    role: "admin",
    json: () => ({ email: "intruder@elsewhere.test", password: "intruder passphrase", role: "admin" }),
  },
  {
    method: "POST",
    path: "/v1/tokens",
    role: "admin",
    json: () => ({ name: "made without the right", role: "admin" }),
  },
  { method: "POST", path: "/v1/runners", role: "admin", json: () => ({ name: "made without the right" }) },
];

/** Every dashboard-API route of an org. */
const ORG_ROUTES: Route[] = [...BY_ID, ...LISTS, ...FILTERED, ...CREATES];

/** The runner protocol on one job, with the calling runner's own id in a complete's result (as an honest runner sends). */
interface RunnerRoute {
  path: string;
  json: (target: Ids, caller: Ids) => unknown;
  note: string;
}
const ON_JOB: RunnerRoute[] = [
  { path: "/v1/runner/jobs/{liveJob}/heartbeat", json: (t) => heartbeatBody(t.liveLeaseId), note: "a live lease" },
  {
    path: "/v1/runner/jobs/{liveJob}/complete",
    json: (t, caller) => completeBody(t.liveLeaseId, caller.runnerId),
    note: "a live lease",
  },
  {
    path: "/v1/runner/jobs/{liveJob}/fail",
    json: (t) => failBody(t.liveLeaseId, "pg_dump: error: cancelled"),
    note: "a live lease",
  },
  {
    path: "/v1/runner/jobs/{liveJob}/prune",
    json: (t) => ({ leaseId: t.liveLeaseId, results: [] }),
    note: "a live lease",
  },
  {
    path: "/v1/runner/jobs/{finishedJob}/complete",
    json: (t, caller) => completeBody(t.finishedLeaseId, caller.runnerId),
    note: "a completed job, replayed",
  },
];
const runnerSend = (r: RunnerRoute, target: Ids, caller: Tenant) =>
  call("POST", fill(r.path, target), { token: caller.runnerToken, json: r.json(target, caller) });

/** Weaker roles than `role`, each of which must be refused. */
const weaker = (role: Role): Role[] =>
  role === "admin" ? ["viewer", "operator"] : role === "operator" ? ["viewer"] : [];
const tokenFor = (t: Tenant, role: Role) =>
  ({ viewer: t.viewerToken, operator: t.operatorToken, admin: t.adminToken })[role];

const LIST_PATHS = [
  "/v1/databases",
  "/v1/schedules",
  "/v1/backups",
  "/v1/jobs",
  "/v1/runners",
  "/v1/users",
  "/v1/tokens",
];

/** Everything an org has, through its own admin's eyes (minus lastUsedAt, which reading itself moves), and its log. */
async function snapshot(t: Tenant): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const path of LIST_PATHS) {
    const items = (await call("GET", `${path}?limit=200`, { token: t.adminToken })).body.items as Record<
      string,
      unknown
    >[];
    out[path] = items.map(({ lastUsedAt: _, ...rest }) => rest);
  }
  out.retentionPolicy = (
    await call("GET", `/v1/databases/${t.databaseId}/retention-policy`, { token: t.adminToken })
  ).body;
  out.log = await logEntries(t.viewerToken);
  return out;
}

/** Every id and email anywhere in an org's lists, plus the tenant's own secrets and names. */
function identifiersOf(t: Tenant, lists: Record<string, unknown>): string[] {
  const found = new Set<string>(Object.values(t).filter((v): v is string => typeof v === "string"));
  JSON.stringify(lists, (k, v: unknown) => {
    if ((k === "id" || k === "email") && typeof v === "string") found.add(v);
    return v;
  });
  return [...found];
}

/** Asserts the answer carries none of `secrets` anywhere in its body or headers. */
function expectNothingOf(a: Answer, secrets: string[]): void {
  const text = JSON.stringify(a.body) + JSON.stringify([...a.headers]);
  for (const s of secrets) expect(text, `answer leaks ${s}`).not.toContain(s);
}

let a: Tenant;
let b: Tenant;
let bIdentifiers: string[];
let bBefore: Record<string, unknown>;

beforeAll(async () => {
  a = await populate(await makeOrg("Alpha Co"), "alpha");
  b = await populate(await makeOrg("Beta Industries"), "beta");
  bBefore = await snapshot(b);
  bIdentifiers = identifiersOf(b, bBefore);
  expect(bIdentifiers.length).toBeGreaterThan(20);
});

describe("org A's admin pointed at org B's ids", () => {
  it.each(BY_ID.map((r) => [label(r), r] as const))(
    "%s answers 404, word for word as for an id that exists nowhere, and leaks nothing of B",
    async (_l, route) => {
      const r = await send(route, b, a.adminToken);
      expect(r.status).toBe(404);
      expect(r.body).toEqual((await send(route, ghost, a.adminToken)).body);
      expectNothingOf(r, bIdentifiers);
    },
  );

  it.each(FILTERED.map((r) => [label(r), r] as const))(
    "%s with B's database is empty and leaks nothing of B",
    async (_l, route) => {
      const r = await send(route, b, a.adminToken);
      expect(r.status).toBe(200);
      expect(r.body.items ?? r.body.entries).toEqual([]);
      expectNothingOf(r, bIdentifiers);
    },
  );
});

describe("org A's lists", () => {
  it.each(LISTS.map((r) => [label(r), r] as const))("%s shows A's own and nothing of B", async (_l, route) => {
    const r = await send(route, a, a.adminToken);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).toContain(a[route.own]);
    expectNothingOf(r, bIdentifiers);
  });
});

describe("org A's runner pointed at org B's jobs", () => {
  it.each(ON_JOB.map((r) => [`POST ${r.path} (${r.note})`, r] as const))(
    "%s with B's lease answers 409 lease-lost, word for word as for a job that exists nowhere, and leaks nothing of B",
    async (_l, route) => {
      const r = await runnerSend(route, b, a);
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("lease-lost");
      expect(r.body).toEqual((await runnerSend(route, ghost, a)).body);
      expectNothingOf(r, bIdentifiers);
    },
  );

  it("claim naming B's database (which has a queued job) gets no job", async () => {
    const r = await claim(a.runnerToken, [b.databaseId]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ job: null });
  });
});

describe("credentials", () => {
  let aBefore: Record<string, unknown>;
  beforeAll(async () => {
    aBefore = await snapshot(a);
  });

  it.each(ORG_ROUTES.map((r) => [label(r), r] as const))(
    "%s refuses no credentials and a runner token with 401",
    async (_l, route) => {
      for (const token of [undefined, a.runnerToken]) {
        const r = await send(route, a, token);
        expect(r.status).toBe(401);
        expect(r.body.error.code).toBe("unauthenticated");
      }
    },
  );

  const underRole = ORG_ROUTES.flatMap((r) => weaker(r.role).map((role) => [label(r), role, r] as const));
  it.each(underRole)("%s refuses an API token of role %s with 403", async (_l, role, route) => {
    const r = await send(route, a, tokenFor(a, role));
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("forbidden");
  });

  const runnerPaths: RunnerRoute[] = [
    { path: "/v1/runner/claim", json: (t) => ({ version: "0.1.0", databases: [t.databaseId] }), note: "" },
    ...ON_JOB,
  ];
  it.each(runnerPaths.map((r) => [`POST ${r.path}`, r] as const))(
    "%s refuses no credentials and an admin API token with 401",
    async (_l, route) => {
      for (const token of [undefined, a.adminToken]) {
        const r = await call("POST", fill(route.path, a), { token, json: route.json(a, a) });
        expect(r.status).toBe(401);
        expect(r.body.error.code).toBe("unauthenticated");
      }
    },
  );

  it("changed nothing in org A", async () => {
    expect(await snapshot(a)).toEqual(aBefore);
  });
});

describe("afterwards, org B", () => {
  it("has every resource exactly as before: lists, names, roles, jobs, leases and log", async () => {
    expect(await snapshot(b)).toEqual(bBefore);
  });

  it("still has its named database, schedule, backup, operator user and working token", async () => {
    expect((await call("GET", `/v1/databases/${b.databaseId}`, { token: b.viewerToken })).body.name).toBe(
      b.databaseName,
    );
    expect((await call("GET", `/v1/schedules/${b.scheduleId}`, { token: b.viewerToken })).body).toMatchObject({
      id: b.scheduleId,
      enabled: true,
    });
    expect((await call("GET", `/v1/backups/${b.backupId}`, { token: b.viewerToken })).body.jobId).toBe(b.finishedJobId);
    const users = (await call("GET", "/v1/users", { token: b.adminToken })).body.items as {
      id: string;
      role: string;
    }[];
    expect(users.find((u) => u.id === b.userId)?.role).toBe("operator");
    expect((await call("GET", "/v1/databases", { token: b.token })).status).toBe(200);
  });

  it("still runs its own work: its runner heartbeats the live lease and claims the queued job", async () => {
    expect((await onJob(b.runnerToken, b.liveJobId, "heartbeat", heartbeatBody(b.liveLeaseId))).status).toBe(200);
    expect((await claim(b.runnerToken, [b.databaseId])).body.job).toMatchObject({ jobId: b.queuedJobId, attempt: 1 });
  });
});
