import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { err, ok, type Result } from "@walwarden/verifier";

const run = promisify(execFile);

/** An installed PostgreSQL client program (pg_dump, pg_restore) and its version. */
export interface PgToolBinary {
  path: string;
  version: string;
  major: number;
}
/** An installed pg_dump and its version. */
export type PgDumpBinary = PgToolBinary;

/** Where client programs are looked for after the configured dirs: Debian/Ubuntu, RHEL (PGDG) and Homebrew layouts, then PATH. */
const GLOBS: { dir: string; sub: (entry: string) => string | undefined }[] = [
  { dir: "/usr/lib/postgresql", sub: (e) => (/^\d+$/.test(e) ? join("/usr/lib/postgresql", e, "bin") : undefined) },
  { dir: "/usr", sub: (e) => (/^pgsql-\d+$/.test(e) ? join("/usr", e, "bin") : undefined) },
  {
    dir: "/opt/homebrew/opt",
    sub: (e) => (/^(postgresql|libpq)(@\d+)?$/.test(e) ? join("/opt/homebrew/opt", e, "bin") : undefined),
  },
];

/** Every distinct pg_dump found in `preferredDirs`, the usual install locations and PATH, with its version. */
export function findPgDumps(
  preferredDirs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<PgDumpBinary[]> {
  return findPgTools("pg_dump", preferredDirs, env);
}

/** Every distinct `tool` found in `preferredDirs`, the usual install locations and PATH, with its version (a binary reachable twice is listed once). */
export async function findPgTools(
  tool: "pg_dump" | "pg_restore",
  preferredDirs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<PgToolBinary[]> {
  const dirs = [...preferredDirs];
  for (const g of GLOBS) {
    const entries = await readdir(g.dir).catch(() => [] as string[]);
    for (const e of entries) {
      const d = g.sub(e);
      if (d) dirs.push(d);
    }
  }
  dirs.push(...(env.PATH ?? "").split(":").filter(Boolean));
  // Ask every candidate for its version at once: PATH's pg_dump may be a wrapper script that is slow to start.
  const paths = [...new Set(dirs.map((dir) => join(dir, tool)))];
  const versions = await Promise.all(paths.map(pgDumpVersion));
  return versions.filter((v): v is PgToolBinary => v !== undefined);
}

/** `<tool> --version` of one client program, or undefined if it does not run. */
export async function pgDumpVersion(path: string): Promise<PgToolBinary | undefined> {
  try {
    const { stdout } = await run(path, ["--version"], { timeout: 10_000 });
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
    if (!m) return undefined;
    return { path, version: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]!, major: Number(m[1]) };
  } catch {
    return undefined;
  }
}

/**
 * Chooses the pg_dump for a server: the lowest major version that is ≥ the server's (pg_dump cannot dump
 * a newer server; the lowest such keeps the archive readable by the oldest pg_restore that can restore it).
 * Otherwise a clear error that names both versions.
 */
export function choosePgDump(
  binaries: readonly PgDumpBinary[],
  serverMajor: number,
  serverVersion: string,
): Result<PgDumpBinary, "no-pg-dump" | "pg-dump-too-old"> {
  if (binaries.length === 0)
    return err(
      "no-pg-dump",
      "no pg_dump found: install the PostgreSQL client (e.g. apt-get install postgresql-client) or set pgBinDirs",
    );
  const usable = binaries.filter((b) => b.major >= serverMajor).sort((a, b) => a.major - b.major);
  if (usable[0]) return ok(usable[0]);
  const newest = [...binaries].sort((a, b) => b.major - a.major)[0]!;
  return err(
    "pg-dump-too-old",
    `the server runs PostgreSQL ${serverVersion} but the newest pg_dump here is ${newest.version} (${newest.path}); pg_dump cannot dump a newer server: install the PostgreSQL ${serverMajor} client (e.g. postgresql-client-${serverMajor}) or point pgBinDirs at it`,
  );
}
