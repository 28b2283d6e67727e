// Alert channels through the real API in workerd: an admin makes them (a webhook's signing secret is shown
// once), nobody reads a target back, every change is logged with the target only as its SHA-256, refused
// URLs change nothing, and the queue consumer's outcome is recorded in the delivery history without the
// URL or the secret. (This Worker's outbound fetches are answered 503 by the test pool: no network here;
// worker/e2e/ delivers to real receivers.)
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeEntry, utf8 } from "@walwarden/verifier";
import { ChannelSchema, CreatedChannelSchema, DeliveryListSchema, DeliveryPageSchema } from "@walwarden/verifier/wire";
import { deliverOne } from "../src/alerts/consume.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { dumpD1, dumpLedger } from "./support/storage-dump.js";

const SLACK = "https://hooks.slack.com/services/T0000/B0000/xoxbSECRETslackTOKEN";

/** Everything D1 and the org's Ledger hold, as text. */
const dumpStorage = async (orgId: string) => JSON.stringify({ d1: await dumpD1(), ledger: await dumpLedger(orgId) });

const create = (org: Org, json: unknown, token = org.adminToken) => call("POST", "/v1/alert-channels", { token, json });

/** The org's alert.channel_* log entries. */
async function channelLog(org: Org) {
  return (await logEntries(org.adminToken))
    .map((t) => decodeEntry(utf8(t)))
    .flatMap((e) => (e.ok && e.value.type.startsWith("alert.channel_") ? [e.value] : []));
}

