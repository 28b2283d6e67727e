import { err, ok, type Result } from "@walwarden/verifier";
import { describeEnd, runChild } from "./child.js";
import type { RestoreSelection } from "./selection.js";
import { selectionArgs } from "./pg-restore-command.js";

/**
 * The ids of the archive's TOC items that a restore of `selection` processes (`pg_restore -l`, each
 * line not starting with ";" is one item: `<id>; <catalog oid> <oid> <type> <schema> <name> <owner>`).
 */
export async function tocItemIds(
  pgRestore: string,
  archive: string,
  selection: RestoreSelection,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<Result<Set<number>, "toc">> {
  const ids = new Set<number>();
  let stderr = "";
  const end = await runChild(pgRestore, ["--list", ...selectionArgs(selection), archive], {
    env,
    ...(signal ? { signal } : {}),
    onStdoutLine: (l) => {
      const m = /^(\d+);/.exec(l);
      if (m) ids.add(Number(m[1]));
    },
    onStderrLine: (l) => void (stderr += `${l}\n`),
  });
  const failed = describeEnd("pg_restore --list", end);
  if (failed) return err("toc", `${failed}${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
  return ok(ids);
}
