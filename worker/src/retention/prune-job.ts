import type { ClaimedPruneJob, PruneTarget } from "@walwarden/verifier/wire";
import { iso } from "../lib/time.js";
import { storedPolicy } from "./policy.js";

/** What claim reads of a prune job: its prune_jobs row's decision. */
export interface PruneJobRow {
  decided_at: number;
  /** JSON: the policy decided with. */
  policy: string;
  /** JSON: the PruneTarget[]. */
  targets: string;
}

/** The claim answer of a prune (SPEC §12): the decision's instant and policy, and the backups to delete. */
export function pruneJobOf(
  jobId: string,
  databaseId: string,
  row: PruneJobRow,
  lease: { attempt: number; leaseId: string; leaseExpiresAt: string; runnerId: string },
): ClaimedPruneJob {
  return {
    kind: "prune",
    jobId,
    databaseId,
    ...lease,
    decidedAt: iso(row.decided_at),
    policy: storedPolicy(row.policy),
    targets: JSON.parse(row.targets) as PruneTarget[],
  };
}
