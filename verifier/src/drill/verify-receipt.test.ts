import { describe, expect, test } from "vitest";
import { MANIFEST_SIGNER, RUNNER_SIGNER, SAMPLE_DRILL_ARTIFACT, sampleDrillPredicate } from "../test-support/index.js";
import { signDrillReceipt } from "./build-receipt.js";
import type { DrillPredicate } from "./predicate.js";
import { verifyDrillReceipt } from "./verify-receipt.js";

const KEYS = [{ name: RUNNER_SIGNER.name, publicKey: RUNNER_SIGNER.publicKey }];
const sign = (p: DrillPredicate, signer = RUNNER_SIGNER) => signDrillReceipt(p, SAMPLE_DRILL_ARTIFACT, signer);

describe("verifyDrillReceipt", () => {
  test("a passed drill verifies with the runner's key and has no findings", () => {
    const r = verifyDrillReceipt(sign(sampleDrillPredicate()), KEYS, {
      artifactSha256: SAMPLE_DRILL_ARTIFACT.sha256,
      drillId: "dr_01",
      backupId: "bk_01",
    });
    expect(r.ok && r.value.findings).toEqual([]);
    expect(r.ok && r.value.signedBy).toEqual(["test.walwarden.dev/runner/rn_01+78ae76c4"]);
  });

  test("a key nobody pinned, or the manifest key, does not verify it", () => {
    const byManifestKey = verifyDrillReceipt(sign(sampleDrillPredicate(), MANIFEST_SIGNER), KEYS);
    expect(!byManifestKey.ok && byManifestKey.code).toBe("unknown-key");
  });

  test("a changed byte of the payload breaks the signature", () => {
    const env = sign(sampleDrillPredicate());
    const bytes = atob(env.payload);
    const tampered = { ...env, payload: btoa(bytes.replace('"actualRows":42', '"actualRows":41')) };
    const r = verifyDrillReceipt(tampered, KEYS);
    expect(!r.ok && r.code).toBe("bad-signature");
  });

  test("a failed drill with its failure recorded verifies and reports its findings", () => {
    const p = sampleDrillPredicate({
      outcome: "failed",
      failure: { phase: "checks", reason: "1 of 2 tables differ" },
      tables: [
        { schema: "public", name: "orders", expectedRows: 1200, actualRows: 0 },
        { schema: "public", name: "users", expectedRows: 42, actualRows: 42 },
      ],
    });
    const r = verifyDrillReceipt(sign(p), KEYS);
    expect(r.ok && r.value.findings).toEqual([
      "1 of 2 tables differ from the manifest (first: public.orders, 1200 rows expected, 0 found)",
    ]);
  });

  test.each<[string, Partial<DrillPredicate>, RegExp]>([
    [
      "passed over a row count that differs",
      { tables: [{ schema: "public", name: "orders", expectedRows: 1200, actualRows: 1199 }] },
      /outcome is passed but 1 of 1 tables differ/,
    ],
    [
      "passed over another download",
      { downloadedSha256: "0".repeat(64) },
      /outcome is passed but the downloaded bytes/,
    ],
    [
      "passed over a non-zero pg_restore exit",
      { pgRestore: { version: "17.2", jobs: 2, exitCode: 1, errors: [] } },
      /exited with 1/,
    ],
    [
      "passed over a fingerprint that differs",
      { schemaFingerprint: { expected: "a".repeat(64), actual: "b".repeat(64) } },
      /fingerprint differs/,
    ],
    ["passed over a slow RTO", { rto: { ms: 6730, targetMs: 6000 } }, /RTO 6\.7 s exceeds the target 6\.0 s/],
    ["failed without a failure", { outcome: "failed" }, /no failure is recorded/],
    ["an RTO that is not the phases' sum", { rto: { ms: 1, targetMs: null } }, /not the sum of the phases \(6730\)/],
    [
      "an assertion recorded as passed whose value fails",
      {
        assertions: [
          { name: "n", sql: "select 1", expect: { op: "gt", value: 5 }, actual: "1", passed: true, error: null },
        ],
      },
      /assertion "n" is recorded as passed but its value fails/,
    ],
    ["completed before it started", { completedAt: "2026-11-29T03:00:00.000Z" }, /completedAt is before startedAt/],
  ])("an inconsistent receipt is refused: %s", (_, over, message) => {
    const r = verifyDrillReceipt(sign(sampleDrillPredicate(over)), KEYS);
    expect(!r.ok && r.code).toBe("inconsistent");
    expect(!r.ok && r.message).toMatch(message);
  });

  test("an expectation the receipt does not meet is a subject mismatch naming it", () => {
    const r = verifyDrillReceipt(sign(sampleDrillPredicate()), KEYS, { backupId: "bk_02" });
    expect(!r.ok && r.message).toBe("the receipt's backup is bk_01, expected bk_02");
  });

  test("a manifest is not a receipt", async () => {
    const { signManifest } = await import("../manifest/build-manifest.js");
    const { samplePredicate } = await import("../test-support/predicate.js");
    const manifest = signManifest(samplePredicate(), SAMPLE_DRILL_ARTIFACT.sha256, RUNNER_SIGNER);
    const r = verifyDrillReceipt(manifest, KEYS);
    expect(!r.ok && r.code).toBe("wrong-predicate-type");
  });
});
