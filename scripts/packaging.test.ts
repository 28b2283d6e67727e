// What a user installs: each publishable package packs only its built code, its bin, its README and the
// licence it declares; no source, tests, test fixtures or source maps. The production dashboard build
// ships no source maps either.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const PUBLISHED = ["verifier", "runner", "cli"];

/** The file paths `npm pack` would put in the package's tarball. */
function packedFiles(dir: string): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: join(ROOT, dir),
    encoding: "utf8",
  });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  return pack!.files.map((f) => f.path);
}

/** Every file below `dir`, relative to it. */
function walk(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe.each(PUBLISHED)("npm pack of %s", (dir) => {
  const files = packedFiles(dir);
  const manifest = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8"));

  it("ships its README, the licence it declares, its entry point and its bins", () => {
    expect(files).toContain("README.md");
    expect(files).toContain("LICENSE");
    expect(manifest.license).toBe("Apache-2.0");
    expect(readFileSync(join(ROOT, dir, "LICENSE"), "utf8")).toBe(readFileSync(join(ROOT, "LICENSE"), "utf8"));
    expect(files).toContain(manifest.main.replace(/^\.\//, ""));
    for (const bin of Object.values(manifest.bin ?? {}) as string[]) expect(files).toContain(bin.replace(/^\.\//, ""));
  });

  it("ships no source, tests, fixtures or source maps", () => {
    const extra = files.filter(
      (f) =>
        f.endsWith(".map") ||
        /(^|\/)(src|test|test-support)\//.test(f) ||
        /\.test\.(js|d\.ts)$/.test(f) ||
        /tsconfig|vitest/.test(f),
    );
    expect(extra).toEqual([]);
  });
});

describe("the production dashboard build", () => {
  it("has no source maps in web/dist", () => {
    const dist = join(ROOT, "web/dist");
    expect(existsSync(join(dist, "index.html"))).toBe(true);
    expect(walk(dist).filter((f) => f.endsWith(".map"))).toEqual([]);
    const js = walk(dist).filter((f) => f.endsWith(".js"));
    expect(js.length).toBeGreaterThan(0);
    for (const f of js) expect(readFileSync(join(dist, f), "utf8")).not.toContain("sourceMappingURL");
  });
});
