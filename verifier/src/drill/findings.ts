import { assertionPasses } from "./assertion.js";
import type { DrillPredicate } from "./predicate.js";

/**
 * Every check a drill's measurements fail, in the order a reader meets them (empty: the backup restored
 * and matched). The runner sets a receipt's outcome from this list and the verifier recomputes it, so a
 * receipt cannot say "passed" over numbers that do not.
 */
export function drillFindings(p: DrillPredicate, artifactSha256: string): string[] {
  const found: string[] = [];
  if (p.downloadedSha256 !== artifactSha256)
    found.push(
      p.downloadedSha256 === null
        ? "the artifact was not downloaded"
        : `the downloaded bytes hash to ${p.downloadedSha256}, not the manifest's ${artifactSha256}`,
    );
  if (p.pgRestore.exitCode !== 0)
    found.push(
      p.pgRestore.exitCode === null ? "pg_restore did not run" : `pg_restore exited with ${p.pgRestore.exitCode}`,
    );
  const wrong = p.tables.filter((t) => t.actualRows !== t.expectedRows);
  if (wrong.length > 0) {
    const t = wrong[0]!;
    found.push(
      `${wrong.length} of ${p.tables.length} tables differ from the manifest (first: ${t.schema}.${t.name}, ` +
        `${t.expectedRows} rows expected, ${t.actualRows === null ? "not counted" : `${t.actualRows} found`})`,
    );
  }
  if (p.schemaFingerprint.actual !== p.schemaFingerprint.expected)
    found.push(
      p.schemaFingerprint.actual === null
        ? "the schema fingerprint was not taken"
        : "the restored schema's fingerprint differs from the manifest's",
    );
  for (const a of p.assertions)
    if (!a.passed)
      found.push(`assertion "${a.name}" failed${a.error ? `: ${a.error}` : ` (got ${a.actual ?? "NULL"})`}`);
  if (p.rto.targetMs !== null && p.rto.ms > p.rto.targetMs)
    found.push(`RTO ${formatSeconds(p.rto.ms)} exceeds the target ${formatSeconds(p.rto.targetMs)}`);
  return found;
}

/** The RTO a receipt must state: the sum of its phases. */
export function phasesRto(p: DrillPredicate): number {
  return p.phases.downloadVerifyMs + (p.phases.restoreMs ?? 0) + (p.phases.checksMs ?? 0);
}

/** Where a receipt's recorded assertion verdicts disagree with its values (empty when they agree). */
export function assertionVerdictErrors(p: DrillPredicate): string[] {
  return p.assertions.flatMap((a) => {
    const expected = a.error === null && assertionPasses(a.expect, a.actual);
    return a.passed === expected
      ? []
      : [
          `assertion "${a.name}" is recorded as ${a.passed ? "passed" : "failed"} but its value ${a.passed ? "fails" : "passes"}`,
        ];
  });
}

/** Milliseconds as seconds with one decimal, e.g. `12.3 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
