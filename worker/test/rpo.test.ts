import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { rpoStatus } from "../src/rpo/rpo-status.js";
import { ARTIFACT_SHA256, backupResult } from "./support/backup-result.js";
import { call, makeOrg } from "./support/client.js";

const MIN = 60_000;
const now = Date.UTC(2026, 10, 24, 12, 0, 0);
const base = { createdAt: now - 1000 * MIN, targetMinutes: 60, lastBackupAt: now - 10 * MIN, lastJobFailed: false };

describe("RPO status", () => {
  it.each([
    ["a backup well inside the target", base, "ok"],
    ["a backup older than 75% of the target", { ...base, lastBackupAt: now - 46 * MIN }, "at-risk"],
    ["a backup older than the target", { ...base, lastBackupAt: now - 61 * MIN }, "breached"],
    ["a recent backup but the latest job failed", { ...base, lastJobFailed: true }, "at-risk"],
    [
      "no backup yet, database added 10 minutes ago",
      { ...base, createdAt: now - 10 * MIN, lastBackupAt: null },
      "at-risk",
    ],
    ["no backup and the target has passed since it was added", { ...base, lastBackupAt: null }, "breached"],
    ["no enabled schedule", { ...base, targetMinutes: null }, "no-target"],
  ])("%s → %s", (_name, input, status) => {
    expect(rpoStatus(input, now)).toBe(status);
  });

  it("the org summary goes from at-risk with no backup to ok after one, with the backup's digest and size", async () => {
    const org = await makeOrg();
    await call("POST", "/v1/schedules", {
      token: org.adminToken,
      json: { databaseId: org.databaseId, cron: "0 * * * *", timezone: "UTC", targetRpoMinutes: 60 },
    });
    const before = (await call("GET", "/v1/rpo", { token: org.viewerToken })).body;
    expect(before.databases).toEqual([
      expect.objectContaining({
        databaseId: org.databaseId,
        status: "at-risk",
        lastBackup: null,
        ageSeconds: null,
        targetRpoMinutes: 60,
      }),
    ]);
    expect(before.counts).toEqual({ ok: 0, "at-risk": 1, breached: 0, "no-target": 0 });

    const { jobId } = (
      await call("POST", `/v1/databases/${org.databaseId}/backups`, { token: org.operatorToken, json: {} })
    ).body;
    const job = (
      await call("POST", "/v1/runner/claim", {
        token: org.runnerToken,
        json: { version: "0.1.0", databases: [org.databaseId] },
      })
    ).body.job;
    const fresh = new Date().toISOString();
    await call("POST", `/v1/runner/jobs/${jobId}/complete`, {
      token: org.runnerToken,
      json: {
        leaseId: job.leaseId,
        artifactSha256: ARTIFACT_SHA256,
        result: backupResult(org.runnerId, { startedAt: fresh, completedAt: fresh }),
      },
    });
    const after = (await call("GET", `/v1/rpo/${org.databaseId}`, { token: org.viewerToken })).body;
    expect(after).toMatchObject({
      status: "ok",
      lastBackup: { id: job.backupId, sha256: ARTIFACT_SHA256, sizeBytes: 123_456_789 },
    });
    expect(after.ageSeconds).toBeLessThan(60);

    await env.DB.prepare("UPDATE backups SET completed_at = ? WHERE id = ?")
      .bind(Date.now() - 2 * 60 * MIN, job.backupId)
      .run();
    expect((await call("GET", `/v1/rpo/${org.databaseId}`, { token: org.viewerToken })).body.status).toBe("breached");
    expect((await call("GET", "/v1/rpo/db_nope", { token: org.viewerToken })).status).toBe(404);
  });
});
