import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ClaimRestoreResponseSchema, IssueRestoreResponseSchema } from "@walwarden/verifier/wire";
import { call, makeOrg, type Org } from "./support/client.js";
import { logEntries } from "./support/log-checks.js";
import { claim, completedBackup, failBody, failedBackup, leasedJob, onJob } from "./support/runner-calls.js";
import { readEvents, subscribe } from "./support/sse.js";
import { dumpD1, dumpLedger, settleLogs } from "./support/storage-dump.js";

// Free text that runners and CLIs send (failure reasons, stages, client versions, progress details) goes
// into the append-only log, D1, the API's answers and the live stream. Through the real Worker in workerd:
// whatever shape a credential has in it, none of those places ever has the credential.

/** Each secret, and a failure text quoting it the way real failures do. */
const LEAKS: [secret: string, text: string][] = [
  ["TargetPassw0rd", "pg_restore: connection to postgres://admin:TargetPassw0rd@prod-db/app failed"],
  ["hunter4", "PGPASSWORD=hunter4 pg_restore -d app"],
  ["pa/ss@w0rd:%x", "could not connect to postgresql://app:pa/ss@w0rd:%x@db.internal:5432/app"],
  ["json-secret-1", 'config error in {"user": "app", "password": "json-secret-1"}'],
  ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "env: AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
  [`wwr_${"R".repeat(43)}`, `Authorization: Bearer wwr_${"R".repeat(43)} was refused`],
  ["0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", "see below"],
  ["AKIAIOSFODNN7EXAMPLE", "see below"],
];
const PRESIGNED =
  "GET https://acme.s3.amazonaws.com/k.dump?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 → 403";
const REASON = [...LEAKS.map(([, text]) => text), PRESIGNED].join("\n");
const SECRETS = LEAKS.map(([secret]) => secret);

const BUCKET = "acme-backups";
const CREDENTIAL = {
  endpoint: "http://127.0.0.1:4569",
  region: "us-east-1",
  forcePathStyle: true,
  accessKeyId: "RESTOREREADONLY",
  secretAccessKey: "restore-read-only-secret-0123456789",
};

async function claimedRestore(org: Org) {
  expect((await call("PUT", `/v1/buckets/${BUCKET}`, { token: org.adminToken, json: CREDENTIAL })).status).toBe(200);
  const job = await completedBackup(org);
  const issued = IssueRestoreResponseSchema.parse(
    (await call("POST", "/v1/restores", { token: org.operatorToken, json: { backupId: job.backupId } })).body,
  );
  const claimed = await call("POST", "/v1/restores/claim", {
    json: { token: issued.token, orgId: org.orgId, clientVersion: "0.1.0 token=cv-secret-9" },
  });
  expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
  return { restoreId: issued.restoreId, progressToken: ClaimRestoreResponseSchema.parse(claimed.body).progressToken };
}

/** Every place the free text may have gone: the log API, every D1 row, the org's Ledger. */
async function everywhere(org: Org): Promise<string> {
  await settleLogs();
  return [
    JSON.stringify(await logEntries(org.viewerToken)),
    JSON.stringify(await dumpD1()),
    JSON.stringify(await dumpLedger(org.orgId)),
  ].join("\n");
}

function expectNoSecret(text: string, secrets: readonly string[]): void {
  for (const s of secrets) expect(text, `leaked ${s}`).not.toContain(s);
}

