import { getJson } from "../api/client.js";
import type { DatabaseRpo, RpoStatus, RpoSummary } from "@walwarden/verifier/wire";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RPO_WORDS, RpoBadge } from "../components/status-badge.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { formatAge, formatBytes, formatMinutes, shortHash } from "../lib/format.js";
import { useApi } from "../lib/use-api.js";

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

/** Every database with its RPO at a glance: status against the target in words and colour, last backup, age, manifest hash, size. */
export function DatabasesScreen() {
  const rpo = useApi("rpo", () => getJson<RpoSummary>("/v1/rpo"), 15_000);
  const data = rpo.data;
  return (
    <>
      <div class="title-row">
        <h1>Databases</h1>
        <button type="button" class="secondary" onClick={() => void rpo.reload()} disabled={rpo.loading}>
          Refresh
        </button>
      </div>
      <LoadState
        error={rpo.error}
        loading={rpo.loading && !data}
        what="the databases"
        retry={() => void rpo.reload()}
      />
      {data ? (
        <>
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
                An admin adds a database (<code>POST /v1/databases</code>) and a schedule with a target RPO, then a
                runner in your network backs it up.
              </p>
            </EmptyState>
          ) : (
            <div class="table-wrap">
              <table class="databases">
                <caption class="sr-only">
                  Databases and their recovery point, as of {new Date(data.at).toLocaleTimeString("en-GB")}
                </caption>
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
                  {data.databases.map((d) => (
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
