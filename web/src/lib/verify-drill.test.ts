// The drill receipt check the dashboard runs in the browser, on receipts altered where the page gets them
// (the API's drill object): the page says "not verified" and names the check that failed.
import { describe, expect, it } from "vitest";
import { canonicalBytes, formatVkey, sha256, signDrillReceipt, toHex, type DrillPredicate } from "@walwarden/verifier";
import { RUNNER_SIGNER, SAMPLE_DRILL_ARTIFACT, sampleDrillPredicate, testSigner } from "@walwarden/verifier/testing";
import type { Drill } from "@walwarden/verifier/wire";
import { verifyDrill } from "./verify-drill.js";

const VKEY = formatVkey(RUNNER_SIGNER.name, RUNNER_SIGNER.publicKey);
const ORG = "org_acme";

/** A drill as GET /v1/drills/:id gives it, with a receipt signed by the sample runner key. */
function drillOf(p: DrillPredicate = sampleDrillPredicate(), over: Partial<Drill> = {}): Drill {
  const receipt = signDrillReceipt(p, SAMPLE_DRILL_ARTIFACT, RUNNER_SIGNER);
  const matched = p.tables.filter((t) => t.actualRows === t.expectedRows).length;
  return {
    id: p.drillId,
    jobId: p.jobId,
    databaseId: p.databaseId,
    backupId: p.backupId,
    trigger: "manual",
    slotAt: p.startedAt,
    status: p.outcome,
    attempt: 1,
    runnerId: p.runner.id,
    target: p.target.kind,
    maxRtoSeconds: 900,
    rtoMs: p.rto.ms,
    tables: { matched, total: p.tables.length },
    reason: p.failure?.reason ?? null,
    receipt,
    receiptSha256: toHex(sha256(canonicalBytes(receipt))),
    runnerVkey: VKEY,
    createdAt: p.startedAt,
    finishedAt: p.completedAt,
    ...over,
  };
}
const failedIds = (d: Drill, backup = {}) => {
  const v = verifyDrill(d, ORG, backup);
  return {
    verdict: v.report.verdict,
    failed: v.report.failed,
    detail: v.report.checks.find((c) => c.status === "fail")?.detail,
  };
};

describe("verifyDrill", () => {
  it("verifies a passed drill's receipt with the runner's vkey, naming the key", () => {
    const v = verifyDrill(drillOf(), ORG, {
      artifactSha256: SAMPLE_DRILL_ARTIFACT.sha256,
      artifactUri: SAMPLE_DRILL_ARTIFACT.uri,
    });
    expect(v.report.verdict).toBe("verified");
    expect(v.keyName).toBe("test.walwarden.dev/runner/rn_01");
    expect(v.verified?.findings).toEqual([]);
    expect(v.report.checks.map((c) => [c.id, c.status])).toEqual([
      ["runner-key", "pass"],
      ["receipt-sha256", "pass"],
      ["receipt", "pass"],
      ["shown", "pass"],
    ]);
  });

  it("verifies a failed drill's receipt and keeps its findings", () => {
    const p = sampleDrillPredicate({
      outcome: "failed",
      failure: { phase: "checks", reason: "1 of 2 tables differ" },
      tables: [
        { schema: "public", name: "orders", expectedRows: 1200, actualRows: 1100 },
        { schema: "public", name: "users", expectedRows: 42, actualRows: 42 },
      ],
    });
    const v = verifyDrill(drillOf(p), ORG);
    expect(v.report.verdict).toBe("verified");
    expect(v.verified?.findings).toEqual([
      "1 of 2 tables differ from the manifest (first: public.orders, 1200 rows expected, 1100 found)",
    ]);
  });

  it("a receipt whose payload was altered on its way to the page fails its signature", () => {
    const d = drillOf();
    const tampered = atob(d.receipt!.payload).replace('"actualRows":42', '"actualRows":41');
    expect(tampered).not.toBe(atob(d.receipt!.payload));
    const receipt = { ...d.receipt!, payload: btoa(tampered) };
    // Even with a receiptSha256 that matches the altered bytes, the signature does not.
    const r = failedIds({ ...d, receipt, receiptSha256: toHex(sha256(canonicalBytes(receipt))) });
    expect(r).toMatchObject({ verdict: "not-verified", failed: "receipt" });
    expect(r.detail).toMatch(/^bad-signature/);
  });

  it("a receipt that is not the one logged fails the SHA-256 check", () => {
    const r = failedIds({ ...drillOf(), receiptSha256: "0".repeat(64) });
    expect(r).toMatchObject({ verdict: "not-verified", failed: "receipt-sha256" });
    expect(r.detail).toContain(`the log records ${"0".repeat(64)}`);
  });

  it("another runner's key does not verify it, and an unparsable vkey says so", () => {
    const other = testSigner("test.walwarden.dev/runner/rn_02", 9);
    expect(failedIds({ ...drillOf(), runnerVkey: formatVkey(other.name, other.publicKey) })).toMatchObject({
      verdict: "not-verified",
      failed: "receipt",
    });
    expect(failedIds({ ...drillOf(), runnerVkey: "not a vkey" })).toMatchObject({ failed: "runner-key" });
  });

  it("a receipt about another drill, backup or artifact is refused", () => {
    expect(failedIds({ ...drillOf(), id: "dr_99" }).detail).toContain("the receipt's drill is dr_01, expected dr_99");
    expect(failedIds({ ...drillOf(), backupId: "bk_99" }).failed).toBe("receipt");
    expect(failedIds(drillOf(), { artifactSha256: "f".repeat(64) }).detail).toContain("artifact SHA-256");
    expect(verifyDrill(drillOf(), "org_other").report.verdict).toBe("not-verified");
  });

  it("a summary that says more than the receipt is caught: status, RTO or tables", () => {
    const failed = sampleDrillPredicate({
      outcome: "failed",
      failure: { phase: "rto", reason: "too slow" },
      rto: { ms: 6730, targetMs: 6000 },
    });
    expect(failedIds({ ...drillOf(failed), status: "passed" })).toMatchObject({ failed: "shown" });
    expect(failedIds({ ...drillOf(), rtoMs: 10 }).detail).toContain("RTO 10 ms, the receipt says 6730 ms");
    expect(failedIds({ ...drillOf(), tables: { matched: 3, total: 3 } }).detail).toContain("the receipt says 2 of 2");
  });

  it("a drill without a receipt is not verified", () => {
    const r = failedIds({ ...drillOf(), status: "failed", receipt: null, receiptSha256: null, runnerVkey: null });
    expect(r).toMatchObject({ verdict: "not-verified", failed: "receipt", detail: "this drill has no receipt" });
  });
});
