import type { ReportBuilder } from "../bundle/report.js";
import { fromBase64 } from "../bytes/base64.js";
import type { Sha256 } from "../hash/sha256.js";
import type { LogEntry } from "../log/entry.js";
import { InclusionProofSchema } from "../log/inclusion-proof.js";
import { leafHash, verifyInclusion } from "../merkle/index.js";
import type { VerifiedCheckpoint } from "../note/index.js";
import { describeIssue } from "../schema/common.js";

const ID = "kit.inclusion";
const NAME = "Log entry is in the signed log";

/**
 * `kit.inclusion`: the proof parses, is for the checkpoint's tree size and the entry's seq, and leads
 * from the entry's leaf hash to the checkpoint's root. Skipped without a verified checkpoint and a
 * decoded entry.
 */
export function checkKitInclusion(
  proof: unknown,
  entryBytes: Uint8Array,
  entry: LogEntry | undefined,
  checkpoint: VerifiedCheckpoint | undefined,
  sha: Sha256,
  report: ReportBuilder,
): void {
  if (!entry || !checkpoint) {
    report.add(
      ID,
      NAME,
      "skip",
      `needs a verified checkpoint and a readable entry (${!checkpoint ? "the checkpoint" : "the entry"} failed)`,
    );
    return;
  }
  const parsed = InclusionProofSchema.safeParse(proof);
  if (!parsed.success) {
    report.add(ID, NAME, "fail", `not an inclusion proof: ${describeIssue(parsed.error)}`);
    return;
  }
  const p = parsed.data;
  if (BigInt(p.treeSize) !== checkpoint.size) {
    report.add(
      ID,
      NAME,
      "fail",
      `the proof is for a tree of size ${p.treeSize}, the checkpoint's is ${checkpoint.size}`,
    );
    return;
  }
  if (p.leafIndex !== entry.seq) {
    report.add(ID, NAME, "fail", `the proof is for leaf ${p.leafIndex}, the entry's seq is ${entry.seq}`);
    return;
  }
  const hashes = p.hashes.map((h) => fromBase64(h));
  if (hashes.some((h) => h === undefined)) {
    report.add(ID, NAME, "fail", "a proof hash is not canonical base64");
    return;
  }
  const included = verifyInclusion(
    p.leafIndex,
    p.treeSize,
    leafHash(entryBytes, sha),
    checkpoint.rootHash,
    hashes as Uint8Array[],
    sha,
  );
  report.result(
    ID,
    NAME,
    included,
    () =>
      `entry ${entry.seq} is in the tree of size ${checkpoint.size} the checkpoint signs (${p.hashes.length} proof hashes)`,
  );
}
