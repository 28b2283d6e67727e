// Hash chaining shared by the verifiers, after transparency-dev/merkle proof/verify.go. Proof hashes are
// ordered from the leaf level upwards.
import type { Sha256 } from "../hash/sha256.js";
import { nodeHash } from "./hash.js";
import { bitAt } from "./tree-size.js";

/**
 * Chains `seed` (the node at position `index` on its level) with siblings below the fork from the tree's
 * right border: bit i of index says whether proof[i] is the left (1) or right (0) sibling.
 */
export function chainInner(h: Sha256, seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  for (let i = 0; i < proof.length; i++)
    seed = bitAt(index, i) === 1 ? nodeHash(proof[i]!, seed, h) : nodeHash(seed, proof[i]!, h);
  return seed;
}

/**
 * Like chainInner, but uses only the left siblings: the result is the same subtree as it was before any
 * of the right siblings existed (the older tree of a consistency proof).
 */
export function chainInnerRight(h: Sha256, seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  for (let i = 0; i < proof.length; i++) if (bitAt(index, i) === 1) seed = nodeHash(proof[i]!, seed, h);
  return seed;
}

/** Chains along the tree's right border, where every sibling is a left one. */
export function chainBorderRight(h: Sha256, seed: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  for (const p of proof) seed = nodeHash(p, seed, h);
  return seed;
}
