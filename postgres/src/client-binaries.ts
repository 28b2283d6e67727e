import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A PostgreSQL client program Walwarden runs: pg_dump for a backup, pg_restore for a restore. */
export type PgClientTool = "pg_dump" | "pg_restore";

/** An installed PostgreSQL client program (pg_dump, pg_restore) and its version. */
export interface PgToolBinary {
  path: string;
  /** "15.18" (or "18" for a release without a minor version). */
  version: string;
  major: number;
}

/** Where client programs are looked for after the preferred dirs: Debian/Ubuntu, RHEL (PGDG) and Homebrew layouts, then PATH. */
const INSTALL_LAYOUTS: { dir: string; binDirOf: (entry: string) => string | undefined }[] = [
  {
    dir: "/usr/lib/postgresql",
    binDirOf: (entry) => (/^\d+$/.test(entry) ? join("/usr/lib/postgresql", entry, "bin") : undefined),
  },
  { dir: "/usr", binDirOf: (entry) => (/^pgsql-\d+$/.test(entry) ? join("/usr", entry, "bin") : undefined) },
  {
    dir: "/opt/homebrew/opt",
    binDirOf: (entry) =>
      /^(postgresql|libpq)(@\d+)?$/.test(entry) ? join("/opt/homebrew/opt", entry, "bin") : undefined,
  },
];

/** Every distinct `tool` found in `preferredDirs`, the usual install locations and PATH, with its version (a binary reachable twice is listed once). */
export async function findPgTools(
  tool: PgClientTool,
  preferredDirs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<PgToolBinary[]> {
  const dirs = [...preferredDirs];
  for (const layout of INSTALL_LAYOUTS) {
    const entries = await readdir(layout.dir).catch(() => [] as string[]);
    for (const entry of entries) {
      const binDir = layout.binDirOf(entry);
      if (binDir) dirs.push(binDir);
    }
  }
  dirs.push(...(env.PATH ?? "").split(":").filter(Boolean));
  // Ask every candidate for its version at once: PATH's pg_dump may be a wrapper script that is slow to start.
  const paths = [...new Set(dirs.map((dir) => join(dir, tool)))];
  const versions = await Promise.all(paths.map(pgToolVersion));
  return versions.filter((v): v is PgToolBinary => v !== undefined);
}

/** `<tool> --version` of one client program, or undefined if it does not run. */
export async function pgToolVersion(path: string): Promise<PgToolBinary | undefined> {
  try {
    const { stdout } = await run(path, ["--version"], { timeout: 10_000 });
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
    if (!m) return undefined;
    return { path, version: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]!, major: Number(m[1]) };
  } catch {
    return undefined;
  }
}
