import type { VerifyPolicy } from "../bundle/policy.js";
import type { ReportBuilder } from "../bundle/report.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { parseCheckpointNote, verifyCheckpoint, type VerifiedCheckpoint } from "../note/index.js";
import { err, ok, type Result } from "../result.js";

const NAME = "Checkpoint is signed by a pinned key for the org's log";

/** The origin a kit's checkpoint must have, and how it was chosen (for the report). */
function expectedOrigin(
  note: string,
  orgId: string,
  policy: VerifyPolicy,
): Result<{ origin: string; how: string }, "wrong-origin" | "malformed"> {
  const suffix = `/log/${orgId}`;
  if (policy.origin !== undefined) {
    if (!policy.origin.endsWith(suffix))
      return err(
        "wrong-origin",
        `the pinned origin ${JSON.stringify(policy.origin)} is not the log of the manifest's org (it would end in ${suffix})`,
      );
    return ok({ origin: policy.origin, how: "the pinned origin" });
  }
  const cp = parseCheckpointNote(note);
  if (!cp.ok) return cp;
  if (!cp.value.origin.endsWith(suffix))
    return err(
      "wrong-origin",
      `checkpoint is for ${JSON.stringify(cp.value.origin)}, not the log of the manifest's org (an origin ending in ${suffix})`,
    );
  return ok({
    origin: cp.value.origin,
    how: `no origin pinned: any deployment's log ending in ${suffix} is accepted; pin the origin to check the deployment too`,
  });
}

/**
 * `kit.checkpoint`: the kit's checkpoint verifies with a pinned checkpoint key for the expected origin:
 * policy.origin if set (it must be the manifest's org's log), else any origin ending in `/log/<orgId>`.
 */
export function checkKitCheckpoint(
  note: string,
  orgId: string,
  policy: VerifyPolicy,
  report: ReportBuilder,
  ed25519?: Ed25519Verify,
): VerifiedCheckpoint | undefined {
  const expected = expectedOrigin(note, orgId, policy);
  if (!expected.ok) {
    report.add("kit.checkpoint", NAME, "fail", `${expected.code}: ${expected.message}`);
    return undefined;
  }
  const { origin, how } = expected.value;
  return report.result(
    "kit.checkpoint",
    NAME,
    verifyCheckpoint(note, policy.checkpointKeys, origin, ed25519),
    (c) => `origin ${c.origin} (${how}), size ${c.size}`,
  );
}