describe("alert channels", () => {
  it("a webhook channel: its secret shown once, its URL never answered or logged, its target's SHA-256 logged", async () => {
    const org = await makeOrg();
    const made = await create(org, {
      name: "on-call",
      target: { kind: "webhook", url: "https://hooks.example.com/walwarden?token=abc123secret" },
      conditions: ["backup.failed", "backup.missed"],
      minSeverity: "critical",
      repeatMinutes: 60,
    });
    expect(made.status).toBe(201);
    const channel = CreatedChannelSchema.parse(made.body);
    expect(channel).toMatchObject({
      kind: "webhook",
      targetHint: "webhook to hooks.example.com",
      conditions: ["backup.failed", "backup.missed"],
      minSeverity: "critical",
      repeatMinutes: 60,
      enabled: true,
    });
    expect(channel.webhookSecret).toMatch(/^whsec_/);
    const read = await call("GET", `/v1/alert-channels/${channel.id}`, { token: org.viewerToken });
    const { webhookSecret, ...shown } = channel;
    expect(ChannelSchema.parse(read.body)).toEqual(shown);
    expect(JSON.stringify(read.body)).not.toContain("abc123secret");
    expect(JSON.stringify(read.body)).not.toContain(webhookSecret!);
    const [entry] = await channelLog(org);
    expect(entry).toMatchObject({
      type: "alert.channel_created",
      subject: `channel:${channel.id}`,
      data: { channelId: channel.id, kind: "webhook", minSeverity: "critical" },
    });
    expect((entry!.data as { targetSha256: string }).targetSha256).toMatch(/^[0-9a-f]{64}$/);
    // Nowhere in D1 or the log in the clear: the target is sealed.
    const dump = await dumpStorage(org.orgId);
    expect(dump).not.toContain("abc123secret");
    expect(dump).not.toContain(channel.webhookSecret!.slice(6));
  });

  it("refuses loopback, private, link-local and http URLs, userinfo, and a viewer or operator, writing nothing", async () => {
    const org = await makeOrg();
    const before = await dumpStorage(org.orgId);
    for (const url of [
      "http://hooks.example.com/x",
      "https://127.0.0.1/x",
      "https://localhost:8080/x",
      "https://10.1.2.3/x",
      "https://192.168.0.10/x",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/x",
      "https://0x7f.1/x",
      "https://user:pass@hooks.example.com/x",
    ]) {
      const r = await create(org, { name: "bad", target: { kind: "webhook", url: `${url}?token=s3cr3t` } });
      expect(r.status, url).toBe(400);
      expect(r.body.error.message).toMatch(/^invalid body: target\.url: /);
      expect(r.body.error.message).not.toContain("s3cr3t");
    }
    expect((await create(org, { name: "x", target: { kind: "slack", url: SLACK } }, org.operatorToken)).status).toBe(
      403,
    );
    expect((await create(org, { name: "x", target: { kind: "slack", url: SLACK } }, org.viewerToken)).status).toBe(403);
    expect(await dumpStorage(org.orgId)).toBe(before);
  });

  it("PATCH changes what it is given (a new target gets a new secret), DELETE logs and removes; another org sees none", async () => {
    const org = await makeOrg();
    const other = await makeOrg();
    const made = CreatedChannelSchema.parse(
      (await create(org, { name: "ops", target: { kind: "slack", url: SLACK } })).body,
    );
    expect(made).toMatchObject({ targetHint: "Slack to hooks.slack.com", webhookSecret: null, repeatMinutes: 240 });
    const patched = await call("PATCH", `/v1/alert-channels/${made.id}`, {
      token: org.adminToken,
      json: { enabled: false, target: { kind: "webhook", url: "https://alerts.example.org/in" } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      enabled: false,
      kind: "webhook",
      targetHint: "webhook to alerts.example.org",
    });
    expect(patched.body.webhookSecret).toMatch(/^whsec_/);
    expect((await call("GET", `/v1/alert-channels/${made.id}`, { token: other.adminToken })).status).toBe(404);
    expect((await call("DELETE", `/v1/alert-channels/${made.id}`, { token: other.adminToken })).status).toBe(404);
    expect((await call("DELETE", `/v1/alert-channels/${made.id}`, { token: org.adminToken })).status).toBe(204);
    expect((await call("GET", `/v1/alert-channels/${made.id}`, { token: org.adminToken })).status).toBe(404);
    const log = await channelLog(org);
    expect(log.map((e) => e.type)).toEqual(["alert.channel_created", "alert.channel_updated", "alert.channel_deleted"]);
    const [createdSha, updatedSha] = log.slice(0, 2).map((e) => (e.data as { targetSha256: string }).targetSha256);
    expect(createdSha).not.toBe(updatedSha);
  });

  it("send test: a delivery the consumer attempts; a receiver's 503 is recorded as retrying, without the URL or secret", async () => {
    const org = await makeOrg();
    const made = CreatedChannelSchema.parse(
      (await create(org, { name: "hook", target: { kind: "webhook", url: "https://hooks.example.com/p/tok3nPath" } }))
        .body,
    );
    const queued = await call("POST", `/v1/alert-channels/${made.id}/test`, { token: org.adminToken });
    expect(queued.status).toBe(202);
    const [delivery] = DeliveryListSchema.parse(queued.body).items;
    expect(delivery).toMatchObject({ kind: "test", status: "queued", attempts: 0, incidentId: made.id });
    // The consumer's attempt (as the queue runs it): the pool's outbound answers 503.
    expect(await deliverOne(env, delivery!.id, 1, Date.now())).toEqual({ kind: "retry", delaySeconds: 10 });
    const history = DeliveryPageSchema.parse(
      (await call("GET", `/v1/alert-channels/${made.id}/deliveries`, { token: org.viewerToken })).body,
    ).items;
    const attempted = history.find((d) => d.id === delivery!.id)!;
    expect(attempted).toMatchObject({ status: "retrying", lastStatus: 503 });
    expect(attempted.attempts).toBeGreaterThanOrEqual(1);
    expect(attempted.lastError).toMatch(/503/);
    expect(attempted.lastError).not.toContain("tok3nPath");
    expect(attempted.lastError).not.toContain(made.webhookSecret!);
    // A delivery already delivered is acknowledged without another send (idempotent by delivery id).
    await env.DB.prepare("UPDATE alert_deliveries SET status = 'delivered' WHERE id = ?").bind(delivery!.id).run();
    expect(await deliverOne(env, delivery!.id, 2, Date.now())).toEqual({ kind: "done" });
    expect(await deliverOne(env, "dlv.unknown", 1, Date.now())).toEqual({ kind: "done" });
  });

  it("deliveries page newest first by (createdAt, id): every delivery once across pages, the cursor of the last, then null", async () => {
    const org = await makeOrg();
    const made = CreatedChannelSchema.parse(
      (await create(org, { name: "hook", target: { kind: "webhook", url: "https://hooks.example.com/p" } })).body,
    );
    // Five test notices, two of them at the same instant (ids alone do not order deliveries).
    for (let i = 0; i < 5; i++)
      expect((await call("POST", `/v1/alert-channels/${made.id}/test`, { token: org.adminToken })).status).toBe(202);
    await env.DB.prepare(
      "UPDATE alert_deliveries SET created_at = 1000 WHERE channel_id = ? AND id IN (SELECT id FROM alert_deliveries WHERE channel_id = ? ORDER BY id LIMIT 2)",
    )
      .bind(made.id, made.id)
      .run();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = DeliveryPageSchema.parse(
        (
          await call(
            "GET",
            `/v1/alert-channels/${made.id}/deliveries?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
            {
              token: org.viewerToken,
            },
          )
        ).body,
      );
      seen.push(...page.items.map((d) => d.id));
      const times = page.items.map((d) => d.createdAt);
      expect(times).toEqual([...times].sort().reverse());
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
