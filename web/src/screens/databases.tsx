import { useState } from "preact/hooks";
import { getJson, postJson } from "../api/client.js";
import type { Database, DatabaseRpo, Incident, Job, JobPage, RpoStatus, RpoSummary } from "@walwarden/verifier/wire";
import { IncidentBadge } from "../components/alert-badges.js";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RPO_WORDS, RpoBadge } from "../components/status-badge.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { type IncidentPage, openBySubject, sortBySeverity } from "../lib/alerts.js";
import { formatAge, formatBytes, formatClock, formatMinutes, shortHash } from "../lib/format.js";
import { navigate, useLocation } from "../lib/router.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { DatabaseFormView } from "./database-form.js";
import { WelcomeLink } from "./welcome.js";

/** Why a database has its status, in a sentence. */
export function rpoReason(d: DatabaseRpo): string {
  const target = formatMinutes(d.targetRpoMinutes);
  if (d.status === "no-target")
    return d.lastBackup
      ? `No enabled schedule sets a target RPO.`
      : "No backup yet, and no schedule sets a target RPO.";
  if (!d.lastBackup)
    return d.status === "breached"
      ? `No backup yet, and the ${target} target has passed.`
      : `No backup yet; target ${target}.`;
  const age = formatAge(d.ageSeconds);
  if (d.status === "breached") return `Last backup ${age}: older than the ${target} target.`;
  if (d.status === "at-risk") return `Last backup ${age}: close to the ${target} target, or the latest job failed.`;
  return `Last backup ${age}, within the ${target} target.`;
}

const ORDER: RpoStatus[] = ["breached", "at-risk", "ok", "no-target"];

/**
 * The latest failed backup job of each database that has an open backup.failed alert: one request per such
 * database (usually none), never one per database.
 */
function useLastFailures(open: Map<string, Incident[]>) {
  const ids = [...open].filter(([, list]) => list.some((i) => i.condition === "backup.failed")).map(([id]) => id);
  ids.sort();
  return useApi(
    ids.length ? `failures:${ids.join(",")}` : null,
    async () =>
      new Map(
        await Promise.all(
          ids.map(
            async (id) =>
              [
                id,
                (
                  await getJson<JobPage>(
                    `/v1/jobs?databaseId=${encodeURIComponent(id)}&kind=backup&status=failed&limit=1`,
                  )
                ).items[0],
              ] as const,
          ),
        ),
      ),
    15_000,
  );
}

/** A database's open alerts as badges, and its last failed backup's reason and attempts. */
function AlertCell({ incidents, failure }: { incidents: Incident[] | undefined; failure: Job | undefined }) {
  if (!incidents?.length) return null;
  return (
    <>
      <span class="alert-badges">
        {incidents.map((i) => (
          <IncidentBadge key={i.id} incident={i} />
        ))}
      </span>
      {failure ? (
        <span class="reason small" data-last-failure>
          Last failure (attempt {failure.attempt} of {failure.maxAttempts}): {failure.lastError ?? "no reason given"}
        </span>
      ) : null}
    </>
  );
}

/**
 * Every database with its RPO at a glance: status against the target in words and colour, its open alerts
 * (those with a critical one first, then a warning), last backup, age, manifest hash, size. Admins add one
 * (then land on its screen to give it a schedule); after a deletion the list says what it kept.
 */
export function DatabasesScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const deleted = useLocation().query.get("deleted");
  const [adding, setAdding] = useState(false);
  const rpo = useApi("rpo", () => getJson<RpoSummary>("/v1/rpo"), 15_000);
  const alerts = useApi("alerts:open", () => getJson<IncidentPage>("/v1/alerts?open=true&limit=200"), 15_000);
  const open = openBySubject(alerts.data?.items ?? [], "database");
  const failures = useLastFailures(open);
  const data = rpo.data;
  return (
    <>
      <div class="title-row">
        <h1>Databases</h1>
        <span class="title-actions">
          {admin && !adding ? (
            <button type="button" onClick={() => setAdding(true)}>
              Add database
            </button>
          ) : null}
          <button
            type="button"
            class="secondary"
            onClick={() => void Promise.all([rpo.reload(), alerts.reload(), failures.reload()])}
            disabled={rpo.loading}
          >
            Refresh
          </button>
        </span>
      </div>
      {deleted ? (
        <p class="alert info" role="status" data-deleted-database>
          Deleted <strong class="wrap">{deleted}</strong>: its schedules and policies are gone; its backups, drills and
          log entries stay, and nothing was deleted from the bucket.
        </p>
      ) : null}
      {admin && adding ? (
        <section class="panel add-database" aria-labelledby="add-database-h">
          <h2 id="add-database-h">Add a database</h2>
          <DatabaseFormView
            idPrefix="database-new"
            initial={null}
            submitLabel="Add database"
            cancel={() => setAdding(false)}
            submit={async (body) => {
              const created = await postJson<Database>("/v1/databases", body);
              navigate(`/databases/${encodeURIComponent(created.id)}`);
            }}
          />
        </section>
      ) : null}
      <LoadState
        error={rpo.error}
        loading={rpo.loading && !data}
        what="the databases"
        retry={() => void rpo.reload()}
      />
      {data ? (
        <>
          <WelcomeLink databases={data.databases} />
          <ul class="counts" aria-label="Databases by RPO status">
            {ORDER.map((s) => (
              <li key={s} class={`count ${s}`}>
                <span class="count-n">{data.counts[s]}</span> <RpoBadge status={s} />
              </li>
            ))}
          </ul>
          {data.databases.length === 0 ? (
            <EmptyState title="No databases yet">
              <p>
                {admin ? "Add a database" : "An admin adds a database"}, gives it a schedule with a target RPO, then a
                runner in your network backs it up.
              </p>
            </EmptyState>
          ) : (
            <div class="table-wrap">
              <table class="databases">
                <caption class="sr-only">Databases and their recovery point, as of {formatClock(data.at)}</caption>
                <thead>
                  <tr>
                    <th scope="col">Database</th>
                    <th scope="col">Status</th>
                    <th scope="col">Last backup</th>
                    <th scope="col">Age</th>
                    <th scope="col">Manifest hash</th>
                    <th scope="col" class="num">
                      Size
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sortBySeverity(data.databases, open).map((d) => (
                    <tr key={d.databaseId} data-database={d.databaseId} data-status={d.status}>
                      <th scope="row" class="name-cell">
                        <Link href={`/databases/${d.databaseId}`} title={d.name}>
                          <Truncated text={d.name} />
                        </Link>
                        <span class="muted small">{d.provider}</span>
                      </th>
                      <td>
                        <RpoBadge status={d.status} />
                        <span class="reason small">
                          <span class="sr-only">{RPO_WORDS[d.status]}: </span>
                          {rpoReason(d)}
                        </span>
                        <AlertCell incidents={open.get(d.databaseId)} failure={failures.data?.get(d.databaseId)} />
                      </td>
                      <td>
                        {d.lastBackup ? (
                          <Link href={`/backups/${d.lastBackup.id}`}>
                            <Time iso={d.lastBackup.completedAt} />
                          </Link>
                        ) : (
                          <span class="none">No backup yet</span>
                        )}
                      </td>
                      <td>{d.lastBackup ? formatAge(d.ageSeconds) : "—"}</td>
                      <td>
                        {d.lastBackup ? (
                          <code title={d.lastBackup.manifestSha256}>{shortHash(d.lastBackup.manifestSha256)}</code>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td class="num">{d.lastBackup ? formatBytes(d.lastBackup.sizeBytes) : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </>
  );
}
