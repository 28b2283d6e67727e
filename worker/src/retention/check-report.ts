import { err, KIT_FILES, kitObjectKey, ok, type Result } from "@walwarden/verifier";
import type { PruneReportRequest, PruneTarget } from "@walwarden/verifier/wire";

/** One target and what the runner says it did with it. */
export interface ReportedTarget {
  target: PruneTarget;
  result: PruneReportRequest["results"][number];
}

/**
 * Holds a prune report to its job's targets (SPEC §12): every target named exactly once and nothing else;
 * a `deleted` one with the keys deleted, the artifact's key first (the object the manifest names), then
 * only keys beside it (its kit's files and drill receipts: its key with the artifact extension replaced), each
 * once; `locked`
 * with its retain-until; no keys for what was not deleted, and no retain-until for what was deleted or is
 * missing. The pairs in the targets' order, or why the report is refused.
 */
export function checkReport(
  targets: PruneTarget[],
  results: PruneReportRequest["results"],
): Result<ReportedTarget[], "bad-report"> {
  const byId = new Map<string, PruneReportRequest["results"][number]>();
  for (const r of results) {
    if (byId.has(r.backupId)) return err("bad-report", `results name backup ${r.backupId} more than once`);
    if (!targets.some((t) => t.backupId === r.backupId))
      return err("bad-report", `results name backup ${r.backupId}, which is not a target of this prune`);
    byId.set(r.backupId, r);
  }
  const out: ReportedTarget[] = [];
  for (const target of targets) {
    const result = byId.get(target.backupId);
    if (!result) return err("bad-report", `results do not say what became of target ${target.backupId}`);
    const refused = refusal(target, result);
    if (refused) return err("bad-report", `results for ${target.backupId}: ${refused}`);
    out.push({ target, result });
  }
  return ok(out);
}

/** Why one result cannot be taken for its target, or null. */
function refusal(target: PruneTarget, r: PruneReportRequest["results"][number]): string | null {
  if (r.outcome === "deleted") {
    if (r.deletedKeys[0] !== target.artifact.key)
      return `a deleted backup's deletedKeys start with its artifact's key (${target.artifact.key})`;
    const base = besideArtifact(target.artifact.key);
    const others = r.deletedKeys.slice(1);
    if (new Set(r.deletedKeys).size !== r.deletedKeys.length) return "deletedKeys names a key more than once";
    if (others.some((k) => base === null || !k.startsWith(base)))
      return `deletedKeys after the artifact's are its kit's, beside it (${base ?? "this key has no kit layout"}…)`;
    if (r.retainUntil !== null) return "a deleted backup has no retainUntil";
    return null;
  }
  if (r.deletedKeys.length > 0) return `deletedKeys is for a deleted backup, not one that is ${r.outcome}`;
  if (r.outcome === "locked" && r.retainUntil === null) return "a locked backup's retainUntil is required";
  if (r.outcome === "missing" && r.retainUntil !== null) return "a missing backup has no retainUntil";
  return null;
}

/** What every key beside an artifact starts with (its key without the artifact extension, and a dot), or null. */
function besideArtifact(artifactKey: string): string | null {
  try {
    return kitObjectKey(artifactKey, "manifest").slice(0, -KIT_FILES.manifest.length);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}
