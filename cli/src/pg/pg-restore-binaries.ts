import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { err, ok, type Result } from "@walwarden/verifier";

const run = promisify(execFile);

/** An installed pg_restore and its version. */
export interface PgRestoreBinary {
  path: string;
  version: string;
  major: number;
}

// The same places the runner looks for pg_dump (runner/src/pg/pg-dump-binaries.ts): Debian/Ubuntu,
// RHEL (PGDG) and Homebrew layouts, after the dirs given, then PATH.
const GLOBS: { dir: string; sub: (entry: string) => string | undefined }[] = [
  { dir: "/usr/lib/postgresql", sub: (e) => (/^\d+$/.test(e) ? join("/usr/lib/postgresql", e, "bin") : undefined) },
  { dir: "/usr", sub: (e) => (/^pgsql-\d+$/.test(e) ? join("/usr", e, "bin") : undefined) },
  { dir: "/opt/homebrew/opt", sub: (e) => (/^(postgresql|libpq)(@\d+)?$/.test(e) ? join("/opt/homebrew/opt", e, "bin") : undefined) },
];

/** Every distinct pg_restore in `preferredDirs`, the usual install locations and PATH, with its version. */
export async function findPgRestores(preferredDirs: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<PgRestoreBinary[]> {
  const dirs = [...preferredDirs];
  for (const g of GLOBS) {
    const entries = await readdir(g.dir).catch(() => [] as string[]);
    for (const e of entries) {
      const d = g.sub(e);
      if (d) dirs.push(d);
    }
  }
  dirs.push(...(env.PATH ?? "").split(":").filter(Boolean));
  const paths = [...new Set(dirs.map((dir) => join(dir, "pg_restore")))];
  const versions = await Promise.all(paths.map(pgRestoreVersion));
  // The same binary is often reachable twice (/usr/bin/pg_restore is Debian's wrapper of the newest one).
  const seen = new Set<string>();
  return versions.filter((v): v is PgRestoreBinary => v !== undefined && !seen.has(v.path) && (seen.add(v.path), true));
}

/** `pg_restore --version` of one binary, or undefined if it does not run. */
export async function pgRestoreVersion(path: string): Promise<PgRestoreBinary | undefined> {
  try {
    const { stdout } = await run(path, ["--version"], { timeout: 10_000 });
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
    if (!m) return undefined;
    return { path, version: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]!, major: Number(m[1]) };
  } catch {
    return undefined;
  }
}

/** The message when no pg_restore is installed at all. */
export const NO_PG_RESTORE = "no pg_restore found: install the PostgreSQL client tools (e.g. apt-get install postgresql-client, brew install libpq) or pass --pg-bin-dir";

/**
 * The pg_restore for an archive made by pg_dump `pgDumpVersion`: pg_restore cannot read archives of a
 * newer pg_dump, so its major version must be ≥ pg_dump's; the lowest such is chosen (the closest to
 * the dump and the target). Otherwise a message naming both versions and the package to install.
 */
export function choosePgRestore(binaries: readonly PgRestoreBinary[], pgDumpVersion: string): Result<PgRestoreBinary, "no-pg-restore" | "pg-restore-too-old"> {
  if (binaries.length === 0) return err("no-pg-restore", NO_PG_RESTORE);
  const dumpMajor = Number(/^(\d+)/.exec(pgDumpVersion)?.[1] ?? NaN);
  const usable = binaries.filter((b) => !(b.major < dumpMajor)).sort((a, b) => a.major - b.major);
  if (usable[0]) return ok(usable[0]);
  const newest = [...binaries].sort((a, b) => b.major - a.major)[0]!;
  return err(
    "pg-restore-too-old",
    `this backup was made by pg_dump ${pgDumpVersion}, but the newest pg_restore here is ${newest.version} (${newest.path}), which cannot read it: install the PostgreSQL ${dumpMajor} client tools (e.g. apt-get install postgresql-client-${dumpMajor}, or brew install postgresql@${dumpMajor}) or point --pg-bin-dir at them. The target was not touched.`,
  );
}
