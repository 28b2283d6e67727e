import { beforeAll, describe, expect, it } from "vitest";
import { backupResult } from "./support/backup-result.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { leasedJob, type Claimed } from "./support/runner-calls.js";
import { dumpD1, dumpLedger } from "./support/storage-dump.js";

// Text the API refuses (issue 13 §9): a lone surrogate anywhere (it has no UTF-8 form, so D1 would keep
// U+FFFD and the log could not canonicalize it), a control character or line break in a one-line
// field, and a JSON body that is not UTF-8. Each is a 4xx that names what was wrong and writes nothing.

/** D1 (less api_tokens, whose last_used_at every call moves) and the org's Ledger. */
async function stored(org: Org) {
  const { api_tokens: _used, ...d1 } = await dumpD1();
  return { d1, ledger: await dumpLedger(org.orgId) };
}

let org: Org;
let job: Claimed;

beforeAll(async () => {
  org = await makeOrg();
  job = await leasedJob(org);
});

const LONE = ["\uD800", "\uDFFF", "a\uDC00b", "\uDE00\uD83D"];
const CONTROL = ["\u0000", "\n", "\r", "\t", "\u001F", "\u007F"];

type Case = [
  what: string,
  method: string,
  path: (o: Org) => string,
  token: (o: Org) => string,
  json: (s: string) => unknown,
];

const bucket = (o: Partial<Record<string, unknown>>) => ({
  region: "us-east-1",
  accessKeyId: "RESTOREREADONLY",
  secretAccessKey: "restore-read-only-secret",
  ...o,
});

/** Every free-text field a person or a program sends: none may hold a lone surrogate. */
const freeText: Case[] = [
  [
    "database name",
    "POST",
    () => "/v1/databases",
    (o) => o.adminToken,
    (s) => ({ name: `main${s}`, provider: "neon" }),
  ],
  ["database rename", "PATCH", (o) => `/v1/databases/${o.databaseId}`, (o) => o.adminToken, (s) => ({ name: s })],
  ["token name", "POST", () => "/v1/tokens", (o) => o.adminToken, (s) => ({ name: `ci ${s}`, role: "viewer" })],
  ["runner name", "POST", () => "/v1/runners", (o) => o.adminToken, (s) => ({ name: `r${s}` })],
  [
    "password",
    "POST",
    () => "/v1/users",
    (o) => o.adminToken,
    (s) => ({ email: "new@acme.test", password: `long enough password ${s}`, role: "viewer" }),
  ],
  [
    "bucket secret",
    "PUT",
    () => "/v1/buckets/acme-backups",
    (o) => o.adminToken,
    (s) => bucket({ secretAccessKey: `k${s}` }),
  ],
  [
    "runner version",
    "POST",
    () => "/v1/runner/claim",
    (o) => o.runnerToken,
    (s) => ({ version: `1${s}`, databases: [] }),
  ],
  [
    "failure reason",
    "POST",
    () => `/v1/runner/jobs/${job.jobId}/fail`,
    (o) => o.runnerToken,
    (s) => ({ leaseId: job.leaseId, reason: `disk full ${s}`, retryable: false }),
  ],
  [
    "measured table name",
    "POST",
    () => `/v1/runner/jobs/${job.jobId}/complete`,
    (o) => o.runnerToken,
    (s) => {
      const result = backupResult(org.runnerId);
      return {
        leaseId: job.leaseId,
        artifactSha256: "0".repeat(64),
        result: { ...result, tables: [{ schema: "public", name: `t${s}`, rows: 1 }] },
      };
    },
  ],
];

/** Every one-line identifier-like field: no control character, no line break. */
const oneLine: Case[] = [
  [
    "bucket region",
    "PUT",
    () => "/v1/buckets/acme-backups",
    (o) => o.adminToken,
    (s) => bucket({ region: `us-east-1${s}` }),
  ],
  [
    "bucket key id",
    "PUT",
    () => "/v1/buckets/acme-backups",
    (o) => o.adminToken,
    (s) => bucket({ accessKeyId: `AK${s}ID` }),
  ],
  [
    "bucket secret",
    "PUT",
    () => "/v1/buckets/acme-backups",
    (o) => o.adminToken,
    (s) => bucket({ secretAccessKey: `restore${s}secret` }),
  ],
  [
    "bucket endpoint",
    "PUT",
    () => "/v1/buckets/acme-backups",
    (o) => o.adminToken,
    (s) => bucket({ endpoint: `https://s3.acme.test/${s}x` }),
  ],
  [
    "runner version",
    "POST",
    () => "/v1/runner/claim",
    (o) => o.runnerToken,
    (s) => ({ version: `0.1${s}0`, databases: [] }),
  ],
  ["display name", "POST", () => "/v1/runners", (o) => o.adminToken, (s) => ({ name: `runner${s}two` })],
  [
    "cron",
    "POST",
    () => "/v1/schedules",
    (o) => o.adminToken,
    (s) => ({ databaseId: org.databaseId, cron: `0 0 * *${s}*`, targetRpoMinutes: 60 }),
  ],
  [
    "measured server version",
    "POST",
    () => `/v1/runner/jobs/${job.jobId}/complete`,
    (o) => o.runnerToken,
    (s) => ({
      leaseId: job.leaseId,
      artifactSha256: "0".repeat(64),
      result: { ...backupResult(org.runnerId), serverVersion: `16.4${s}` },
    }),
  ],
];

