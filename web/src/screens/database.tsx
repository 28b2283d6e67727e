import { useState } from "preact/hooks";
import { ApiError, getJson, postJson } from "../api/client.js";
import type { BackupPage, DatabaseRpo, Restorability } from "@walwarden/verifier/wire";
import type { DrillPage } from "../lib/drills.js";
import { EmptyState } from "../components/empty-state.js";
import { HistoryChart } from "../components/history-chart.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RpoBadge } from "../components/status-badge.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { formatBytes, formatDuration, formatMinutes, shortHash } from "../lib/format.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { useRunnerNames } from "../lib/use-drill-verification.js";
import { rpoReason } from "./databases.js";
import { DrillHistory, RestorabilityPanel } from "./drills-panel.js";
import { RetentionPanel } from "./retention-panel.js";

/**
 * One database: its RPO and its last proven restore side by side ("back up now" and "drill now" for
 * operators), its retention (the policy, each backup's fate, the editor for admins), its restore drills with
 * their receipts verified here, and its backup history as a chart and a table.
 */
export function DatabaseScreen({ id }: { id: string }) {
  const me = useSession();
  const rpo = useApi(`rpo:${id}`, () => getJson<DatabaseRpo>(`/v1/rpo/${encodeURIComponent(id)}`), 15_000);
  const backups = useApi(
    `backups:${id}`,
    () => getJson<BackupPage>(`/v1/backups?databaseId=${encodeURIComponent(id)}&limit=200`),
    15_000,
  );
  const restorability = useApi(
    `restorability:${id}`,
    () => getJson<Restorability>(`/v1/databases/${encodeURIComponent(id)}/restorability`),
    15_000,
  );
  const drills = useApi(
    `drills:${id}`,
    () => getJson<DrillPage>(`/v1/drills?databaseId=${encodeURIComponent(id)}&limit=50`),
    15_000,
  );
  const runnerNames = useRunnerNames();
  const [queued, setQueued] = useState<string | undefined>();
  const d = rpo.data;
  const items = backups.data?.items;
  return (
    <>
      <p class="crumbs">
        <Link href="/databases">Databases</Link> /
      </p>
      <h1 class="title-truncate">
        <Truncated text={d?.name ?? id} />
      </h1>
      <LoadState error={rpo.error} loading={rpo.loading && !d} what="the database" />
      <div class="panels">
        {d ? (
          <section class="panel" aria-labelledby="rpo-h">
            <h2 id="rpo-h">Recovery point</h2>
            <dl class="facts">
              <div>
                <dt>Status</dt>
                <dd>
                  <RpoBadge status={d.status} /> <span class="reason">{rpoReason(d)}</span>
                </dd>
              </div>
              <div>
                <dt>Target RPO</dt>
                <dd>{formatMinutes(d.targetRpoMinutes)}</dd>
              </div>
              <div>
                <dt>Provider</dt>
                <dd>{d.provider}</dd>
              </div>
              <div>
                <dt>Id</dt>
                <dd>
                  <code>{d.databaseId}</code>
                </dd>
              </div>
            </dl>
            {hasRole(me.principal.role, "operator") ? (
              <p>
                <button
                  type="button"
                  class="secondary"
                  onClick={async () => {
                    try {
                      const r = await postJson<{ jobId: string }>(`/v1/databases/${encodeURIComponent(id)}/backups`);
                      setQueued(`Backup queued as job ${r.jobId}; a runner will pick it up.`);
                    } catch (e) {
                      setQueued(`Could not queue a backup: ${e instanceof ApiError ? e.message : String(e)}`);
                    }
                  }}
                >
                  Back up now
                </button>{" "}
                <span role="status">{queued ?? ""}</span>
              </p>
            ) : null}
          </section>
        ) : null}
        <RestorabilityPanel
          databaseId={id}
          restorability={restorability}
          onDrillChanged={() => {
            void restorability.reload();
            void drills.reload();
          }}
        />
      </div>
      <RetentionPanel databaseId={id} />
      <DrillHistory drills={drills} runnerNames={runnerNames} />
      <h2>Backup history</h2>
      <LoadState error={backups.error} loading={backups.loading && !items} what="the backups" />
      {items && items.length === 0 ? (
        <EmptyState title="No backups yet">A runner's first completed backup of this database appears here.</EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <>
          <HistoryChart backups={items} name={d?.name ?? id} />
          <div class="table-wrap">
            <table class="backups">
              <caption class="sr-only">Backups of this database, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Completed</th>
                  <th scope="col" class="num">
                    Size
                  </th>
                  <th scope="col" class="num">
                    Duration
                  </th>
                  <th scope="col">Artifact SHA-256</th>
                  <th scope="col">Manifest hash</th>
                  <th scope="col" class="num">
                    Log seq
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((b) => (
                  <tr key={b.id} data-backup={b.id}>
                    <th scope="row">
                      <Link href={`/backups/${b.id}`}>
                        <Time iso={b.completedAt} />
                      </Link>
                      {b.expiredAt !== null ? (
                        <span class="badge neutral" data-deleted-backup>
                          <span aria-hidden="true">○</span> Deleted
                        </span>
                      ) : null}
                    </th>
                    <td class="num">{formatBytes(b.sizeBytes)}</td>
                    <td class="num">{formatDuration(b.durationMs)}</td>
                    <td>
                      <code title={b.sha256}>{shortHash(b.sha256)}</code>
                    </td>
                    <td>
                      <code title={b.manifestSha256}>{shortHash(b.manifestSha256)}</code>
                    </td>
                    <td class="num">{b.logSeq}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </>
  );
}
