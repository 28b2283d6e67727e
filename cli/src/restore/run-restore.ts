import { clipText, err, redactSecrets, type Result } from "@walwarden/verifier";
import { httpRestoreApi } from "../api/restore-api.js";
import type { RestoreOptions } from "../args/restore-args.js";
import { trustedKeys } from "../keys/trusted-keys.js";
import type { RestoreTarget } from "../pg/restore-target.js";
import type { PreflightResult } from "./preflight.js";
import type { RestoreDeps } from "./restore-deps.js";
import type { Stage, StageErr } from "./stage.js";
import type { RestoreSummary } from "./summary.js";
import { WorkerReporter } from "./worker-reporter.js";
import { openWorkdir } from "./workdir.js";

/** How a restore ended. */
export interface RestoreOutcome {
  exitCode: 0 | 1 | 130;
  summary?: RestoreSummary;
  failure?: {
    stage: Stage;
    message: string;
    /** Null if it failed before the claim (the token was not used). */
    restoreId: string | null;
    /** Whether the Worker recorded the failure (null before the claim: nothing to record). */
    reported: boolean | null;
  };
}

/**
 * `walwarden restore`, in order (invariant 4 of docs/architecture.md: verify before touching the target):
 * download dir → keys (pinned, trust on first use; with --key nothing is fetched) → claim (uses up the
 * token), with the preflight (tools, target) run while the Worker answers it → kit check → downloading →
 * download + SHA-256 → verifying → full verification → [dry run: completed] → decompress → restoring →
 * pg_restore → row counts → completed. Every failure after the claim is reported as `failed` with its
 * stage; the target is written only after everything verified.
 *
 * What loads when: this module and the claim need little (the CLI's start-up is part of every restore's
 * time); the preflight's and the claimed restore's code (pg, the archive, the verifier's schemas) load
 * once the claim is on its way, while the Worker answers it.
 */
export async function runRestore(
  options: RestoreOptions,
  target: RestoreTarget,
  deps: RestoreDeps,
): Promise<RestoreOutcome> {
  const startedAt = (deps.now ?? Date.now)();
  const fetchImpl = deps.fetch ?? fetch;
  const api = deps.api ?? httpRestoreApi(options.api, fetchImpl, deps.retry);

  // What the operator gave that must never be printed: a failure message is redacted of it.
  const known = [target.password, options.token];
  const failedBeforeClaim = (e: StageErr) => failBeforeClaim(e, known);
  const workdir = await openWorkdir(options.downloadDir, options.keepFile);
  if (!workdir.ok) return failedBeforeClaim(workdir);
  try {
    // The keys come before the claim: the token is only sent to an API that publishes the pinned keys.
    const keys = await trustedKeys(options.api, options.keys, deps.configDir, fetchImpl);
    if (!keys.ok) return failedBeforeClaim(err("keys", keys.message));
    if (keys.value.notice) deps.io.stderr(keys.value.notice);
    if (deps.signal.aborted)
      return failedBeforeClaim(
        err("interrupted", `interrupted (${String(deps.signal.reason)}) before claiming: the token was not used.`),
      );

    // The claim is sent first; the preflight runs while the Worker answers it (it contacts only this
    // machine and the target, read-only) and while the download starts, and the claimed restore's code
    // loads meanwhile.
    const claimSentAt = (deps.now ?? Date.now)();
    const claiming = api.claim(options.token, options.orgId);
    // The claimed restore's code loads first (what the claim's answer needs at once), then the preflight
    // starts, sharing its modules; neither holds up the answer for long.
    const steps = import("./restore-claimed.js");
    steps.catch(() => {}); // awaited below unless the restore stops first
    let preflightDone: Result<PreflightResult, Stage> | undefined;
    const checking = steps
      .catch(() => undefined)
      .then(() => runPreflight(options, target, deps.env))
      .then((r) => (preflightDone = r));
    const claimResult = await claiming;
    const claimMs = (deps.now ?? Date.now)() - claimSentAt;
    if (!claimResult.ok) {
      // A check that already failed is said too (the operator has both to fix); a running one is not waited for.
      const failedCheck = preflightDone && !preflightDone.ok ? preflightDone : undefined;
      return failedBeforeClaim(
        failedCheck
          ? err(
              failedCheck.code,
              `${failedCheck.message} The claim, sent while this was checked, failed too: ${claimResult.message}`,
            )
          : err("claim", claimResult.message),
      );
    }
    const claim = claimResult.value;
    deps.io.stderr(`Claimed restore ${claim.restoreId}: backup ${claim.backupId} of database ${claim.databaseId}.\n`);

    const reporter = new WorkerReporter(api, claim.restoreId, claim.progressToken, deps.now);
    const touched = { value: false };
    const secrets = [target.password, claim.progressToken, claim.download.url, options.token];
    try {
      // A check that failed while the claim was in flight: the token is used, nothing else is done.
      if (preflightDone && !preflightDone.ok) {
        const { preflightFailedAfterClaim } = await steps;
        return await failedAfterClaim(reporter, preflightFailedAfterClaim(preflightDone), false, secrets);
      }
      if (deps.signal.aborted)
        return await failedAfterClaim(
          reporter,
          err(
            "interrupted",
            `interrupted (${String(deps.signal.reason ?? "signal")}) while claiming: nothing was downloaded.`,
          ),
          false,
          secrets,
        );
      const { restoreClaimed } = await steps;
      const restored = await restoreClaimed({
        options,
        target,
        deps,
        claim,
        keys: keys.value,
        preflight: checking,
        workdir: workdir.value,
        reporter,
        startedAt,
        claimMs,
        touched,
      });
      if (restored.ok) return { exitCode: 0, summary: restored.value };
      return await failedAfterClaim(reporter, restored, touched.value, secrets);
    } finally {
      reporter.stop();
    }
  } finally {
    await workdir.value.cleanup().catch(() => {});
  }
}

