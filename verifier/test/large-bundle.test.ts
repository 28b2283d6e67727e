import { expect, test } from "vitest";
import { MemoryLog } from "../src/log/memory-log.js";
import { writeBundle } from "../src/bundle/write-bundle.js";
import { verifyBundle } from "../src/bundle/verify-bundle.js";
import { checkpointAt, fixturePolicy, ORIGIN } from "../src/test-support/fixture-log.js";
import { MANIFEST_SIGNER } from "../src/test-support/keys.js";
import { nativeSha256, parallelRangeHasher } from "../dist/node/index.js";

// Node only (native hashing keeps it to seconds): large windows must not hit call-stack or quadratic limits.
test("a window of 200,000 entries is written and verified", async () => {
  const log = new MemoryLog(nativeSha256);
  const base = {
    v: 1 as const,
    at: "2026-11-24T03:00:00.000Z",
    actor: "system:cron",
    subject: "database:db_main",
    type: "backup.scheduled" as const,
  };
  for (let i = 0; i < 200_010; i++)
    log.append({
      ...base,
      seq: i,
      data: { jobId: `job_${i}`, scheduleId: "sc_1", databaseId: "db_main", slot: base.at },
    });
  const zip = writeBundle(
    {
      orgId: "org_acme",
      origin: ORIGIN,
      period: { from: base.at, to: base.at },
      createdAt: base.at,
      start: 5,
      entries: log.entries.slice(5, 200_005),
      frontier: log.frontier(5),
      headCheckpoint: checkpointAt(log, log.size),
      headSize: log.size,
      consistency: log.consistencyProof(200_005),
      manifests: new Map(),
      reportHtml: "x",
      indexSigner: MANIFEST_SIGNER,
    },
    nativeSha256,
  );
  expect(zip.ok).toBe(true);
  const report = await verifyBundle(zip.ok ? zip.value : new Uint8Array(), fixturePolicy(), {
    sha256: nativeSha256,
    rangeHasher: parallelRangeHasher(2),
  });
  expect(report.verdict).toBe("verified");
}, 120_000);
