import { describe, expect, test } from "vitest";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { retentionDecision } from "../retention/decide.js";
import type { RetentionPolicy } from "../retention/policy.js";
import {
  buildFixtureLog,
  fixtureBundle,
  fixtureLogOf,
  fixturePolicy,
  unzipBundle,
} from "../test-support/fixture-log.js";
import { BundlePaths } from "./layout.js";
import { verifyBundle } from "./verify-bundle.js";

const BASE = buildFixtureLog(120, 11);
const POLICY: RetentionPolicy = { keepLast: 2, timezone: "UTC" };

/** The fixture log plus a runner's prune of db_main under POLICY, logged as the Worker logs it. */
function withExpiries(tamper?: (expiring: string[], all: LogEntryOf<"backup.completed">[]) => string[]) {
  const entries = [...BASE.entries];
  const backups = entries.filter(
    (e): e is LogEntryOf<"backup.completed"> => e.type === "backup.completed" && e.data.databaseId === "db_main",
  );
  const last = Date.parse(entries.at(-1)!.at);
  const decidedAt = last + 60_000;
  const decision = retentionDecision(
    backups.map((b) => ({ backupId: b.data.backupId, at: Date.parse(b.at) })),
    POLICY,
    decidedAt,
  );
  if (!decision.ok) throw new Error(decision.message);
  let expiring = decision.value.filter((v) => !v.keep).map((v) => v.backupId);
  if (tamper) expiring = tamper(expiring, backups);
  expiring.forEach((backupId, i) => {
    const b = backups.find((x) => x.data.backupId === backupId)!;
    const key = b.data.artifact.uri.replace(/^s3:\/\/[^/]+\//, "");
    entries.push({
      v: 1,
      seq: entries.length,
      type: "backup.expired",
      at: new Date(decidedAt + 1000 * (i + 1)).toISOString(),
      actor: "runner:rn_1",
      subject: "database:db_main",
      data: {
        backupId,
        databaseId: "db_main",
        jobId: "job_prune.db_main.1",
        runnerId: "rn_1",
        objectKey: key,
        versionId: null,
        artifactSha256: b.data.artifact.sha256,
        manifestSha256: b.data.manifestSha256,
        completedAt: b.at,
        decidedAt: new Date(decidedAt).toISOString(),
        policy: POLICY,
        reason: "unkept",
        deletedKeys: [key],
      },
    } as LogEntry);
  });
  return { log: fixtureLogOf(entries, BASE.manifests, BASE.receipts), expiring, backups };
}

const retentionCheck = async (zip: Uint8Array) => {
  const r = await verifyBundle(zip, fixturePolicy());
  return { verdict: r.verdict, check: r.checks.find((c) => c.id === "retention")! };
};

describe("verifyBundle recomputes retention", () => {
  test("a prune's backup.expired entries recompute from the bundle: the policy expires each", async () => {
    const { log, expiring, backups } = withExpiries();
    expect(backups.length).toBeGreaterThan(3);
    expect(expiring).toHaveLength(backups.length - 2);
    const r = await retentionCheck(fixtureBundle(log, 0, log.entries.length));
    expect(r.verdict).toBe("verified");
    expect(r.check).toMatchObject({
      status: "pass",
      detail: `${expiring.length} deletion(s) recomputed: the policy expires each`,
    });
  });

  test("a deletion the policy did not call for fails the bundle: the newest backup, expired", async () => {
    const { log } = withExpiries((expiring, all) => [...expiring, all.at(-1)!.data.backupId]);
    const r = await retentionCheck(fixtureBundle(log, 0, log.entries.length));
    expect(r.verdict).toBe("not-verified");
    expect(r.check.status).toBe("fail");
    expect(r.check.detail).toMatch(/the policy keeps it: newest, last/);
  });

  test("a window that starts after the expired backups completed cannot recompute them: skipped, not failed", async () => {
    const { log, backups } = withExpiries();
    // Start just after the second-newest db_main backup: every expired one completed before the window.
    const start = backups.at(-2)!.seq + 1;
    const r = await retentionCheck(fixtureBundle(log, start, log.entries.length));
    expect(r.verdict).toBe("verified");
    expect(r.check.status).toBe("skip");
    expect(r.check.detail).toMatch(/completed before the window/);
  });

  test("a bundle with no deletion says so", async () => {
    const r = await retentionCheck(fixtureBundle(BASE, 0, BASE.entries.length));
    expect(r.check).toMatchObject({ status: "skip", detail: "no backup.expired entry in the window" });
  });

  test("report.html lists each deletion with its policy and whether it recomputes", async () => {
    const html = (zip: Uint8Array) => new TextDecoder().decode(unzipBundle(zip).get(BundlePaths.report)!);
    const good = withExpiries();
    const page = html(fixtureBundle(good.log, 0, good.log.entries.length));
    const section = page.slice(page.indexOf("<h2>Retention</h2>"), page.indexOf("<h2>Access changes</h2>"));
    expect(section.match(/yes: the policy expires it/g)).toHaveLength(good.expiring.length);
    expect(section).toContain("last 2 (UTC)");
    const bad = withExpiries((expiring, all) => [...expiring, all.at(-1)!.data.backupId]);
    expect(html(fixtureBundle(bad.log, 0, bad.log.entries.length))).toMatch(/NO: the policy keeps it: newest, last/);
  });
});
