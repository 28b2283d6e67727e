import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { checkRestoreHistory, decodeEntry, type LogEntry } from "@walwarden/verifier";
import {
  CancelRestoreResponseSchema,
  IssueRestoreResponseSchema,
  RestorePageSchema,
  RestoreViewSchema,
  TransitionEventSchema,
} from "@walwarden/verifier/wire";
import { restoreNames } from "../src/restores/restore-names.js";
import { ARTIFACT_SHA256 } from "./support/backup-result.js";
import { call, cookieOf, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { claim, claimed, issue, issued, readyOrg, report, type Ready } from "./support/restore-calls.js";
import { readEvents, subscribe } from "./support/sse.js";
import { dumpD1, dumpLedger } from "./support/storage-dump.js";

// Cancelling a restore (POST /v1/restores/:id/cancel, SPEC §7 restore state machine: issued → cancelled):
// an operator revokes a token no CLI has claimed; it is logged as restore.cancelled with the operator as
// actor, streamed, and a later claim is refused with a message that says so (and logged as a rejected
// claim). A claimed, finished or expired restore is never cancelled. Also the names a restore is shown with
// (its database's, its issuer's) and the dry-run command.

async function restoreLog(org: Org): Promise<LogEntry[]> {
  return (await logEntries(org.viewerToken))
    .map((t) => decodeEntry(new TextEncoder().encode(t)))
    .map((d) => (d.ok ? d.value : (null as never)))
    .filter((e) => e.type.startsWith("restore."));
}

const cancel = (restoreId: string, token: string) => call("POST", `/v1/restores/${restoreId}/cancel`, { token });

/** D1 (less api_tokens, whose last_used_at every call moves) and the org's Ledger. */
async function storedState(org: Org) {
  const { api_tokens: _used, ...d1 } = await dumpD1();
  return { d1, ledger: await dumpLedger(org.orgId) };
}

/** The id of the API token a bearer secret belongs to, as the log names it (`token:<id>`). */
async function tokenActor(org: Org, role: string): Promise<string> {
  const tokens = (await call("GET", "/v1/tokens", { token: org.adminToken })).body.items as {
    id: string;
    name: string;
  }[];
  return `token:${tokens.find((t) => t.name === `${role} token`)!.id}`;
}

describe("cancelling a restore", () => {
  it("an operator cancels an issued restore: logged with the operator as actor, streamed, terminal, and the history checks", async () => {
    const org = await readyOrg();
    const i = await issued(org);
    const stream = await subscribe(i.restoreId, org.viewerToken);
    const a = await cancel(i.restoreId, org.operatorToken);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    const answer = CancelRestoreResponseSchema.parse(a.body);
    expect(answer.state).toBe("cancelled");

    const log = await restoreLog(org);
    expect(log.map((e) => e.type)).toEqual(["restore.token_issued", "restore.cancelled"]);
    expect(log[1]).toMatchObject({
      seq: answer.seq,
      actor: await tokenActor(org, "operator"),
      subject: `restore:${i.restoreId}`,
      data: { restoreId: i.restoreId, backupId: org.backupId },
    });
    expect(checkRestoreHistory(log)).toEqual({ ok: true, value: "cancelled" });

    // The stream a viewer had open hears it and ends (cancelled is terminal).
    const events = (await readEvents(stream)).filter((e) => e.event === "transition");
    expect(events.map((e) => TransitionEventSchema.parse(JSON.parse(e.data)).state)).toEqual(["issued", "cancelled"]);

    const view = RestoreViewSchema.parse(
      (await call("GET", `/v1/restores/${i.restoreId}`, { token: org.viewerToken })).body,
    );
    expect(view).toMatchObject({ state: "cancelled", claimedAt: null, failure: null });
    expect(view.finishedAt).not.toBeNull();
    expect(view.transitions.map((t) => t.state)).toEqual(["issued", "cancelled"]);
    const list = RestorePageSchema.parse((await call("GET", "/v1/restores", { token: org.viewerToken })).body);
    expect(list.items[0]).toMatchObject({ id: i.restoreId, state: "cancelled", finishedAt: view.finishedAt });
  });

  it("the CLI's claim of a cancelled restore is refused with a message that says it was cancelled, and logged", async () => {
    const org = await readyOrg();
    const i = await issued(org);
    expect((await cancel(i.restoreId, org.operatorToken)).status).toBe(200);
    const late = await claim(i.token, org.orgId);
    expect(late.status).toBe(410);
    expect(late.body.error).toEqual({
      code: "cancelled",
      message:
        "this restore was cancelled in the dashboard before it was claimed, so its token no longer works; ask an operator to issue a new one",
    });
    expect(late.body).not.toHaveProperty("progressToken");
    const log = await restoreLog(org);
    expect(log.map((e) => e.type)).toEqual(["restore.token_issued", "restore.cancelled", "restore.claim_rejected"]);
    expect(log[2]!.data).toMatchObject({ restoreId: i.restoreId, reason: "cancelled" });
    expect((await call("GET", `/v1/restores/${i.restoreId}`, { token: org.viewerToken })).body.state).toBe("cancelled");
  });

  it("cancelling again answers the same and logs nothing more", async () => {
    const org = await readyOrg();
    const i = await issued(org);
    const first = await cancel(i.restoreId, org.operatorToken);
    const before = await storedState(org);
    const again = await cancel(i.restoreId, org.adminToken);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await storedState(org)).toEqual(before);
  });

  it("is refused once claimed (409), and for a finished or expired restore; the refusal changes nothing", async () => {
    const org = await readyOrg();
    const c = await claimed(org);
    const before = await storedState(org);
    const refused = await cancel(c.restoreId, org.operatorToken);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({
      code: "conflict",
      message:
        "the CLI has already claimed this restore (it is claimed): a claimed restore cannot be cancelled; stop the CLI on its machine",
    });
    expect(await storedState(org)).toEqual(before);

    // Mid-way and finished.
    const progress = c.claim.progressToken;
    expect((await report(c.restoreId, progress, { state: "downloading" })).status).toBe(200);
    expect((await cancel(c.restoreId, org.operatorToken)).body.error.message).toMatch(/it is downloading/);
    await report(c.restoreId, progress, { state: "verifying", sha256: ARTIFACT_SHA256 });
    await report(c.restoreId, progress, { state: "completed", dryRun: true });
    const done = await cancel(c.restoreId, org.operatorToken);
    expect(done.status).toBe(409);
    expect(done.body.error.message).toBe("the restore has already completed");

    // An unclaimed token past its expiry (before or after the alarm ran) is expired, not cancelled.
    const late = await issued(org);
    const stub = env.RESTORE_SESSION.get(env.RESTORE_SESSION.idFromName(late.restoreId));
    await runInDurableObject(stub, (instance, state) => {
      state.storage.sql.exec(`UPDATE restore SET record = json_set(record, '$.expiresAt', ?)`, Date.now() - 1);
      (instance as unknown as { cached: unknown }).cached = undefined;
    });
    const expired = await cancel(late.restoreId, org.operatorToken);
    expect(expired.status).toBe(409);
    expect(expired.body.error.message).toMatch(/expired before it was cancelled/);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await cancel(late.restoreId, org.operatorToken)).status).toBe(409);
    const lateLog = (await restoreLog(org)).filter(
      (e) => (e.data as { restoreId: string }).restoreId === late.restoreId,
    );
    expect(lateLog.map((e) => e.type)).toEqual(["restore.token_issued", "restore.expired"]);
  });

  it("a viewer may not cancel (403), another org's or an unknown restore is 404; none of them writes anything", async () => {
    const org = await readyOrg();
    const other = await makeOrg();
    const i = await issued(org);
    const before = await storedState(org);
    expect((await cancel(i.restoreId, org.viewerToken)).status).toBe(403);
    expect((await cancel(i.restoreId, other.operatorToken)).status).toBe(404);
    expect((await cancel("rs_nothing_here", org.operatorToken)).status).toBe(404);
    expect((await call("POST", `/v1/restores/${i.restoreId}/cancel`)).status).toBe(401);
    expect(await storedState(org)).toEqual(before);
    // Still claimable by its own CLI.
    expect((await claim(i.token, org.orgId)).status).toBe(200);
  });

  it("a claim and a cancel at once: exactly one wins, and the log follows the state machine", async () => {
    for (let round = 0; round < 4; round++) {
      const org = await readyOrg();
      const i = await issued(org);
      const [c, x] = await Promise.all([claim(i.token, org.orgId), cancel(i.restoreId, org.operatorToken)]);
      const wins = [c.status === 200, x.status === 200];
      expect(wins.filter(Boolean), JSON.stringify([c.body, x.body])).toHaveLength(1);
      if (c.status === 200) expect(x.status).toBe(409);
      else expect(c.body.error.code).toBe("cancelled");
      const log = await restoreLog(org);
      const history = checkRestoreHistory(log.filter((e) => e.type !== "restore.claim_rejected"));
      expect(history).toEqual({ ok: true, value: c.status === 200 ? "claimed" : "cancelled" });
    }
  });
});

