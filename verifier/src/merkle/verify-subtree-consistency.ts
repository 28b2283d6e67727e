import { bytesEqual } from "../bytes/compare.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { err, ok, type Result } from "../result.js";
import { chainBorderRight, chainInner, chainInnerRight } from "./chain.js";
import { allHashes, EMPTY_ROOT, HASH_SIZE } from "./hash.js";
import type { ProofErrorCode } from "./proof-error.js";
import { isSubtree } from "./subtree.js";
import { bitLength, popCount, toTreeValue, trailingZeros } from "./tree-size.js";

/** Why a subtree consistency proof does not verify. */
export type SubtreeConsistencyErrorCode = Extract<
  ProofErrorCode,
  | "invalid-size"
  | "invalid-subtree"
  | "sizes-out-of-order"
  | "invalid-proof-hash"
  | "wrong-proof-size"
  | "subtree-root-mismatch"
  | "root-mismatch"
>;

/**
 * Verifies that the subtree [start, end) with root `subtreeRoot` is part of the tree of `size` leaves
 * with root `root` (transparency-dev/merkle VerifySubtreeConsistency; the Merkle Tree Certificates draft's
 * subtree consistency proof). [start, end) must be a subtree (see isValidSubtree) with end ≤ size.
 * Consistency from [0, m) is the RFC 9162 consistency proof from size m, except that here m may be 0.
 * The empty subtree [s, s) is consistent with every tree, so it verifies with an empty proof whenever its
 * root is EMPTY_ROOT, whatever `root` is (as upstream).
 */
export function verifySubtreeConsistency(
  start: number | bigint,
  end: number | bigint,
  size: number | bigint,
  subtreeRoot: Uint8Array,
  root: Uint8Array,
  proof: readonly Uint8Array[],
  h: Sha256 = portableSha256,
): Result<true, SubtreeConsistencyErrorCode> {
  const s = toTreeValue(start);
  const e = toTreeValue(end);
  const n = toTreeValue(size);
  if (s === undefined || e === undefined || n === undefined)
    return err(
      "invalid-size",
      `subtree [${String(start)}, ${String(end)}) and size ${String(size)} must be integers in [0, 2^63 - 1] (pass numbers above 2^53 - 1 as bigint)`,
    );
  if (!isSubtree(s, e))
    return err(
      "invalid-subtree",
      `[${s}, ${e}) is not a subtree: start must be a multiple of the smallest power of two >= end - start`,
    );
  if (e > n) return err("sizes-out-of-order", `subtree [${s}, ${e}) ends past the tree of size ${n}`);
  if (s === e) {
    if (proof.length !== 0)
      return err("wrong-proof-size", `the empty subtree needs no proof, got ${proof.length} hashes`);
    return bytesEqual(subtreeRoot, EMPTY_ROOT)
      ? ok(true)
      : err("subtree-root-mismatch", "the root of an empty subtree must be the empty root");
  }
  if (s === 0n && e === n) {
    if (proof.length !== 0)
      return err(
        "wrong-proof-size",
        `subtree [0, ${n}) is the whole tree and needs no proof, got ${proof.length} hashes`,
      );
    return bytesEqual(subtreeRoot, root)
      ? ok(true)
      : err("root-mismatch", `subtree [0, ${n}) is the whole tree but the roots differ`);
  }
  if (proof.length === 0)
    return err("wrong-proof-size", `a proof that [${s}, ${e}) is in the tree of size ${n} cannot be empty`);
  if (!allHashes(proof)) return err("invalid-proof-hash", `every proof hash must be ${HASH_SIZE} bytes`);
  const computed = rootFromSubtreeConsistencyProof(s, e, n, proof, subtreeRoot, h);
  if (!computed.ok) return computed;
  if (!bytesEqual(computed.value, root))
    return err("root-mismatch", `proof does not reproduce the root of the tree of size ${n}`);
  return ok(true);
}

/**
 * The root of the tree of `size` implied by a non-empty subtree consistency proof, after checking the
 * proof against the subtree root. A port of transparency-dev/merkle's rootFromSubtreeConsistencyProof on
 * BigInt. Requires a non-empty subtree [start, end) with end ≤ size, not the whole tree, and a non-empty
 * proof of 32-byte hashes.
 */
export function rootFromSubtreeConsistencyProof(
  start: bigint,
  end: bigint,
  size: bigint,
  proof: readonly Uint8Array[],
  subtreeRoot: Uint8Array,
  h: Sha256,
): Result<Uint8Array, "wrong-proof-size" | "subtree-root-mismatch"> {
  const last = end - 1n;
  if (end === size) {
    // The subtree's root is a node on the tree's right border: one left sibling for every level at which
    // its ancestor is a right child, i.e. every set bit of its index on its level.
    const height = bitLength(last ^ start);
    const want = popCount(start >> BigInt(height));
    if (proof.length !== want)
      return err(
        "wrong-proof-size",
        `proof of [${start}, ${end}) in the tree of size ${size} has ${want} hashes, got ${proof.length}`,
      );
    return ok(chainBorderRight(h, subtreeRoot, proof));
  }

  // Split where the paths to leaves end − 1 and size − 1 diverge: `inner` levels below, `border` above.
  const forkLevel = bitLength(last ^ (size - 1n));
  const border = popCount(last >> BigInt(forkLevel));
  // Height of the rightmost perfect subtree inside [start, end): the proof starts at that level.
  const shift = trailingZeros(end - start);
  const inner = forkLevel - shift; // ≥ 1: size − 1 ≥ end, so the paths fork above level `shift`.
  // A perfect subtree is that rightmost subtree itself, whose root the verifier already has; otherwise the
  // proof starts with the rightmost subtree's root.
  const perfect = end - start === 1n << BigInt(shift);
  const seed = perfect ? subtreeRoot : proof[0]!;
  const rest = perfect ? proof : proof.slice(1);
  if (rest.length !== inner + border)
    return err(
      "wrong-proof-size",
      `proof of [${start}, ${end}) in the tree of size ${size} has ${(perfect ? 0 : 1) + inner + border} hashes, got ${proof.length}`,
    );
  const mask = last >> BigInt(shift);

  if (!perfect) {
    // Rebuild the subtree root from the proof hashes that lie inside it: left siblings below its height,
    // then the border hashes under its root.
    const height = bitLength(last ^ start);
    const subInner = Math.min(height, forkLevel) - shift;
    const subBorder = Math.max(0, border - popCount(last >> BigInt(height)));
    let sub = chainInnerRight(h, seed, rest.slice(0, subInner), mask);
    sub = chainBorderRight(h, sub, rest.slice(inner, inner + subBorder));
    if (!bytesEqual(sub, subtreeRoot))
      return err("subtree-root-mismatch", `proof does not reproduce the root of the subtree [${start}, ${end})`);
  }

  const top = chainInner(h, seed, rest.slice(0, inner), mask);
  return ok(chainBorderRight(h, top, rest.slice(inner)));
}
