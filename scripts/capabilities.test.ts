// Copy equals code: every shipping row of docs/capabilities.md names test files (or globs of them) that
// exist, contain tests, and are included by one of the vitest projects the root config runs.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

interface Row {
  area: string;
  capability: string;
  status: string;
  proof: string;
}

/** The rows of the capabilities table (cells split on unescaped pipes). */
function capabilityRows(): Row[] {
  const text = readFileSync(join(ROOT, "docs/capabilities.md"), "utf8");
  const rows = text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| area ") && !l.startsWith("|---"));
  return rows.map((line) => {
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    expect(cells, line).toHaveLength(4);
    const [area, capability, status, proof] = cells as [string, string, string, string];
    return { area, capability, status, proof };
  });
}

/** Every file under `dir` (relative to ROOT), skipping node_modules, dist and dot-directories. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...filesUnder(rel));
    else out.push(rel);
  }
  return out;
}

/** The include globs of each vitest project of the root config, as paths relative to ROOT. */
function projectIncludes(): string[] {
  const root = readFileSync(join(ROOT, "vitest.config.ts"), "utf8");
  const configs = [...root.matchAll(/"([\w./-]+vitest[\w.-]*\.config\.ts)"/g)].map((m) => m[1]!);
  expect(configs.length).toBeGreaterThan(5);
  const globs: string[] = [];
  for (const config of configs) {
    const text = readFileSync(join(ROOT, config), "utf8");
    const include = /include:\s*\[([^\]]*)\]/.exec(text);
    expect(include, `${config} has an include list`).not.toBeNull();
    const base = relative(ROOT, dirname(join(ROOT, config)));
    for (const m of include![1]!.matchAll(/"([^"]+)"/g)) globs.push(base ? `${base}/${m[1]}` : m[1]!);
  }
  return globs;
}

const rows = capabilityRows();
/** Every workspace (a new package's tests count without editing this), and scripts/. */
const folders = [
  ...(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { workspaces: string[] }).workspaces,
  "scripts",
];
const tracked = folders.flatMap(filesUnder);
const runs = picomatch(projectIncludes());

describe("docs/capabilities.md", () => {
  it("has shipping rows and not-yet rows, and no other status", () => {
    expect(rows.filter((r) => r.status === "shipping").length).toBeGreaterThan(30);
    expect(rows.some((r) => r.status === "not yet")).toBe(true);
    for (const r of rows) expect(["shipping", "not yet"], r.capability).toContain(r.status);
  });

  it.each(rows.filter((r) => r.status === "shipping").map((r) => [r.capability.slice(0, 80), r] as const))(
    "%s… names tests that exist and run",
    (_name, row) => {
      const named = [...row.proof.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      expect(named.length, `row "${row.capability}" names no test`).toBeGreaterThan(0);
      for (const pattern of named) {
        const isMatch = picomatch(pattern);
        const matches = tracked.filter((f) => isMatch(f));
        expect(matches.length, `${pattern} matches no file`).toBeGreaterThan(0);
        for (const file of matches) {
          expect(file, `${file} is not a test file`).toMatch(/\.test\.ts$/);
          expect(runs(file), `${file} is not included by any vitest project of vitest.config.ts`).toBe(true);
          expect(readFileSync(join(ROOT, file), "utf8"), `${file} has no test`).toMatch(
            /\b(it|test)(\.each\([^)]*\))?\(/,
          );
        }
      }
    },
  );
});
