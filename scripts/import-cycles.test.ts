// No import cycles: not between files of a package (madge over every workspace's src/ and test/), and
// not between the packages themselves (their package.json dependencies), and the CLI does not depend on
// the runner (it shares PostgreSQL code with it through @walwarden/postgres).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importCycles, ROOT, workspaceCodeDirs, workspaces } from "./import-cycles.js";

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifests: Manifest[] = workspaces().map((w) => JSON.parse(readFileSync(join(ROOT, w, "package.json"), "utf8")));
const internalDeps = (m: Manifest) =>
  Object.keys({ ...m.dependencies, ...m.devDependencies }).filter((d) => manifests.some((n) => n.name === d));

describe("import cycles", () => {
  it("finds a cycle, a type-only one too (the check can fail)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-cycles-"));
    try {
      writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b.js";\nexport interface A { b: B }\n');
      writeFileSync(join(dir, "b.ts"), 'import type { A } from "./a.js";\nexport interface B { a?: A }\n');
      writeFileSync(join(dir, "c.ts"), 'import type { A } from "./a.js";\nexport const c: A | null = null;\n');
      expect(await importCycles(["."], dir)).toEqual([["a.ts", "b.ts"]]);
      writeFileSync(join(dir, "b.ts"), "export interface B { n: number }\n");
      expect(await importCycles(["."], dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("there is none among the files of any workspace", async () => {
    const dirs = workspaceCodeDirs();
    expect(dirs).toEqual(
      expect.arrayContaining(["cli/src", "postgres/src", "runner/src", "verifier/src", "worker/src"]),
    );
    const cycles = await importCycles(dirs);
    expect(cycles.map((cycle) => cycle.join(" → "))).toEqual([]);
  });

  it("there is none among the workspace packages, and the CLI does not depend on the runner", () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycleFrom = (name: string, path: string[]): string[] | undefined => {
      if (visiting.has(name)) return [...path, name];
      if (done.has(name)) return undefined;
      visiting.add(name);
      const manifest = manifests.find((m) => m.name === name)!;
      for (const dep of internalDeps(manifest)) {
        const cycle = cycleFrom(dep, [...path, name]);
        if (cycle) return cycle;
      }
      visiting.delete(name);
      done.add(name);
      return undefined;
    };
    for (const m of manifests) expect(cycleFrom(m.name, []), m.name).toBeUndefined();
    const cli = manifests.find((m) => m.name === "@walwarden/cli")!;
    expect(internalDeps(cli)).not.toContain("@walwarden/runner");
    expect(internalDeps(cli)).toContain("@walwarden/postgres");
    const cliFiles = readdirSync(join(ROOT, "cli/src"), { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".ts"),
    );
    const importingRunner = cliFiles.filter((f) =>
      readFileSync(join(ROOT, "cli/src", f), "utf8").includes("@walwarden/runner"),
    );
    expect(importingRunner).toEqual([]);
  });
});
