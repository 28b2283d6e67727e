// Alerts end to end: the real Worker under wrangler's dev server (local D1, Durable Objects and Queues) and
// a real HTTP receiver on loopback (allowed by ALERTS_ALLOW_LOOPBACK, a development setting). With nothing
// but a channel configured, a runner that never polls raises runner.silent at the cron tick; the receiver
// gets it signed per Standard Webhooks, once although its first answer was a 500, and later the resolved
// notice; a receiver that is down gets the message once it is back.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, bootstrapOrg, createRunnerToken, triggerCron } from "@walwarden/testing/api";
import {
  applyMigrations,
  type LocalWorker,
  removeAtCleanup,
  startDev,
  tempDir,
  writeKeysEnvFile,
} from "@walwarden/testing/local-worker";
import { Receiver, type Received, verifiedNotice } from "./support/webhook-receiver.js";

const typeOf = (r: Received) => (JSON.parse(r.body) as { type: string }).type;

let dev: LocalWorker;
let cookie: string;
let runner: { id: string; token: string };
const receiver = new Receiver();

beforeAll(async () => {
  const dir = removeAtCleanup(tempDir("walwarden-e2e-alerts-"));
  const persist = join(dir, "state");
  await applyMigrations(persist);
  await receiver.start();
  dev = await startDev({
    persist,
    envFile: writeKeysEnvFile(dir),
    apiOnly: true,
    vars: { ALERTS_ALLOW_LOOPBACK: "true", ALERT_EMAIL_FROM: "alerts@walwarden.test" },
  });
  ({ cookie } = await bootstrapOrg(dev));
  runner = await createRunnerToken(dev, cookie, "runner in the vpc");
}, 180_000);
afterAll(async () => {
  await receiver.stop();
  await dev?.stop();
});

