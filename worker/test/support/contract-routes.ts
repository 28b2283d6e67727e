import { env } from "cloudflare:test";
import { expect } from "vitest";
import {
  ApiTokenPageSchema,
  ChannelPageSchema,
  ChannelSchema,
  CreateChannelRequestSchema,
  CreatedChannelSchema,
  DeliveryListSchema,
  DeliveryPageSchema,
  DeliveryQuerySchema,
  IncidentPageSchema,
  IncidentQuerySchema,
  UpdateChannelRequestSchema,
  BackupDetailSchema,
  BackupPageSchema,
  BootstrapRequestSchema,
  BootstrapResponseSchema,
  BootstrapStateSchema,
  BucketCredentialListSchema,
  BucketCredentialRequestSchema,
  BucketCredentialSchema,
  BucketPostureListSchema,
  CancelRestoreResponseSchema,
  ClaimRequestSchema,
  ClaimResponseSchema,
  ClaimRestoreRequestSchema,
  ClaimRestoreResponseSchema,
  CompleteRequestSchema,
  CompleteResponseSchema,
  ConsistencyProofQuerySchema,
  ConsistencyProofSchema,
  CreateDatabaseRequestSchema,
  CreatedApiTokenSchema,
  CreatedRunnerSchema,
  CreateRunnerRequestSchema,
  CreateScheduleRequestSchema,
  CreateTokenRequestSchema,
  CreateUserRequestSchema,
  DatabasePageSchema,
  DatabaseRpoSchema,
  DatabaseSchema,
  DrillNowRequestSchema,
  DrillPageSchema,
  DrillPolicyRequestSchema,
  DrillPolicySchema,
  DrillResultRequestSchema,
  DrillResultResponseSchema,
  DrillSchema,
  EvidenceExportListSchema,
  EvidenceExportRequestSchema,
  FailRequestSchema,
  FailResponseSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  InclusionProofQuerySchema,
  InclusionProofSchema,
  IssueRestoreRequestSchema,
  IssueRestoreResponseSchema,
  JobPageSchema,
  JobSchema,
  ListBackupsQuerySchema,
  ListDrillsQuerySchema,
  ListJobsQuerySchema,
  ListRestoresQuerySchema,
  ListSchedulesQuerySchema,
  LogCheckpointSchema,
  LogEntriesPageSchema,
  LogEntriesQuerySchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MeSchema,
  PageQuerySchema,
  ProgressEventSchema,
  ProgressRequestSchema,
  ProgressResponseSchema,
  PruneReportRequestSchema,
  PruneReportResponseSchema,
  PublishedKeysSchema,
  QueuedBackupSchema,
  RestorabilitySchema,
  RestorePageSchema,
  RestoreViewSchema,
  RetentionPolicyRequestSchema,
  RetentionPolicyResponseSchema,
  RetentionStateSchema,
  RpoSummarySchema,
  RunnerKeyRequestSchema,
  RunnerKeyResponseSchema,
  WitnessReportResponseSchema,
  WitnessReportSchema,
  RunnerPageSchema,
  SchedulePageSchema,
  ScheduleSchema,
  SignedCheckpointTextSchema,
  TransitionEventSchema,
  TransitionRequestSchema,
  TransitionResponseSchema,
  UpdateDatabaseRequestSchema,
  UpdateScheduleRequestSchema,
  UpdateUserRequestSchema,
  UserPageSchema,
  UserSchema,
  VerificationReportSchema,
  VerifyManifestRequestSchema,
  WitnessListSchema,
  WitnessRequestSchema,
  WitnessSchema,
} from "@walwarden/verifier/wire";
import { formatCosignerVkey, publicKeyOf } from "@walwarden/verifier";
import { CountingD1 } from "../../src/lib/d1-counter.js";
import { MAX_STREAMS_PER_PRINCIPAL } from "../../src/restores/sse-limits.js";
import { queueDuePrunes } from "../../src/retention/queue-prunes.js";
import { ARTIFACT_SHA256 } from "./backup-result.js";
import { makeOrg } from "./client.js";
import {
  answerOf,
  BUCKET,
  CREDENTIAL,
  call,
  claimedRestore,
  fetchRaw,
  issueRestore,
  matchesRoute,
  newDatabase,
  newSchedule,
  PROGRESS,
  refuse,
  type Answer,
  type RouteContract,
  type Send,
  setup,
  transition,
  UNKNOWN_ID,
  type World,
} from "./contract-calls.js";
import { claimDrill, keyBody, receiptOf, runnerSigner } from "./drill-calls.js";
import { leasedPrune, reportOf } from "./retention-calls.js";
import { completeBody, completedBackup, failBody, heartbeatBody, leasedJob, onJob } from "./runner-calls.js";
import { settleLogs } from "./storage-dump.js";

// The API's contract, route by route: every route of the app by `METHOD /path` as Hono lists it, with the
// wire schemas of its request and answer and an exercise that sends it valid requests (each checked against
// its request schemas) and refused ones. contract.test.ts holds the answers to the schemas; fuzz.test.ts
// records the valid requests and mutates them.

/** A valid request as `open` sent it: its route, its path (with the query) and how it was sent. */
export interface ValidRequest {
  key: string;
  path: string;
  send: Send;
}

let recording: ValidRequest[] | undefined;

/** Runs `f` and returns every valid request the contract sent meanwhile, in order. */
export async function recordValidRequests(f: () => Promise<void>): Promise<ValidRequest[]> {
  const out: ValidRequest[] = [];
  recording = out;
  try {
    await f();
  } finally {
    recording = undefined;
  }
  return out;
}

/** Opens a valid request of route `key`: the path must be that route's and the body and query must pass its request schemas. */
export async function open(key: string, path: string, o: Send = {}): Promise<Response> {
  const c = CONTRACT[key];
  if (!c) throw new Error(`no contract for ${key}`);
  const method = key.split(" ")[0]!;
  if (!matchesRoute(key, method, path)) throw new Error(`${path} is not an instance of ${key}`);
  if (o.json !== undefined) {
    if (!c.request?.body) throw new Error(`${key} takes no JSON body in its contract`);
    const r = c.request.body.safeParse(o.json);
    if (!r.success) throw new Error(`the test's body for ${key} breaks its schema: ${r.error.message}`);
  }
  const query = Object.fromEntries(new URL(path, "https://x").searchParams);
  if (c.request?.query) {
    const r = c.request.query.safeParse(query);
    if (!r.success) throw new Error(`the test's query for ${key} breaks its schema: ${r.error.message}`);
  } else if (Object.keys(query).length > 0) throw new Error(`${key} takes no query in its contract`);
  recording?.push({ key, path, send: o });
  return fetchRaw(method, path, o);
}

/** A valid request of route `key`, answered. */
const valid = async (key: string, path: string, o: Send = {}) => answerOf(await open(key, path, o));

/** POST /v1/evidence of everything logged so far: the answer with the zip's bytes. */
async function exportAll(w: World): Promise<Answer> {
  await new Promise((r) => setTimeout(r, 5));
  const to = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  return valid("POST /v1/evidence", "/v1/evidence", {
    token: w.org.viewerToken,
    json: { from: new Date(Date.now() - 86_400_000).toISOString(), to },
  });
}

/** A drill policy with an assertion (a list in the answer must have items). */
const DRILL_POLICY = {
  cron: "0 4 * * 0",
  timezone: "Europe/Oslo",
  backup: { pick: "random", withinDays: 30 },
  maxRtoSeconds: 3600,
  assertions: [{ name: "orders exist", sql: "select count(*) from orders", expect: { op: "gt", value: 0 } }],
};

/** A new database of the world's org with a completed backup and a drill policy. */
async function drilledDatabase(w: World): Promise<string> {
  const id = await newDatabase(w, "drilled db");
  await completedBackup(w.org, id);
  await setup(
    call("PUT", `/v1/databases/${id}/drill-policy`, { token: w.org.adminToken, json: DRILL_POLICY }),
    200,
    "policy",
  );
  return id;
}

/** The world runner's own key, registered (the same key every time: registering it again changes nothing). */
async function worldRunnerKey(w: World) {
  const signer = runnerSigner(w.org.runnerId);
  await setup(call("POST", "/v1/runner/key", { token: w.org.runnerToken, json: keyBody(signer) }), 200, "runner key");
  return signer;
}

