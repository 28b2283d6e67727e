import { libpqChildEnv, type PgConnection } from "../connection.js";
import { err, ok, type Result, redactSecrets } from "@walwarden/verifier";
import { runChild } from "./child.js";
import { pgRestoreArgs, sessionOptions, type PgRestoreSettings } from "./pg-restore-command.js";
import { RestoreProgressTracker, type RestoreProgress } from "./restore-progress.js";

/** What a finished pg_restore did. */
export interface PgRestoreDone {
  items: number;
}

/** What runPgRestore needs besides the settings. */
export interface RunPgRestoreOptions {
  pgRestore: string;
  archive: string;
  target: Pick<PgConnection, "dbnameArg" | "passwordEnv" | "password">;
  /** The archive's selected TOC item ids (tocItemIds), to count progress against. */
  tocIds: ReadonlySet<number>;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  onProgress?: (p: RestoreProgress) => void;
  /** Each stderr line that is not progress (a drill keeps the `pg_restore: error:` lines for its receipt). */
  onOtherLine?: (line: string) => void;
  /** How pg_restore ended: its exit status (null if it did not run or was killed). */
  onExit?: (code: number | null) => void;
}

/** pg_restore's lines that explain a failure (its other lines are progress, or noise such as "skipping item"). */
const ERROR_LINE = /^pg_restore: (error|warning|detail|hint|while PROCESSING TOC|from TOC entry)/i;

/** Error lines kept for the failure reason. */
const KEEP_LINES = 30;

/**
 * Runs pg_restore into the target (the password only in the child's PGPASSWORD; SESSION_OPTIONS in its
 * PGOPTIONS) and follows its progress. On failure the reason is pg_restore's last error lines (the first line of each "Command
 * was:", not the whole statement), with anything that looks like a password or URL redacted.
 */
export async function runPgRestore(
  s: PgRestoreSettings,
  o: RunPgRestoreOptions,
): Promise<Result<PgRestoreDone, "restore" | "interrupted">> {
  const tracker = new RestoreProgressTracker(o.tocIds, s.jobs > 1);
  const errors: string[] = [];
  let inCommand = false;
  const end = await runChild(o.pgRestore, pgRestoreArgs(s, o.target.dbnameArg, o.archive), {
    env: { ...libpqChildEnv(o.target, o.env), PGOPTIONS: sessionOptions(o.env) },
    signal: o.signal,
    onStderrLine: (line) => {
      if (tracker.line(line)) {
        inCommand = false;
        o.onProgress?.(tracker.progress);
        return;
      }
      o.onOtherLine?.(line);
      if (line.startsWith("Command was:")) {
        inCommand = true;
        errors.push(line);
      } else if (line.startsWith("pg_restore:")) {
        inCommand = false;
        if (ERROR_LINE.test(line)) errors.push(line);
      } else if (!inCommand && line.trim()) errors.push(line);
      if (errors.length > KEEP_LINES) errors.shift();
    },
  });
  o.onExit?.(end.error || end.signal ? null : end.code);
  if (end.aborted) return err("interrupted", "pg_restore was stopped");
  if (end.error) return err("restore", `pg_restore could not run: ${end.error.message}`);
  if (end.code !== 0) {
    const how = end.signal ? `killed by ${end.signal}` : `exit ${end.code}`;
    const detail = redactSecrets(errors.join("\n"), [o.target.password]).trim();
    return err("restore", `pg_restore failed (${how})${detail ? `:\n${detail}` : ""}`);
  }
  tracker.finish();
  o.onProgress?.(tracker.progress);
  return ok({ items: tracker.progress.done });
}
