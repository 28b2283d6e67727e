import { getJson } from "../api/client.js";
import type { RestorePage } from "@walwarden/verifier/wire";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RestoreBadge } from "../components/status-badge.js";
import { Time } from "../components/time.js";
import { useApi } from "../lib/use-api.js";

/** Every restore of the org, newest first, with its state. */
export function RestoresScreen() {
  const restores = useApi("restores", () => getJson<RestorePage>("/v1/restores?limit=100"), 10_000);
  const items = restores.data?.items;
  return (
    <>
      <h1>Restores</h1>
      <p class="muted">
        An operator issues a restore from a backup's page; the CLI runs it on a machine you control and reports every
        step here.
      </p>
      <LoadState
        error={restores.error}
        loading={restores.loading && !items}
        what="the restores"
        retry={() => void restores.reload()}
      />
      {items && items.length === 0 ? (
        <EmptyState title="No restores yet">
          <p>
            Open a database, pick a backup and choose <em>Restore this backup</em>.
          </p>
        </EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Restore</th>
                <th scope="col">State</th>
                <th scope="col">Backup</th>
                <th scope="col">Issued</th>
                <th scope="col">Finished</th>
                <th scope="col">Failure</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} data-restore={r.id}>
                  <th scope="row">
                    <Link href={`/restores/${r.id}`}>
                      <code>{r.id}</code>
                    </Link>
                  </th>
                  <td>
                    <RestoreBadge state={r.state} />
                  </td>
                  <td>
                    <Link href={`/backups/${r.backupId}`}>
                      <code>{r.backupId}</code>
                    </Link>
                  </td>
                  <td>
                    <Time iso={r.issuedAt} />
                  </td>
                  <td>
                    <Time iso={r.finishedAt} />
                  </td>
                  <td class="wrap">{r.failure ? `${r.failure.stage}: ${r.failure.reason}` : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
