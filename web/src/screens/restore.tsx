import { useEffect, useState } from "preact/hooks";
import { ApiError, getJson, postJson } from "../api/client.js";
import type {
  BackupDetail,
  CancelRestoreResponse,
  ProgressEvent,
  RestoreState,
  RestoreView,
  TransitionEvent,
} from "@walwarden/verifier/wire";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RestoreCommand } from "../components/restore-command.js";
import { RestoreIssue } from "../components/restore-issue.js";
import { RestoreStepper } from "../components/restore-stepper.js";
import { RestoreBadge } from "../components/status-badge.js";
import { Time } from "../components/time.js";
import { formatTime } from "../lib/format.js";
import { takeIssuedCommand } from "../lib/issued-restores.js";
import { countdownWords, formatCountdown, issuerWords, restoreActions } from "../lib/restore-actions.js";
import { restoreSteps, TERMINAL } from "../lib/restore-steps.js";
import { followRestore } from "../lib/restore-stream.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";

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

/** The time now, moving every `everyMs` while `active` (the expiry countdown). */
function useNow(everyMs: number, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs, active]);
  return now;
}

/** Each transition once, by n, in order. */
function merged(a: readonly TransitionEvent[], b: readonly TransitionEvent[]): TransitionEvent[] {
  const byN = new Map<number, TransitionEvent>();
  for (const t of [...a, ...b]) byN.set(t.n, t);
  return [...byN.values()].sort((x, y) => x.n - y.n);
}

/**
 * A restore: the one-time command (shown once, right after issuing, until a CLI claims it), the token's
 * countdown with cancel while no CLI has claimed it, re-issue once it expired, failed or was cancelled,
 * and its steps and transitions live as the CLI reports them.
 */
