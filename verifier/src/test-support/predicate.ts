import type { PgDumpPredicate } from "../manifest/predicate.js";

/** A realistic pg-dump predicate for tests. */
export function samplePredicate(overrides: Partial<PgDumpPredicate> = {}): PgDumpPredicate {
  return {
    backupId: "bk_01",
    orgId: "org_acme",
    databaseId: "db_main",
    jobId: "job_01",
    startedAt: "2026-11-24T03:00:00.000Z",
    completedAt: "2026-11-24T03:01:10.250Z",
    sizeBytes: 1048576,
    compression: "zstd",
    dumpFormat: "custom",
    serverVersion: "16.4",
    pgDumpVersion: "17.2",
    s3: {
      bucket: "acme-backups",
      key: "walwarden/db_main/2026/11/24/bk_01.dump.zst",
      versionId: null,
      etag: '"9b2cf535f27731c974343645a3985328-1"',
      objectLock: null,
    },
    tables: [
      { schema: "public", name: "orders", rows: 1200 },
      { schema: "public", name: "users", rows: 42 },
    ],
    schemaFingerprint: "a".repeat(64),
    runner: { id: "rn_01", version: "0.1.0" },
    ...overrides,
  };
}
