import { bytesEqual } from "../bytes/compare.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { err, ok, type Result } from "../result.js";
import { allHashes, HASH_SIZE, nodeHash } from "./hash.js";
import type { ProofErrorCode } from "./proof-error.js";
import { bitAt, bitLength, popCount, toTreeValue } from "./tree-size.js";

/** Why an inclusion proof does not verify. */
export type InclusionErrorCode = Extract<
  ProofErrorCode,
  | "invalid-index"
  | "invalid-size"
  | "index-out-of-range"
  | "invalid-leaf-hash"
  | "invalid-proof-hash"
  | "wrong-proof-size"
  | "root-mismatch"
>;

/** Where a proof hash goes relative to the hash computed so far: `left` means HASH(0x01 ‖ proof ‖ acc). */
export type ProofSide = "left" | "right";

/**
 * The shape of the inclusion proof of leaf `index` in a tree of `size` (0 ≤ index < size): one side per
 * proof hash, leaf level first. Below the level where the paths to `index` and to `size − 1` fork, bit i
 * of index decides; above it the path runs along the right border, where every sibling is on the left
 * (transparency-dev/merkle's inner/border decomposition).
 */
export function inclusionProofSides(index: bigint, size: bigint): ProofSide[] {
  const inner = bitLength(index ^ (size - 1n));
  const border = popCount(index >> BigInt(inner));
  const sides: ProofSide[] = [];
  for (let i = 0; i < inner; i++) sides.push(bitAt(index, i) === 1 ? "left" : "right");
  for (let i = 0; i < border; i++) sides.push("left");
  return sides;
}

/**
 * The root that an RFC 9162 inclusion proof implies for leaf `index` of a tree of `size`, or why no
 * root follows (bad index or size, a leaf or proof hash that is not 32 bytes, a proof of the wrong length).
 */
export function rootFromInclusionProof(
  index: number | bigint,
  size: number | bigint,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  h: Sha256 = portableSha256,
): Result<Uint8Array, Exclude<InclusionErrorCode, "root-mismatch">> {
  const i = toTreeValue(index);
  if (i === undefined)
    return err(
      "invalid-index",
      `leaf index ${String(index)} is not an integer in [0, 2^63 - 1] (pass numbers above 2^53 - 1 as bigint)`,
    );
  const n = toTreeValue(size);
  if (n === undefined)
    return err(
      "invalid-size",
      `tree size ${String(size)} is not an integer in [0, 2^63 - 1] (pass numbers above 2^53 - 1 as bigint)`,
    );
  if (i >= n) return err("index-out-of-range", `leaf index ${i} is not in a tree of size ${n}`);
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE)
    return err("invalid-leaf-hash", `leaf hash must be ${HASH_SIZE} bytes`);
  const sides = inclusionProofSides(i, n);
  if (proof.length !== sides.length)
    return err(
      "wrong-proof-size",
      `inclusion proof of leaf ${i} in a tree of size ${n} has ${sides.length} hashes, got ${proof.length}`,
    );
  if (!allHashes(proof)) return err("invalid-proof-hash", `every proof hash must be ${HASH_SIZE} bytes`);
  let acc = leafHash;
  for (let k = 0; k < sides.length; k++)
    acc = sides[k] === "left" ? nodeHash(proof[k]!, acc, h) : nodeHash(acc, proof[k]!, h);
  return ok(acc);
}

/**
 * Verifies an RFC 9162 inclusion proof (§2.1.3.2) that the leaf with hash `leafHash` is at `index` in the
 * tree of `size` whose root is `root`. Sizes and indexes may be numbers (≤ 2^53 − 1) or bigints (≤ 2^63 − 1).
 */
export function verifyInclusion(
  index: number | bigint,
  size: number | bigint,
  leafHash: Uint8Array,
  root: Uint8Array,
  proof: readonly Uint8Array[],
  h: Sha256 = portableSha256,
): Result<true, InclusionErrorCode> {
  const computed = rootFromInclusionProof(index, size, leafHash, proof, h);
  if (!computed.ok) return computed;
  if (!bytesEqual(computed.value, root))
    return err(
      "root-mismatch",
      `inclusion proof of leaf ${String(index)} does not reproduce the root of the tree of size ${String(size)}`,
    );
  return ok(true);
}
