import type { DrillPredicate } from "../drill/predicate.js";
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
