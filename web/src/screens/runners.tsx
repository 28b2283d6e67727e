import { getJson } from "../api/client.js";
import type { Runner, RunnerPage } from "@walwarden/verifier/wire";
import { EmptyState } from "../components/empty-state.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { ageSeconds } from "../lib/format.js";
import { useApi } from "../lib/use-api.js";

/** A runner's state in words: revoked, never seen, seen recently, or silent for a while. */
export function runnerState(r: Runner, now = Date.now()): { word: string; tone: string } {
  if (r.revokedAt) return { word: "Revoked", tone: "neutral" };
  const age = ageSeconds(r.lastSeenAt, now);
  if (age === null) return { word: "Never seen", tone: "warn" };
  if (age <= 10 * 60) return { word: "Active", tone: "good" };
  return { word: "Silent", tone: "warn" };
}

/** The org's runners: when each was last seen and with which version. */
export function RunnersScreen() {
  const runners = useApi("runners", () => getJson<RunnerPage>("/v1/runners?limit=200"), 30_000);
  const items = runners.data?.items;
  return (
    <>
      <h1>Runners</h1>
      <p class="muted">
        Runners back up your databases from inside your network. Each polls the API for jobs; “last seen” is its latest
        poll or report.
      </p>
      <LoadState
        error={runners.error}
        loading={runners.loading && !items}
        what="the runners"
        retry={() => void runners.reload()}
      />
      {items && items.length === 0 ? (
        <EmptyState title="No runners yet">
          <p>
            An admin registers one (<code>POST /v1/runners</code>), then runs{" "}
            <code>npx walwarden-runner run --config runner.json</code> next to the database.
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
              </tr>
            </thead>
            <tbody>
              {items.map((r) => {
                const s = runnerState(r);
                return (
                  <tr key={r.id} data-runner={r.id}>
                    <th scope="row" class="name-cell">
                      <Truncated text={r.name} />
                      <code class="muted small">{r.id}</code>
                    </th>
                    <td>
                      <span class={`badge ${s.tone}`}>{s.word}</span>
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
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
