import { describe, expect, it } from "vitest";
import { verifyManifest } from "@walwarden/verifier";
import { expectIncluded, logEntries, publishedPolicy } from "./support/log-checks.js";
import { ARTIFACT_SHA256, backupResult } from "./support/backup-result.js";
import { call, makeOrg } from "./support/client.js";
import { claim, queueBackup } from "./support/runner-calls.js";


describe("runner protocol", () => {
  it("claim → heartbeat → complete returns a manifest, proof and checkpoint that verify with the published keys", async () => {
    const org = await makeOrg();
    const jobId = await queueBackup(org);
    const c = await claim(org.runnerToken, [org.databaseId]);
    expect(c.status).toBe(200);
    expect(c.body.job).toMatchObject({ jobId, databaseId: org.databaseId, attempt: 1 });
    const { leaseId } = c.body.job;

    const hb = await call("POST", `/v1/runner/jobs/${jobId}/heartbeat`, { token: org.runnerToken, json: { leaseId, progress: { phase: "uploading", bytes: 1024 } } });
    expect(hb.status).toBe(200);
    expect(Date.parse(hb.body.leaseExpiresAt)).toBeGreaterThan(Date.now());

    const done = await call("POST", `/v1/runner/jobs/${jobId}/complete`, { token: org.runnerToken, json: { leaseId, artifactSha256: ARTIFACT_SHA256, result: backupResult(org.runnerId) } });
    expect(done.status).toBe(200);

    const policy = await publishedPolicy();
    const m = verifyManifest(done.body.envelope, policy.manifestKeys, ARTIFACT_SHA256);
    expect(m.ok).toBe(true);
    if (m.ok) expect(m.value.predicate).toMatchObject({ orgId: org.orgId, databaseId: org.databaseId, jobId, backupId: c.body.job.backupId });

    const entries = await logEntries(org.viewerToken);
    const completed = entries.find((e) => JSON.parse(e).type === "backup.completed")!;
    expect(JSON.parse(completed).seq).toBe(done.body.proof.leafIndex);
    expectIncluded(completed, done.body.proof, done.body.checkpoint, policy, org.orgId);
    expect(entries.map((e) => JSON.parse(e).type)).toEqual(["key.registered", "key.registered", "backup.scheduled", "backup.started", "backup.completed"]);
  });
});