async function expectRefused(c: Case, text: string, message: RegExp) {
  const [, method, path, token, json] = c;
  const before = await stored(org);
  const r = await call(method, path(org), { token: token(org), json: json(text) });
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error.code).toBe("bad-request");
  expect(r.body.error.message).toMatch(message);
  expect(await stored(org)).toEqual(before);
}

describe("a lone surrogate in any free text is refused with 400, nothing written", () => {
  it.each(freeText)("%s", async (...c) => {
    for (const s of LONE) await expectRefused(c, s, /lone surrogate/);
  });

  it("in the org name at first run, before anything else is looked at", async () => {
    const r = await call("POST", "/v1/bootstrap", {
      json: { orgName: "Acme\uD800", email: "first@acme.test", password: "correct horse battery staple" },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/orgName: .*lone surrogate/);
  });

  it("a well-formed pair (an emoji) is kept as sent", async () => {
    const r = await call("POST", "/v1/runners", { token: org.adminToken, json: { name: "runner 😀" } });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe("runner 😀");
  });
});

describe("a control character or line break in a one-line field is refused with 400, nothing written", () => {
  it.each(oneLine)("%s", async (...c) => {
    for (const s of CONTROL) await expectRefused(c, s, /control character/);
  });

  it("in the restore CLI's version, before the token is looked up (so nothing is logged)", async () => {
    const before = await stored(org);
    const r = await call("POST", "/v1/restores/claim", {
      json: { token: `wwo_${"A".repeat(43)}`, orgId: org.orgId, clientVersion: "0.1.0\n" },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/clientVersion: .*control character/);
    expect(await stored(org)).toEqual(before);
  });

  it("in a log subject filter", async () => {
    const r = await call("GET", `/v1/log/entries?subject=${encodeURIComponent("database:x\n")}`, {
      token: org.viewerToken,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/subject: .*control character/);
  });

  it("a failure reason may still span lines", async () => {
    const other = await makeOrg();
    const j = await leasedJob(other);
    const r = await call("POST", `/v1/runner/jobs/${j.jobId}/fail`, {
      token: other.runnerToken,
      json: { leaseId: j.leaseId, reason: "pg_dump: error:\n  connection refused", retryable: false },
    });
    expect(r.status).toBe(200);
    const after = await call("GET", `/v1/jobs/${j.jobId}`, { token: other.viewerToken });
    expect(after.body.lastError).toBe("pg_dump: error:\n  connection refused");
  });
});

describe("a JSON body is read as UTF-8 only", () => {
  const send = (contentType: string, body: BodyInit) =>
    call("POST", "/v1/databases", { token: org.adminToken, body, headers: { "content-type": contentType } });

  it.each([
    "application/json; charset=utf-16",
    "application/json; charset=UTF-16LE",
    "application/json;charset=iso-8859-1",
    'application/json; charset="latin1"',
    "Application/JSON; Charset=UTF-32",
  ])("%s is refused with 415, nothing written", async (type) => {
    const before = await stored(org);
    const r = await send(type, JSON.stringify({ name: "wide", provider: "neon" }));
    expect(r.status).toBe(415);
    expect(r.body.error).toMatchObject({ code: "unsupported-media-type", message: expect.stringMatching(/UTF-8/) });
    expect(await stored(org)).toEqual(before);
  });

  it("bytes that are not UTF-8 are a 400, not U+FFFD", async () => {
    const before = await stored(org);
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"name":"ma'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('","provider":"neon"}'),
    ]);
    const r = await send("application/json", bytes);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/UTF-8/);
    expect(await stored(org)).toEqual(before);
  });

  it.each(["application/json", "application/json; charset=utf-8", 'application/json; charset="UTF-8"'])(
    "%s is read",
    async (type) => {
      const r = await send(type, JSON.stringify({ name: "ok", provider: "neon" }));
      expect(r.status).toBe(201);
    },
  );
});
