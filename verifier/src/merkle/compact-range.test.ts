import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../bytes/hex.js";
import { utf8 } from "../bytes/utf8.js";
import { CompactRange, frontierOfLeafHashes } from "./compact-range.js";
import { EMPTY_ROOT, leafHash, nodeHash } from "./hash.js";
import { flipBit, mth } from "../test-support/merkle-reference.js";

const leavesOf = (seed: number, n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(utf8(`${seed}/${i}`)));
const hex = (b: Uint8Array): string => toHex(b);

/** The frontier at `from` plus leaves [from, to), as the evidence-bundle verifier replays a window. */
function replay(frontier: Uint8Array[], from: number, leaves: readonly Uint8Array[]): Uint8Array {
  const r = CompactRange.fromFrontier(from, frontier);
  if (!r.ok) throw new Error(r.message);
  for (const leaf of leaves) r.value.append(leaf);
  return r.value.root();
}

describe("CompactRange", () => {
  it("starts empty with the empty root", () => {
    const r = CompactRange.empty();
    expect(r.size).toBe(0);
    expect(r.frontier()).toEqual([]);
    expect(hex(r.root())).toBe(hex(EMPTY_ROOT));
    // root() hands out a copy: mutating it must not corrupt the shared constant.
    r.root()[0] = 0;
    expect(hex(EMPTY_ROOT)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("matches the reference root and frontier shape after every append", () => {
    const leaves = leavesOf(1, 70);
    const r = CompactRange.empty();
    for (let n = 0; n <= leaves.length; n++) {
      expect(r.size).toBe(n);
      expect(hex(r.root())).toBe(hex(mth(leaves.slice(0, n))));
      const f = r.frontier();
      expect(f.length).toBe([...n.toString(2)].filter((c) => c === "1").length);
      // Frontier hashes are the roots of the maximal perfect subtrees, largest first.
      let start = 0;
      for (let bit = 31; bit >= 0; bit--) {
        const width = 2 ** bit;
        if (Math.floor(n / width) % 2 === 1) {
          expect(hex(f.shift()!)).toBe(hex(mth(leaves.slice(start, start + width))));
          start += width;
        }
      }
      if (n < leaves.length) r.append(leaves[n]!);
    }
  });

  it("copies hashes in and out, so callers cannot alias its state", () => {
    const leaves = leavesOf(2, 3);
    const r = CompactRange.empty();
    const first = leaves[0]!.slice();
    r.append(first);
    first.fill(0); // the caller reuses its buffer
    r.append(leaves[1]!);
    r.append(leaves[2]!);
    r.frontier()[0]!.fill(0);
    expect(hex(r.root())).toBe(hex(mth(leaves)));
  });

  it("rejects leaf hashes that are not 32 bytes", () => {
    expect(() => CompactRange.empty().append(new Uint8Array(31))).toThrow(RangeError);
  });

  it("fromFrontier checks the size and the number and length of hashes", () => {
    const f = frontierOfLeafHashes(leavesOf(3, 13)); // 13 = 0b1101: three subtrees
    expect(f.length).toBe(3);
    expect(CompactRange.fromFrontier(13, f).ok).toBe(true);
    expect(CompactRange.fromFrontier(13n, f).ok).toBe(true);
    expect(CompactRange.fromFrontier(13, f.slice(1))).toMatchObject({ ok: false, code: "wrong-hash-count" });
    expect(CompactRange.fromFrontier(12, f)).toMatchObject({ ok: false, code: "wrong-hash-count" });
    expect(CompactRange.fromFrontier(0, [])).toMatchObject({ ok: true });
    expect(CompactRange.fromFrontier(0, f)).toMatchObject({ ok: false, code: "wrong-hash-count" });
    expect(CompactRange.fromFrontier(13, [f[0]!, f[1]!.subarray(1), f[2]!])).toMatchObject({
      ok: false,
      code: "invalid-hash",
    });
    for (const bad of [-1, 1.5, NaN, 2 ** 53, 2n ** 53n, -1n])
      expect(CompactRange.fromFrontier(bad, [])).toMatchObject({ ok: false, code: "invalid-size" });
  });

  it("appendSubtree equals appending the subtree's leaves, and requires alignment", () => {
    const leaves = leavesOf(4, 64);
    const r = CompactRange.empty();
    for (let i = 0; i < 8; i++) r.append(leaves[i]!);
    expect(r.appendSubtree(3, mth(leaves.slice(8, 16)))).toEqual({ ok: true, value: true });
    expect(r.appendSubtree(4, mth(leaves.slice(16, 32)))).toEqual({ ok: true, value: true });
    expect(r.appendSubtree(0, leaves[32]!)).toEqual({ ok: true, value: true });
    expect(r.size).toBe(33);
    expect(hex(r.root())).toBe(hex(mth(leaves.slice(0, 33))));
    expect(r.appendSubtree(1, mth(leaves.slice(33, 35)))).toMatchObject({ ok: false, code: "misaligned-subtree" });
    expect(r.appendSubtree(-1, leaves[0]!)).toMatchObject({ ok: false, code: "invalid-level" });
    expect(r.appendSubtree(53, leaves[0]!)).toMatchObject({ ok: false, code: "invalid-level" });
    expect(r.appendSubtree(0.5, leaves[0]!)).toMatchObject({ ok: false, code: "invalid-level" });
    expect(r.appendSubtree(0, new Uint8Array(5))).toMatchObject({ ok: false, code: "invalid-hash" });
    expect(r.size).toBe(33); // failed appends change nothing
    expect(hex(r.root())).toBe(hex(mth(leaves.slice(0, 33))));
  });

  it("any mix of leaves and aligned subtrees gives the reference root", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 60 }),
        (seed, n, levels) => {
          const leaves = leavesOf(seed, n);
          const r = CompactRange.empty();
          let li = 0;
          while (r.size < n) {
            const want = levels[li++ % Math.max(1, levels.length)] ?? 0;
            // The largest level ≤ want that is aligned at the current size and fits.
            let level = want;
            while (level > 0 && (r.size % 2 ** level !== 0 || r.size + 2 ** level > n)) level--;
            if (level === 0) r.append(leaves[r.size]!);
            else expect(r.appendSubtree(level, mth(leaves.slice(r.size, r.size + 2 ** level))).ok).toBe(true);
          }
          expect(hex(r.root())).toBe(hex(mth(leaves)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("handles sizes beyond 2^32 (uniform-leaf trees, whose subtree roots depend only on their size)", () => {
    const leaf = leafHash(utf8("same"));
    const perfect: Uint8Array[] = [leaf]; // perfect[k]: root of 2^k identical leaves
    for (let k = 1; k <= 53; k++) perfect.push(nodeHash(perfect[k - 1]!, perfect[k - 1]!));
    const frontierOf = (size: bigint): Uint8Array[] =>
      [...size.toString(2)].flatMap((c, i, all) => (c === "1" ? [perfect[all.length - 1 - i]!] : []));
    const rootOf = (size: bigint): Uint8Array => frontierOf(size).reduceRight((acc, h) => nodeHash(h, acc));

    for (const size of [
      2n ** 32n - 1n,
      2n ** 32n + 5n,
      2n ** 40n,
      2n ** 40n + 2n ** 33n - 1n,
      2n ** 52n - 1n,
      2n ** 53n - 2n,
    ]) {
      const r = CompactRange.fromFrontier(size, frontierOf(size));
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.value.size).toBe(Number(size));
      expect(hex(r.value.root())).toBe(hex(rootOf(size)));
      r.value.append(leaf);
      expect(r.value.size).toBe(Number(size + 1n));
      expect(r.value.frontier().map(hex)).toEqual(frontierOf(size + 1n).map(hex));
      expect(hex(r.value.root())).toBe(hex(rootOf(size + 1n)));
    }

    // 2^52 − 1 + 1 carries through all 52 levels into a single subtree.
    const carry = CompactRange.fromFrontier(2 ** 52 - 1, frontierOf(2n ** 52n - 1n));
    if (!carry.ok) throw new Error(carry.message);
    carry.value.append(leaf);
    expect(carry.value.frontier().map(hex)).toEqual([hex(perfect[52]!)]);

    const aligned = CompactRange.fromFrontier(2n ** 40n, frontierOf(2n ** 40n));
    if (!aligned.ok) throw new Error(aligned.message);
    expect(aligned.value.appendSubtree(40, perfect[40]!)).toEqual({ ok: true, value: true });
    expect(aligned.value.size).toBe(2 ** 41);
    expect(hex(aligned.value.root())).toBe(hex(perfect[41]!));
    expect(aligned.value.appendSubtree(42, perfect[42]!)).toMatchObject({ ok: false, code: "misaligned-subtree" });

    const odd = CompactRange.fromFrontier(2n ** 32n + 5n, frontierOf(2n ** 32n + 5n));
    if (!odd.ok) throw new Error(odd.message);
    expect(odd.value.appendSubtree(1, perfect[1]!)).toMatchObject({ ok: false, code: "misaligned-subtree" });
    expect(odd.value.appendSubtree(0, leaf).ok).toBe(true);
    expect(odd.value.appendSubtree(1, perfect[1]!).ok).toBe(true);
    expect(hex(odd.value.root())).toBe(hex(rootOf(2n ** 32n + 8n)));

    const full = CompactRange.fromFrontier(Number.MAX_SAFE_INTEGER, frontierOf(2n ** 53n - 1n));
    if (!full.ok) throw new Error(full.message);
    expect(hex(full.value.root())).toBe(hex(rootOf(2n ** 53n - 1n)));
    expect(() => full.value.append(leaf)).toThrow(RangeError);
    const nearlyFull = CompactRange.fromFrontier(2n ** 53n - 2n, frontierOf(2n ** 53n - 2n));
    if (!nearlyFull.ok) throw new Error(nearlyFull.message);
    expect(nearlyFull.value.appendSubtree(1, perfect[1]!)).toMatchObject({ ok: false, code: "size-overflow" });
  });
});

describe("frontierOfLeafHashes", () => {
  it("gives the frontier at any size m from the leaf hashes", () => {
    const leaves = leavesOf(5, 40);
    for (let m = 0; m <= 40; m++) {
      const r = CompactRange.fromFrontier(m, frontierOfLeafHashes(leaves, m));
      expect(r.ok).toBe(true);
      if (r.ok) expect(hex(r.value.root())).toBe(hex(mth(leaves.slice(0, m))));
    }
    expect(() => frontierOfLeafHashes(leaves, 41)).toThrow(RangeError);
    expect(() => frontierOfLeafHashes(leaves, -1)).toThrow(RangeError);
    expect(frontierOfLeafHashes(leaves, 13n).map(hex)).toEqual(frontierOfLeafHashes(leaves, 13).map(hex));
  });
});

describe("window completeness: frontier(a) + leaves [a, b) reproduce the root at b", () => {
  const window = fc
    .record({
      seed: fc.integer({ min: 0, max: 1 << 20 }),
      b: fc.integer({ min: 0, max: 300 }),
      aFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ seed, b, aFrac }) => ({ seed, a: Math.floor(aFrac * b), b }));

  it("reproduces the full tree's root", () => {
    fc.assert(
      fc.property(window, ({ seed, a, b }) => {
        const leaves = leavesOf(seed, b);
        expect(hex(replay(frontierOfLeafHashes(leaves, a), a, leaves.slice(a, b)))).toBe(hex(mth(leaves)));
      }),
      { numRuns: 200 },
    );
  });

  it("a wrong frontier hash gives a different root", () => {
    fc.assert(
      fc.property(window, fc.nat(), fc.nat(255), ({ seed, a, b }, which, bit) => {
        fc.pre(a > 0);
        const leaves = leavesOf(seed, b);
        const frontier = frontierOfLeafHashes(leaves, a);
        const i = which % frontier.length;
        frontier[i] = flipBit(frontier[i]!, bit);
        expect(hex(replay(frontier, a, leaves.slice(a, b)))).not.toBe(hex(mth(leaves)));
      }),
      { numRuns: 200 },
    );
  });

  it("a dropped leaf gives a different root", () => {
    fc.assert(
      fc.property(window, fc.nat(), ({ seed, a, b }, which) => {
        fc.pre(b > a);
        const leaves = leavesOf(seed, b);
        const window = leaves.slice(a, b);
        window.splice(which % window.length, 1);
        expect(hex(replay(frontierOfLeafHashes(leaves, a), a, window))).not.toBe(hex(mth(leaves)));
      }),
      { numRuns: 200 },
    );
  });

  it("a swapped pair of leaves gives a different root", () => {
    fc.assert(
      fc.property(window, fc.nat(), fc.nat(), ({ seed, a, b }, x, y) => {
        fc.pre(b - a >= 2);
        const leaves = leavesOf(seed, b);
        const window = leaves.slice(a, b);
        const i = x % window.length;
        let j = y % window.length;
        if (j === i) j = (i + 1) % window.length;
        [window[i], window[j]] = [window[j]!, window[i]!];
        expect(hex(replay(frontierOfLeafHashes(leaves, a), a, window))).not.toBe(hex(mth(leaves)));
      }),
      { numRuns: 200 },
    );
  });

  it("an extra leaf gives a different root", () => {
    fc.assert(
      fc.property(window, fc.nat(), ({ seed, a, b }, where) => {
        const leaves = leavesOf(seed, b);
        const window = leaves.slice(a, b);
        window.splice(where % (window.length + 1), 0, leafHash(utf8(`extra ${seed}`)));
        expect(hex(replay(frontierOfLeafHashes(leaves, a), a, window))).not.toBe(hex(mth(leaves)));
      }),
      { numRuns: 200 },
    );
  });
});

describe("append throughput", () => {
  it("appends 100,000 leaves from one shared buffer and agrees with a level-by-level computation", () => {
    // Leaf hashes come from one buffer, as the bundle verifier's range hasher provides them.
    const n = 100_000;
    const buffer = new Uint8Array(32 * n);
    for (let i = 0; i < n; i++) buffer.set(leafHash(Uint8Array.of(i & 255, (i >> 8) & 255, i >> 16)), 32 * i);
    const r = CompactRange.empty();
    for (let i = 0; i < n; i++) r.append(buffer.subarray(32 * i, 32 * i + 32));
    expect(r.size).toBe(n);
    // Cross-check against the perfect-subtree roots computed level by level.
    let level: Uint8Array[] = Array.from({ length: n }, (_, i) => buffer.subarray(32 * i, 32 * i + 32));
    const frontier: Uint8Array[] = [];
    while (level.length > 0) {
      if (level.length % 2 === 1) frontier.unshift(level[level.length - 1]!);
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
      level = next;
    }
    expect(r.frontier().map(hex)).toEqual(frontier.map(hex));
  });
});
