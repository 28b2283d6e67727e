import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CompactRange,
  consistencyProof,
  consistencyProofFrom,
  frontierOfLeafHashes,
  inclusionProof,
  inclusionProofFrom,
  leafHash,
  portableSha256,
  rootFromLeafHashes,
} from "@walwarden/verifier";
import { appendLeaf, frontierOf, rangeRootOf, type NodeStore } from "./subtree-store.js";

function mapStore(): NodeStore & { writes: number } {
  const m = new Map<string, Uint8Array>();
  return {
    writes: 0,
    get: (l, i) => m.get(`${l}/${i}`),
    put(l, i, h) {
      this.writes++;
      m.set(`${l}/${i}`, h);
    },
  };
}

function build(n: number) {
  const store = mapStore();
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const leaf = leafHash(new TextEncoder().encode(`entry ${i}`));
    leaves.push(leaf);
    appendLeaf(store, i, leaf, portableSha256);
  }
  return { store, leaves, rootOf: rangeRootOf(store, portableSha256) };
}

describe("subtree store", () => {
  it("answers every root, inclusion and consistency proof exactly as the verifier's in-memory builder, for every size to 70", () => {
    const { leaves, rootOf } = build(70);
    for (let n = 1; n <= 70; n++) {
      const prefix = leaves.slice(0, n);
      expect(rootOf(0, n)).toEqual(rootFromLeafHashes(prefix));
      for (let i = 0; i < n; i++) expect(inclusionProofFrom(rootOf, i, n)).toEqual(inclusionProof(prefix, i));
      for (let m = 0; m <= n; m++) expect(consistencyProofFrom(rootOf, m, n)).toEqual(consistencyProof(prefix, m));
    }
  });

  it("serves the frontier (compact range) at every size to 70 exactly as the verifier computes it, one stored read per subtree", () => {
    const { store, leaves } = build(70);
    for (let n = 0; n <= 70; n++) {
      let reads = 0;
      const counting: NodeStore = {
        get: (l, i) => {
          reads++;
          return store.get(l, i);
        },
        put: () => expect.unreachable(),
      };
      const frontier = frontierOf(counting, n);
      expect(frontier).toEqual(frontierOfLeafHashes(leaves, n));
      expect(reads).toBe(frontier.length);
      // The frontier plus the rest of the leaves reproduces the root of the whole tree (what a bundle relies on).
      const range = CompactRange.fromFrontier(n, frontier);
      if (!range.ok) throw new Error(range.message);
      for (const leaf of leaves.slice(n)) range.value.append(leaf);
      expect(range.value.root()).toEqual(rootFromLeafHashes(leaves));
    }
  });

  it("matches on random large sizes and writes fewer than two nodes per leaf", () => {
    const { store, leaves, rootOf } = build(3000);
    expect(store.writes).toBeLessThan(2 * 3000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(), fc.nat(), (n, a, b) => {
        const prefix = leaves.slice(0, n);
        expect(inclusionProofFrom(rootOf, a % n, n)).toEqual(inclusionProof(prefix, a % n));
        expect(consistencyProofFrom(rootOf, b % (n + 1), n)).toEqual(consistencyProof(prefix, b % (n + 1)));
      }),
      { numRuns: 60 },
    );
  });

  it("fails loudly when a node it needs is missing rather than inventing a root", () => {
    const { rootOf } = build(5);
    expect(() => rootOf(0, 8)).toThrow(/missing node 3\/0/);
  });
});
