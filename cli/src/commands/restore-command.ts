import { parseRestoreArgs } from "../args/restore-args.js";
import { configDir } from "../keys/config-dir.js";
import { restoreTarget } from "../pg/restore-target.js";
import { runRestore, type RestoreOutcome } from "../restore/run-restore.js";
import { formatSummary } from "../restore/summary.js";
import { usageError, type CliContext } from "./context.js";

/** `walwarden restore`: validates the flags (exit 2), runs the restore, prints the summary or the failure; returns the exit code. */
export async function restoreCommand(raw: Record<string, unknown>, ctx: CliContext): Promise<number> {
  const { io, env } = ctx;
  const parsed = parseRestoreArgs(raw, env);
  if (!parsed.ok) return usageError(io, "restore", parsed.message);
  const o = parsed.value;
  const target = restoreTarget(o.target, env);
  if (!target.ok)
    return usageError(
      io,
      "restore",
      `${o.target !== undefined ? "--target" : "the target (libpq environment: PGHOST, PGSERVICE, …)"}: ${target.message}`,
    );
  if (target.value.passwordInArgs)
    io.stderr(
      "Note: the password in --target is visible to other users of this machine (ps); prefer PGPASSWORD, ~/.pgpass or a service file.\n",
    );

  const { signal, release } = ctx.signal ? { signal: ctx.signal, release: () => {} } : interruptOnSignals(ctx);
  let outcome: RestoreOutcome;
  try {
    outcome = await runRestore(o, target.value, {
      io,
      env,
      signal,
      configDir: configDir(env),
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      ...(ctx.retry ? { retry: ctx.retry } : {}),
      ...(ctx.download ? { download: ctx.download } : {}),
    });
  } finally {
    release();
  }
  if (outcome.summary) {
    io.stdout(
      o.json ? `${JSON.stringify({ ok: true, ...outcome.summary }, null, 2)}\n` : formatSummary(outcome.summary),
    );
  } else if (outcome.failure) {
    const f = outcome.failure;
    io.stderr(`walwarden restore: failed (${f.stage}${f.restoreId ? `, restore ${f.restoreId}` : ""}): ${f.message}\n`);
    if (o.json) io.stdout(`${JSON.stringify({ ok: false, ...f }, null, 2)}\n`);
  }
  return outcome.exitCode;
}

/** SIGINT/SIGTERM abort the restore (it then reports `failed` and cleans up); a second one exits at once. */
function interruptOnSignals(ctx: CliContext): { signal: AbortSignal; release: () => void } {
  const ctrl = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctrl.signal.aborted) process.exit(130);
    ctx.io.stderr(
      `\n${sig}: stopping (reporting the restore as failed and removing its files; press again to exit at once)\n`,
    );
    ctrl.abort(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: ctrl.signal,
    release: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
