import { useState } from "preact/hooks";
import { ApiError, deleteResource, getJson } from "../api/client.js";
import type { DatabasePage, JobPage, Runner, RunnerPage } from "@walwarden/verifier/wire";
import { ConfirmButtons } from "../components/confirm-buttons.js";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { RunnerSetup } from "../components/runner-setup.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { type IncidentPage, openBySubject } from "../lib/alerts.js";
import { ageSeconds } from "../lib/format.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { PosturePanel } from "./posture-panel.js";

/** What else is known about a runner: an open runner.silent alert, and jobs of its that failed lately. */
export interface RunnerSignals {
  silentAlert: boolean;
  recentFailures: number;
}

/** How far back a failed job makes a runner "Failing". */
export const FAILING_WINDOW_MS = 60 * 60_000;

/**
 * A runner's state in words: revoked; silent (the Worker has an open runner.silent alert for it, or it has
 * not been seen for 10 minutes); never seen; failing (seen, but jobs it ran failed in the last hour); or active.
 */
export function runnerState(
  r: Runner,
  signals: RunnerSignals = { silentAlert: false, recentFailures: 0 },
  now = Date.now(),
): { word: string; tone: string } {
  if (r.revokedAt) return { word: "Revoked", tone: "neutral" };
  // The alert wins over a recent poll: it is what paged someone, and it resolves after two clear ticks.
  if (signals.silentAlert) return { word: "Silent", tone: "bad" };
  const age = ageSeconds(r.lastSeenAt, now);
  if (age === null) return { word: "Never seen", tone: "warn" };
  if (age > 10 * 60) return { word: "Silent", tone: "warn" };
  if (signals.recentFailures > 0) return { word: "Failing", tone: "bad" };
  return { word: "Active", tone: "good" };
}

/** Failed jobs per runner that finished within FAILING_WINDOW_MS of now. */
export function recentFailuresByRunner(jobs: JobPage["items"], now = Date.now()): Map<string, number> {
  const out = new Map<string, number>();
  for (const j of jobs) {
    if (j.status !== "failed" || !j.runnerId || !j.finishedAt) continue;
    if (now - Date.parse(j.finishedAt) > FAILING_WINDOW_MS) continue;
    out.set(j.runnerId, (out.get(j.runnerId) ?? 0) + 1);
  }
  return out;
}

/**
 * The org's runners: when each was last seen and with which version; for admins, registering one (its token
 * and files shown once) and revoking one after a confirmation; then the posture of their buckets.
 */
