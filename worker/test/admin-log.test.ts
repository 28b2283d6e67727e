// Every admin action is a typed log entry with its actor and subject (SPEC §7, admin actions): users and
// roles, API tokens, runners, bucket credentials, databases and schedules. Refused actions log nothing,
// no secret reaches the log, and an evidence bundle's report lists the period's access changes.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BundlePaths, decodeEntry, type LogEntry, readBundle } from "@walwarden/verifier";
import { call, cookieOf, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { dumpD1, dumpLedger, settleLogs } from "./support/storage-dump.js";

const decoded = async (token: string): Promise<LogEntry[]> =>
  (await logEntries(token)).map((text) => {
    const e = decodeEntry(new TextEncoder().encode(text));
    if (!e.ok) throw new Error(e.message);
    return e.value;
  });

/** The log entries appended by `act`, decoded. */
async function appendedBy(org: Org, act: () => Promise<unknown>): Promise<LogEntry[]> {
  const before = (await logEntries(org.adminToken)).length;
  await act();
  return (await decoded(org.adminToken)).slice(before);
}

/** The actor string of the org's admin token (`token:<id>`). */
async function adminActor(org: Org): Promise<string> {
  const tokens = await call("GET", "/v1/tokens?limit=100", { token: org.adminToken });
  const admin = tokens.body.items.find((t: { name: string }) => t.name === "admin token");
  return `token:${admin.id}`;
}

describe("admin actions in the log", () => {
  it("the org's first admin is logged when the org is created", async () => {
    const org = await makeOrg();
    const entries = await decoded(org.adminToken);
    const created = entries.filter((e) => e.type === "user.created");
    expect(created[0]).toMatchObject({ actor: "system:create-org", data: { role: "admin" } });
    expect(created[0]!.subject).toBe(`user:${(created[0]!.data as { userId: string }).userId}`);
  });

  it("users: created, role changed, removed; the password never logged", async () => {
    const org = await makeOrg();
    const actor = await adminActor(org);
    const password = "a password that must never be logged";
    let userId = "";
    const entries = await appendedBy(org, async () => {
      const u = await call("POST", "/v1/users", {
        token: org.adminToken,
        json: { email: "new.user@example.test", password, role: "viewer" },
      });
      expect(u.status).toBe(201);
      userId = u.body.id;
      expect(
        (await call("PATCH", `/v1/users/${userId}`, { token: org.adminToken, json: { role: "operator" } })).status,
      ).toBe(200);
      expect((await call("DELETE", `/v1/users/${userId}`, { token: org.adminToken })).status).toBe(204);
    });
    expect(entries.map((e) => [e.type, e.actor, e.subject, e.data])).toEqual([
      ["user.created", actor, `user:${userId}`, { userId, email: "new.user@example.test", role: "viewer" }],
      [
        "user.role_changed",
        actor,
        `user:${userId}`,
        { userId, email: "new.user@example.test", previousRole: "viewer", role: "operator" },
      ],
      ["user.removed", actor, `user:${userId}`, { userId, email: "new.user@example.test", role: "operator" }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(password);
  });

  it("a role set to what it already is changes nothing and logs nothing", async () => {
    const org = await makeOrg();
    const u = await call("POST", "/v1/users", {
      token: org.adminToken,
      json: { email: "same.role@example.test", password: "long enough password", role: "viewer" },
    });
    const entries = await appendedBy(org, () =>
      call("PATCH", `/v1/users/${u.body.id}`, { token: org.adminToken, json: { role: "viewer" } }),
    );
    expect(entries).toEqual([]);
  });

  it("API tokens and runners: created with the secret's SHA-256 only, revoked once", async () => {
    const org = await makeOrg();
    const actor = await adminActor(org);
    let token = "";
    let tokenId = "";
    let runnerToken = "";
    let runnerId = "";
    const entries = await appendedBy(org, async () => {
      const t = await call("POST", "/v1/tokens", { token: org.adminToken, json: { name: "ci", role: "operator" } });
      ({ token, id: tokenId } = t.body);
      const r = await call("POST", "/v1/runners", { token: org.adminToken, json: { name: "vpc runner" } });
      ({ token: runnerToken, id: runnerId } = r.body);
      expect((await call("DELETE", `/v1/tokens/${tokenId}`, { token: org.adminToken })).status).toBe(204);
      expect((await call("DELETE", `/v1/runners/${runnerId}`, { token: org.adminToken })).status).toBe(204);
      // A second revoke is a 404 and logs nothing more.
      expect((await call("DELETE", `/v1/tokens/${tokenId}`, { token: org.adminToken })).status).toBe(404);
      expect((await call("DELETE", `/v1/runners/${runnerId}`, { token: org.adminToken })).status).toBe(404);
    });
    const sha = async (s: string) =>
      [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)))]
        .map((b) => b.toString(16).padStart(2, "0"))
        .join("");
    expect(entries.map((e) => [e.type, e.actor, e.subject, e.data])).toEqual([
      [
        "token.created",
        actor,
        `token:${tokenId}`,
        { tokenId, name: "ci", role: "operator", tokenSha256: await sha(token) },
      ],
      [
        "runner.registered",
        actor,
        `runner:${runnerId}`,
        { runnerId, name: "vpc runner", tokenSha256: await sha(runnerToken) },
      ],
      ["token.revoked", actor, `token:${tokenId}`, { tokenId, name: "ci", role: "operator" }],
      ["runner.revoked", actor, `runner:${runnerId}`, { runnerId, name: "vpc runner" }],
    ]);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(token);
    expect(text).not.toContain(runnerToken);
  });

  it("bucket credentials: set, replaced and removed, with neither the secret nor the key id in the log", async () => {
    const org = await makeOrg();
    const secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const accessKeyId = "AKIAEXAMPLEKEYID0001";
    const body = { region: "eu-west-1", accessKeyId, secretAccessKey, forcePathStyle: false };
    const entries = await appendedBy(org, async () => {
      expect((await call("PUT", "/v1/buckets/acme-backups", { token: org.adminToken, json: body })).status).toBe(200);
      expect((await call("PUT", "/v1/buckets/acme-backups", { token: org.adminToken, json: body })).status).toBe(200);
      expect((await call("DELETE", "/v1/buckets/acme-backups", { token: org.adminToken })).status).toBe(204);
      expect((await call("DELETE", "/v1/buckets/acme-backups", { token: org.adminToken })).status).toBe(404);
    });
    expect(entries.map((e) => [e.type, e.subject, (e.data as { replaced?: boolean }).replaced])).toEqual([
      ["bucket.credential_set", "bucket:acme-backups", false],
      ["bucket.credential_set", "bucket:acme-backups", true],
      ["bucket.credential_removed", "bucket:acme-backups", undefined],
    ]);
    expect(entries[0]!.data).toMatchObject({ bucket: "acme-backups", region: "eu-west-1", endpoint: null });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(secretAccessKey);
    expect(text).not.toContain(accessKeyId);
  });

  it("databases and schedules: created, updated and deleted with the values after the change", async () => {
    const org = await makeOrg();
    const actor = await adminActor(org);
    let dbId = "";
    let scheduleId = "";
    const entries = await appendedBy(org, async () => {
      dbId = (
        await call("POST", "/v1/databases", { token: org.adminToken, json: { name: "orders", provider: "supabase" } })
      ).body.id;
      scheduleId = (
        await call("POST", "/v1/schedules", {
          token: org.adminToken,
          json: { databaseId: dbId, cron: "0 * * * *", timezone: "UTC", targetRpoMinutes: 90 },
        })
      ).body.id;
      await call("PATCH", `/v1/schedules/${scheduleId}`, { token: org.adminToken, json: { cron: "*/15 * * * *" } });
      await call("PATCH", `/v1/databases/${dbId}`, { token: org.adminToken, json: { name: "orders-eu" } });
      const second = await call("POST", "/v1/schedules", {
        token: org.adminToken,
        json: { databaseId: dbId, cron: "0 3 * * *", targetRpoMinutes: 1500 },
      });
      await call("DELETE", `/v1/schedules/${second.body.id}`, { token: org.adminToken });
      expect((await call("DELETE", `/v1/databases/${dbId}`, { token: org.adminToken })).status).toBe(204);
    });
    expect(entries.map((e) => [e.type, e.actor])).toEqual([
      ["database.created", actor],
      ["schedule.created", actor],
      ["schedule.updated", actor],
      ["database.updated", actor],
      ["schedule.created", actor],
      ["schedule.deleted", actor],
      ["database.deleted", actor],
    ]);
    expect(entries[2]).toMatchObject({
      subject: `schedule:${scheduleId}`,
      data: { scheduleId, databaseId: dbId, cron: "*/15 * * * *", targetRpoMinutes: 90, enabled: true },
    });
    expect(entries[3]!.data).toEqual({ databaseId: dbId, name: "orders-eu", provider: "supabase" });
    expect(entries[6]!.data).toEqual({ databaseId: dbId, name: "orders-eu", schedulesRemoved: [scheduleId] });
  });

  it("refused admin actions (the last admin, unknown ids, bad input, too weak a role) change and log nothing", async () => {
    const org = await makeOrg();
    const me = await call("GET", "/v1/users?limit=100", { token: org.adminToken });
    const onlyAdmin = me.body.items.find((u: { role: string }) => u.role === "admin");
    await settleLogs();
    const d1 = await dumpD1();
    const ledger = await dumpLedger(org.orgId);
    const answers = [
      await call("PATCH", `/v1/users/${onlyAdmin.id}`, { token: org.adminToken, json: { role: "viewer" } }),
      await call("DELETE", `/v1/users/${onlyAdmin.id}`, { token: org.adminToken }),
      await call("DELETE", "/v1/tokens/tok_nope", { token: org.adminToken }),
      await call("DELETE", "/v1/runners/rnr_nope", { token: org.adminToken }),
      await call("DELETE", "/v1/databases/db_nope", { token: org.adminToken }),
      await call("DELETE", "/v1/schedules/sch_nope", { token: org.adminToken }),
      await call("DELETE", "/v1/buckets/no-such-bucket", { token: org.adminToken }),
      await call("POST", "/v1/schedules", {
        token: org.adminToken,
        json: { databaseId: org.databaseId, cron: "not a cron", targetRpoMinutes: 60 },
      }),
      await call("POST", "/v1/tokens", { token: org.operatorToken, json: { name: "sneaky", role: "admin" } }),
      await call("POST", "/v1/databases", { token: org.viewerToken, json: { name: "x", provider: "neon" } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([409, 409, 404, 404, 404, 404, 404, 400, 403, 403]);
    await settleLogs();
    expect(await dumpLedger(org.orgId)).toEqual(ledger);
    // Authenticating a token stamps its last use; nothing else may change.
    const unstamped = (dump: Record<string, string>) => ({
      ...dump,
      api_tokens: JSON.stringify(JSON.parse(dump.api_tokens!).map((t: object) => ({ ...t, last_used_at: null }))),
    });
    expect(unstamped(await dumpD1())).toEqual(unstamped(d1));
  });

  it("a signed-in user's actions carry user:<id> as the actor", async () => {
    const org = await makeOrg();
    const email = "second.admin@example.test";
    const password = "a long enough password";
    await call("POST", "/v1/users", { token: org.adminToken, json: { email, password, role: "admin" } });
    const cookie = cookieOf(await call("POST", "/v1/auth/login", { json: { email, password } }));
    const me = await call("GET", "/v1/auth/me", { cookie });
    const entries = await appendedBy(org, () =>
      call("POST", "/v1/runners", {
        cookie,
        headers: { origin: "https://walwarden.test" },
        json: { name: "from the dashboard" },
      }),
    );
    expect(entries.map((e) => [e.type, e.actor])).toEqual([["runner.registered", `user:${me.body.principal.id}`]]);
  });
});

describe("the evidence report lists the period's access and configuration changes", () => {
  it("report.html names each change, who made it and to whom", async () => {
    const org = await makeOrg();
    const from = new Date(Date.now() - 60_000).toISOString();
    const u = await call("POST", "/v1/users", {
      token: org.adminToken,
      json: { email: "auditor.sees.me@example.test", password: "long enough password", role: "viewer" },
    });
    await call("PATCH", `/v1/users/${u.body.id}`, { token: org.adminToken, json: { role: "admin" } });
    await call("POST", "/v1/schedules", {
      token: org.adminToken,
      json: { databaseId: org.databaseId, cron: "0 2 * * *", targetRpoMinutes: 1500 },
    });
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await SELF.fetch("https://walwarden.test/v1/evidence", {
      method: "POST",
      headers: { authorization: `Bearer ${org.viewerToken}`, "content-type": "application/json" },
      body: JSON.stringify({ from, to }),
    });
    expect(res.status).toBe(200);
    const files = readBundle(new Uint8Array(await res.arrayBuffer()));
    if (!files.ok) throw new Error(files.message);
    const report = new TextDecoder().decode(files.value.get(BundlePaths.report)!);
    const access = report.slice(
      report.indexOf("<h2>Access changes</h2>"),
      report.indexOf("<h2>Configuration changes</h2>"),
    );
    expect(access, report).toContain("user.created");
    expect(access).toContain("auditor.sees.me@example.test (viewer)");
    expect(access).toContain("auditor.sees.me@example.test: viewer → admin");
    expect(access).toContain("token.created");
    expect(access).toContain("runner.registered");
    const config = report.slice(report.indexOf("<h2>Configuration changes</h2>"), report.indexOf("<h2>How to verify"));
    expect(config).toContain("database.created");
    expect(config).toContain("schedule.created");
    expect(config).toContain("0 2 * * * UTC, RPO 1500 min, enabled");
  });
});
