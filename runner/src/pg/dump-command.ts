import { libpqChildEnv, schemaDumpArgs } from "@walwarden/postgres";
import type { DatabaseConfig } from "../config/schema.js";
import type { PgTarget } from "./connection.js";
import type { PgDumpBinary } from "./pg-dump-binaries.js";

/** How to run pg_dump: the binary, its arguments and environment. */
export interface DumpCommand {
  pgDumpPath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * pg_dump in uncompressed custom format (compression happens outside it) with the database's options,
 * then `extra` (a snapshot, or --schema-only for `check`), then the connection. The environment carries
 * the password, and no PGSERVICE or PGPASSWORD of the runner's own that could re-point or re-authenticate it.
 */
export function pgDumpCommand(
  binary: PgDumpBinary,
  db: DatabaseConfig,
  target: PgTarget,
  env: NodeJS.ProcessEnv,
  extra: string[],
): DumpCommand {
  return {
    pgDumpPath: binary.path,
    args: [
      "--format=custom",
      "--compress=0",
      ...(db.noOwner ? ["--no-owner"] : []),
      ...(db.noPrivileges ? ["--no-privileges"] : []),
      ...schemaDumpArgs(db),
      ...extra,
      target.dbnameArg,
    ],
    env: libpqChildEnv(target, env),
  };
}
