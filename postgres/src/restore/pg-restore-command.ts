import type { RestoreSelection } from "./selection.js";

/** What to restore and how (the flags of `walwarden restore` that reach pg_restore). */
export interface PgRestoreSettings extends RestoreSelection {
  jobs: number;
  clean: boolean;
}

/** pg_restore's selection flags: --schema / --table take exact names (pg_restore does not match patterns). */
export function selectionArgs(s: RestoreSelection): string[] {
  return [...s.schemas.map((n) => `--schema=${n}`), ...s.tables.map((n) => `--table=${n}`)];
}

/**
 * pg_restore's arguments: parallel, stop at the first error, no ownership or grants (the target's roles
 * are not the source's), --clean --if-exists if asked, the selection, --verbose (progress is read from
 * it), then the target (a conninfo without the password) and the archive.
 */
export function pgRestoreArgs(s: PgRestoreSettings, dbnameArg: string, archive: string): string[] {
  return [
    `--jobs=${s.jobs}`,
    "--exit-on-error",
    "--no-owner",
    "--no-privileges",
    ...(s.clean ? ["--clean", "--if-exists"] : []),
    ...selectionArgs(s),
    "--verbose",
    dbnameArg,
    archive,
  ];
}

/**
 * Settings for pg_restore's sessions, through PGOPTIONS: synchronous_commit=off. A restore commits each
 * TOC item on its own (thousands for a large schema), each waiting for a WAL flush otherwise; a restore
 * that crashes is failed and redone anyway, and the row check commits synchronously first, which flushes
 * every earlier commit before the restore is reported completed. The preflight connects with the same
 * options, so a server or pooler that refuses them fails there, before the claim.
 */
export const SESSION_OPTIONS = "-c synchronous_commit=off";

/** PGOPTIONS for pg_restore: SESSION_OPTIONS, then the user's own (which win where they set the same). */
export function sessionOptions(env: NodeJS.ProcessEnv): string {
  const own = env.PGOPTIONS?.trim();
  return own ? `${SESSION_OPTIONS} ${own}` : SESSION_OPTIONS;
}