describe("a restore's names and a dry run's command", () => {
  it("lists and shows the database's name and who issued it (a token's name, a user's email) to a viewer too", async () => {
    const org = await readyOrg();
    const byToken = await issued(org);
    // An operator signed in to the dashboard.
    const operator = { email: `operator.${Date.now()}@example.test`, password: "a long operator password" };
    const made = await call("POST", "/v1/users", { token: org.adminToken, json: { ...operator, role: "operator" } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const cookie = cookieOf(await call("POST", "/v1/auth/login", { json: operator }));
    const a = await call("POST", "/v1/restores", { cookie, json: { backupId: org.backupId } });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const byUser = IssueRestoreResponseSchema.parse(a.body);

    const list = RestorePageSchema.parse((await call("GET", "/v1/restores", { token: org.viewerToken })).body);
    const row = (id: string) => list.items.find((r) => r.id === id)!;
    expect(row(byToken.restoreId)).toMatchObject({
      databaseName: "main",
      issuedBy: await tokenActor(org, "operator"),
      issuedByName: "operator token",
    });
    expect(row(byUser.restoreId)).toMatchObject({
      databaseName: "main",
      issuedBy: `user:${made.body.id}`,
      issuedByName: operator.email,
    });
    const view = RestoreViewSchema.parse(
      (await call("GET", `/v1/restores/${byUser.restoreId}`, { token: org.viewerToken })).body,
    );
    expect(view).toMatchObject({ databaseName: "main", issuedByName: operator.email });

    // A renamed database is shown by its name now; a removed user by no name (the actor id stays).
    await call("PATCH", `/v1/databases/${org.databaseId}`, { token: org.adminToken, json: { name: "orders" } });
    expect((await call("DELETE", `/v1/users/${made.body.id}`, { token: org.adminToken })).status).toBe(204);
    const after = RestoreViewSchema.parse(
      (await call("GET", `/v1/restores/${byUser.restoreId}`, { token: org.viewerToken })).body,
    );
    expect(after).toMatchObject({ databaseName: "orders", issuedBy: `user:${made.body.id}`, issuedByName: null });
    // Another org's names never leak in: its restores list only its own.
    const other = await readyOrg();
    const theirs = RestorePageSchema.parse((await call("GET", "/v1/restores", { token: other.viewerToken })).body);
    expect(theirs.items).toEqual([]);
  });

  it("names a page of 200 restores at once: their databases and issuers go to D1 as one parameter each, not 200", async () => {
    const org = await readyOrg();
    const i = await issued(org);
    const actor = await tokenActor(org, "operator");
    const rows = [
      { databaseId: org.databaseId, issuedBy: actor },
      ...Array.from({ length: 199 }, (_, n) => ({ databaseId: `db_gone_${n}`, issuedBy: `user:usr_gone_${n}` })),
    ];
    const names = await restoreNames(env, org.orgId, rows);
    expect(names(rows[0]!)).toEqual({ databaseName: "main", issuedByName: "operator token" });
    expect(names(rows[150]!)).toEqual({ databaseName: null, issuedByName: null });
    // Another org's ids are never named.
    const other = await makeOrg();
    expect((await restoreNames(env, other.orgId, rows))(rows[0]!)).toEqual({ databaseName: null, issuedByName: null });
    expect(i.restoreId).toMatch(/^rs_/);
  });

  it("a dry run's command has --dry-run and names no target; the default command is unchanged", async () => {
    const org: Ready = await readyOrg();
    const dry = await call("POST", "/v1/restores", {
      token: org.operatorToken,
      json: { backupId: org.backupId, dryRun: true },
    });
    expect(dry.status).toBe(201);
    const d = IssueRestoreResponseSchema.parse(dry.body);
    expect(d.command).toBe(
      `walwarden restore --api https://walwarden.test --org ${org.orgId} --token ${d.token} --dry-run`,
    );
    const plain = IssueRestoreResponseSchema.parse((await issue(org)).body);
    expect(plain.command).toMatch(/ --target "\$TARGET_DATABASE_URL"$/);
    const bad = await call("POST", "/v1/restores", {
      token: org.operatorToken,
      json: { backupId: org.backupId, dryRun: "yes" },
    });
    expect(bad.status).toBe(400);
  });
});
