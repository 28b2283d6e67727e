import { createExecutionContext, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { backupKitReport, checkRestoreHistory, decodeEntry, type LogEntry } from "@walwarden/verifier";
import { IssueRestoreResponseSchema, RestoreViewSchema, TransitionEventSchema } from "@walwarden/verifier/wire";
import worker from "../src/index.js";
import { newSecret, sha256Hex } from "../src/lib/crypto.js";
import { ARTIFACT_SHA256 } from "./support/backup-result.js";
import { call, type Org } from "./support/client.js";
import {
  BUCKET,
  CREDENTIAL,
  claim,
  claimed,
  issue,
  issued,
  progress,
  readyOrg,
  type Ready,
  report,
  viewerTokens,
} from "./support/restore-calls.js";
import { logEntries, publishedPolicy } from "./support/log-checks.js";
import { dumpD1, dumpLedger, settleLogs } from "./support/storage-dump.js";
import { readEvents, subscribe, type SseEvent } from "./support/sse.js";

// The restore protocol in real workerd: issuing (RestoreSession DO + one-time token), claiming (atomic,
// refusals logged), the CLI's transitions and progress, and the dashboard's SSE stream.

async function restoreLog(org: Org): Promise<LogEntry[]> {
  return (await logEntries(org.viewerToken))
    .map((t) => decodeEntry(new TextEncoder().encode(t)))
    .map((d) => (d.ok ? d.value : (null as never)))
    .filter((e) => e.type.startsWith("restore."));
}

/** D1 (less api_tokens, whose last_used_at every call moves) and the org's Ledger. */
async function storedState(org: Org) {
  const { api_tokens: _used, ...d1 } = await dumpD1();
  return { d1, ledger: await dumpLedger(org.orgId) };
}

/** Rewrites the session's stored record (simulating time passing), then runs its alarm. */
async function ageSession(restoreId: string, patch: Record<string, number>): Promise<void> {
  const stub = env.RESTORE_SESSION.get(env.RESTORE_SESSION.idFromName(restoreId));
  await runInDurableObject(stub, (instance, state) => {
    for (const [k, v] of Object.entries(patch))
      state.storage.sql.exec(`UPDATE restore SET record = json_set(record, '$.${k}', ?)`, v);
    (instance as unknown as { cached: unknown }).cached = undefined;
  });
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

describe("issuing a restore", () => {
  it("an operator gets a one-time token and the exact CLI command; only the token's hash is kept and logged", async () => {
    const org = await readyOrg();
    const i = await issued(org);
    expect(i.token).toMatch(/^wwo_[A-Za-z0-9_-]{43}$/);
    expect(i.command).toBe(
      `walwarden restore --api https://walwarden.test --org ${org.orgId} --token ${i.token} --target "$TARGET_DATABASE_URL"`,
    );
    expect(Date.parse(i.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(i.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    await settleLogs();
    const stored = JSON.stringify([await dumpD1(), await dumpLedger(org.orgId)]);
    expect(stored).not.toContain(i.token);
    expect(stored).not.toContain(i.token.slice(4));
    const [entry] = await restoreLog(org);
    expect(entry).toMatchObject({
      type: "restore.token_issued",
      subject: `restore:${i.restoreId}`,
      actor: expect.stringMatching(/^token:tok_/),
    });
    expect(entry!.data).toEqual({
      restoreId: i.restoreId,
      backupId: org.backupId,
      databaseId: org.databaseId,
      tokenSha256: await sha256Hex(i.token),
      expiresAt: i.expiresAt,
    });
    const view = RestoreViewSchema.parse(
      (await call("GET", `/v1/restores/${i.restoreId}`, { token: org.viewerToken })).body,
    );
    expect(view).toMatchObject({ state: "issued", backupId: org.backupId, claimedAt: null });
    expect(view.transitions.map((t) => t.state)).toEqual(["issued"]);
  });

  it("a viewer may not issue; a missing or another org's backup is 404; bad input is 400; none of them writes anything", async () => {
    const org = await readyOrg();
    const other = await readyOrg();
    const before = await storedState(org);
    const viewer = await issue(org, org.viewerToken);
    expect(viewer.status).toBe(403);
    const foreign = await call("POST", "/v1/restores", {
      token: org.operatorToken,
      json: { backupId: other.backupId },
    });
    expect(foreign.status).toBe(404);
    expect(
      (await call("POST", "/v1/restores", { token: org.operatorToken, json: { backupId: "bkp_missing" } })).status,
    ).toBe(404);
    const bad = await call("POST", "/v1/restores", {
      token: org.operatorToken,
      json: { backupId: org.backupId, target: "postgres://x" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/target/);
    expect(await storedState(org)).toEqual(before);
  });

  it("without a read-only credential for the backup's bucket no token is issued (it could not be claimed)", async () => {
    const org = await readyOrg();
    expect((await call("DELETE", `/v1/buckets/${BUCKET}`, { token: org.adminToken })).status).toBe(204);
    const a = await issue(org);
    expect(a.status).toBe(409);
    expect(a.body.error.message).toContain(`PUT /v1/buckets/${BUCKET}`);
    expect((await call("GET", "/v1/restores", { token: org.viewerToken })).body.items).toEqual([]);
    expect(await restoreLog(org)).toEqual([]);
  });
});

describe("bucket credentials", () => {
  it("admin only; the secret is sealed at rest and never answered back; bucket names are checked", async () => {
    const org = await readyOrg();
    expect((await call("PUT", `/v1/buckets/${BUCKET}`, { token: org.operatorToken, json: CREDENTIAL })).status).toBe(
      403,
    );
    expect((await call("PUT", "/v1/buckets/Not_A_Bucket", { token: org.adminToken, json: CREDENTIAL })).status).toBe(
      400,
    );
    const missing = await call("PUT", `/v1/buckets/${BUCKET}`, { token: org.adminToken, json: { accessKeyId: "x" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/secretAccessKey/);
    const list = await call("GET", "/v1/buckets", { token: org.viewerToken });
    expect(list.body.items).toEqual([
      expect.objectContaining({ bucket: BUCKET, accessKeyId: CREDENTIAL.accessKeyId, forcePathStyle: true }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(CREDENTIAL.secretAccessKey);
    expect(JSON.stringify(await dumpD1())).not.toContain(CREDENTIAL.secretAccessKey);
  });
});

describe("claiming", () => {
  it("hands the CLI a verifiable kit and a GET-only presigned URL that lives at most 15 minutes", async () => {
    const org = await readyOrg();
    const { claim: c, restoreId } = await claimed(org);
    expect(c).toMatchObject({ restoreId, backupId: org.backupId, orgId: org.orgId, databaseId: org.databaseId });
    const kit = backupKitReport(
      { envelope: c.envelope, entry: c.entry, proof: c.proof, checkpoint: c.checkpoint },
      { ...(await publishedPolicy()), origin: `test.walwarden.dev/log/${org.orgId}` },
      ARTIFACT_SHA256,
    );
    expect(kit.verdict, JSON.stringify(kit.checks)).toBe("verified");
    const url = new URL(c.download.url);
    expect(`${url.origin}${url.pathname}`).toBe(`http://127.0.0.1:4569/${BUCKET}/walwarden/db/2026/11/24/bkp.dump.zst`);
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^RESTOREREADONLY\//);
    expect(c.download.url).not.toContain(CREDENTIAL.secretAccessKey);
    expect(Date.parse(c.download.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(c.download.sizeBytes).toBe(123_456_789);
    expect(c.progressToken).toMatch(/^wwp_/);
    const log = await restoreLog(org);
    expect(log.map((e) => e.type)).toEqual(["restore.token_issued", "restore.claimed"]);
    expect(log[1]).toMatchObject({
      actor: `restore:${restoreId}`,
      data: { restoreId, backupId: org.backupId, clientVersion: "0.1.0" },
    });
    await settleLogs();
    expect(JSON.stringify([await dumpD1(), await dumpLedger(org.orgId)])).not.toContain(c.progressToken.slice(4));
  });

  it("two claims at once: exactly one wins; the replay is refused and logged", async () => {
    const org = await readyOrg();
    const i = await issued(org);
    const both = await Promise.all([claim(i.token, org.orgId), claim(i.token, org.orgId), claim(i.token, org.orgId)]);
    expect(both.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    const refused = both.find((a) => a.status === 409)!;
    expect(refused.body.error).toMatchObject({
      code: "already-claimed",
      message: expect.stringMatching(/already used/),
    });
    const rejected = (await restoreLog(org)).filter((e) => e.type === "restore.claim_rejected");
    expect(rejected).toHaveLength(2);
    expect(rejected[0]!.data).toEqual({
      restoreId: i.restoreId,
      tokenSha256: await sha256Hex(i.token),
      reason: "already-claimed",
    });
  });

  it("another org's token is refused and logged in the token's org, and stays usable by its own org", async () => {
    const org = await readyOrg();
    const other = await readyOrg();
    const i = await issued(org);
    const wrong = await claim(i.token, other.orgId);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe("wrong-org");
    expect((await restoreLog(org)).at(-1)).toMatchObject({
      type: "restore.claim_rejected",
      data: { restoreId: i.restoreId, reason: "wrong-org" },
    });
    expect(await restoreLog(other)).toEqual([]);
    expect((await claim(i.token, org.orgId)).status).toBe(200);
  });

  it("an unknown token is 404 and writes nothing, not even in the org the CLI named; a malformed one is 400", async () => {
    const org = await readyOrg();
    await settleLogs();
    const before = await storedState(org);
    const a = await claim(`wwo_${"A".repeat(43)}`, org.orgId, "198.51.100.1");
    expect(a.status).toBe(404);
    expect(a.body.error.code).toBe("unknown-token");
    await settleLogs();
    expect(await storedState(org)).toEqual(before);
    const bad = await claim("not-a-token", org.orgId);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/token/);
    expect((await claim(`wwp_${"A".repeat(43)}`, org.orgId)).status).toBe(400);
  });

  it("the alarm expires an unclaimed token after its 15 minutes: logged, streamed, and a later claim is 410 and logged", async () => {
    const org = await readyOrg();
    const i = await issued(org);
    await ageSession(i.restoreId, { expiresAt: Date.now() - 1 });
    const view = (await call("GET", `/v1/restores/${i.restoreId}`, { token: org.viewerToken })).body;
    expect(view.state).toBe("expired");
    const late = await claim(i.token, org.orgId);
    expect(late.status).toBe(410);
    expect(late.body.error).toMatchObject({ code: "expired", message: expect.stringMatching(/expired.*new one/) });
    const log = await restoreLog(org);
    expect(log.map((e) => e.type)).toEqual(["restore.token_issued", "restore.expired", "restore.claim_rejected"]);
    expect(log[2]!.data).toMatchObject({ reason: "expired" });
    expect((await call("GET", "/v1/restores", { token: org.viewerToken })).body.items[0]).toMatchObject({
      id: i.restoreId,
      state: "expired",
    });
  });
});

/** POST /v1/restores through the Worker's own fetch with another token lifetime (SELF runs with wrangler.toml's). */
async function issuedWithTtl(org: Ready, seconds: number) {
  const request = new Request("https://walwarden.test/v1/restores", {
    method: "POST",
    headers: { authorization: `Bearer ${org.operatorToken}`, "content-type": "application/json" },
    body: JSON.stringify({ backupId: org.backupId }),
  });
  const a = await worker.fetch(
    request,
    { ...env, RESTORE_TOKEN_TTL_SECONDS: String(seconds) },
    createExecutionContext(),
  );
  expect(a.status).toBe(201);
  return IssueRestoreResponseSchema.parse(await a.json());
}

describe("an expired token says how long it lived", () => {
  it.each([
    [300, "5 minutes"],
    [90, "90 seconds"],
    [900, "15 minutes"],
  ])("issued with RESTORE_TOKEN_TTL_SECONDS=%i: the refusal says %s", async (seconds, words) => {
    const org = await readyOrg();
    const i = await issuedWithTtl(org, seconds);
    const expiresAt = Date.parse(i.expiresAt);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(seconds * 1000);
    expect(expiresAt - Date.now()).toBeGreaterThan((seconds - 60) * 1000);
    // Time passes: the whole lifetime moves into the past, as issued.
    await ageSession(i.restoreId, {
      issuedAt: expiresAt - seconds * 1000 - 3_600_000,
      expiresAt: expiresAt - 3_600_000,
    });
    const late = await claim(i.token, org.orgId);
    expect(late.status).toBe(410);
    expect(late.body.error.message).toBe(
      `this restore token expired (it was valid for ${words} after it was issued); ask an operator for a new one`,
    );
  });
});

describe("transitions and progress", () => {
  it("a full restore: each transition is logged once, in order, and the history checks with the verifier", async () => {
    const org = await readyOrg();
    const { restoreId, claim: c } = await claimed(org);
    const steps = [
      { state: "downloading" },
      { state: "verifying", sha256: ARTIFACT_SHA256 },
      { state: "restoring" },
      { state: "completed", dryRun: false },
    ];
    const seqs: number[] = [];
    for (const s of steps) {
      const a = await report(restoreId, c.progressToken, s);
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      expect(a.body.state).toBe(s.state);
      seqs.push(a.body.seq);
    }
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const again = await report(restoreId, c.progressToken, { state: "completed", dryRun: false });
    expect(again.body).toEqual({ state: "completed", seq: seqs.at(-1) });
    const log = await restoreLog(org);
    expect(log.map((e) => e.type)).toEqual([
      "restore.token_issued",
      "restore.claimed",
      "restore.downloading",
      "restore.verifying",
      "restore.restoring",
      "restore.completed",
    ]);
    expect(log[3]!.data).toEqual({ restoreId, backupId: org.backupId, sha256: ARTIFACT_SHA256 });
    expect(checkRestoreHistory(log)).toEqual({ ok: true, value: "completed" });
    const row = (await call("GET", "/v1/restores", { token: org.viewerToken })).body.items[0];
    expect(row).toMatchObject({
      id: restoreId,
      state: "completed",
      dryRun: false,
      failure: null,
      finishedAt: expect.any(String),
    });
    expect(
      (await progress(restoreId, c.progressToken, { phase: "restoring", bytes: 1, totalBytes: 1, bytesPerSecond: 1 }))
        .status,
    ).toBe(409);
  });

  it("the state machine refuses skipped or backward steps, a dry-run mismatch, and a wrong credential, without logging", async () => {
    const org = await readyOrg();
    const { restoreId, claim: c } = await claimed(org);
    const before = (await restoreLog(org)).length;
    const skip = await report(restoreId, c.progressToken, { state: "restoring" });
    expect(skip.status).toBe(409);
    expect(skip.body.error).toMatchObject({
      code: "bad-transition",
      message: "a restore that is claimed cannot become restoring",
    });
    expect((await report(restoreId, `wwp_${"B".repeat(43)}`, { state: "downloading" })).status).toBe(401);
    expect((await report(restoreId, org.adminToken, { state: "downloading" })).status).toBe(401);
    expect((await report(restoreId, c.progressToken, { state: "failed" })).status).toBe(400);
    expect((await report(restoreId, c.progressToken, { state: "claimed" })).status).toBe(400);
    await report(restoreId, c.progressToken, { state: "downloading" });
    await report(restoreId, c.progressToken, { state: "verifying", sha256: ARTIFACT_SHA256 });
    const notDry = await report(restoreId, c.progressToken, { state: "completed", dryRun: false });
    expect(notDry.status).toBe(409);
    expect(notDry.body.error.message).toMatch(/only a dry run/);
    expect((await restoreLog(org)).length).toBe(before + 2);
    const dry = await report(restoreId, c.progressToken, { state: "completed", dryRun: true });
    expect(dry.status).toBe(200);
    expect(checkRestoreHistory(await restoreLog(org))).toEqual({ ok: true, value: "completed" });
  });

  it("a failure is logged with its stage and reason and shows on the restore", async () => {
    const org = await readyOrg();
    const { restoreId, claim: c } = await claimed(org);
    await report(restoreId, c.progressToken, { state: "downloading" });
    const reason = 'pg_restore: error: could not execute query: ERROR:  relation "orders" already exists';
    expect((await report(restoreId, c.progressToken, { state: "failed", stage: "restore", reason })).status).toBe(200);
    expect((await restoreLog(org)).at(-1)).toMatchObject({
      type: "restore.failed",
      data: { stage: "restore", reason },
    });
    const view = (await call("GET", `/v1/restores/${restoreId}`, { token: org.viewerToken })).body;
    expect(view).toMatchObject({ state: "failed", failure: { stage: "restore", reason } });
    expect((await report(restoreId, c.progressToken, { state: "restoring" })).status).toBe(409);
  });

  it("a claimed restore whose CLI goes silent is failed as abandoned by the alarm", async () => {
    const org = await readyOrg();
    const { restoreId, claim: c } = await claimed(org);
    await report(restoreId, c.progressToken, { state: "downloading" });
    await ageSession(restoreId, { lastActivityAt: Date.now() - 601_000 });
    expect((await restoreLog(org)).at(-1)).toMatchObject({
      type: "restore.failed",
      actor: "system:restore-session",
      data: { stage: "abandoned" },
    });
  });

  it("another org cannot read a restore or follow its events", async () => {
    const org = await readyOrg();
    const other = await readyOrg();
    const { restoreId } = await issued(org);
    expect((await call("GET", `/v1/restores/${restoreId}`, { token: other.adminToken })).status).toBe(404);
    expect((await call("GET", `/v1/restores/${restoreId}/events`, { token: other.adminToken })).status).toBe(404);
    expect((await call("GET", "/v1/restores", { token: other.adminToken })).body.items).toEqual([]);
    expect((await call("GET", `/v1/restores/${restoreId}/events`)).status).toBe(401);
  });
});

describe("live progress over Server-Sent Events", () => {
  it("streams transitions (with ids) and progress (without), replays after Last-Event-ID, and ends at a terminal state", async () => {
    const org = await readyOrg();
    const { restoreId, claim: c } = await claimed(org);
    const live = await subscribe(restoreId, org.viewerToken);
    expect(live.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = readEvents(live);
    await report(restoreId, c.progressToken, { state: "downloading" });
    expect(
      (
        await progress(restoreId, c.progressToken, {
          phase: "downloading",
          bytes: 1024,
          totalBytes: 4096,
          bytesPerSecond: 512,
        })
      ).status,
    ).toBe(202);
    await report(restoreId, c.progressToken, { state: "verifying", sha256: ARTIFACT_SHA256 });
    const logBefore = (await restoreLog(org)).length;
    await report(restoreId, c.progressToken, { state: "completed", dryRun: true });
    const got = await events;
    expect(got.map((e) => `${e.event}:${e.id ?? "-"}`)).toEqual([
      "transition:1",
      "transition:2",
      "transition:3",
      "progress:-",
      "transition:4",
      "transition:5",
    ]);
    const transitions = got
      .filter((e) => e.event === "transition")
      .map((e) => TransitionEventSchema.parse(JSON.parse(e.data)));
    expect(transitions.map((t) => t.state)).toEqual(["issued", "claimed", "downloading", "verifying", "completed"]);
    expect(JSON.parse(got[3]!.data)).toMatchObject({
      restoreId,
      phase: "downloading",
      bytes: 1024,
      totalBytes: 4096,
      bytesPerSecond: 512,
    });
    expect((await restoreLog(org)).length).toBe(logBefore + 1);
    const replay = await readEvents(await subscribe(restoreId, org.viewerToken, "3"));
    expect(replay.map((e) => e.id)).toEqual(["4", "5"]);
  });

  it("100 concurrent subscribers each see every transition, in order", async () => {
    const org = await readyOrg();
    const { restoreId, claim: c } = await claimed(org);
    // One token holds at most MAX_STREAMS_PER_PRINCIPAL streams (test/sse-limits.test.ts): 25 tokens × 4.
    const tokens = await viewerTokens(org, 25);
    const streams = await Promise.all(Array.from({ length: 100 }, (_, i) => subscribe(restoreId, tokens[i % 25]!)));
    const all = Promise.all(streams.map(readEvents));
    for (const s of [
      { state: "downloading" },
      { state: "verifying", sha256: ARTIFACT_SHA256 },
      { state: "restoring" },
      { state: "completed", dryRun: false },
    ])
      expect((await report(restoreId, c.progressToken, s)).status).toBe(200);
    const seen = await all;
    const expected = ["issued", "claimed", "downloading", "verifying", "restoring", "completed"];
    for (const events of seen)
      expect(
        events.filter((e: SseEvent) => e.event === "transition").map((e: SseEvent) => JSON.parse(e.data).state),
      ).toEqual(expected);
  });

  it("sends heartbeat comments while idle, and refuses viewers past the cap", async () => {
    const org = await readyOrg();
    const { restoreId } = await issued(org);
    const cap = Number(env.RESTORE_MAX_SUBSCRIBERS);
    const tokens = await viewerTokens(org, cap / 4 + 1);
    const streams = await Promise.all(
      Array.from({ length: cap }, (_, i) => subscribe(restoreId, tokens[i % (cap / 4)]!)),
    );
    // A principal with no stream yet is refused too: the restore is full.
    const over = await call("GET", `/v1/restores/${restoreId}/events`, { token: tokens.at(-1)! });
    expect(over.status).toBe(503);
    expect(over.body.error.message).toMatch(new RegExp(`${cap} live viewers`));
    const reader = streams[0]!.body!.getReader();
    let text = "";
    while (!text.includes(": heartbeat")) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/^retry: 2000\n\nid: 1\nevent: transition\n/);
    await reader.cancel();
    for (const s of streams.slice(1)) await s.body!.cancel();
  });
});

describe("a stranger's junk claims", () => {
  const junk = () => newSecret("wwo");

  it("30 claims with random tokens and a real org id write nothing to that org's log or D1, and the address is limited after 20", async () => {
    const org = await readyOrg();
    await settleLogs();
    const before = await storedState(org);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await claim(junk(), org.orgId, "203.0.113.7")).status);
    expect(statuses.filter((s) => s === 404)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual(Array(10).fill(429));
    await settleLogs();
    expect(await storedState(org)).toEqual(before);
  });

  it("does not starve an operator with a real token, from the same address or from a client without the header", async () => {
    const org = await readyOrg();
    for (let i = 0; i < 21; i++) await claim(junk(), org.orgId, "203.0.113.8");
    for (let i = 0; i < 21; i++) await claim(junk(), org.orgId);
    expect((await claim(junk(), org.orgId, "203.0.113.8")).status).toBe(429);
    const fromSameAddress = await issued(org);
    expect((await claim(fromSameAddress.token, org.orgId, "203.0.113.8")).status).toBe(200);
    const withoutHeader = await issued(org);
    expect((await claim(withoutHeader.token, org.orgId)).status).toBe(200);
  });

  it("a used token replayed from many addresses is limited by its hash: 10 claims a minute, the rest refused and not logged", async () => {
    const org = await readyOrg();
    const { token } = await claimed(org);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await claim(token, org.orgId, `192.0.2.${i + 1}`)).status);
    // The first claim (in claimed()) counted too: 9 more refusals as already-claimed, then 429.
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(409));
    expect(statuses.slice(9)).toEqual(Array(11).fill(429));
    expect((await restoreLog(org)).filter((e) => e.type === "restore.claim_rejected")).toHaveLength(9);
  });
});
