import type { VerifyPolicy } from "../bundle/policy.js";
import { ReportBuilder, type Report } from "../bundle/report.js";
import { verifyCosignatures } from "../note/index.js";
import { utf8 } from "../bytes/utf8.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { checkKitCheckpoint } from "./check-kit-checkpoint.js";
import { checkKitEntry } from "./check-kit-entry.js";
import { checkKitInclusion } from "./check-kit-inclusion.js";
import { manifestChecks } from "./manifest-report.js";

/** A walk-away kit as read from the bucket (SPEC.md §Walk-away kit), without the artifact itself. */
export interface BackupKit {
  /** manifest.json, parsed. */
  envelope: unknown;
  /** entry.json: the backup.completed entry's exact text as logged. */
  entry: string;
  /** proof.json, parsed. */
  proof: unknown;
  /** checkpoint.txt: the signed note. */
  checkpoint: string;
}

/** Optional platform crypto (Node: `@walwarden/verifier/node`); both give the portable results. */
export interface KitCrypto {
  sha256?: Sha256;
  ed25519?: Ed25519Verify;
}

/**
 * Verifies a walk-away kit offline against pinned keys, as a report: the manifest checks (signature,
 * predicate, artifact digest if given), then `kit.checkpoint`, `kit.witnesses` (only with pinned
 * witnesses), `kit.entry` and `kit.inclusion`. Stops after a failed manifest (the later checks need its
 * predicate).
 */
export function backupKitReport(
  kit: BackupKit,
  policy: VerifyPolicy,
  artifactSha256?: string,
  crypto: KitCrypto = {},
): Report {
  const sha = crypto.sha256 ?? portableSha256;
  const report = new ReportBuilder();
  const manifest = manifestChecks(report, kit.envelope, policy.manifestKeys, artifactSha256, crypto.ed25519);
  if (!manifest) return report.build();
  const checkpoint = checkKitCheckpoint(kit.checkpoint, manifest.predicate.orgId, policy, report, crypto.ed25519);
  checkKitWitnesses(kit.checkpoint, checkpoint !== undefined, policy, report);
  const entryBytes = utf8(kit.entry);
  const entry = checkKitEntry(entryBytes, kit.envelope, manifest, sha, report);
  checkKitInclusion(kit.proof, entryBytes, entry, checkpoint, sha, report);
  return report.build();
}

/**
 * `kit.witnesses` (SPEC §10, §13), only when the policy pins witnesses: the kit's checkpoint carries the
 * cosignatures of at least `witnessQuorum` (default 1) of them. Skipped when the checkpoint did not verify.
 */
function checkKitWitnesses(note: string, verified: boolean, policy: VerifyPolicy, report: ReportBuilder): void {
  const witnesses = policy.witnesses ?? [];
  if (witnesses.length === 0) return;
  const quorum = policy.witnessQuorum ?? 1;
  const name = `Checkpoint is cosigned by ${quorum} of the ${witnesses.length} pinned witness(es)`;
  if (!verified) {
    report.add("kit.witnesses", name, "skip", "the checkpoint did not verify");
    return;
  }
  report.result("kit.witnesses", name, verifyCosignatures(note, witnesses, quorum), (c) =>
    c.map((w) => `${w.witness.name} at ${new Date(Number(w.timestamp) * 1000).toISOString()}`).join(", "),
  );
}
