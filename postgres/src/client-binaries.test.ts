import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPgTools, pgToolVersion } from "./client-binaries.js";

const OS_BIN_DIR = "/usr/lib/postgresql/15/bin";
const scratch = mkdtempSync(join(tmpdir(), "ww-pg-binaries-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in program printing `output` for --version (no real client prints these forms). */
function standIn(dir: string, tool: string, output: string): string {
  const path = join(dir, tool);
  writeFileSync(path, `#!/bin/sh\necho '${output}'\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("findPgTools", () => {
  it("finds the installed pg_dump and pg_restore with their versions", async () => {
    for (const tool of ["pg_dump", "pg_restore"] as const) {
      const found = await findPgTools(tool, [], { PATH: "" });
      expect(found.map((b) => b.path)).toContain(join(OS_BIN_DIR, tool));
      for (const b of found) {
        expect(b.path.endsWith(`/${tool}`)).toBe(true);
        expect(b.version).toMatch(/^\d+\.\d+$/);
        expect(b.major).toBe(Number(b.version.split(".")[0]));
      }
    }
  });

  it("looks in the preferred dirs first and lists a binary reachable twice once", async () => {
    const found = await findPgTools("pg_restore", [OS_BIN_DIR], { PATH: `${OS_BIN_DIR}:/nonexistent` });
    expect(found[0]!.path).toBe(join(OS_BIN_DIR, "pg_restore"));
    expect(found.filter((b) => b.path === join(OS_BIN_DIR, "pg_restore"))).toHaveLength(1);
  });

  it("ignores a directory without the program and a program that prints no PostgreSQL version", async () => {
    const dir = mkdtempSync(join(scratch, "not-pg-"));
    standIn(dir, "pg_dump", "pg_dump from somewhere else 1.0");
    const found = await findPgTools("pg_dump", ["/nonexistent/bin", dir], { PATH: "" });
    expect(found.some((b) => b.path.startsWith("/nonexistent") || b.path.startsWith(dir))).toBe(false);
  });

  it("finds a program on PATH (a stand-in for a client outside the usual layouts)", async () => {
    const dir = mkdtempSync(join(scratch, "path-"));
    const path = standIn(dir, "pg_restore", "pg_restore (PostgreSQL) 19.2");
    const found = await findPgTools("pg_restore", [], { PATH: dir });
    expect(found).toContainEqual({ path, version: "19.2", major: 19 });
  });
});

describe("pgToolVersion", () => {
  it("reads a major-only version (a stand-in: development builds print one)", async () => {
    const path = standIn(mkdtempSync(join(scratch, "major-")), "pg_dump", "pg_dump (PostgreSQL) 18devel");
    expect(await pgToolVersion(path)).toEqual({ path, version: "18", major: 18 });
  });

  it("is undefined for a path that does not run", async () => {
    expect(await pgToolVersion(join(scratch, "missing", "pg_dump"))).toBeUndefined();
  });
});
