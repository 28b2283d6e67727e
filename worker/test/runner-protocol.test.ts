import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { backupKitReport, verifyManifest } from "@walwarden/verifier";
import { CompleteResponseSchema } from "@walwarden/verifier/wire";
import { expectIncluded, logEntries, publishedPolicy } from "./support/log-checks.js";
import { ARTIFACT_SHA256, backupResult } from "./support/backup-result.js";
import { call, makeOrg } from "./support/client.js";
import { claim, heartbeatBody, onJob, queueBackup } from "./support/runner-calls.js";

describe("runner protocol", () => {
  it("claim → heartbeat → complete returns a manifest, log entry, proof and checkpoint that verify with the published keys", async () => {
    const org = await makeOrg();
    const jobId = await queueBackup(org);
    const c = await claim(org.runnerToken, [org.databaseId]);
    expect(c.status).toBe(200);
    expect(c.body.job).toMatchObject({ jobId, databaseId: org.databaseId, attempt: 1 });
    const { leaseId } = c.body.job;

    const hb = await call("POST", `/v1/runner/jobs/${jobId}/heartbeat`, {
      token: org.runnerToken,
      json: { leaseId, progress: { phase: "uploading", bytes: 1024 } },
    });
    expect(hb.status).toBe(200);
    expect(Date.parse(hb.body.leaseExpiresAt)).toBeGreaterThan(Date.now());

    const done = await call("POST", `/v1/runner/jobs/${jobId}/complete`, {
      token: org.runnerToken,
      json: { leaseId, artifactSha256: ARTIFACT_SHA256, result: backupResult(org.runnerId) },
    });
    expect(done.status).toBe(200);
    const wire = CompleteResponseSchema.safeParse(done.body);
    expect(wire.success, wire.success ? "" : wire.error.message).toBe(true);

    const policy = await publishedPolicy();
    const m = verifyManifest(done.body.envelope, policy.manifestKeys, ARTIFACT_SHA256);
    expect(m.ok).toBe(true);
    if (m.ok)
      expect(m.value.predicate).toMatchObject({
        orgId: org.orgId,
        databaseId: org.databaseId,
        jobId,
        backupId: c.body.job.backupId,
      });

    const entries = await logEntries(org.viewerToken);
    const completed = entries.find((e) => JSON.parse(e).type === "backup.completed")!;
    expect(JSON.parse(completed).seq).toBe(done.body.proof.leafIndex);
    expectIncluded(completed, done.body.proof, done.body.checkpoint, policy, org.orgId);
    // The entry the runner gets back is the logged one, byte for byte: its leaf hash and the proof lead to
    // the returned checkpoint, so the walk-away kit verifies offline with the pinned keys.
    expect(done.body.entry).toBe(completed);
    expectIncluded(done.body.entry, done.body.proof, done.body.checkpoint, policy, org.orgId);
    const kit = backupKitReport(
      done.body,
      { ...policy, origin: `test.walwarden.dev/log/${org.orgId}` },
      ARTIFACT_SHA256,
    );
    expect(kit.failed, JSON.stringify(kit.checks)).toBeUndefined();
    expect(kit.checks.map((c) => [c.id, c.status])).toEqual([
      ["manifest.signature", "pass"],
      ["manifest.predicate", "pass"],
      ["manifest.artifact", "pass"],
      ["kit.checkpoint", "pass"],
      ["kit.entry", "pass"],
      ["kit.inclusion", "pass"],
    ]);
    // The org's setup (its first admin, tokens, the runner, the database) is logged too: SPEC §7 admin actions.
    expect(entries.map((e) => JSON.parse(e).type)).toEqual([
      "key.registered",
      "key.registered",
      "user.created",
      "token.created",
      "runner.registered",
      "database.created",
      "token.created",
      "token.created",
      "backup.scheduled",
      "backup.started",
      "backup.completed",
    ]);
  });

  it("a refused heartbeat writes nothing, not even when the runner was last seen", async () => {
    const org = await makeOrg();
    const jobId = await queueBackup(org);
    const { leaseId } = (await claim(org.runnerToken, [org.databaseId])).body.job;
    const rows = async () =>
      JSON.stringify([
        await env.DB.prepare("SELECT * FROM runners WHERE id = ?").bind(org.runnerId).first(),
        await env.DB.prepare("SELECT * FROM jobs WHERE id = ?").bind(jobId).first(),
      ]);
    const before = await rows();
    await new Promise((r) => setTimeout(r, 5)); // a later clock, so a write would show
    const stale = await onJob(org.runnerToken, jobId, "heartbeat", heartbeatBody("lease_stale"));
    expect(stale.status).toBe(409);
    const other = await onJob(org.runnerToken, "job_other", "heartbeat", heartbeatBody(leaseId));
    expect(other.status).toBe(409);
    expect(await rows()).toBe(before);
    expect((await onJob(org.runnerToken, jobId, "heartbeat", heartbeatBody(leaseId))).status).toBe(200);
    const seen = await env.DB.prepare("SELECT last_seen_at AS t FROM runners WHERE id = ?").bind(org.runnerId).first<{
      t: number;
    }>();
    expect(seen!.t).toBeGreaterThan(JSON.parse(before)[0].last_seen_at);
  });
});
