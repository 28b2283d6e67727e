import { findPgTools, type PgToolBinary } from "../client-binaries.js";
import { err, ok, type Result } from "@walwarden/verifier";

/** An installed pg_restore and its version. */
export type PgRestoreBinary = PgToolBinary;

/** Every distinct pg_restore in `preferredDirs`, the usual install locations and PATH, with its version (where the runner looks for pg_dump: the same search). */
export function findPgRestores(
  preferredDirs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<PgRestoreBinary[]> {
  return findPgTools("pg_restore", preferredDirs, env);
}

/** The message when no pg_restore is installed at all. */
export const NO_PG_RESTORE =
  "no pg_restore found: install the PostgreSQL client tools (e.g. apt-get install postgresql-client, brew install libpq) or pass --pg-bin-dir";

/**
 * The pg_restore for an archive made by pg_dump `pgDumpVersion`: pg_restore cannot read archives of a
 * newer pg_dump, so its major version must be ≥ pg_dump's; the lowest such is chosen (the closest to
 * the dump and the target). Otherwise a message naming both versions and the package to install,
 * in the caller's `words` (its setting for more bin dirs, and what it adds: the CLI says the target was not touched).
 */
export function choosePgRestore(
  binaries: readonly PgRestoreBinary[],
  pgDumpVersion: string,
  words: { binDirSetting: string; after: string } = {
    binDirSetting: "--pg-bin-dir",
    after: " The target was not touched.",
  },
): Result<PgRestoreBinary, "no-pg-restore" | "pg-restore-too-old"> {
  if (binaries.length === 0) return err("no-pg-restore", NO_PG_RESTORE.replace("--pg-bin-dir", words.binDirSetting));
  const dumpMajor = Number(/^(\d+)/.exec(pgDumpVersion)?.[1] ?? NaN);
  const usable = binaries.filter((b) => !(b.major < dumpMajor)).sort((a, b) => a.major - b.major);
  if (usable[0]) return ok(usable[0]);
  const newest = [...binaries].sort((a, b) => b.major - a.major)[0]!;
  return err(
    "pg-restore-too-old",
    `this backup was made by pg_dump ${pgDumpVersion}, but the newest pg_restore here is ${newest.version} (${newest.path}), which cannot read it: install the PostgreSQL ${dumpMajor} client tools (e.g. apt-get install postgresql-client-${dumpMajor}, or brew install postgresql@${dumpMajor}) or point ${words.binDirSetting} at them.${words.after}`,
  );
}
