import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api/client.js";
import type { ProgressEvent, RestoreState, RestoreView, TransitionEvent } from "@walwarden/verifier/wire";
import { CopyButton } from "../components/copy-button.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RestoreBadge } from "../components/status-badge.js";
import { Time } from "../components/time.js";
import { formatBytes, formatTime } from "../lib/format.js";
import { takeIssuedCommand } from "../lib/issued-restores.js";
import { followRestore } from "../lib/restore-stream.js";
import { loadVerifier } from "../lib/verifier.js";
import { useApi } from "../lib/use-api.js";

/** The happy path, for the stepper: each step is done, current or still to come. */
const STEPS: RestoreState[] = ["issued", "claimed", "downloading", "verifying", "restoring", "completed"];

const STATE_WORDS: Record<RestoreState, string> = {
  issued: "Token issued: waiting for the CLI to claim it",
  claimed: "Claimed by the CLI",
  downloading: "Downloading from your bucket",
  verifying: "Verifying hash, signature and log inclusion",
  restoring: "Running pg_restore into the target",
  completed: "Completed",
  failed: "Failed",
  expired: "Expired: the token was never claimed",
  cancelled: "Cancelled: the token was revoked before it was claimed",
};

function transitionDetail(t: TransitionEvent): string {
  const d = t.data;
  if (t.state === "claimed" && typeof d.clientVersion === "string") return `CLI ${d.clientVersion}`;
  if (t.state === "verifying" && typeof d.sha256 === "string") return `downloaded SHA-256 ${d.sha256}`;
  if (t.state === "completed" && d.dryRun === true) return "dry run: verified, nothing restored";
  if (t.state === "failed") return `at ${String(d.stage ?? "?")}: ${String(d.reason ?? "")}`;
  if (t.state === "issued" && typeof d.expiresAt === "string") return `token expires ${formatTime(d.expiresAt)}`;
  return "";
}

/** A restore: the one-time command (shown once, right after issuing), then each transition live as the CLI reports it. */
export function RestoreScreen({ id }: { id: string }) {
  const [command] = useState(() => takeIssuedCommand(id));
  const restore = useApi(`restore:${id}`, () => getJson<RestoreView>(`/v1/restores/${encodeURIComponent(id)}`));
  const [transitions, setTransitions] = useState<TransitionEvent[]>([]);
  const [progress, setProgress] = useState<ProgressEvent | undefined>();
  const [connection, setConnection] = useState<"connecting" | "live" | "reconnecting" | "ended">("connecting");

  useEffect(() => {
    setTransitions([]);
    let stop: (() => void) | undefined;
    let live = true;
    void loadVerifier().then((v) => {
      if (!live) return;
      stop = followRestore(id, v.TERMINAL_STATES, {
        onTransition: (t) => setTransitions((ts) => [...ts, t].sort((a, b) => a.n - b.n)),
        onProgress: setProgress,
        onConnection: setConnection,
      });
    });
    return () => {
      live = false;
      stop?.();
    };
  }, [id]);

  const r = restore.data;
  const state = transitions.at(-1)?.state ?? r?.state;
  const reached = new Set(transitions.map((t) => t.state));
  const terminal = state === "completed" || state === "failed" || state === "expired";
  return (
    <>
      <p class="crumbs">
        <Link href="/restores">Restores</Link> /
      </p>
      <h1>
        Restore <code class="title-code">{id}</code>
      </h1>
      {command ? (
        <section class="panel command" aria-labelledby="command-h">
          <h2 id="command-h">Run this command on the machine that can reach the target</h2>
          <p>
            <strong>Shown once.</strong> The token in it works once and expires{" "}
            {r?.expiresAt ? (
              <>
                at <Time iso={r.expiresAt} />
              </>
            ) : (
              "within 15 minutes"
            )}
            . Set <code>TARGET_DATABASE_URL</code> there: the target's address and password never reach Walwarden.
          </p>
          <pre class="code" data-command>
            {command}
          </pre>
          <CopyButton text={command} label="Copy command" />
          {reached.has("claimed") ? (
            <p class="muted">The CLI has claimed this restore: the token is spent and cannot be used again.</p>
          ) : null}
        </section>
      ) : null}
      <LoadState error={restore.error} loading={restore.loading && !r} what="the restore" />
      {r ? (
        <dl class="facts">
          <div>
            <dt>State</dt>
            <dd>{state ? <RestoreBadge state={state} /> : null}</dd>
          </div>
          <div>
            <dt>Backup</dt>
            <dd>
              <Link href={`/backups/${r.backupId}`}>
                <code>{r.backupId}</code>
              </Link>
            </dd>
          </div>
          <div>
            <dt>Issued</dt>
            <dd>
              <Time iso={r.issuedAt} /> by <code>{r.issuedBy}</code>
            </dd>
          </div>
        </dl>
      ) : null}

      <section class="panel" aria-labelledby="progress-h">
        <h2 id="progress-h">Progress</h2>
        <p class="muted small" role="status" data-connection={connection}>
          {connection === "live"
            ? "Live: transitions appear as the CLI reports them."
            : connection === "reconnecting"
              ? "Connection lost: reconnecting…"
              : connection === "ended"
                ? "The restore has ended; this is its full history."
                : "Connecting…"}
        </p>
        <ol class="stepper" aria-label="Steps of a restore">
          {STEPS.map((s) => (
            <li key={s} class={reached.has(s) ? "done" : s === state ? "current" : "todo"}>
              <span class="sr-only">{reached.has(s) ? "done: " : "to come: "}</span>
              {s}
            </li>
          ))}
        </ol>
        {progress && !terminal ? (
          <div class="live-progress">
            <label for="restore-progress">
              {progress.phase}: {formatBytes(progress.bytes)}
              {progress.totalBytes ? ` of ${formatBytes(progress.totalBytes)}` : ""}
              {progress.bytesPerSecond ? `, ${formatBytes(progress.bytesPerSecond)}/s` : ""}
              {progress.detail ? ` — ${progress.detail}` : ""}
            </label>
            <progress
              id="restore-progress"
              max={progress.totalBytes ?? undefined}
              value={progress.totalBytes ? progress.bytes : undefined}
            />
          </div>
        ) : null}
        <h3>Transitions, as logged</h3>
        {transitions.length === 0 ? <p class="muted">Waiting for the first transition…</p> : null}
        <ol class="transitions" aria-live="polite">
          {transitions.map((t) => (
            <li key={t.n} data-transition={t.state} class={t.state}>
              <RestoreBadge state={t.state} /> <span>{STATE_WORDS[t.state]}</span> <Time iso={t.at} />{" "}
              <span class="muted small">
                log #{t.seq}
                {transitionDetail(t) ? ` · ${transitionDetail(t)}` : ""}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
