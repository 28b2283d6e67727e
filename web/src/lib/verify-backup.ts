// "Verify in browser" for one backup: the walk-away kit checks of @walwarden/verifier (manifest signature
// and predicate, the checkpoint signed by a pinned key for this org's log, the log entry is this backup's,
// and its inclusion proof), run here against the keys pinned in this browser, never the ones just served.
import { backupKitReport, policyFromVkeys, type Report, type VerifyPolicy } from "@walwarden/verifier";
import type { BackupDetail } from "@walwarden/verifier/wire";
import { pinnedVkeys, type PinnedKeys } from "./pinned-keys.js";

/**
 * Runs backupKitReport on a backup's manifest, log entry, proof and checkpoint with the pinned keys, and with
 * `witnesses` (lib/witness-keys.ts) requires their cosignatures on the checkpoint (check `kit.witnesses`).
 */
export function verifyBackupKit(
  detail: BackupDetail,
  entryText: string,
  pinned: PinnedKeys,
  orgId: string,
  witnesses: Pick<VerifyPolicy, "witnesses" | "witnessQuorum"> = {},
): Report {
  const policy = policyFromVkeys(pinnedVkeys(pinned), { origin: `${pinned.origin}/${orgId}`, ...witnesses });
  if (!policy.ok) {
    return {
      verdict: "not-verified",
      failed: "keys",
      checks: [{ id: "keys", name: "Pinned keys are usable", status: "fail", detail: policy.message }],
    };
  }
  return backupKitReport(
    { envelope: detail.envelope, entry: entryText, proof: detail.proof, checkpoint: detail.checkpoint },
    policy.value,
  );
}
