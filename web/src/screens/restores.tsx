import { getJson } from "../api/client.js";
import type { RestorePage } from "@walwarden/verifier/wire";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RestoreBadge } from "../components/status-badge.js";
import { Time } from "../components/time.js";
import { issuerWords } from "../lib/restore-actions.js";
import { useApi } from "../lib/use-api.js";

/**
 * Every restore of the org, newest first: its database by name, its state, who issued it and when, and why
 * it failed (cut to two lines; the whole reason is on the restore's page). On a phone each restore is one
 * compact card (restores.css), never a table row taller than the screen.
 */
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
        <div class="table-wrap restores-list">
          <table>
            <thead>
              <tr>
                <th scope="col">Database</th>
                <th scope="col">State</th>
                <th scope="col">Issued</th>
                <th scope="col">Finished</th>
                <th scope="col">Backup</th>
                <th scope="col">Failure</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => {
                const failure = r.failure ? `${r.failure.stage}: ${r.failure.reason}` : null;
                return (
                  <tr key={r.id} data-restore={r.id}>
                    <th scope="row" class="restores-name">
                      <Link href={`/restores/${r.id}`}>{r.databaseName ?? r.databaseId}</Link>
                      <span class="restores-id">{r.id}</span>
                    </th>
                    <td class="restores-state" data-label="State">
                      <RestoreBadge state={r.state} />
                      {r.dryRun ? <span class="muted small"> dry run</span> : null}
                    </td>
                    <td class="restores-issued" data-label="Issued">
                      <Time iso={r.issuedAt} />
                      <span class="restores-by" data-issuer>
                        by {issuerWords(r.issuedBy, r.issuedByName)}
                      </span>
                    </td>
                    <td class={`restores-finished${r.finishedAt ? "" : " restores-empty"}`} data-label="Finished">
                      <Time iso={r.finishedAt} />
                    </td>
                    <td class="restores-backup" data-label="Backup">
                      <Link href={`/backups/${r.backupId}`}>
                        <code>{r.backupId}</code>
                      </Link>
                    </td>
                    <td class={`restores-failure${failure ? "" : " restores-empty"}`} data-label="Failure">
                      {failure ? (
                        <span class="restores-reason" title={failure}>
                          {failure}
                        </span>
                      ) : (
                        <span class="muted">—</span>
                      )}
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
