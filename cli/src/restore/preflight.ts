import { constants } from "node:fs";
import { access, realpath } from "node:fs/promises";
import { join } from "node:path";
import { findPgRestores, NO_PG_RESTORE, type PgRestoreBinary } from "@walwarden/postgres";
import { err, ok, type Result } from "@walwarden/verifier";
import type { RestoreOptions } from "../args/restore-args.js";
import type { RestoreTarget } from "../pg/restore-target.js";
import { preflightTarget, type TargetInfo } from "../pg/target-preflight.js";
import { zstdVersion } from "../tools/zstd.js";
import type { StageErr } from "./stage.js";

/** What the preflight found: the target's version (unless a dry run) and the installed pg_restores. */
export interface PreflightResult {
  target: TargetInfo | undefined;
  pgRestores: PgRestoreBinary[];
}

/**
 * Everything the restore checks locally before it downloads, run while the claim is in flight (run-restore
 * says whether the token was used when one fails): the local tools (pg_restore, zstd) and the target
 * (reachable, writable, empty unless --clean), all at once. A dry run never touches the target and needs
 * no tools (it says whether the local pg_restore could read the backup).
 */
export async function preflight(
  options: RestoreOptions,
  target: RestoreTarget,
  env: NodeJS.ProcessEnv,
): Promise<Result<PreflightResult, StageErr["code"]>> {
  const searched = await withPathOfPgRestores(env);
  if (options.dryRun) return ok({ target: undefined, pgRestores: await findPgRestores(options.pgBinDirs, searched) });
  const [pgRestores, zstd, targetInfo] = await Promise.all([
    findPgRestores(options.pgBinDirs, searched),
    zstdVersion(env),
    preflightTarget(target, { schemas: options.schemas, tables: options.tables }, options.clean),
  ]);
  if (pgRestores.length === 0) return err("preflight", `${NO_PG_RESTORE}.`);
  if (!zstd.ok) return err("preflight", zstd.message);
  if (!targetInfo.ok) return err("preflight", targetInfo.message);
  return ok({ target: targetInfo.value, pgRestores });
}

/**
 * `env` with PATH cut to the directories that hold an executable pg_restore, each real file once (/bin and
 * /usr/bin are one directory on a merged /usr): findPgRestores asks every candidate for its version, and
 * each directory without one would still cost a process start. The binaries found, and their order, are
 * the same.
 */
async function withPathOfPgRestores(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const dirs = (env.PATH ?? "").split(":").filter(Boolean);
  const reals = await Promise.all(
    dirs.map(async (dir) => {
      const path = join(dir, "pg_restore");
      try {
        await access(path, constants.X_OK);
        return await realpath(path);
      } catch {
        return undefined;
      }
    }),
  );
  const seen = new Set<string>();
  const kept = dirs.filter((_, i) => {
    const real = reals[i];
    if (real === undefined || seen.has(real)) return false;
    seen.add(real);
    return true;
  });
  return { ...env, PATH: kept.join(":") };
}
