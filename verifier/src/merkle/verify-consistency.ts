import { bytesEqual } from "../bytes/compare.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { err, ok, type Result } from "../result.js";
import { allHashes, HASH_SIZE } from "./hash.js";
import type { ProofErrorCode } from "./proof-error.js";
import { toTreeValue } from "./tree-size.js";
import { rootFromSubtreeConsistencyProof } from "./verify-subtree-consistency.js";

/** Why a consistency proof does not verify. */
export type ConsistencyErrorCode = Extract<
  ProofErrorCode,
  | "invalid-size"
  | "sizes-out-of-order"
  | "empty-tree"
  | "invalid-proof-hash"
  | "wrong-proof-size"
  | "old-root-mismatch"
  | "new-root-mismatch"
>;

/**
 * Verifies an RFC 9162 consistency proof (§2.1.4.2) that the tree of `size1` with root `root1` is a prefix
 * of the tree of `size2` with root `root2` (transparency-dev/merkle VerifyConsistency). Equal sizes need
 * an empty proof and equal roots. A proof from size 0 is always rejected ("empty-tree"), even to size 0:
 * RFC 9162 defines none, and every tree extends the empty one, so callers decide that case without a proof.
 */
export function verifyConsistency(
  size1: number | bigint,
  size2: number | bigint,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
  h: Sha256 = portableSha256,
): Result<true, ConsistencyErrorCode> {
  const m = toTreeValue(size1);
  const n = toTreeValue(size2);
  if (m === undefined || n === undefined)
    return err(
      "invalid-size",
      `tree sizes ${String(size1)} and ${String(size2)} must be integers in [0, 2^63 - 1] (pass numbers above 2^53 - 1 as bigint)`,
    );
  if (m > n)
    return err("sizes-out-of-order", `cannot prove a tree of size ${m} consistent with a smaller one of size ${n}`);
  if (m === 0n) return err("empty-tree", "RFC 9162 defines no consistency proof from the empty tree");
  if (m === n) {
    if (proof.length !== 0)
      return err("wrong-proof-size", `equal sizes need an empty proof, got ${proof.length} hashes`);
    return bytesEqual(root1, root2)
      ? ok(true)
      : err("new-root-mismatch", `two trees of size ${m} have different roots`);
  }
  if (proof.length === 0) return err("wrong-proof-size", `a consistency proof from ${m} to ${n} cannot be empty`);
  if (!allHashes(proof)) return err("invalid-proof-hash", `every proof hash must be ${HASH_SIZE} bytes`);
  // The tree of size m is the subtree [0, m) of the tree of size n.
  const computed = rootFromSubtreeConsistencyProof(0n, m, n, proof, root1, h);
  if (!computed.ok)
    return err(computed.code === "subtree-root-mismatch" ? "old-root-mismatch" : computed.code, computed.message);
  if (!bytesEqual(computed.value, root2))
    return err("new-root-mismatch", `proof does not reproduce the root of the tree of size ${n}`);
  return ok(true);
}