export function RunnersScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const runners = useApi("runners", () => getJson<RunnerPage>("/v1/runners?limit=200"), 30_000);
  // The runner's files name the org's databases by id; only an admin registers, so only they ask.
  const databases = useApi(admin ? "runners:databases" : null, () => getJson<DatabasePage>("/v1/databases?limit=200"));
  const [registering, setRegistering] = useState(false);
  const [confirming, setConfirming] = useState<string | undefined>();
  const [said, setSaid] = useState<string | undefined>();
  // Two requests whatever the number of runners: the open alerts, and the failed jobs made in the last day
  // (a job that failed within the hour may have been queued hours before, through its retries).
  const alerts = useApi("alerts:open", () => getJson<IncidentPage>("/v1/alerts?open=true&limit=200"), 30_000);
  const failed = useApi(
    "jobs:failed",
    () =>
      getJson<JobPage>(
        `/v1/jobs?status=failed&limit=200&since=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`,
      ),
    30_000,
  );
  const silent = openBySubject(alerts.data?.items ?? [], "runner");
  const failures = recentFailuresByRunner(failed.data?.items ?? []);
  const items = runners.data?.items;
  return (
    <>
      <div class="title-row">
        <h1>Runners</h1>
        {admin && !registering ? (
          <button type="button" onClick={() => setRegistering(true)}>
            Register a runner
          </button>
        ) : null}
      </div>
      <p class="muted">
        Runners back up your databases from inside your network. Each polls the API for jobs; “last seen” is its latest
        poll or report.
      </p>
      {admin && registering ? (
        <section class="panel register-runner" aria-labelledby="register-runner-h">
          <h2 id="register-runner-h">Register a runner</h2>
          <RunnerSetup
            idPrefix="runners-new"
            databases={databases.data?.items.map((d) => ({ id: d.id, name: d.name, provider: d.provider }))}
            onRegistered={() => void runners.reload()}
            onDone={() => setRegistering(false)}
            cancel={() => setRegistering(false)}
          />
        </section>
      ) : null}
      {said ? (
        <p class="muted" role="status">
          {said}
        </p>
      ) : null}
      <LoadState
        error={runners.error}
        loading={runners.loading && !items}
        what="the runners"
        retry={() => void runners.reload()}
      />
      {items && items.length === 0 ? (
        <EmptyState title="No runners yet">
          <p>
            {admin ? "Register one above" : "An admin registers one"}; it is then started next to the database with the
            command its registration shows (<code>walwarden-runner run --config runner.json</code>, or the Docker
            image).
          </p>
        </EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Runner</th>
                <th scope="col">State</th>
                <th scope="col">Last seen</th>
                <th scope="col">Version</th>
                <th scope="col">Registered</th>
                {admin ? (
                  <th scope="col" class="runner-actions">
                    <span class="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => {
                const s = runnerState(r, {
                  silentAlert: (silent.get(r.id) ?? []).some((i) => i.condition === "runner.silent"),
                  recentFailures: failures.get(r.id) ?? 0,
                });
                return (
                  <tr key={r.id} data-runner={r.id}>
                    <th scope="row" class="name-cell">
                      <Truncated text={r.name} />
                      <code class="muted small">{r.id}</code>
                    </th>
                    <td>
                      <span class={`badge ${s.tone}`} data-state={s.word}>
                        {s.word}
                      </span>
                      {failures.get(r.id) ? (
                        <span class="reason small">{failures.get(r.id)} failed job(s) in the last hour</span>
                      ) : null}
                    </td>
                    <td>
                      {r.lastSeenAt ? (
                        <>
                          <Time iso={r.lastSeenAt} relative />{" "}
                          <span class="muted small">
                            <Time iso={r.lastSeenAt} />
                          </span>
                        </>
                      ) : (
                        <span class="none">Never</span>
                      )}
                    </td>
                    <td>{r.version ?? "—"}</td>
                    <td>
                      <Time iso={r.createdAt} />
                    </td>
                    {admin ? (
                      <td class="runner-actions">
                        {r.revokedAt ? null : confirming === r.id ? (
                          <RevokeConfirm
                            runner={r}
                            cancel={() => setConfirming(undefined)}
                            revoked={async (problem) => {
                              setConfirming(undefined);
                              setSaid(problem ?? `Runner ${r.name} revoked: its token no longer works.`);
                              await runners.reload();
                            }}
                          />
                        ) : (
                          <button type="button" class="secondary" onClick={() => setConfirming(r.id)}>
                            Revoke<span class="sr-only"> {r.name}</span>
                          </button>
                        )}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <PosturePanel runners={items} />
    </>
  );
}

/** Revoking a runner, once confirmed: DELETE /v1/runners/:id. Calls `revoked` with a problem if it failed. */
function RevokeConfirm({
  runner,
  cancel,
  revoked,
}: {
  runner: Runner;
  cancel: () => void;
  revoked: (problem?: string) => Promise<void>;
}) {
  const h = `revoke-${runner.id}`;
  return (
    <div class="alert error revoke-confirm" role="alertdialog" aria-labelledby={h}>
      <p id={h}>
        Revoke {runner.name}? Its token stops working at once: it can claim no more jobs, and a job it holds goes back
        to the queue when its lease runs out. This cannot be undone: register a new runner to replace it.
      </p>
      <ConfirmButtons
        label="Revoke runner"
        onCancel={cancel}
        onConfirm={async () => {
          try {
            await deleteResource(`/v1/runners/${encodeURIComponent(runner.id)}`);
            await revoked();
          } catch (e) {
            await revoked(`Could not revoke ${runner.name}: ${e instanceof ApiError ? e.message : String(e)}`);
          }
        }}
      />
    </div>
  );
}
