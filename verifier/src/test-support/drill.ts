import { toHex } from "../bytes/hex.js";
import { signDrillReceipt } from "../drill/build-receipt.js";
import type { DrillPredicate } from "../drill/predicate.js";
import type { NamedSigner } from "../dsse/envelope.js";
import { sha256 } from "../hash/sha256.js";
import { canonicalBytes } from "../jcs/canonicalize.js";
import type { LogEntryOf } from "../log/entry.js";
import { formatVkey } from "../note/index.js";
import { RUNNER_SIGNER } from "./keys.js";
import { samplePredicate } from "./predicate.js";

/** The artifact of the sample manifest (SPEC §8), as a drill receipt's subject names it. */
export const SAMPLE_DRILL_ARTIFACT = {
  uri: "s3://acme-backups/walwarden/db_main/2026/11/24/bk_01.dump.zst",
  sha256: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
};

/** A passed drill of the sample backup (SPEC §11), with one assertion; fields may be overridden. */
export function sampleDrillPredicate(over: Partial<DrillPredicate> = {}): DrillPredicate {
  const backup = samplePredicate();
  return {
    drillId: "dr_01",
    orgId: backup.orgId,
    databaseId: backup.databaseId,
    backupId: backup.backupId,
    jobId: "job_02",
    manifestSha256: "b05a9f052b92d63f397c9b61b205fdfb97a69f5c170e6072f7cfcfbe8a210755",
    startedAt: "2026-11-29T04:00:01.000Z",
    completedAt: "2026-11-29T04:00:09.480Z",
    outcome: "passed",
    failure: null,
    downloadedSha256: SAMPLE_DRILL_ARTIFACT.sha256,
    target: { kind: "local", serverVersion: "16.4" },
    pgRestore: { version: "17.2", jobs: 2, exitCode: 0, errors: [] },
    tables: backup.tables.map((t) => ({ schema: t.schema, name: t.name, expectedRows: t.rows, actualRows: t.rows })),
    schemaFingerprint: { expected: backup.schemaFingerprint, actual: backup.schemaFingerprint },
    assertions: [
      {
        name: "orders are fresh",
        sql: "select max(created_at) > now() - interval '26 hours' from orders",
        expect: { op: "eq", value: true },
        actual: "t",
        passed: true,
        error: null,
      },
    ],
    phases: { downloadVerifyMs: 1250, restoreMs: 5100, checksMs: 380 },
    targetSetupMs: 1610,
    rto: { ms: 6730, targetMs: 900_000 },
    runner: { id: "rn_01", version: "0.1.0" },
    ...over,
  };
}

/** A drill receipt as the Worker keeps it: the envelope's exact JCS bytes, their SHA-256, and the signer's vkey. */
export interface FixtureReceipt {
  bytes: Uint8Array;
  sha256: string;
  runnerVkey: string;
  predicate: DrillPredicate;
}

/**
 * The receipt of a drill of a fixture log's backup (its backup.completed entry): the predicate names the
 * backup, its database, manifest and tables and the org of the fixture log, then `over` changes fields.
 * Signed by `signer` (default RUNNER_SIGNER, runner rn_01's key); `artifact` overrides the subject.
 */
export function fixtureDrillReceipt(
  backup: LogEntryOf<"backup.completed">,
  over: Partial<DrillPredicate> = {},
  signer: NamedSigner = RUNNER_SIGNER,
  artifact: { uri: string; sha256: string } = { uri: backup.data.artifact.uri, sha256: backup.data.artifact.sha256 },
): FixtureReceipt {
  const predicate = sampleDrillPredicate({
    orgId: "org_acme",
    databaseId: backup.data.databaseId,
    backupId: backup.data.backupId,
    manifestSha256: backup.data.manifestSha256,
    downloadedSha256: artifact.sha256,
    runner: { id: "rn_01", version: "0.1.0" },
    ...over,
  });
  const bytes = canonicalBytes(signDrillReceipt(predicate, artifact, signer));
  return { bytes, sha256: toHex(sha256(bytes)), runnerVkey: formatVkey(signer.name, signer.publicKey), predicate };
}

/**
 * The entry the Worker logs when it accepts a receipt (SPEC §11): drill.completed for a passed drill (with
 * its RTO), drill.failed for a failed one; actor the runner, subject the database.
 */
export function drillConcludedEntry(
  seq: number,
  at: string,
  receipt: FixtureReceipt,
  runnerId = "rn_01",
): LogEntryOf<"drill.completed"> | LogEntryOf<"drill.failed"> {
  const p = receipt.predicate;
  const base = {
    v: 1 as const,
    seq,
    at,
    actor: `runner:${runnerId}`,
    subject: `database:${p.databaseId}`,
  };
  const ref = { jobId: p.jobId, drillId: p.drillId, databaseId: p.databaseId, backupId: p.backupId };
  return p.outcome === "passed"
    ? {
        ...base,
        type: "drill.completed",
        data: { ...ref, runnerId, receiptSha256: receipt.sha256, runnerVkey: receipt.runnerVkey, rtoMs: p.rto.ms },
      }
    : {
        ...base,
        type: "drill.failed",
        data: {
          ...ref,
          runnerId,
          attempt: 1,
          reason: p.failure?.reason ?? "the drill failed",
          willRetry: false,
          receiptSha256: receipt.sha256,
          runnerVkey: receipt.runnerVkey,
        },
      };
}