/** A drill of a new drilled database, claimed by the world's runner: the job under its lease, and the runner's key. */
async function leasedWorldDrill(w: World) {
  const signer = await worldRunnerKey(w);
  const db = await drilledDatabase(w);
  await setup(call("POST", `/v1/databases/${db}/drills`, { token: w.org.operatorToken, json: {} }), 202, "drill now");
  const { job } = await setup(claimDrill(w.org.runnerToken, [db]), 200, "claim the drill");
  return { job, signer, db };
}

/** A drill of a new drilled database concluded by a passed receipt: its database and drill id. */
async function passedWorldDrill(w: World) {
  const { job, signer, db } = await leasedWorldDrill(w);
  await setup(
    call("POST", `/v1/runner/jobs/${job.jobId}/drill`, {
      token: w.org.runnerToken,
      json: { leaseId: job.leaseId, receipt: receiptOf(job, signer) },
    }),
    200,
    "receipt",
  );
  return { db, drillId: job.drillId as string };
}

/** A retention policy with every kind of rule: a list in no answer, but each field seen set. */
const RETENTION_POLICY = {
  keepLast: 2,
  daily: 7,
  weekly: 4,
  monthly: 12,
  yearly: 3,
  minAgeDays: 1,
  timezone: "Europe/Oslo",
};

/** A new database of the world's org with two completed backups and a keepLast-1 policy, its prune queued and claimed. */
async function leasedWorldPrune(w: World) {
  const db = await newDatabase(w, "pruned db");
  await completedBackup(w.org, db);
  await completedBackup(w.org, db);
  await setup(
    call("PUT", `/v1/databases/${db}/retention-policy`, { token: w.org.adminToken, json: { keepLast: 1 } }),
    200,
    "policy",
  );
  await settleLogs();
  await queueDuePrunes(new CountingD1(env.DB), Date.now(), 3);
  return { db, job: await leasedPrune(w.org, db) };
}

/** A database of the world's org whose older backup a prune deleted: its retention has a verdict and an expiry. */
async function prunedWorldDatabase(w: World): Promise<string> {
  const { db, job } = await leasedWorldPrune(w);
  await setup(
    call("POST", `/v1/runner/jobs/${job.jobId}/prune`, { token: w.org.runnerToken, json: reportOf(job) }),
    200,
    "report",
  );
  return db;
}

