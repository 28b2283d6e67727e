import { verifyDrillReceipt } from "@walwarden/verifier";
import { RUNNER_SIGNER } from "@walwarden/verifier/testing";
import { describe, expect, it } from "vitest";
import type { ClaimedDrillJob } from "../api/worker-api.js";
import { type DrillMeasures, drillPredicate, signReceipt } from "./receipt.js";

const SHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
const job: ClaimedDrillJob = {
  kind: "drill",
  jobId: "job_02",
  drillId: "dr_01",
  orgId: "org_acme",
  databaseId: "db_main",
  attempt: 1,
  leaseId: "ls_1",
  leaseExpiresAt: "2026-11-29T04:02:00.000Z",
  runnerId: "rn_01",
  backupId: "bk_01",
  artifact: { bucket: "acme-backups", key: "walwarden/db_main/2026/11/24/bk_01.dump.zst", sha256: SHA, sizeBytes: 1 },
  manifestSha256: "b".repeat(64),
  target: "local",
  maxRtoSeconds: 10,
  assertions: [],
};
const passed: DrillMeasures = {
  startedAt: new Date("2026-11-29T04:00:01.000Z"),
  completedAt: new Date("2026-11-29T04:00:09.480Z"),
  downloadedSha256: SHA,
  target: { kind: "local", serverVersion: "15.18" },
  pgRestore: { version: "15.18", jobs: 2, exitCode: 0, errors: [] },
  tables: [{ schema: "public", name: "t", expectedRows: 2, actualRows: 2 }],
  fingerprint: { expected: "a".repeat(64), actual: "a".repeat(64) },
  assertions: [],
  phases: { downloadVerifyMs: 100, restoreMs: 200, checksMs: 50 },
  targetSetupMs: 900,
  runner: { id: "rn_01", version: "0.1.0" },
};
const notRun = {
  ...passed,
  target: { kind: "local" as const, serverVersion: null },
  pgRestore: { ...passed.pgRestore, version: null, exitCode: null },
  tables: [{ ...passed.tables[0]!, actualRows: null }],
  fingerprint: { ...passed.fingerprint, actual: null },
  phases: { downloadVerifyMs: 100, restoreMs: null, checksMs: null },
  targetSetupMs: null,
};

/** The predicate as signed and verified again: every receipt the runner signs must be consistent. */
function verified(m: DrillMeasures) {
  const r = verifyDrillReceipt(signReceipt(job, drillPredicate(job, m), RUNNER_SIGNER), [RUNNER_SIGNER]);
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

describe("drillPredicate", () => {
  it("passes with no finding; the RTO is the sum of the phases and the target is the policy's", () => {
    const v = verified(passed);
    expect(v.predicate).toMatchObject({ outcome: "passed", failure: null, rto: { ms: 350, targetMs: 10_000 } });
  });

  it.each<[string, Partial<DrillMeasures>, string, RegExp]>([
    [
      "a kit that does not verify",
      { ...notRun, downloadedSha256: null, failure: { phase: "verify", reason: "kit.checkpoint: bad signature" } },
      "verify",
      /kit\.checkpoint/,
    ],
    [
      "a digest that differs",
      { ...notRun, downloadedSha256: "0".repeat(64) },
      "verify",
      /the downloaded bytes hash to 0+/,
    ],
    [
      "no target",
      { ...notRun, failure: { phase: "target", reason: "no server binaries" } },
      "target",
      /no server binaries/,
    ],
    [
      "a pg_restore error",
      {
        ...passed,
        pgRestore: { ...passed.pgRestore, exitCode: 1, errors: ["pg_restore: error: x"] },
        failure: { phase: "restore", reason: "pg_restore failed (exit 1)" },
        phases: { downloadVerifyMs: 100, restoreMs: 200, checksMs: null },
      },
      "restore",
      /exit 1/,
    ],
    [
      "a row count that differs",
      { tables: [{ schema: "public", name: "t", expectedRows: 2, actualRows: 1 }] },
      "checks",
      /1 of 1 tables differ/,
    ],
    [
      "an RTO over the target",
      { phases: { downloadVerifyMs: 4000, restoreMs: 6000, checksMs: 1 } },
      "rto",
      /RTO 10\.0 s exceeds the target 10\.0 s/,
    ],
  ])("fails, consistently, on %s", (_, over, phase, reason) => {
    const v = verified({ ...passed, ...over });
    expect(v.predicate.outcome).toBe("failed");
    expect(v.predicate.failure?.phase).toBe(phase);
    expect(v.predicate.failure?.reason).toMatch(reason);
  });
});
