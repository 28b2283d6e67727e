import { bytesEqual } from "../bytes/compare.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { err, ok, type Result } from "../result.js";
import type { ProofErrorCode } from "./proof-error.js";
import { isSubtree } from "./subtree.js";
import { toTreeValue } from "./tree-size.js";
import { rootFromInclusionProof } from "./verify-inclusion.js";

/** Why a subtree inclusion proof does not verify. */
export type SubtreeInclusionErrorCode = Extract<
  ProofErrorCode,
  | "invalid-index"
  | "invalid-size"
  | "invalid-subtree"
  | "index-out-of-range"
  | "invalid-leaf-hash"
  | "invalid-proof-hash"
  | "wrong-proof-size"
  | "root-mismatch"
>;

/**
 * Verifies that the leaf with hash `leafHash` is at `index` in the subtree [start, end) whose root is
 * `subtreeRoot` (transparency-dev/merkle VerifySubtreeInclusion). A subtree's root is the MTH of its
 * leaves alone, so this is an RFC 9162 inclusion proof of leaf index − start in a tree of end − start
 * leaves, once [start, end) is checked to be a subtree (see isValidSubtree) that contains index.
 */
export function verifySubtreeInclusion(
  index: number | bigint,
  start: number | bigint,
  end: number | bigint,
  leafHash: Uint8Array,
  subtreeRoot: Uint8Array,
  proof: readonly Uint8Array[],
  h: Sha256 = portableSha256,
): Result<true, SubtreeInclusionErrorCode> {
  const i = toTreeValue(index);
  if (i === undefined)
    return err(
      "invalid-index",
      `leaf index ${String(index)} is not an integer in [0, 2^63 - 1] (pass numbers above 2^53 - 1 as bigint)`,
    );
  const s = toTreeValue(start);
  const e = toTreeValue(end);
  if (s === undefined || e === undefined)
    return err("invalid-size", `subtree [${String(start)}, ${String(end)}) bounds must be integers in [0, 2^63 - 1]`);
  if (!isSubtree(s, e))
    return err(
      "invalid-subtree",
      `[${s}, ${e}) is not a subtree: start must be a multiple of the smallest power of two >= end - start`,
    );
  if (i < s || i >= e) return err("index-out-of-range", `leaf index ${i} is not in the subtree [${s}, ${e})`);
  const computed = rootFromInclusionProof(i - s, e - s, leafHash, proof, h);
  if (!computed.ok) return computed;
  if (!bytesEqual(computed.value, subtreeRoot))
    return err("root-mismatch", `inclusion proof of leaf ${i} does not reproduce the root of the subtree [${s}, ${e})`);
  return ok(true);
}
