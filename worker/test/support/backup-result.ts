/** A runner's result for `complete`, as the runner would measure it (the Worker adds the ids it owns). */
export function backupResult(runnerId: string, overrides: Record<string, unknown> = {}) {
  return {
    startedAt: "2026-11-24T03:00:00.000Z",
    completedAt: "2026-11-24T03:01:30.000Z",
    sizeBytes: 123_456_789,
    compression: "zstd",
    dumpFormat: "custom",
    serverVersion: "16.4",
    pgDumpVersion: "17.2",
    s3: {
      bucket: "acme-backups",
      key: "walwarden/db/2026/11/24/bkp.dump.zst",
      versionId: null,
      etag: '"9b2cf535f27731c974343645a3985328-3"',
      objectLock: null,
    },
    tables: [
      { schema: "public", name: "orders", rows: 1200 },
      { schema: "public", name: "customers", rows: 80 },
    ],
    schemaFingerprint: "a".repeat(64),
    runner: { id: runnerId, version: "0.1.0" },
    ...overrides,
  };
}

/** A plausible SHA-256 (hex) of a stored artifact. */
export const ARTIFACT_SHA256 = "5e0b3b9c6a1f1f0c3d6f2e8b9a7c4d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c";