export function RestoreScreen({ id }: { id: string }) {
  const me = useSession();
  const operator = hasRole(me.principal.role, "operator");
  // The command is taken once per restore id (the screen stays mounted when a re-issue navigates to the new one).
  const [held, setHeld] = useState(() => ({ id, command: takeIssuedCommand(id), had: false }));
  const current = held.id === id ? held : undefined;
  useEffect(() => {
    if (held.id !== id) {
      const command = takeIssuedCommand(id);
      setHeld({ id, command, had: false });
    }
  }, [id, held.id]);

  const restore = useApi(`restore:${id}`, () => getJson<RestoreView>(`/v1/restores/${encodeURIComponent(id)}`));
  const r = restore.data?.id === id ? restore.data : undefined;
  const backup = useApi(r ? `backup:${r.backupId}` : null, () =>
    getJson<BackupDetail>(`/v1/backups/${encodeURIComponent(r!.backupId)}`),
  );
  const [streamed, setStreamed] = useState<TransitionEvent[]>([]);
  const [progress, setProgress] = useState<ProgressEvent | undefined>();
  const [connection, setConnection] = useState<"connecting" | "live" | "reconnecting" | "ended">("connecting");
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | undefined>();

  useEffect(() => {
    setStreamed([]);
    setProgress(undefined);
    setCancelError(undefined);
    return followRestore(id, TERMINAL, {
      onTransition: (t) => setStreamed((ts) => [...ts, t]),
      onProgress: setProgress,
      onConnection: setConnection,
    });
  }, [id]);

  const transitions = merged(r?.transitions ?? [], streamed);
  const state = transitions.at(-1)?.state ?? r?.state;
  const now = useNow(1000, state === "issued");
  const actions = r && state ? restoreActions(state, r.expiresAt, now) : undefined;
  const terminal = state !== undefined && TERMINAL.has(state);

  // Once the token is spent (claimed) or dead, the command leaves the page's memory for good.
  const command = current?.command;
  useEffect(() => {
    if (command && actions && !actions.commandUsable) setHeld({ id, command: undefined, had: true });
  }, [command, actions?.commandUsable, id]);
  // A finished restore's record (finishedAt, failure) is read again once the stream says it ended.
  useEffect(() => {
    if (terminal && r && !TERMINAL.has(r.state)) void restore.reload();
  }, [terminal, r?.state]);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      await postJson<CancelRestoreResponse>(`/v1/restores/${encodeURIComponent(id)}/cancel`);
      await restore.reload();
    } catch (e) {
      setCancelError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setCancelling(false);
    }
  };

  const steps = state
    ? restoreSteps({
        state,
        transitions,
        progress: terminal ? undefined : progress,
        failure: r?.failure,
        dryRun: r?.dryRun,
      })
    : [];
  const dbName = r ? (r.databaseName ?? r.databaseId) : undefined;
  const failed = transitions.find((t) => t.state === "failed");
  const failure =
    failed && typeof failed.data.stage === "string"
      ? { stage: failed.data.stage, reason: String(failed.data.reason ?? "") }
      : r?.failure;
  const b = backup.data;
  return (
    <>
      <p class="crumbs">
        <Link href="/restores">Restores</Link> /
      </p>
      <h1 class="restore-title">
        {dbName ? <>Restore of {dbName}</> : "Restore"} <code class="title-code restore-title-id">{id}</code>
      </h1>
      {state && actions ? (
        <RestoreCommand
          command={command}
          hadCommand={current?.had === true}
          state={state}
          usable={actions.commandUsable}
          expiresInMs={actions.expiresInMs}
        />
      ) : null}
      <LoadState error={restore.error} loading={restore.loading && !r} what="the restore" />
      {r && state && actions ? (
        <section class="panel restore-status" aria-labelledby="status-h">
          <h2 id="status-h" class="sr-only">
            Status
          </h2>
          <p class="restore-state-line">
            <RestoreBadge state={state} />{" "}
            <span data-state-words>
              {state === "failed" && failure ? `Failed at ${failure.stage}: ${failure.reason}` : STATE_WORDS[state]}
            </span>
          </p>
          {actions.expiresInMs !== null ? (
            <p class="restore-countdown" data-countdown>
              {actions.expiresInMs > 0 ? (
                <>
                  The token expires in{" "}
                  <strong aria-hidden="true" data-countdown-value>
                    {formatCountdown(actions.expiresInMs)}
                  </strong>
                  <span class="sr-only">{countdownWords(actions.expiresInMs)}</span> (at <Time iso={r.expiresAt} />)
                  unless a CLI claims it first.
                </>
              ) : (
                <>
                  The token expired at <Time iso={r.expiresAt} />: no CLI can claim it now.
                </>
              )}
            </p>
          ) : null}
          {operator && actions.cancel ? (
            <p>
              <button type="button" class="danger" onClick={() => void cancel()} disabled={cancelling} data-cancel>
                {cancelling ? "Cancelling…" : "Cancel this restore"}
              </button>{" "}
              <span class="muted small">The token stops working at once; the cancel is logged.</span>
            </p>
          ) : null}
          {cancelError ? (
            <p class="alert error" role="alert">
              Could not cancel: {cancelError}
            </p>
          ) : null}
          {operator && actions.reissue && b ? (
            b.expiredAt !== null ? (
              <p class="muted">
                Its backup was deleted by the retention policy at <Time iso={b.expiredAt} />, so it cannot be issued
                again.
              </p>
            ) : (
              <div class="restore-reissue" data-reissue>
                <p class="muted small">
                  {state === "failed"
                    ? "Fix what failed, then issue a new restore of the same backup: a new token and command."
                    : "Issue a new restore of the same backup: a new token and command."}
                </p>
                <RestoreIssue
                  target={{
                    backupId: b.id,
                    artifactUri: b.artifactUri,
                    databaseName: dbName ?? b.databaseId,
                    completedAt: b.completedAt,
                  }}
                  label="Re-issue…"
                  defaultDryRun={r.dryRun === true || / --dry-run\b/.test(command ?? "")}
                />
              </div>
            )
          ) : null}
          <dl class="facts restore-facts">
            <div>
              <dt>Database</dt>
              <dd>
                <Link href={`/databases/${r.databaseId}`}>{dbName}</Link>
              </dd>
            </div>
            <div>
              <dt>Backup</dt>
              <dd>
                <Link href={`/backups/${r.backupId}`}>
                  {b ? <Time iso={b.completedAt} /> : <code>{r.backupId}</code>}
                </Link>
                {b ? <span class="block muted small restore-id">{r.backupId}</span> : null}
              </dd>
            </div>
            <div>
              <dt>Issued</dt>
              <dd>
                <Time iso={r.issuedAt} /> by <span data-issuer>{issuerWords(r.issuedBy, r.issuedByName)}</span>
              </dd>
            </div>
            {r.claimedAt ? (
              <div>
                <dt>Claimed</dt>
                <dd>
                  <Time iso={r.claimedAt} />
                </dd>
              </div>
            ) : null}
            {r.finishedAt ? (
              <div>
                <dt>Finished</dt>
                <dd>
                  <Time iso={r.finishedAt} />
                </dd>
              </div>
            ) : null}
          </dl>
        </section>
      ) : null}

      <section class="panel" aria-labelledby="progress-h">
        <h2 id="progress-h">Progress</h2>
        <p class="muted small" role="status" data-connection={connection}>
          {connection === "live"
            ? "Live: steps appear as the CLI reports them."
            : connection === "reconnecting"
              ? "Connection lost: reconnecting…"
              : connection === "ended"
                ? "The restore has ended; this is its full history."
                : "Connecting…"}
        </p>
        {steps.length ? <RestoreStepper steps={steps} /> : null}
        <h3>Transitions, as logged</h3>
        {transitions.length === 0 ? <p class="muted">Waiting for the first transition…</p> : null}
        <ol class="transitions" aria-live="polite">
          {transitions.map((t) => (
            <li key={t.n} data-transition={t.state} class={t.state}>
              <RestoreBadge state={t.state} /> <span>{STATE_WORDS[t.state]}</span> <Time iso={t.at} />{" "}
              <span class="muted small restore-transition-detail">
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
