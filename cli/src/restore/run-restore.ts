import { err, clipText, redactSecrets } from "@walwarden/verifier";
import type { Fetch } from "../api/http.js";
import { httpRestoreApi, type RestoreApi, type RetryPolicy } from "../api/restore-api.js";
import type { RestoreOptions } from "../args/restore-args.js";
import type { DownloadOptions } from "../download/download.js";
import type { Io } from "../io.js";
import { trustedKeys } from "../keys/trusted-keys.js";
import type { RestoreTarget } from "../pg/restore-target.js";
import { preflight } from "./preflight.js";
import { restoreClaimed } from "./restore-claimed.js";
import type { Stage, StageErr } from "./stage.js";
import type { RestoreSummary } from "./summary.js";
import { WorkerReporter } from "./worker-reporter.js";
import { openWorkdir } from "./workdir.js";

/** What a restore runs with besides its options: where it writes, the environment, and the parts tests swap. */
export interface RestoreDeps {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM (its reason names the signal). */
  signal: AbortSignal;
  /** Where keys.json lives. */
  configDir: string;
  fetch?: Fetch;
  /** The Worker client (default: HTTP against --api). */
  api?: RestoreApi;
  retry?: RetryPolicy;
  download?: Pick<DownloadOptions, "stallMs" | "retries" | "backoffMs">;
  now?: () => number;
}

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
 * preflight (tools, target) → keys (pinned, trust on first use) → claim (uses up the token) →
 * kit check → downloading → download + SHA-256 → verifying → full verification → [dry run: completed] →
 * decompress → restoring → pg_restore → row counts → completed. Every failure after the claim is
 * reported as `failed` with its stage; the target is written only after everything verified.
 */
export async function runRestore(o: RestoreOptions, target: RestoreTarget, d: RestoreDeps): Promise<RestoreOutcome> {
  const started = (d.now ?? Date.now)();
  const fetchImpl = d.fetch ?? fetch;
  const api = d.api ?? httpRestoreApi(o.api, fetchImpl, d.retry);

  // What the operator gave that must never be printed: a failure message is redacted of it.
  const known = [target.password, o.token];
  const beforeClaim = (e: StageErr) => failBeforeClaim(e, known);
  const work = await openWorkdir(o.downloadDir, o.keepFile);
  if (!work.ok) return beforeClaim(work);
  try {
    const pre = await preflight(o, target, d.env);
    if (!pre.ok) return beforeClaim(pre);
    const keys = await trustedKeys(o.api, o.keys, d.configDir, fetchImpl);
    if (!keys.ok) return beforeClaim(err("keys", keys.message));
    if (keys.value.notice) d.io.stderr(keys.value.notice);
    if (d.signal.aborted)
      return beforeClaim(
        err("interrupted", `interrupted (${String(d.signal.reason)}) before claiming: the token was not used.`),
      );

    const claim = await api.claim(o.token, o.orgId);
    if (!claim.ok) return beforeClaim(err("claim", claim.message));
    const c = claim.value;
    d.io.stderr(`Claimed restore ${c.restoreId}: backup ${c.backupId} of database ${c.databaseId}.\n`);

    const reporter = new WorkerReporter(api, c.restoreId, c.progressToken, d.now);
    const touched = { value: false };
    try {
      const r = await restoreClaimed({
        o,
        target,
        d,
        claim: c,
        keys: keys.value,
        pre: pre.value,
        work: work.value,
        reporter,
        started,
        touched,
      });
      if (r.ok) return { exitCode: 0, summary: r.value };
      return await failAfterClaim(reporter, r, touched.value, [...known, c.progressToken, c.download.url]);
    } finally {
      reporter.stop();
    }
  } finally {
    await work.value.cleanup().catch(() => {});
  }
}

/** A failure before the claim: nothing to report (the token was not used); the message redacted. */
function failBeforeClaim(e: StageErr, secrets: (string | undefined)[]): RestoreOutcome {
  return {
    exitCode: e.code === "interrupted" ? 130 : 1,
    failure: { stage: e.code, message: redactSecrets(e.message, secrets), restoreId: null, reported: null },
  };
}

/** Reports `failed` with the stage and the redacted message, and says whether the target was touched. */
async function failAfterClaim(
  reporter: WorkerReporter,
  e: StageErr,
  touched: boolean,
  secrets: (string | undefined)[],
): Promise<RestoreOutcome> {
  const reason = clipText(redactSecrets(e.message, secrets), 4000, "end");
  const r = await reporter.transition({ state: "failed", stage: e.code, reason });
  // A touched target and a failed report means only the completed transition failed: the message says so.
  const consequence =
    e.code === "report" && touched
      ? ""
      : touched
        ? " The target may hold part of the backup: drop and re-create it (or restore with --clean) before trying again."
        : " The target was not touched.";
  const unreported = r.ok ? "" : ` The failure could not be reported to the Worker either (${r.message}).`;
  return {
    exitCode: e.code === "interrupted" ? 130 : 1,
    failure: {
      stage: e.code,
      message:
        `${redactSecrets(e.message, secrets)}${e.message.includes("\n") ? "\n" : ""}${consequence}${unreported}`.replace(
          /\n /g,
          "\n",
        ),
      restoreId: reporter.restoreId,
      reported: r.ok,
    },
  };
}
