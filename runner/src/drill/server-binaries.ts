import { execFile } from "node:child_process";
import { access, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { err, ok, type Result } from "@walwarden/verifier";

const run = promisify(execFile);

/** An installed PostgreSQL server: a bin dir holding initdb, pg_ctl and postgres, and its version. */
export interface ServerBinaries {
  dir: string;
  version: string;
  major: number;
}

const DEBIAN = "/usr/lib/postgresql";

/** The bin dirs searched: `drills.local.binDirs` if set, else /usr/lib/postgresql/<major>/bin. */
export async function serverBinDirs(configured: readonly string[]): Promise<string[]> {
  if (configured.length) return [...configured];
  const entries = await readdir(DEBIAN).catch(() => [] as string[]);
  return entries.filter((e) => /^\d+$/.test(e)).map((e) => join(DEBIAN, e, "bin"));
}

/** Every bin dir of `dirs` that holds a runnable initdb, pg_ctl and postgres, with the server's version. */
export async function findServers(dirs: readonly string[]): Promise<ServerBinaries[]> {
  const found = await Promise.all(
    dirs.map(async (dir): Promise<ServerBinaries | undefined> => {
      try {
        await Promise.all(["initdb", "pg_ctl"].map((t) => access(join(dir, t))));
        const { stdout } = await run(join(dir, "postgres"), ["--version"], { timeout: 10_000 });
        const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
        if (!m) return undefined;
        return { dir, version: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]!, major: Number(m[1]) };
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((s): s is ServerBinaries => s !== undefined);
}

/**
 * The server a local drill starts: the oldest installed whose major is at least the dump's pg_dump major.
 * At least: a dump loads into a server as new as the pg_dump that wrote it, not an older one. The oldest
 * such, not the newest: the schema fingerprint is the same across servers of one major only (PostgreSQL
 * 18 lists NOT NULL constraints in pg_constraint, so a 15 backup restored into 18 never matches), and the
 * runner dumps with the lowest pg_dump >= the source, so this is the source's major when it is installed.
 * Otherwise a message naming what is installed and what to install.
 */
export function chooseServer(
  servers: readonly ServerBinaries[],
  pgDumpVersion: string,
  searched: readonly string[],
): Result<ServerBinaries, "no-server"> {
  const dumpMajor = Number(/^(\d+)/.exec(pgDumpVersion)?.[1] ?? Number.NaN);
  const usable = servers.filter((s) => s.major >= dumpMajor).sort((a, b) => a.major - b.major);
  if (usable[0]) return ok(usable[0]);
  const have = servers.length ? `only ${servers.map((s) => `${s.version} (${s.dir})`).join(", ")}` : "none";
  return err(
    "no-server",
    `a local drill needs PostgreSQL server binaries (initdb, pg_ctl, postgres) of major ${dumpMajor} or newer, the dump's pg_dump ${pgDumpVersion}; found ${have} in ${searched.join(", ") || "(nothing searched)"}: install postgresql-${dumpMajor} in the runner's image or set drills.local.binDirs`,
  );
}
