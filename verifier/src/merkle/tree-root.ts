import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { CompactRange } from "./compact-range.js";

/** RFC 9162 Merkle Tree Hash (MTH) of a list of leaf hashes; EMPTY_ROOT for none. */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[], h: Sha256 = portableSha256): Uint8Array {
  return rangeRoot(leafHashes, 0, leafHashes.length, h);
}

/**
 * MTH of leafHashes[from, to) taken as a list of its own, which is what every node of a proof is. Folding
 * through a compact range costs the same n − 1 node hashes as the recursive definition, without recursion.
 */
export function rangeRoot(
  leafHashes: readonly Uint8Array[],
  from: number,
  to: number,
  h: Sha256 = portableSha256,
): Uint8Array {
  const range = CompactRange.empty(h);
  for (let i = from; i < to; i++) range.append(leafHashes[i]!);
  return range.root();
}