describe("alerts to a real webhook receiver", () => {
  let secret: string;
  let channelId: string;

  it("runner.silent reaches the receiver signed, exactly once though it first answered 500; then resolved", async () => {
    const made = await apiCall(dev, "POST", "/v1/alert-channels", {
      cookie,
      body: {
        name: "on-call",
        target: { kind: "webhook", url: `http://127.0.0.1:${receiver.port}/hooks/walwarden` },
        conditions: ["runner.silent"],
        minSeverity: "info",
        repeatMinutes: null,
      },
    });
    secret = made.webhookSecret;
    channelId = made.id;
    receiver.answers = [500];
    // Eleven minutes on, the runner has never polled: the tick opens the incident and queues its notice.
    await triggerCron(dev, Date.now() + 11 * 60_000);
    await receiver.until((r) => r.some((x) => x.answered === 200), "the opened notice, answered 200");
    const [first, second] = receiver.received;
    expect([first!.answered, second!.answered]).toEqual([500, 200]);
    expect(first!.headers["webhook-id"]).toBe(second!.headers["webhook-id"]);
    const payload = verifiedNotice(secret, second!);
    expect(payload.type).toBe("alert.opened");
    expect(payload.data).toMatchObject({
      condition: "runner.silent",
      severity: "critical",
      subject: `runner:${runner.id}`,
      subjectName: "runner in the vpc",
      summary: "Runner runner in the vpc has never polled the API",
      resolvedAt: null,
    });
    // A wrong secret does not verify it.
    expect(() => verifiedNotice(`whsec_${Buffer.alloc(32, 7).toString("base64")}`, second!)).toThrow();
    // No secret of anyone's in it: not the runner's token, not the channel's secret.
    expect(second!.body).not.toContain(runner.token);
    expect(second!.body).not.toContain(secret.slice(6));

    // The runner polls; two ticks later the incident resolves and the receiver hears so, once.
    await apiCall(dev, "POST", "/v1/runner/claim", {
      bearer: runner.token,
      body: { version: "0.1.0", databases: [] },
    }).catch(() => undefined);
    await triggerCron(dev, Date.now() + 1000);
    await triggerCron(dev, Date.now() + 2000);
    await receiver.until((r) => r.some((x) => typeOf(x) === "alert.resolved"), "the resolved notice");
    await new Promise((r) => setTimeout(r, 2000)); // nothing else arrives
    expect(receiver.received.filter((x) => x.answered === 200).map(typeOf)).toEqual(["alert.opened", "alert.resolved"]);
    const history = await apiCall(dev, "GET", `/v1/alert-channels/${channelId}/deliveries`, { cookie });
    const byKind = history.items
      .map((d: { kind: string; status: string; attempts: number }) => [d.kind, d.status, d.attempts])
      .sort();
    expect(byKind).toEqual([
      ["opened", "delivered", 2],
      ["resolved", "delivered", 1],
    ]);
    const alerts = await apiCall(dev, "GET", "/v1/alerts", { cookie });
    expect(alerts.items[0]).toMatchObject({ condition: "runner.silent", subject: `runner:${runner.id}` });
    expect(alerts.items[0].resolvedAt).not.toBeNull();
  });

  it("a receiver down for a while gets the message once it is back", async () => {
    const port = receiver.port;
    await receiver.stop();
    const before = receiver.received.length;
    await apiCall(dev, "POST", `/v1/alert-channels/${channelId}/test`, { cookie });
    // The first attempt finds nobody listening; the queue retries after its backoff.
    await new Promise((r) => setTimeout(r, 4000));
    const testDelivery = async () =>
      (await apiCall(dev, "GET", `/v1/alert-channels/${channelId}/deliveries`, { cookie })).items.find(
        (d: { kind: string }) => d.kind === "test",
      );
    const waiting = await testDelivery();
    expect(waiting, JSON.stringify(waiting)).toMatchObject({ kind: "test", status: "retrying" });
    expect(waiting.lastError).not.toContain(String(port));
    await receiver.start(port);
    await receiver.until(
      (r) => r.length > before && r.slice(before).some((x) => typeOf(x) === "alert.test"),
      "the test notice",
    );
    const delivered = await testDelivery();
    expect(delivered).toMatchObject({ kind: "test", status: "delivered" });
    expect(delivered.attempts).toBeGreaterThanOrEqual(2);
  });

  it("an email channel: the send_email binding (wrangler's local emulation, which stores the message it was given) gets the notice as MIME", async () => {
    const made = await apiCall(dev, "POST", "/v1/alert-channels", {
      cookie,
      body: { name: "ops mail", target: { kind: "email", to: ["ops@example.com"] }, minSeverity: "info" },
    });
    const mark = dev.stdout.length;
    await apiCall(dev, "POST", `/v1/alert-channels/${made.id}/test`, { cookie });
    const file = await dev.waitFor(
      (out) => /send_email binding called with the following message:\s+(\S+\.eml)/.exec(out.slice(mark))?.[1],
      60_000,
      "the send_email binding's message",
    );
    const eml = readFileSync(file, "utf8");
    expect(eml).toMatch(/^From: .*alerts@walwarden\.test/m);
    expect(eml).toMatch(/^To: .*ops@example\.com/m);
    // mimetext encodes the subject and the parts (RFC 2047 words, base64): decoded, they say what it is.
    const subject = /^Subject: =\?utf-8\?B\?([A-Za-z0-9+/=]+)\?=/m.exec(eml)?.[1];
    expect(Buffer.from(subject ?? "", "base64").toString("utf8")).toBe(
      "[Walwarden] TEST: Test notice for channel ops mail: alerts will reach you here",
    );
    const text =
      /Content-Type: text\/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n\r\n/.exec(
        eml,
      )?.[1];
    expect(Buffer.from((text ?? "").replace(/\r\n/g, ""), "base64").toString("utf8")).toContain(
      "Condition: none (a test notice)",
    );
    expect(eml).toMatch(/^Auto-Submitted: auto-generated/m);
    expect(eml).toContain("\r\n");
    const history = await apiCall(dev, "GET", `/v1/alert-channels/${made.id}/deliveries`, { cookie });
    expect(history.items[0]).toMatchObject({ kind: "test", status: "delivered" });
  });

  it("every state condition a tick can find here reaches the receiver, signed and once per incident: a failed backup, a missed one, the RPO, an overdue drill, a silent runner", async () => {
    const made = await apiCall(dev, "POST", "/v1/alert-channels", {
      cookie,
      body: {
        name: "everything",
        target: { kind: "webhook", url: `http://127.0.0.1:${receiver.port}/hooks/everything` },
        minSeverity: "info",
        repeatMinutes: null,
      },
    });
    const db = await apiCall(dev, "POST", "/v1/databases", { cookie, body: { name: "shop", provider: "neon" } });
    // A backup the runner fails for good.
    const { jobId } = await apiCall(dev, "POST", `/v1/databases/${db.id}/backups`, { cookie, body: {} });
    const { job } = await apiCall(dev, "POST", "/v1/runner/claim", {
      bearer: runner.token,
      body: { version: "0.1.0", databases: [db.id] },
    });
    expect(job.jobId).toBe(jobId);
    await apiCall(dev, "POST", `/v1/runner/jobs/${jobId}/fail`, {
      bearer: runner.token,
      body: { leaseId: job.leaseId, reason: "pg_dump: password authentication failed", retryable: false },
    });
    // An hourly schedule nobody serves, and a daily drill policy that never passes.
    await apiCall(dev, "POST", "/v1/schedules", {
      cookie,
      body: { databaseId: db.id, cron: "0 * * * *", timezone: "UTC", targetRpoMinutes: 60 },
    });
    await apiCall(dev, "PUT", `/v1/databases/${db.id}/drill-policy`, { cookie, body: { cron: "0 4 * * *" } });
    const before = receiver.received.length;
    // Three days on: the slots were queued and nobody took them, no backup, no drill, no poll.
    await triggerCron(dev, Date.now() + 3 * 86_400_000);
    const wanted = ["backup.failed", "backup.missed", "rpo.breached", "drill.overdue", "runner.silent"];
    const mine = () =>
      receiver.received
        .slice(before)
        .filter((r) => r.headers["webhook-id"]?.toString().includes(made.id) && r.answered === 200);
    await receiver.until(
      () => wanted.every((c) => mine().some((r) => JSON.parse(r.body).data.condition === c)),
      `${wanted.join(", ")} at the receiver`,
    );
    await new Promise((r) => setTimeout(r, 2000)); // and nothing twice
    const notices = mine().map((r) =>
      verifiedNotice<{
        type: string;
        data: { incidentId: string; condition: string; subject: string; detail: string | null };
      }>(made.webhookSecret, r),
    );
    expect(notices.every((n) => n.type === "alert.opened")).toBe(true);
    const ids = notices.map((n) => n.data.incidentId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of wanted.slice(0, 4))
      expect(notices.find((n) => n.data.condition === c)?.data.subject, c).toBe(`database:${db.id}`);
    expect(notices.find((n) => n.data.condition === "backup.failed")?.data.detail).toContain(
      "password authentication failed",
    );
  });
});