/** The preflight (loaded on first use), its unexpected failure a value too: a claim may be in flight. */
async function runPreflight(
  options: RestoreOptions,
  target: RestoreTarget,
  env: NodeJS.ProcessEnv,
): Promise<Result<PreflightResult, Stage>> {
  try {
    const { preflight } = await import("./preflight.js");
    return await preflight(options, target, env);
  } catch (e) {
    return err("preflight", `the preflight failed: ${(e as Error).message}`);
  }
}

/** A failure before the claim: nothing to report, the token was not used. */
function failBeforeClaim(failure: StageErr, secrets: (string | undefined)[]): RestoreOutcome {
  return {
    exitCode: failure.code === "interrupted" ? 130 : 1,
    failure: { stage: failure.code, message: redactSecrets(failure.message, secrets), restoreId: null, reported: null },
  };
}

/** Reports `failed` with the stage and the redacted message, and says whether the target was touched. */
async function failedAfterClaim(
  reporter: WorkerReporter,
  failure: StageErr,
  touched: boolean,
  secrets: (string | undefined)[],
): Promise<RestoreOutcome> {
  const reason = clipText(redactSecrets(failure.message, secrets), 4000, "end");
  const report = await reporter.transition({ state: "failed", stage: failure.code, reason });
  // A touched target and a failed report means only the completed transition failed: the message says so.
  const consequence =
    failure.code === "report" && touched
      ? ""
      : touched
        ? " The target may hold part of the backup: drop and re-create it (or restore with --clean) before trying again."
        : " The target was not touched.";
  const unreported = report.ok ? "" : ` The failure could not be reported to the Worker either (${report.message}).`;
  const message = `${redactSecrets(failure.message, secrets)}${failure.message.includes("\n") ? "\n" : ""}${consequence}${unreported}`;
  return {
    exitCode: failure.code === "interrupted" ? 130 : 1,
    failure: {
      stage: failure.code,
      message: message.replace(/\n /g, "\n"),
      restoreId: reporter.restoreId,
      reported: report.ok,
    },
  };
}
