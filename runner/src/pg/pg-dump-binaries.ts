import { findPgTools, type PgToolBinary } from "@walwarden/postgres";
import { err, ok, type Result } from "@walwarden/verifier";

/** An installed pg_dump and its version. */
export type PgDumpBinary = PgToolBinary;

/** Every distinct pg_dump found in `preferredDirs`, the usual install locations and PATH, with its version. */
export function findPgDumps(
  preferredDirs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<PgDumpBinary[]> {
  return findPgTools("pg_dump", preferredDirs, env);
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
