import { type CheckStatus, type Report, ReportBuilder } from "../bundle/report.js";
import type { NamedVerifier } from "../dsse/envelope.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { formatSeconds } from "./findings.js";
import type { DrillPredicate } from "./predicate.js";
import { verifyDrillReceipt } from "./verify-receipt.js";

/**
 * verifyDrillReceipt as a report of named checks (SPEC §11, "On the command line"): `drill.receipt`,
 * `drill.artifact` (skip without a digest), `drill.outcome`, then what the drill measured. A receipt that
 * verifies but records a failed drill fails `drill.outcome` and passes `drill.receipt`, so a reader can
 * tell an authentic failure from a forgery. `receiptSha256` is printed to compare with the log's.
 */
export function drillReceiptReport(
  envelope: unknown,
  runnerKeys: NamedVerifier[],
  receiptSha256: string,
  artifactSha256?: string,
  verifySignature?: Ed25519Verify,
): Report {
  const report = new ReportBuilder();
  const r = verifyDrillReceipt(envelope, runnerKeys, {}, verifySignature);
  if (!r.ok) {
    report.add(
      "drill.receipt",
      "Drill receipt is signed by a pinned runner key and consistent",
      "fail",
      `${r.code}: ${r.message}`,
    );
    return report.build();
  }
  const { predicate: p, artifact, signedBy, findings } = r.value;
  report.add(
    "drill.receipt",
    "Drill receipt is signed by a pinned runner key and consistent",
    "pass",
    `${signedBy.join(", ")}; receipt SHA-256 ${receiptSha256}`,
  );
  if (artifactSha256 === undefined)
    report.add("drill.artifact", "Artifact is the one the drill restored", "skip", "no artifact given");
  else
    report.expect(
      "drill.artifact",
      "Artifact is the one the drill restored",
      artifactSha256 === artifact.sha256,
      artifact.sha256,
      `the file hashes to ${artifactSha256}, the receipt is about ${artifact.sha256}`,
    );
  report.expect(
    "drill.outcome",
    "The drill passed",
    p.outcome === "passed",
    `drill ${p.drillId} restored backup ${p.backupId} of ${p.databaseId} at ${p.completedAt}`,
    failureDetail(p, findings),
  );
  for (const [id, name, status, detail] of measurements(p, artifact.uri)) report.add(id, name, status, detail);
  return report.build();
}

/** Why a drill failed: its recorded phase and reason, then what its numbers show. */
function failureDetail(p: DrillPredicate, findings: string[]): string {
  const recorded = p.failure ? `failed in ${p.failure.phase}: ${p.failure.reason}` : "failed";
  return findings.length > 0 ? `${recorded} (${findings.join("; ")})` : recorded;
}

/** What the drill measured, each a check of its own; `drill.outcome` already carries the verdict, these say where. */
function measurements(p: DrillPredicate, uri: string): [string, string, CheckStatus, string][] {
  const ms = (v: number | null) => (v === null ? "did not run" : formatSeconds(v));
  const matched = p.tables.filter((t) => t.actualRows === t.expectedRows).length;
  const counted = p.tables.some((t) => t.actualRows !== null);
  const passedAssertions = p.assertions.filter((a) => a.passed).length;
  const restoreRan = p.pgRestore.exitCode !== null;
  const fp = p.schemaFingerprint;
  return [
    ["drill.backup", "Backup restored", "pass", `${p.backupId} (${uri}), manifest SHA-256 ${p.manifestSha256}`],
    [
      "drill.restore",
      "pg_restore succeeded",
      restoreRan ? (p.pgRestore.exitCode === 0 ? "pass" : "fail") : "skip",
      `${p.target.kind} target, server ${p.target.serverVersion ?? "not started"}; pg_restore ${p.pgRestore.version ?? "?"} -j ${p.pgRestore.jobs}, exit ${p.pgRestore.exitCode ?? "did not run"}${p.pgRestore.errors.length ? `: ${p.pgRestore.errors[0]}` : ""}`,
    ],
    [
      "drill.tables",
      "Every table has the manifest's row count",
      counted ? (matched === p.tables.length ? "pass" : "fail") : "skip",
      `${matched} of ${p.tables.length} match`,
    ],
    [
      "drill.fingerprint",
      "Restored schema has the manifest's fingerprint",
      fp.actual === null ? "skip" : fp.actual === fp.expected ? "pass" : "fail",
      fp.actual === null
        ? "not taken"
        : fp.actual === fp.expected
          ? fp.expected
          : `${fp.actual}, expected ${fp.expected}`,
    ],
    [
      "drill.assertions",
      "Every assertion passed",
      p.assertions.length === 0 ? "skip" : passedAssertions === p.assertions.length ? "pass" : "fail",
      p.assertions.length === 0
        ? "none configured"
        : `${passedAssertions} of ${p.assertions.length}${p.assertions
            .filter((a) => !a.passed)
            .map((a) => `; "${a.name}" got ${a.error ?? a.actual ?? "NULL"}`)
            .join("")}`,
    ],
    [
      "drill.rto",
      "RTO within its target",
      p.rto.targetMs === null ? "skip" : p.rto.ms <= p.rto.targetMs ? "pass" : "fail",
      `${formatSeconds(p.rto.ms)}${p.rto.targetMs === null ? " (no target)" : ` against ${formatSeconds(p.rto.targetMs)}`}: download and verify ${ms(p.phases.downloadVerifyMs)}, restore ${ms(p.phases.restoreMs)}, checks ${ms(p.phases.checksMs)}`,
    ],
    ["drill.runner", "Signed by the runner that ran it", "pass", `${p.runner.id} ${p.runner.version}`],
  ];
}
