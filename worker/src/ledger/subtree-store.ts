import { nodeHash, type RangeRootOf, type Sha256 } from "@walwarden/verifier";

/** Where the roots of complete subtrees live: level 0 holds leaf hashes, level l the root of 2^l leaves. */
export interface NodeStore {
  get(level: number, index: number): Uint8Array | undefined;
  put(level: number, index: number, hash: Uint8Array): void;
}

/**
 * Adds leaf `index` (the tree's current size) and the root of every subtree it completes: leaf 5 completes
 * [4, 6); leaf 7 completes [6, 8), [4, 8) and [0, 8). About two writes per leaf, so any range root is
 * O(log² n) reads, never a scan of the leaves.
 */
export function appendLeaf(store: NodeStore, index: number, leaf: Uint8Array, sha: Sha256): void {
  store.put(0, index, leaf);
  let hash = leaf;
  let i = index;
  for (let level = 0; i % 2 === 1; level++) {
    hash = nodeHash(need(store, level, i - 1), hash, sha);
    i = (i - 1) / 2;
    store.put(level + 1, i, hash);
  }
}

function need(store: NodeStore, level: number, index: number): Uint8Array {
  const h = store.get(level, index);
  if (!h) throw new Error(`subtree store is missing node ${level}/${index}`);
  return h;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** The MTH of leaves [from, to) from stored complete subtrees (what RFC 9162 proofs ask for). */
export function rangeRootOf(store: NodeStore, sha: Sha256): RangeRootOf {
  const rootOf = (from: number, to: number): Uint8Array => {
    const n = to - from;
    if (n <= 0) throw new RangeError(`empty range [${from}, ${to})`);
    if (isPowerOfTwo(n) && from % n === 0) return need(store, Math.round(Math.log2(n)), from / n);
    let k = 1;
    while (k * 2 < n) k *= 2;
    return nodeHash(rootOf(from, from + k), rootOf(from + k, to), sha);
  };
  return rootOf;
}

/**
 * The compact range (left frontier) of the tree of `size`: the roots of its maximal perfect subtrees,
 * largest (leftmost) first, one per set bit of `size`, each a stored node, so O(log n) reads. Plain
 * arithmetic, not bit operators, so sizes beyond 2^32 work.
 */
export function frontierOf(store: NodeStore, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level--) {
    const width = 2 ** level;
    if (size - offset < width) continue;
    out.push(need(store, level, offset / width));
    offset += width;
  }
  return out;
}