describe("free text from runners and CLIs is redacted before it is logged", () => {
  it("a restore's failure reason and stage, and the CLI's version: not in the log, D1, the restore's view or its stream", async () => {
    const org = await makeOrg();
    const { restoreId, progressToken } = await claimedRestore(org);
    const failed = await call("POST", `/v1/restores/${restoreId}/transition`, {
      token: progressToken,
      json: { state: "failed", stage: "preflight password=stage-secret-7", reason: REASON },
    });
    expect(failed.status, JSON.stringify(failed.body)).toBe(200);
    const secrets = [...SECRETS, "stage-secret-7", "cv-secret-9"];

    const stored = await everywhere(org);
    expect(stored).toContain("restore.failed");
    expect(stored).toContain("postgres://admin:[redacted]@prod-db/app");
    expectNoSecret(stored, secrets);

    const view = await call("GET", `/v1/restores/${restoreId}`, { token: org.viewerToken });
    expect(view.body.failure.reason).toContain("PGPASSWORD=[redacted]");
    expectNoSecret(JSON.stringify(view.body), secrets);
    const stream = await readEvents(await subscribe(restoreId, org.viewerToken));
    expect(stream.some((e) => e.event === "transition" && e.data.includes('"failed"'))).toBe(true);
    expectNoSecret(JSON.stringify(stream), secrets);
  });

  it("a restore's progress detail is redacted before it is streamed", async () => {
    const org = await makeOrg();
    const { restoreId, progressToken } = await claimedRestore(org);
    const events = readEvents(await subscribe(restoreId, org.viewerToken));
    const sent = await call("POST", `/v1/restores/${restoreId}/progress`, {
      token: progressToken,
      json: {
        phase: "restoring",
        bytes: 1,
        totalBytes: 2,
        bytesPerSecond: 1,
        detail: "SET password='detail-secret-3'",
      },
    });
    expect(sent.status).toBe(202);
    await call("POST", `/v1/restores/${restoreId}/transition`, {
      token: progressToken,
      json: { state: "failed", stage: "restore", reason: "stopped" },
    });
    const got = await events;
    const progress = got.find((e) => e.event === "progress");
    expect(progress?.data).toContain("SET password='[redacted]'");
    expectNoSecret(JSON.stringify(got), ["detail-secret-3"]);
  });

  it("a runner's failure reason, retried or final: not in the log, D1 or the job's answer", async () => {
    const org = await makeOrg();
    const first = await leasedJob(org);
    const retry = await onJob(org.runnerToken, first.jobId, "fail", failBody(first.leaseId, REASON, true));
    expect(retry.body).toEqual({ willRetry: true, attempt: 1 });
    const again = (await claim(org.runnerToken, [org.databaseId])).body.job;
    expect((await onJob(org.runnerToken, again.jobId, "fail", failBody(again.leaseId, REASON))).status).toBe(200);
    const stored = await everywhere(org);
    expect(stored.match(/backup\.failed/g)?.length).toBeGreaterThanOrEqual(2);
    expectNoSecret(stored, SECRETS);
    const job = await call("GET", `/v1/jobs/${first.jobId}`, { token: org.viewerToken });
    expect(job.body).toMatchObject({ status: "failed", attempt: 2 });
    expect(job.body.lastError).toContain("X-Amz-Signature=[redacted]");
    expectNoSecret(JSON.stringify(job.body), SECRETS);
  });

  it("a reason that redaction lengthens past the limit is cut to fit, not refused or stuck in the outbox", async () => {
    const org = await makeOrg();
    const reason = "password=x ".repeat(363); // 3,993 characters; redacted, 7,260
    const job = await failedBackup(org, reason);
    const entries = (await logEntries(org.viewerToken)).map((t) => JSON.parse(t));
    const failed = entries.find((e) => e.type === "backup.failed" && e.data.jobId === job.jobId);
    expect(failed.data.reason.length).toBeLessThanOrEqual(4000);
    expect(failed.data.reason).toMatch(/^password=\[redacted\] password=\[redacted\] .*…$/);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM outbox").first<{ n: number }>())!.n).toBe(0);
  });

  it("the Ledger redacts free text in whatever it is asked to append (the last line of defence)", async () => {
    const org = await makeOrg();
    const ledger = env.LEDGER.get(env.LEDGER.idFromName(org.orgId));
    const appended = await ledger.append(org.orgId, [
      {
        key: "test:direct-append",
        type: "backup.failed",
        actor: "system:test",
        subject: `database:${org.databaseId}`,
        data: {
          jobId: "job_direct",
          databaseId: org.databaseId,
          runnerId: null,
          attempt: 1,
          reason: REASON,
          willRetry: false,
        },
      },
    ]);
    expect(appended.ok).toBe(true);
    if (!appended.ok) return;
    expect(appended.value.entries[0]!.entry).toContain("PGPASSWORD=[redacted]");
    expectNoSecret(await everywhere(org), SECRETS);
  });
});
