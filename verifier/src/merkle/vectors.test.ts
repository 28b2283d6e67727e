import { describe, expect, it } from "vitest";
import { fromBase64 } from "../bytes/base64.js";
import { fromHex, toHex } from "../bytes/hex.js";
import { CompactRange } from "./compact-range.js";
import { consistencyProof, inclusionProof } from "./build-proof.js";
import { EMPTY_ROOT, leafHash } from "./hash.js";
import { rootFromLeafHashes } from "./tree-root.js";
import { verifyConsistency } from "./verify-consistency.js";
import { verifyInclusion } from "./verify-inclusion.js";
import { verifySubtreeConsistency } from "./verify-subtree-consistency.js";
import { verifySubtreeInclusion } from "./verify-subtree-inclusion.js";

// transparency-dev/merkle testdata (Go's encoding/json: hashes are standard base64, a nil proof is null).
// Numbers above 2^53 (e.g. 2^64 − 1 for "leafIdx sub @1" of leaf 0) arrive rounded by JSON.parse, so they
// stay unsafe numbers, which the verifiers reject as they must.
interface Probe {
  desc: string;
  wantErr: boolean;
  proof: string[] | null;
}
interface InclusionProbe extends Probe {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
}
interface ConsistencyProbe extends Probe {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
}
interface SubtreeInclusionProbe extends Probe {
  leafIdx: number;
  start: number;
  end: number;
  root: string;
  leafHash: string;
}
interface SubtreeConsistencyProbe extends Probe {
  start: number;
  end: number;
  size: number;
  root1: string;
  root2: string;
}

// Through Vite, not node:fs, so the same file runs in Node and in workerd.
const inclusion = import.meta.glob<InclusionProbe>("../../test/vectors/merkle/inclusion/**/*.json", {
  eager: true,
  import: "default",
});
const consistency = import.meta.glob<ConsistencyProbe>("../../test/vectors/merkle/consistency/**/*.json", {
  eager: true,
  import: "default",
});
const subtreeInclusion = import.meta.glob<SubtreeInclusionProbe>(
  "../../test/vectors/merkle/subtreeinclusion/**/*.json",
  { eager: true, import: "default" },
);
const subtreeConsistency = import.meta.glob<SubtreeConsistencyProbe>(
  "../../test/vectors/merkle/subtreeconsistency/**/*.json",
  { eager: true, import: "default" },
);
const leavesAndRoots = import.meta.glob<{ leafInputsHex: string[]; rootHashesHexBySize: string[] }>(
  "../../test/vectors/merkle/leaves-and-roots.json",
  {
    eager: true,
    import: "default",
  },
);

function b64(text: string): Uint8Array {
  const bytes = fromBase64(text);
  if (!bytes) throw new Error(`vector is not base64: ${text}`);
  return bytes;
}

function cases<T extends Probe>(files: Record<string, T>): { name: string; p: T }[] {
  return Object.entries(files)
    .map(([path, p]) => ({ name: `${path.slice(path.indexOf("/merkle/") + 8)}${p.wantErr ? "" : " (valid)"}`, p }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const proofOf = (p: Probe): Uint8Array[] => (p.proof ?? []).map(b64);

describe.each([
  ["inclusion", inclusion],
  ["consistency", consistency],
  ["subtreeinclusion", subtreeInclusion],
  ["subtreeconsistency", subtreeConsistency],
] as const)("vectors/merkle/%s", (_family, files) => {
  it("loads vector files with both valid and invalid cases", () => {
    const all = Object.values(files as Record<string, Probe>);
    expect(all.length).toBeGreaterThan(0);
    expect(all.some((p) => p.wantErr)).toBe(true);
    expect(all.some((p) => !p.wantErr)).toBe(true);
  });
});

describe("inclusion vectors", () => {
  it.each(cases(inclusion))("$name", ({ p }) => {
    const r = verifyInclusion(p.leafIdx, p.treeSize, b64(p.leafHash), b64(p.root), proofOf(p));
    expect(r.ok, p.desc).toBe(!p.wantErr);
  });
});

describe("consistency vectors", () => {
  it.each(cases(consistency))("$name", ({ p }) => {
    const r = verifyConsistency(p.size1, p.size2, b64(p.root1), b64(p.root2), proofOf(p));
    expect(r.ok, p.desc).toBe(!p.wantErr);
  });
});

describe("subtree inclusion vectors", () => {
  it.each(cases(subtreeInclusion))("$name", ({ p }) => {
    const r = verifySubtreeInclusion(p.leafIdx, p.start, p.end, b64(p.leafHash), b64(p.root), proofOf(p));
    expect(r.ok, p.desc).toBe(!p.wantErr);
  });
});

describe("subtree consistency vectors", () => {
  it.each(cases(subtreeConsistency))("$name", ({ p }) => {
    const r = verifySubtreeConsistency(p.start, p.end, p.size, b64(p.root1), b64(p.root2), proofOf(p));
    expect(r.ok, p.desc).toBe(!p.wantErr);
  });
});

describe("vectors/merkle/leaves-and-roots.json", () => {
  const files = Object.values(leavesAndRoots);
  const data = files[0]!;
  const leaves = () => data.leafInputsHex.map((x) => leafHash(fromHex(x)!));

  it("loads", () => {
    expect(files.length).toBe(1);
    expect(data.leafInputsHex.length).toBe(8);
    expect(data.rootHashesHexBySize.length).toBe(9);
  });

  it("gives the root for every size 0..8, from the leaves and from a compact range", () => {
    const hashes = leaves();
    const range = CompactRange.empty();
    for (let size = 0; size <= 8; size++) {
      expect(toHex(rootFromLeafHashes(hashes.slice(0, size)))).toBe(data.rootHashesHexBySize[size]);
      expect(toHex(range.root())).toBe(data.rootHashesHexBySize[size]);
      if (size < 8) range.append(hashes[size]!);
    }
    expect(toHex(EMPTY_ROOT)).toBe(data.rootHashesHexBySize[0]);
  });

  it("proves every leaf of every tree, and every pair of sizes consistent", () => {
    const hashes = leaves();
    const roots = data.rootHashesHexBySize.map((x) => fromHex(x)!);
    for (let n = 1; n <= 8; n++) {
      for (let i = 0; i < n; i++)
        expect(verifyInclusion(i, n, hashes[i]!, roots[n]!, inclusionProof(hashes.slice(0, n), i))).toEqual({
          ok: true,
          value: true,
        });
      for (let m = 1; m <= n; m++)
        expect(verifyConsistency(m, n, roots[m]!, roots[n]!, consistencyProof(hashes.slice(0, n), m))).toEqual({
          ok: true,
          value: true,
        });
    }
  });
});