/** Every route, by `METHOD /path` as Hono lists it. */
/** An open incident of the world's org (as the cron tick writes one). */
async function openIncident(w: World): Promise<void> {
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO alert_incidents (id, org_id, condition, subject, open_key, severity, summary, detail, opened_at, last_seen_at, clear_ticks, last_notified_at)
     VALUES (?1, ?2, 'rpo.breached', ?3, ?4, 'critical', 'The newest backup of main is 90 min old (target RPO 60 min)', NULL, ?5, ?5, 0, ?5)`,
  )
    .bind(
      `inc_contract${now}`,
      w.org.orgId,
      `database:${w.org.databaseId}`,
      `rpo.breached database:${w.org.databaseId}`,
      now,
    )
    .run();
}

/** A webhook channel of the world's org; its id. */
const newChannel = async (w: World): Promise<string> =>
  (
    await setup(
      call("POST", "/v1/alert-channels", {
        token: w.org.adminToken,
        json: {
          name: "contract channel",
          target: { kind: "webhook", url: "https://hooks.example.com/c" },
          conditions: ["backup.failed"],
        },
      }),
      201,
      "channel",
    )
  ).id;

/** An external witness's name and request body (its cosigner vkey from seed `n`). */
function witnessBody(n: number) {
  const name = `witness.example/contract-${n}`;
  const vkey = formatCosignerVkey(name, publicKeyOf(new Uint8Array(32).fill(n)));
  return { name, path: `/v1/witnesses/${encodeURIComponent(name)}`, json: { url: "https://witness.example/c", vkey } };
}

/** An external witness of the world's org, added (the same one again changes nothing); its path. */
async function newWitness(w: World, n: number): Promise<string> {
  const { path, json } = witnessBody(n);
  const a = await call("PUT", path, { token: w.org.adminToken, json });
  if (a.status !== 201 && a.status !== 200) throw new Error(`witness: got ${a.status} ${JSON.stringify(a.body)}`);
  return path;
}

export const CONTRACT: Record<string, RouteContract> = {
  "GET /.well-known/walwarden/keys": {
    status: 200,
    answer: { json: PublishedKeysSchema },
    exercise: async () => ({
      ok: [await valid("GET /.well-known/walwarden/keys", "/.well-known/walwarden/keys")],
      refused: [],
    }),
  },
  "GET /v1/bootstrap": {
    status: 200,
    answer: { json: BootstrapStateSchema },
    // The world is made by the first run, so it is closed here (worker/test/auth.test.ts sees it open before).
    exercise: async () => ({ ok: [await valid("GET /v1/bootstrap", "/v1/bootstrap")], refused: [] }),
  },
  "POST /v1/bootstrap": {
    request: { body: BootstrapRequestSchema },
    status: 201,
    answer: { json: BootstrapResponseSchema },
    exercise: async (w) => ({
      ok: [w.bootstrapped],
      refused: [
        await refuse(
          409,
          call("POST", "/v1/bootstrap", {
            json: { orgName: "Again", email: "again@example.test", password: "another long passphrase" },
          }),
        ),
        await refuse(400, call("POST", "/v1/bootstrap", { json: { orgName: "", email: "nope", password: "short" } })),
      ],
    }),
  },
  "POST /v1/auth/login": {
    request: { body: LoginRequestSchema },
    status: 200,
    answer: { json: LoginResponseSchema },
    exercise: async (w) => ({
      ok: [
        await valid("POST /v1/auth/login", "/v1/auth/login", {
          json: { email: w.admin.email, password: w.admin.password },
        }),
      ],
      refused: [
        await refuse(
          401,
          call("POST", "/v1/auth/login", { json: { email: w.admin.email, password: "not the password" } }),
        ),
        await refuse(
          415,
          call("POST", "/v1/auth/login", { body: "email=a", headers: { "content-type": "text/plain" } }),
        ),
      ],
    }),
  },
  "POST /v1/auth/logout": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const login = await call("POST", "/v1/auth/login", {
        json: { email: w.admin.email, password: w.admin.password },
      });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
      return { ok: [await valid("POST /v1/auth/logout", "/v1/auth/logout", { cookie })], refused: [] };
    },
  },
  "GET /v1/auth/me": {
    status: 200,
    answer: { json: MeSchema },
    exercise: async (w) => ({
      ok: [
        await valid("GET /v1/auth/me", "/v1/auth/me", { cookie: w.admin.cookie }),
        await valid("GET /v1/auth/me", "/v1/auth/me", { token: w.org.viewerToken }),
      ],
      refused: [await refuse(401, call("GET", "/v1/auth/me"))],
    }),
  },
  "GET /v1/users": {
    request: { query: PageQuerySchema },
    status: 200,
    answer: { json: UserPageSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/users", "/v1/users?limit=10", { cookie: w.admin.cookie })],
      refused: [await refuse(403, call("GET", "/v1/users", { token: w.org.viewerToken }))],
    }),
  },
  "POST /v1/users": {
    request: { body: CreateUserRequestSchema },
    status: 201,
    answer: { json: UserSchema },
    exercise: async (w) => {
      const json = { email: "New.User@Example.test", password: "a long enough passphrase", role: "viewer" };
      return {
        ok: [await valid("POST /v1/users", "/v1/users", { token: w.org.adminToken, json })],
        refused: [
          await refuse(409, call("POST", "/v1/users", { token: w.org.adminToken, json })),
          await refuse(400, call("POST", "/v1/users", { token: w.org.adminToken, json: { ...json, role: "owner" } })),
        ],
      };
    },
  },
  "PATCH /v1/users/:id": {
    request: { body: UpdateUserRequestSchema },
    status: 200,
    answer: { json: UserSchema },
    exercise: async (w) => {
      const user = await setup(
        call("POST", "/v1/users", {
          token: w.org.adminToken,
          json: { email: "patch@example.test", password: "a long enough passphrase", role: "viewer" },
        }),
        201,
        "user",
      );
      return {
        ok: [
          await valid("PATCH /v1/users/:id", `/v1/users/${user.id}`, {
            token: w.org.adminToken,
            json: { role: "operator" },
          }),
        ],
        refused: [
          await refuse(
            409,
            call("PATCH", `/v1/users/${w.admin.userId}`, { cookie: w.admin.cookie, json: { role: "viewer" } }),
          ),
          await refuse(
            404,
            call("PATCH", `/v1/users/${UNKNOWN_ID}`, { token: w.org.adminToken, json: { role: "viewer" } }),
          ),
        ],
      };
    },
  },
  "DELETE /v1/users/:id": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const user = await setup(
        call("POST", "/v1/users", {
          token: w.org.adminToken,
          json: { email: "gone@example.test", password: "a long enough passphrase", role: "viewer" },
        }),
        201,
        "user",
      );
      return {
        ok: [await valid("DELETE /v1/users/:id", `/v1/users/${user.id}`, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", `/v1/users/${user.id}`, { token: w.org.adminToken }))],
      };
    },
  },
  "GET /v1/tokens": {
    request: { query: PageQuerySchema },
    status: 200,
    answer: { json: ApiTokenPageSchema },
    exercise: async (w) => {
      // A revoked token too, so revokedAt is seen set.
      const t = await setup(
        call("POST", "/v1/tokens", { token: w.org.adminToken, json: { name: "old", role: "viewer" } }),
        201,
        "token",
      );
      await setup(call("DELETE", `/v1/tokens/${t.id}`, { token: w.org.adminToken }), 204, "revoke");
      return {
        ok: [await valid("GET /v1/tokens", "/v1/tokens", { token: w.org.adminToken })],
        refused: [await refuse(403, call("GET", "/v1/tokens", { token: w.org.operatorToken }))],
      };
    },
  },
  "POST /v1/tokens": {
    request: { body: CreateTokenRequestSchema },
    status: 201,
    answer: { json: CreatedApiTokenSchema },
    exercise: async (w) => ({
      ok: [
        await valid("POST /v1/tokens", "/v1/tokens", {
          token: w.org.adminToken,
          json: { name: "ci", role: "operator" },
        }),
      ],
      refused: [
        await refuse(400, call("POST", "/v1/tokens", { token: w.org.adminToken, json: { name: "ci", role: "root" } })),
      ],
    }),
  },
  "DELETE /v1/tokens/:id": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const t = await setup(
        call("POST", "/v1/tokens", { token: w.org.adminToken, json: { name: "bye", role: "viewer" } }),
        201,
        "token",
      );
      return {
        ok: [await valid("DELETE /v1/tokens/:id", `/v1/tokens/${t.id}`, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", `/v1/tokens/${t.id}`, { token: w.org.adminToken }))],
      };
    },
  },
  "GET /v1/alerts": {
    request: { query: IncidentQuerySchema },
    status: 200,
    answer: { json: IncidentPageSchema },
    exercise: async (w) => {
      await openIncident(w);
      return {
        ok: [
          await valid("GET /v1/alerts", "/v1/alerts", { token: w.org.viewerToken }),
          await valid("GET /v1/alerts", "/v1/alerts?open=true&limit=5", { token: w.org.viewerToken }),
        ],
        refused: [
          await refuse(401, call("GET", "/v1/alerts")),
          await refuse(400, call("GET", "/v1/alerts?open=maybe", { token: w.org.viewerToken })),
        ],
      };
    },
  },
  "GET /v1/alert-channels": {
    request: { query: PageQuerySchema },
    status: 200,
    answer: { json: ChannelPageSchema },
    exercise: async (w) => {
      await newChannel(w);
      return {
        ok: [await valid("GET /v1/alert-channels", "/v1/alert-channels", { token: w.org.viewerToken })],
        refused: [await refuse(401, call("GET", "/v1/alert-channels"))],
      };
    },
  },
  "POST /v1/alert-channels": {
    request: { body: CreateChannelRequestSchema },
    status: 201,
    answer: { json: CreatedChannelSchema },
    exercise: async (w) => ({
      ok: [
        await valid("POST /v1/alert-channels", "/v1/alert-channels", {
          token: w.org.adminToken,
          json: {
            name: "on-call",
            target: { kind: "webhook", url: "https://hooks.example.com/walwarden" },
            conditions: ["backup.failed", "rpo.breached"],
          },
        }),
        await valid("POST /v1/alert-channels", "/v1/alert-channels", {
          token: w.org.adminToken,
          json: {
            name: "ops mail",
            target: { kind: "email", to: ["ops@example.com"] },
            conditions: ["runner.silent"],
            minSeverity: "critical",
          },
        }),
      ],
      refused: [
        await refuse(
          403,
          call("POST", "/v1/alert-channels", {
            token: w.org.operatorToken,
            json: { name: "x", target: { kind: "slack", url: "https://hooks.slack.com/services/T/B/x" } },
          }),
        ),
        await refuse(
          400,
          call("POST", "/v1/alert-channels", {
            token: w.org.adminToken,
            json: { name: "x", target: { kind: "webhook", url: "http://169.254.169.254/latest/meta-data" } },
          }),
        ),
      ],
    }),
  },
  "GET /v1/alert-channels/:id": {
    status: 200,
    answer: { json: ChannelSchema },
    exercise: async (w) => {
      const id = await newChannel(w);
      return {
        ok: [await valid("GET /v1/alert-channels/:id", `/v1/alert-channels/${id}`, { token: w.org.viewerToken })],
        refused: [await refuse(404, call("GET", `/v1/alert-channels/${UNKNOWN_ID}`, { token: w.org.viewerToken }))],
      };
    },
  },
  "PATCH /v1/alert-channels/:id": {
    request: { body: UpdateChannelRequestSchema },
    status: 200,
    answer: { json: CreatedChannelSchema },
    exercise: async (w) => {
      const id = await newChannel(w);
      const path = `/v1/alert-channels/${id}`;
      return {
        ok: [
          await valid("PATCH /v1/alert-channels/:id", path, { token: w.org.adminToken, json: { repeatMinutes: null } }),
        ],
        refused: [
          await refuse(400, call("PATCH", path, { token: w.org.adminToken, json: {} })),
          await refuse(403, call("PATCH", path, { token: w.org.viewerToken, json: { enabled: false } })),
        ],
      };
    },
  },
  "DELETE /v1/alert-channels/:id": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const path = `/v1/alert-channels/${await newChannel(w)}`;
      return {
        ok: [await valid("DELETE /v1/alert-channels/:id", path, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", path, { token: w.org.adminToken }))],
      };
    },
  },
  "GET /v1/alert-channels/:id/deliveries": {
    request: { query: DeliveryQuerySchema },
    status: 200,
    answer: { json: DeliveryPageSchema },
    exercise: async (w) => {
      const id = await newChannel(w);
      await setup(call("POST", `/v1/alert-channels/${id}/test`, { token: w.org.adminToken }), 202, "test notice");
      const path = `/v1/alert-channels/${id}/deliveries`;
      return {
        ok: [await valid("GET /v1/alert-channels/:id/deliveries", path, { token: w.org.viewerToken })],
        refused: [
          await refuse(400, call("GET", `${path}?limit=0`, { token: w.org.viewerToken })),
          await refuse(400, call("GET", `${path}?cursor=dlv.no-time`, { token: w.org.viewerToken })),
        ],
      };
    },
  },
  "POST /v1/alert-channels/:id/test": {
    status: 202,
    answer: { json: DeliveryListSchema },
    exercise: async (w) => {
      const path = `/v1/alert-channels/${await newChannel(w)}/test`;
      return {
        ok: [await valid("POST /v1/alert-channels/:id/test", path, { token: w.org.adminToken })],
        refused: [await refuse(403, call("POST", path, { token: w.org.operatorToken }))],
      };
    },
  },
  "GET /v1/witnesses": {
    status: 200,
    answer: { json: WitnessListSchema },
    exercise: async (w) => {
      await newWitness(w, 41);
      await worldRunnerKey(w); // the runner, with a key, is listed as a witness too
      return {
        ok: [await valid("GET /v1/witnesses", "/v1/witnesses", { token: w.org.viewerToken })],
        refused: [await refuse(401, call("GET", "/v1/witnesses"))],
      };
    },
  },
  "PUT /v1/witnesses/:name": {
    request: { body: WitnessRequestSchema },
    status: 201,
    also: [200],
    answer: { json: WitnessSchema },
    exercise: async (w) => {
      const { path, json } = witnessBody(42);
      const other = witnessBody(43);
      return {
        ok: [
          await valid("PUT /v1/witnesses/:name", path, { token: w.org.adminToken, json }),
          await valid("PUT /v1/witnesses/:name", path, {
            token: w.org.adminToken,
            json: { ...json, url: "https://witness.example/moved" },
          }),
        ],
        refused: [
          await refuse(403, call("PUT", path, { token: w.org.operatorToken, json })),
          await refuse(400, call("PUT", path, { token: w.org.adminToken, json: other.json })),
          await refuse(
            400,
            call("PUT", path, { token: w.org.adminToken, json: { ...json, url: "http://witness.example/" } }),
          ),
        ],
      };
    },
  },
  "DELETE /v1/witnesses/:name": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const path = await newWitness(w, 44);
      return {
        ok: [await valid("DELETE /v1/witnesses/:name", path, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", path, { token: w.org.adminToken }))],
      };
    },
  },
  "GET /v1/runners": {
    request: { query: PageQuerySchema },
    status: 200,
    answer: { json: RunnerPageSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/runners", "/v1/runners", { token: w.org.viewerToken })],
      refused: [await refuse(401, call("GET", "/v1/runners"))],
    }),
  },
  "POST /v1/runners": {
    request: { body: CreateRunnerRequestSchema },
    status: 201,
    answer: { json: CreatedRunnerSchema },
    exercise: async (w) => ({
      ok: [await valid("POST /v1/runners", "/v1/runners", { token: w.org.adminToken, json: { name: "runner two" } })],
      refused: [await refuse(403, call("POST", "/v1/runners", { token: w.org.operatorToken, json: { name: "x" } }))],
    }),
  },
  "DELETE /v1/runners/:id": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const r = await setup(
        call("POST", "/v1/runners", { token: w.org.adminToken, json: { name: "short-lived" } }),
        201,
        "runner",
      );
      return {
        ok: [await valid("DELETE /v1/runners/:id", `/v1/runners/${r.id}`, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", `/v1/runners/${r.id}`, { token: w.org.adminToken }))],
      };
    },
  },
  "GET /v1/databases": {
    request: { query: PageQuerySchema },
    status: 200,
    answer: { json: DatabasePageSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/databases", "/v1/databases?limit=200", { token: w.org.viewerToken })],
      refused: [await refuse(400, call("GET", "/v1/databases?limit=0", { token: w.org.viewerToken }))],
    }),
  },
  "POST /v1/databases": {
    request: { body: CreateDatabaseRequestSchema },
    status: 201,
    answer: { json: DatabaseSchema },
    exercise: async (w) => ({
      ok: [
        await valid("POST /v1/databases", "/v1/databases", {
          token: w.org.adminToken,
          json: { name: "orders", provider: "supabase" },
        }),
      ],
      refused: [
        await refuse(
          400,
          call("POST", "/v1/databases", { token: w.org.adminToken, json: { name: "x", provider: "oracle" } }),
        ),
      ],
    }),
  },
  "GET /v1/databases/:id": {
    status: 200,
    answer: { json: DatabaseSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/databases/:id", `/v1/databases/${w.org.databaseId}`, { token: w.org.viewerToken })],
      refused: [await refuse(404, call("GET", `/v1/databases/${UNKNOWN_ID}`, { token: w.org.viewerToken }))],
    }),
  },
  "PATCH /v1/databases/:id": {
    request: { body: UpdateDatabaseRequestSchema },
    status: 200,
    answer: { json: DatabaseSchema },
    exercise: async (w) => {
      const id = await newDatabase(w);
      return {
        ok: [
          await valid("PATCH /v1/databases/:id", `/v1/databases/${id}`, {
            token: w.org.adminToken,
            json: { name: "renamed" },
          }),
        ],
        refused: [await refuse(400, call("PATCH", `/v1/databases/${id}`, { token: w.org.adminToken, json: {} }))],
      };
    },
  },
  "DELETE /v1/databases/:id": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const id = await newDatabase(w);
      return {
        ok: [await valid("DELETE /v1/databases/:id", `/v1/databases/${id}`, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", `/v1/databases/${id}`, { token: w.org.adminToken }))],
      };
    },
  },
  "POST /v1/databases/:id/backups": {
    status: 202,
    // 200: a manual backup of the database is already waiting, and the answer names it.
    also: [200],
    answer: { json: QueuedBackupSchema },
    exercise: async (w) => {
      const id = await newDatabase(w);
      const path = `/v1/databases/${id}/backups`;
      const queued = await valid("POST /v1/databases/:id/backups", path, { token: w.org.operatorToken });
      const waiting = await valid("POST /v1/databases/:id/backups", path, { token: w.org.operatorToken });
      expect(queued.status).toBe(202);
      expect(waiting).toMatchObject({ status: 200, body: queued.body });
      return {
        ok: [queued, waiting],
        refused: [await refuse(403, call("POST", `/v1/databases/${id}/backups`, { token: w.org.viewerToken }))],
      };
    },
  },
  "GET /v1/databases/:id/drill-policy": {
    status: 200,
    answer: { json: DrillPolicySchema },
    exercise: async (w) => {
      const db = await drilledDatabase(w);
      return {
        ok: [
          await valid("GET /v1/databases/:id/drill-policy", `/v1/databases/${db}/drill-policy`, {
            token: w.org.viewerToken,
          }),
        ],
        refused: [
          await refuse(
            404,
            call("GET", `/v1/databases/${await newDatabase(w)}/drill-policy`, { token: w.org.viewerToken }),
          ),
        ],
      };
    },
  },
  "PUT /v1/databases/:id/drill-policy": {
    request: { body: DrillPolicyRequestSchema },
    status: 200,
    answer: { json: DrillPolicySchema },
    exercise: async (w) => {
      const path = `/v1/databases/${w.org.databaseId}/drill-policy`;
      return {
        ok: [await valid("PUT /v1/databases/:id/drill-policy", path, { token: w.org.adminToken, json: DRILL_POLICY })],
        refused: [
          await refuse(
            400,
            call("PUT", path, { token: w.org.adminToken, json: { ...DRILL_POLICY, cron: "61 * * * *" } }),
          ),
          await refuse(403, call("PUT", path, { token: w.org.operatorToken, json: DRILL_POLICY })),
        ],
      };
    },
  },
  "DELETE /v1/databases/:id/drill-policy": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const id = await newDatabase(w);
      const path = `/v1/databases/${id}/drill-policy`;
      await setup(call("PUT", path, { token: w.org.adminToken, json: {} }), 200, "policy");
      return {
        ok: [await valid("DELETE /v1/databases/:id/drill-policy", path, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", path, { token: w.org.adminToken }))],
      };
    },
  },
  "POST /v1/databases/:id/drills": {
    request: { body: DrillNowRequestSchema },
    status: 202,
    // 200: a manual drill of the database is already waiting, and the answer is that drill.
    also: [200],
    answer: { json: DrillSchema },
    exercise: async (w) => {
      const db = await drilledDatabase(w);
      const path = `/v1/databases/${db}/drills`;
      const queued = await valid("POST /v1/databases/:id/drills", path, { token: w.org.operatorToken, json: {} });
      const waiting = await valid("POST /v1/databases/:id/drills", path, { token: w.org.operatorToken, json: {} });
      expect(queued.status).toBe(202);
      expect(waiting).toMatchObject({ status: 200, body: queued.body });
      return {
        ok: [queued, waiting],
        refused: [
          await refuse(
            409,
            call("POST", `/v1/databases/${await newDatabase(w)}/drills`, { token: w.org.operatorToken, json: {} }),
          ),
          await refuse(404, call("POST", path, { token: w.org.operatorToken, json: { backupId: UNKNOWN_ID } })),
          await refuse(403, call("POST", path, { token: w.org.viewerToken, json: {} })),
        ],
      };
    },
  },
  "GET /v1/databases/:id/restorability": {
    status: 200,
    answer: { json: RestorabilitySchema },
    exercise: async (w) => {
      const { db } = await passedWorldDrill(w);
      return {
        ok: [
          await valid("GET /v1/databases/:id/restorability", `/v1/databases/${db}/restorability`, {
            token: w.org.viewerToken,
          }),
        ],
        refused: [
          await refuse(404, call("GET", `/v1/databases/${UNKNOWN_ID}/restorability`, { token: w.org.viewerToken })),
        ],
      };
    },
  },
  "GET /v1/databases/:id/retention-policy": {
    status: 200,
    answer: { json: RetentionPolicyResponseSchema },
    exercise: async (w) => {
      const db = await newDatabase(w);
      const path = `/v1/databases/${db}/retention-policy`;
      await setup(call("PUT", path, { token: w.org.adminToken, json: RETENTION_POLICY }), 200, "policy");
      return {
        ok: [await valid("GET /v1/databases/:id/retention-policy", path, { token: w.org.viewerToken })],
        refused: [
          await refuse(
            404,
            call("GET", `/v1/databases/${await newDatabase(w)}/retention-policy`, { token: w.org.viewerToken }),
          ),
        ],
      };
    },
  },
  "PUT /v1/databases/:id/retention-policy": {
    request: { body: RetentionPolicyRequestSchema },
    status: 200,
    answer: { json: RetentionPolicyResponseSchema },
    exercise: async (w) => {
      const path = `/v1/databases/${await newDatabase(w)}/retention-policy`;
      return {
        ok: [
          await valid("PUT /v1/databases/:id/retention-policy", path, {
            token: w.org.adminToken,
            json: RETENTION_POLICY,
          }),
          await valid("PUT /v1/databases/:id/retention-policy", path, {
            token: w.org.adminToken,
            json: { keepLast: 3 },
          }),
        ],
        refused: [
          await refuse(400, call("PUT", path, { token: w.org.adminToken, json: { daily: 0 } })),
          await refuse(400, call("PUT", path, { token: w.org.adminToken, json: { daily: 7, timezone: "Mars/Base" } })),
          await refuse(403, call("PUT", path, { token: w.org.operatorToken, json: { daily: 7 } })),
        ],
      };
    },
  },
  "DELETE /v1/databases/:id/retention-policy": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const path = `/v1/databases/${await newDatabase(w)}/retention-policy`;
      await setup(call("PUT", path, { token: w.org.adminToken, json: { daily: 7 } }), 200, "policy");
      return {
        ok: [await valid("DELETE /v1/databases/:id/retention-policy", path, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", path, { token: w.org.adminToken }))],
      };
    },
  },
  "GET /v1/databases/:id/retention": {
    status: 200,
    answer: { json: RetentionStateSchema },
    exercise: async (w) => {
      const db = await prunedWorldDatabase(w);
      return {
        ok: [
          await valid("GET /v1/databases/:id/retention", `/v1/databases/${db}/retention`, { token: w.org.viewerToken }),
        ],
        refused: [
          await refuse(404, call("GET", `/v1/databases/${UNKNOWN_ID}/retention`, { token: w.org.viewerToken })),
        ],
      };
    },
  },
  "GET /v1/drills": {
    request: { query: ListDrillsQuerySchema },
    status: 200,
    answer: { json: DrillPageSchema },
    exercise: async (w) => {
      const { db } = await passedWorldDrill(w);
      return {
        ok: [
          await valid("GET /v1/drills", `/v1/drills?databaseId=${db}&status=passed`, { token: w.org.viewerToken }),
          await valid("GET /v1/drills", "/v1/drills?limit=1", { token: w.org.viewerToken }),
        ],
        refused: [await refuse(400, call("GET", "/v1/drills?status=succeeded", { token: w.org.viewerToken }))],
      };
    },
  },
  "GET /v1/drills/:id": {
    status: 200,
    answer: { json: DrillSchema },
    exercise: async (w) => {
      const { drillId } = await passedWorldDrill(w);
      return {
        ok: [await valid("GET /v1/drills/:id", `/v1/drills/${drillId}`, { token: w.org.viewerToken })],
        refused: [await refuse(404, call("GET", `/v1/drills/${UNKNOWN_ID}`, { token: w.org.viewerToken }))],
      };
    },
  },
  "GET /v1/schedules": {
    request: { query: ListSchedulesQuerySchema },
    status: 200,
    answer: { json: SchedulePageSchema },
    exercise: async (w) => {
      await newSchedule(w);
      return {
        ok: [
          await valid("GET /v1/schedules", `/v1/schedules?databaseId=${w.org.databaseId}`, {
            token: w.org.viewerToken,
          }),
        ],
        refused: [await refuse(400, call("GET", "/v1/schedules?databaseId=no%20spaces", { token: w.org.viewerToken }))],
      };
    },
  },
  "POST /v1/schedules": {
    request: { body: CreateScheduleRequestSchema },
    status: 201,
    answer: { json: ScheduleSchema },
    exercise: async (w) => {
      const json = {
        databaseId: w.org.databaseId,
        cron: "30 2 * * *",
        timezone: "Europe/Oslo",
        targetRpoMinutes: 1440,
      };
      return {
        ok: [await valid("POST /v1/schedules", "/v1/schedules", { token: w.org.adminToken, json })],
        refused: [
          await refuse(
            400,
            call("POST", "/v1/schedules", { token: w.org.adminToken, json: { ...json, cron: "every night at 2" } }),
          ),
        ],
      };
    },
  },
  "GET /v1/schedules/:id": {
    status: 200,
    answer: { json: ScheduleSchema },
    exercise: async (w) => ({
      ok: [
        await valid("GET /v1/schedules/:id", `/v1/schedules/${(await newSchedule(w)).id}`, {
          token: w.org.viewerToken,
        }),
      ],
      refused: [await refuse(404, call("GET", `/v1/schedules/${UNKNOWN_ID}`, { token: w.org.viewerToken }))],
    }),
  },
  "PATCH /v1/schedules/:id": {
    request: { body: UpdateScheduleRequestSchema },
    status: 200,
    answer: { json: ScheduleSchema },
    exercise: async (w) => {
      const s = await newSchedule(w);
      return {
        ok: [
          await valid("PATCH /v1/schedules/:id", `/v1/schedules/${s.id}`, {
            token: w.org.adminToken,
            json: { enabled: false },
          }),
        ],
        refused: [await refuse(400, call("PATCH", `/v1/schedules/${s.id}`, { token: w.org.adminToken, json: {} }))],
      };
    },
  },
  "DELETE /v1/schedules/:id": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      const s = await newSchedule(w);
      return {
        ok: [await valid("DELETE /v1/schedules/:id", `/v1/schedules/${s.id}`, { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", `/v1/schedules/${s.id}`, { token: w.org.adminToken }))],
      };
    },
  },
  "GET /v1/jobs": {
    request: { query: ListJobsQuerySchema },
    status: 200,
    answer: { json: JobPageSchema },
    exercise: async (w) => {
      const job = await leasedJob(w.org, await newDatabase(w));
      await setup(onJob(w.org.runnerToken, job.jobId, "heartbeat", heartbeatBody(job.leaseId)), 200, "heartbeat");
      return {
        ok: [
          await valid("GET /v1/jobs", "/v1/jobs?status=leased", { token: w.org.viewerToken }),
          await valid("GET /v1/jobs", `/v1/jobs?status=succeeded&databaseId=${w.org.databaseId}`, {
            token: w.org.viewerToken,
          }),
        ],
        refused: [await refuse(400, call("GET", "/v1/jobs?status=running", { token: w.org.viewerToken }))],
      };
    },
  },
  "GET /v1/jobs/:id": {
    status: 200,
    answer: { json: JobSchema },
    exercise: async (w) => {
      const job = await leasedJob(w.org, await newDatabase(w));
      await setup(onJob(w.org.runnerToken, job.jobId, "heartbeat", heartbeatBody(job.leaseId)), 200, "heartbeat");
      return {
        ok: [await valid("GET /v1/jobs/:id", `/v1/jobs/${job.jobId}`, { token: w.org.viewerToken })],
        refused: [await refuse(404, call("GET", `/v1/jobs/${UNKNOWN_ID}`, { token: w.org.viewerToken }))],
      };
    },
  },
  "GET /v1/backups": {
    request: { query: ListBackupsQuerySchema },
    status: 200,
    answer: { json: BackupPageSchema },
    exercise: async (w) => ({
      ok: [
        await valid("GET /v1/backups", `/v1/backups?databaseId=${w.org.databaseId}&limit=5`, {
          token: w.org.viewerToken,
        }),
      ],
      refused: [await refuse(400, call("GET", "/v1/backups?cursor=!", { token: w.org.viewerToken }))],
    }),
  },
  "GET /v1/backups/:id": {
    status: 200,
    answer: { json: BackupDetailSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/backups/:id", `/v1/backups/${w.backupId}`, { token: w.org.viewerToken })],
      refused: [await refuse(404, call("GET", `/v1/backups/${UNKNOWN_ID}`, { token: w.org.viewerToken }))],
    }),
  },
  "GET /v1/buckets": {
    status: 200,
    answer: { json: BucketCredentialListSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/buckets", "/v1/buckets", { token: w.org.viewerToken })],
      refused: [await refuse(401, call("GET", "/v1/buckets"))],
    }),
  },
  "GET /v1/bucket-postures": {
    status: 200,
    answer: { json: BucketPostureListSchema },
    exercise: async (w) => {
      const posture = {
        bucket: BUCKET,
        versioning: "suspended",
        objectLock: { enabled: true, defaultMode: "GOVERNANCE", defaultDays: 7 },
        publicAccess: "unknown",
        encryption: "AES256",
        lifecycle: [{ id: "tidy", days: 1 }],
      };
      const json = { version: "0.1.0", databases: [w.org.databaseId], kinds: ["prune"], posture };
      await setup(call("POST", "/v1/runner/claim", { token: w.org.runnerToken, json }), 200, "posture");
      return {
        ok: [await valid("GET /v1/bucket-postures", "/v1/bucket-postures", { token: w.org.viewerToken })],
        refused: [await refuse(401, call("GET", "/v1/bucket-postures"))],
      };
    },
  },
  "PUT /v1/buckets/:bucket": {
    request: { body: BucketCredentialRequestSchema },
    status: 200,
    answer: { json: BucketCredentialSchema },
    exercise: async (w) => ({
      ok: [
        await valid("PUT /v1/buckets/:bucket", "/v1/buckets/aws-backups", {
          token: w.org.adminToken,
          json: { accessKeyId: "AKIAREADONLY", secretAccessKey: "aws-read-only-secret" },
        }),
      ],
      refused: [
        await refuse(400, call("PUT", "/v1/buckets/Not_A_Bucket", { token: w.org.adminToken, json: CREDENTIAL })),
        await refuse(403, call("PUT", `/v1/buckets/${BUCKET}`, { token: w.org.viewerToken, json: CREDENTIAL })),
      ],
    }),
  },
  "DELETE /v1/buckets/:bucket": {
    status: 204,
    answer: "empty",
    exercise: async (w) => {
      await setup(call("PUT", "/v1/buckets/old-bucket", { token: w.org.adminToken, json: CREDENTIAL }), 200, "bucket");
      return {
        ok: [await valid("DELETE /v1/buckets/:bucket", "/v1/buckets/old-bucket", { token: w.org.adminToken })],
        refused: [await refuse(404, call("DELETE", "/v1/buckets/old-bucket", { token: w.org.adminToken }))],
      };
    },
  },
  "POST /v1/restores": {
    request: { body: IssueRestoreRequestSchema },
    status: 201,
    answer: { json: IssueRestoreResponseSchema },
    exercise: async (w) => ({
      ok: [
        await valid("POST /v1/restores", "/v1/restores", {
          token: w.org.operatorToken,
          json: { backupId: w.backupId },
        }),
        await valid("POST /v1/restores", "/v1/restores", {
          token: w.org.operatorToken,
          json: { backupId: w.backupId, dryRun: true },
        }),
      ],
      refused: [
        await refuse(404, call("POST", "/v1/restores", { token: w.org.operatorToken, json: { backupId: UNKNOWN_ID } })),
      ],
    }),
  },
  "POST /v1/restores/:id/cancel": {
    status: 200,
    answer: { json: CancelRestoreResponseSchema },
    exercise: async (w) => {
      const issued = await issueRestore(w);
      const claimed = await claimedRestore(w);
      return {
        ok: [
          await valid("POST /v1/restores/:id/cancel", `/v1/restores/${issued.restoreId}/cancel`, {
            token: w.org.operatorToken,
          }),
        ],
        refused: [
          await refuse(409, call("POST", `/v1/restores/${claimed.restoreId}/cancel`, { token: w.org.operatorToken })),
          await refuse(403, call("POST", `/v1/restores/${issued.restoreId}/cancel`, { token: w.org.viewerToken })),
          await refuse(404, call("POST", `/v1/restores/${UNKNOWN_ID}/cancel`, { token: w.org.operatorToken })),
        ],
      };
    },
  },
  "POST /v1/restores/claim": {
    request: { body: ClaimRestoreRequestSchema },
    status: 200,
    answer: { json: ClaimRestoreResponseSchema },
    exercise: async (w) => {
      const issued = await issueRestore(w);
      const json = { token: issued.token, orgId: w.org.orgId, clientVersion: "0.1.0" };
      return {
        ok: [await valid("POST /v1/restores/claim", "/v1/restores/claim", { json })],
        refused: [
          await refuse(409, call("POST", "/v1/restores/claim", { json })),
          await refuse(400, call("POST", "/v1/restores/claim", { json: { ...json, token: "wwo_short" } })),
        ],
      };
    },
  },
  "POST /v1/restores/:id/transition": {
    request: { body: TransitionRequestSchema },
    status: 200,
    answer: { json: TransitionResponseSchema },
    exercise: async (w) => {
      const r = await claimedRestore(w);
      const path = `/v1/restores/${r.restoreId}/transition`;
      return {
        ok: [
          await valid("POST /v1/restores/:id/transition", path, {
            token: r.progressToken,
            json: { state: "downloading" },
          }),
        ],
        refused: [
          await refuse(401, call("POST", path, { json: { state: "downloading" } })),
          await refuse(409, call("POST", path, { token: r.progressToken, json: { state: "restoring" } })),
        ],
      };
    },
  },
  "POST /v1/restores/:id/progress": {
    request: { body: ProgressRequestSchema },
    status: 202,
    answer: { json: ProgressResponseSchema },
    exercise: async (w) => {
      const r = await claimedRestore(w);
      const path = `/v1/restores/${r.restoreId}/progress`;
      return {
        ok: [await valid("POST /v1/restores/:id/progress", path, { token: r.progressToken, json: PROGRESS })],
        refused: [await refuse(401, call("POST", path, { token: w.org.viewerToken, json: PROGRESS }))],
      };
    },
  },
  "GET /v1/restores": {
    request: { query: ListRestoresQuerySchema },
    status: 200,
    answer: { json: RestorePageSchema },
    exercise: async (w) => {
      // A failed restore too, so failure is seen set.
      const r = await claimedRestore(w);
      await transition(r.restoreId, r.progressToken, {
        state: "failed",
        stage: "download",
        reason: "connection reset",
      });
      return {
        ok: [
          await valid("GET /v1/restores", `/v1/restores?databaseId=${w.org.databaseId}`, { token: w.org.viewerToken }),
        ],
        refused: [await refuse(400, call("GET", "/v1/restores?limit=1000", { token: w.org.viewerToken }))],
      };
    },
  },
  "GET /v1/restores/:id": {
    status: 200,
    answer: { json: RestoreViewSchema },
    exercise: async (w) => {
      const r = await claimedRestore(w);
      await transition(r.restoreId, r.progressToken, { state: "downloading" });
      await transition(r.restoreId, r.progressToken, { state: "verifying", sha256: ARTIFACT_SHA256 });
      await transition(r.restoreId, r.progressToken, { state: "completed", dryRun: true });
      return {
        ok: [await valid("GET /v1/restores/:id", `/v1/restores/${r.restoreId}`, { token: w.org.viewerToken })],
        refused: [await refuse(404, call("GET", `/v1/restores/${UNKNOWN_ID}`, { token: w.org.viewerToken }))],
      };
    },
  },
  "GET /v1/restores/:id/events": {
    status: 200,
    answer: { events: { transition: TransitionEventSchema, progress: ProgressEventSchema } },
    exercise: async (w) => {
      const r = await claimedRestore(w);
      const stream = await open("GET /v1/restores/:id/events", `/v1/restores/${r.restoreId}/events`, {
        token: w.org.viewerToken,
        headers: { accept: "text/event-stream" },
      });
      const events = answerOf(stream); // read to the end: the server closes the stream at a terminal state
      // The same token's streams past its cap (test/sse-limits.test.ts) are refused in the error shape.
      const more = await Promise.all(
        Array.from({ length: MAX_STREAMS_PER_PRINCIPAL - 1 }, () =>
          open("GET /v1/restores/:id/events", `/v1/restores/${r.restoreId}/events`, { token: w.org.viewerToken }),
        ),
      );
      const tooMany = await refuse(
        429,
        call("GET", `/v1/restores/${r.restoreId}/events`, { token: w.org.viewerToken }),
      );
      for (const m of more) await m.body?.cancel();
      await transition(r.restoreId, r.progressToken, { state: "downloading" });
      await setup(
        call("POST", `/v1/restores/${r.restoreId}/progress`, { token: r.progressToken, json: PROGRESS }),
        202,
        "progress",
      );
      await transition(r.restoreId, r.progressToken, { state: "verifying", sha256: ARTIFACT_SHA256 });
      await transition(r.restoreId, r.progressToken, { state: "completed", dryRun: true });
      return {
        ok: [await events],
        refused: [
          await refuse(404, call("GET", `/v1/restores/${UNKNOWN_ID}/events`, { token: w.org.viewerToken })),
          tooMany,
        ],
      };
    },
  },
  "GET /v1/rpo": {
    status: 200,
    answer: { json: RpoSummarySchema },
    exercise: async (w) => {
      await newSchedule(w);
      return {
        ok: [await valid("GET /v1/rpo", "/v1/rpo", { token: w.org.viewerToken })],
        refused: [await refuse(401, call("GET", "/v1/rpo", { token: "wwt_not_a_token" }))],
      };
    },
  },
  "GET /v1/rpo/:databaseId": {
    status: 200,
    answer: { json: DatabaseRpoSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/rpo/:databaseId", `/v1/rpo/${w.org.databaseId}`, { token: w.org.viewerToken })],
      refused: [await refuse(404, call("GET", `/v1/rpo/${UNKNOWN_ID}`, { token: w.org.viewerToken }))],
    }),
  },
  "GET /v1/log/entries": {
    request: { query: LogEntriesQuerySchema },
    status: 200,
    answer: { json: LogEntriesPageSchema },
    exercise: async (w) => ({
      ok: [
        await valid("GET /v1/log/entries", "/v1/log/entries?limit=2", { token: w.org.viewerToken }),
        await valid("GET /v1/log/entries", "/v1/log/entries?type=backup.completed&after=0", {
          token: w.org.viewerToken,
        }),
      ],
      refused: [await refuse(400, call("GET", "/v1/log/entries?type=backup.deleted", { token: w.org.viewerToken }))],
    }),
  },
  "GET /v1/log/checkpoint": {
    status: 200,
    answer: { json: LogCheckpointSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/log/checkpoint", "/v1/log/checkpoint", { token: w.org.viewerToken })],
      refused: [await refuse(401, call("GET", "/v1/log/checkpoint"))],
    }),
  },
  "GET /v1/log/checkpoints/:size": {
    status: 200,
    answer: { text: SignedCheckpointTextSchema },
    exercise: async (w) => {
      const { treeSize } = await setup(
        call("GET", "/v1/log/checkpoint", { token: w.org.viewerToken }),
        200,
        "checkpoint",
      );
      return {
        ok: [
          await valid("GET /v1/log/checkpoints/:size", `/v1/log/checkpoints/${treeSize}`, { token: w.org.viewerToken }),
        ],
        refused: [
          await refuse(400, call("GET", `/v1/log/checkpoints/${treeSize + 1000}`, { token: w.org.viewerToken })),
        ],
      };
    },
  },
  "GET /v1/log/proofs/inclusion": {
    request: { query: InclusionProofQuerySchema },
    status: 200,
    answer: { json: InclusionProofSchema },
    exercise: async (w) => ({
      ok: [await valid("GET /v1/log/proofs/inclusion", "/v1/log/proofs/inclusion?seq=0", { token: w.org.viewerToken })],
      refused: [await refuse(400, call("GET", "/v1/log/proofs/inclusion?seq=100000", { token: w.org.viewerToken }))],
    }),
  },
  "GET /v1/log/proofs/consistency": {
    request: { query: ConsistencyProofQuerySchema },
    status: 200,
    answer: { json: ConsistencyProofSchema },
    exercise: async (w) => {
      const { treeSize } = await setup(
        call("GET", "/v1/log/checkpoint", { token: w.org.viewerToken }),
        200,
        "checkpoint",
      );
      return {
        ok: [
          await valid("GET /v1/log/proofs/consistency", `/v1/log/proofs/consistency?from=1&to=${treeSize}`, {
            token: w.org.viewerToken,
          }),
        ],
        refused: [
          await refuse(400, call("GET", "/v1/log/proofs/consistency?from=0&to=1", { token: w.org.viewerToken })),
        ],
      };
    },
  },
  "POST /v1/evidence": {
    request: { body: EvidenceExportRequestSchema },
    status: 200,
    answer: "zip",
    exercise: async (w) => ({
      ok: [await exportAll(w)],
      refused: [
        await refuse(
          400,
          call("POST", "/v1/evidence", {
            token: w.org.viewerToken,
            json: { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" },
          }),
        ),
      ],
    }),
  },
  "GET /v1/evidence": {
    request: { query: PageQuerySchema },
    status: 200,
    answer: { json: EvidenceExportListSchema },
    exercise: async (w) => {
      await exportAll(w);
      return {
        ok: [await valid("GET /v1/evidence", "/v1/evidence?limit=5", { token: w.org.viewerToken })],
        refused: [await refuse(400, call("GET", "/v1/evidence?cursor=abc", { token: w.org.viewerToken }))],
      };
    },
  },
  "POST /v1/runner/claim": {
    request: { body: ClaimRequestSchema },
    status: 200,
    answer: { json: ClaimResponseSchema },
    exercise: async (w) => {
      const db = await newDatabase(w);
      // A policy, so the backup's claim carries its lock days; and a prune of another database waiting.
      await setup(
        call("PUT", `/v1/databases/${db}/retention-policy`, { token: w.org.adminToken, json: RETENTION_POLICY }),
        200,
        "policy",
      );
      await setup(call("POST", `/v1/databases/${db}/backups`, { token: w.org.operatorToken }), 202, "queue");
      const json = { version: "0.1.0", databases: [db] };
      const pruned = await newDatabase(w, "claimed prune db");
      await completedBackup(w.org, pruned);
      await completedBackup(w.org, pruned);
      await setup(
        call("PUT", `/v1/databases/${pruned}/retention-policy`, { token: w.org.adminToken, json: { keepLast: 1 } }),
        200,
        "policy",
      );
      await settleLogs();
      await queueDuePrunes(new CountingD1(env.DB), Date.now(), 3);
      const backup = await valid("POST /v1/runner/claim", "/v1/runner/claim", { token: w.org.runnerToken, json });
      expect(backup.body).toMatchObject({ job: { kind: "backup", minLockDays: 1098 } });
      const prune = await valid("POST /v1/runner/claim", "/v1/runner/claim", {
        token: w.org.runnerToken,
        json: { version: "0.1.0", databases: [pruned], kinds: ["prune"] },
      });
      expect(prune.body).toMatchObject({ job: { kind: "prune", databaseId: pruned } });
      return {
        ok: [
          backup,
          prune,
          await valid("POST /v1/runner/claim", "/v1/runner/claim", { token: w.org.runnerToken, json }), // nothing left: job null
        ],
        refused: [await refuse(401, call("POST", "/v1/runner/claim", { token: w.org.adminToken, json }))],
      };
    },
  },
  "POST /v1/runner/jobs/:jobId/heartbeat": {
    request: { body: HeartbeatRequestSchema },
    status: 200,
    answer: { json: HeartbeatResponseSchema },
    exercise: async (w) => {
      const job = await leasedJob(w.org, await newDatabase(w));
      const path = `/v1/runner/jobs/${job.jobId}/heartbeat`;
      return {
        ok: [
          await valid("POST /v1/runner/jobs/:jobId/heartbeat", path, {
            token: w.org.runnerToken,
            json: heartbeatBody(job.leaseId),
          }),
        ],
        refused: [
          await refuse(409, call("POST", path, { token: w.org.runnerToken, json: heartbeatBody("lease_stale") })),
        ],
      };
    },
  },
  "POST /v1/runner/jobs/:jobId/complete": {
    request: { body: CompleteRequestSchema },
    status: 200,
    answer: { json: CompleteResponseSchema },
    exercise: async (w) => {
      const job = await leasedJob(w.org, await newDatabase(w));
      const path = `/v1/runner/jobs/${job.jobId}/complete`;
      return {
        ok: [
          await valid("POST /v1/runner/jobs/:jobId/complete", path, {
            token: w.org.runnerToken,
            json: completeBody(job.leaseId, w.org.runnerId),
          }),
        ],
        refused: [
          await refuse(
            409,
            call("POST", path, { token: w.org.runnerToken, json: completeBody("lease_stale", w.org.runnerId) }),
          ),
        ],
      };
    },
  },
  "POST /v1/runner/key": {
    request: { body: RunnerKeyRequestSchema },
    status: 200,
    answer: { json: RunnerKeyResponseSchema },
    exercise: async (w) => {
      const signer = runnerSigner(w.org.runnerId);
      return {
        ok: [await valid("POST /v1/runner/key", "/v1/runner/key", { token: w.org.runnerToken, json: keyBody(signer) })],
        refused: [
          await refuse(
            400,
            call("POST", "/v1/runner/key", {
              token: w.org.runnerToken,
              json: keyBody(signer, runnerSigner(w.org.runnerId, 8)),
            }),
          ),
        ],
      };
    },
  },
  "POST /v1/runner/witness": {
    request: { body: WitnessReportSchema },
    status: 200,
    answer: { json: WitnessReportResponseSchema },
    exercise: async (w) => {
      const refusal = { size: "3", refused: { acceptedSize: "5", code: "rollback", message: "older than 5" } };
      return {
        ok: [await valid("POST /v1/runner/witness", "/v1/runner/witness", { token: w.org.runnerToken, json: refusal })],
        refused: [
          await refuse(
            400,
            call("POST", "/v1/runner/witness", { token: w.org.runnerToken, json: { ...refusal, size: "-1" } }),
          ),
          await refuse(401, call("POST", "/v1/runner/witness", { token: w.org.viewerToken, json: refusal })),
        ],
      };
    },
  },
  "POST /v1/runner/jobs/:jobId/drill": {
    request: { body: DrillResultRequestSchema },
    status: 200,
    answer: { json: DrillResultResponseSchema },
    exercise: async (w) => {
      const { job, signer } = await leasedWorldDrill(w);
      const path = `/v1/runner/jobs/${job.jobId}/drill`;
      const receipt = receiptOf(job, signer);
      // Refused first: once a receipt is accepted, any other is a 409 whatever it holds.
      const forged = await refuse(
        400,
        call("POST", path, {
          token: w.org.runnerToken,
          json: { leaseId: job.leaseId, receipt: receiptOf(job, runnerSigner(w.org.runnerId, 8)) },
        }),
      );
      const ok = await valid("POST /v1/runner/jobs/:jobId/drill", path, {
        token: w.org.runnerToken,
        json: { leaseId: job.leaseId, receipt },
      });
      return {
        ok: [ok],
        refused: [
          forged,
          await refuse(
            409,
            call("POST", path, { token: w.org.runnerToken, json: { leaseId: "lease_stale", receipt } }),
          ),
        ],
      };
    },
  },
  "POST /v1/runner/jobs/:jobId/prune": {
    request: { body: PruneReportRequestSchema },
    status: 200,
    answer: { json: PruneReportResponseSchema },
    exercise: async (w) => {
      const { job } = await leasedWorldPrune(w);
      const path = `/v1/runner/jobs/${job.jobId}/prune`;
      const report = reportOf(job);
      const target = job.targets[0]!.backupId;
      // Refused first: once a report is taken, any other is a 409 whatever it holds.
      const wrongKey = await refuse(
        400,
        call("POST", path, {
          token: w.org.runnerToken,
          json: reportOf(job, { [target]: { deletedKeys: ["walwarden/another.dump"] } }),
        }),
      );
      const ok = await valid("POST /v1/runner/jobs/:jobId/prune", path, { token: w.org.runnerToken, json: report });
      const again = await valid("POST /v1/runner/jobs/:jobId/prune", path, { token: w.org.runnerToken, json: report });
      expect(again.body).toEqual(ok.body);
      return {
        ok: [ok, again],
        refused: [
          wrongKey,
          await refuse(
            409,
            call("POST", path, { token: w.org.runnerToken, json: { ...report, leaseId: "lease_stale" } }),
          ),
          await refuse(
            409,
            call("POST", path, {
              token: w.org.runnerToken,
              json: reportOf(job, { [target]: { outcome: "missing", deletedKeys: [] } }),
            }),
          ),
        ],
      };
    },
  },
  "POST /v1/runner/jobs/:jobId/fail": {
    request: { body: FailRequestSchema },
    status: 200,
    answer: { json: FailResponseSchema },
    exercise: async (w) => {
      const job = await leasedJob(w.org, await newDatabase(w));
      const path = `/v1/runner/jobs/${job.jobId}/fail`;
      return {
        ok: [
          await valid("POST /v1/runner/jobs/:jobId/fail", path, {
            token: w.org.runnerToken,
            json: failBody(job.leaseId, "pg_dump: connection refused", true),
          }),
        ],
        refused: [
          await refuse(409, call("POST", path, { token: w.org.runnerToken, json: failBody(job.leaseId, "again") })),
        ],
      };
    },
  },
  "POST /v1/verify": {
    request: { body: VerifyManifestRequestSchema },
    status: 200,
    answer: { json: VerificationReportSchema },
    exercise: async (w) => {
      const detail = await setup(call("GET", `/v1/backups/${w.backupId}`, { token: w.org.viewerToken }), 200, "backup");
      const zip = (await exportAll(w)).body as Uint8Array<ArrayBuffer>;
      return {
        ok: [
          await valid("POST /v1/verify", "/v1/verify", {
            json: { envelope: detail.envelope, artifactSha256: detail.sha256 },
          }),
          await valid("POST /v1/verify", "/v1/verify", { body: zip, headers: { "content-type": "application/zip" } }),
        ],
        refused: [
          await refuse(
            400,
            call("POST", "/v1/verify", { body: "{not json", headers: { "content-type": "application/json" } }),
          ),
        ],
      };
    },
  },
};

/**
 * The world every exercise starts from. It sends the one valid bootstrap (first run, before any admin
 * exists), so it is made once per test file.
 */
export async function makeWorld(): Promise<World> {
  const w = {} as World;
  // First run, before any admin exists: the bootstrap answer is the one valid request it ever takes.
  const admin = { email: "first.admin@example.test", password: "the first admin's passphrase" };
  const res = await open("POST /v1/bootstrap", "/v1/bootstrap", { json: { orgName: "Bootstrap Org", ...admin } });
  w.bootstrapped = await answerOf(res);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  w.admin = { ...admin, cookie, userId: (w.bootstrapped.body as { user: { id: string } }).user.id };
  w.org = await makeOrg("Contract Org");
  await setup(call("PUT", `/v1/buckets/${BUCKET}`, { token: w.org.adminToken, json: CREDENTIAL }), 200, "bucket");
  w.backupId = (await completedBackup(w.org)).backupId;
  return w;
}
