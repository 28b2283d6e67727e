// The org's jobs (backups, restore drills, retention prunes), newest first, filtered by kind, state and
// database: each job's state with what its runner reports while it runs, and its reason and attempts when it
// failed; databases and runners by name. While a job in view is on its way the list refreshes every 2 s.
import type { DatabasePage, Job, JobPage, RunnerPage } from "@walwarden/verifier/wire";
import { useEffect, useMemo, useState } from "preact/hooks";
import { getJson } from "../api/client.js";
import { EmptyState } from "../components/empty-state.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import { formatDuration } from "../lib/format.js";
import {
  filtersOf,
  isActive,
  JOB_KINDS,
  JOB_STATUSES,
  type JobFilters,
  jobLine,
  KIND_WORDS,
  queryOf,
  STATUS_WORDS,
  statusBadge,
} from "../lib/jobs.js";
import { navigate, useLocation } from "../lib/router.js";
import { useApi } from "../lib/use-api.js";

const PAGE = 50;
/** How often the list refreshes while a job in view is queued, running or finishing; and otherwise. */
const LIVE_MS = 2000;
const IDLE_MS = 30_000;

/** Every database of the org by id (a few pages of 200 at most), for names and the filter. */
async function loadDatabases(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const p: DatabasePage = await getJson<DatabasePage>(`/v1/databases?limit=200${q}`);
    for (const d of p.items) out.set(d.id, d.name);
    cursor = p.nextCursor;
    if (!cursor) break;
  }
  return out;
}

/** The jobs screen. */
export function JobsScreen() {
  const { query } = useLocation();
  const filters = filtersOf(query);
  const key = queryOf(filters).toString();
  const first = useApi(`jobs:${key}`, () => getJson<JobPage>(`/v1/jobs?${queryOf(filters, { limit: String(PAGE) })}`));
  const [more, setMore] = useState<{ items: Job[]; nextCursor: string | null } | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => setMore(undefined), [key]);
  const databases = useApi("databases:names", loadDatabases, 60_000);
  const runners = useApi("runners:names", () => getJson<RunnerPage>("/v1/runners?limit=200"), 60_000);
  const runnerNames = useMemo(() => new Map((runners.data?.items ?? []).map((r) => [r.id, r.name])), [runners.data]);
  const names = databases.data ?? new Map<string, string>();
  // The rows wait for the names (or their failure), so a job never flashes up with ids only.
  const namesReady = (databases.data || databases.error) && (runners.data || runners.error);

  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  const live = items.some(isActive);
  // Refresh the first page: often while something in view is on its way, rarely otherwise.
  const { reload } = first;
  useEffect(() => {
    if (!first.data) return;
    const t = setTimeout(() => void reload(), live ? LIVE_MS : IDLE_MS);
    return () => clearTimeout(t);
  }, [first.data, live, reload]);

  const go = (next: JobFilters) => {
    const q = queryOf(next);
    navigate(`/jobs${q.size ? `?${q}` : ""}`, { replace: true });
  };
  const filtered = Boolean(filters.kind || filters.status || filters.databaseId);
  const databaseOptions = [...names].sort((a, b) => a[1].localeCompare(b[1]));
  if (filters.databaseId && !names.has(filters.databaseId))
    databaseOptions.push([filters.databaseId, filters.databaseId]);

  return (
    <>
      <div class="title-row">
        <h1>Jobs</h1>
        <button type="button" class="secondary" onClick={() => void first.reload()} disabled={first.loading}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Backups, restore drills and retention prunes, newest first: each waits queued until a runner takes it, runs with
        the progress its runner reports, and succeeds or fails with its reason.{" "}
        <span data-live={String(live)}>
          {live ? "Something is on its way: this list refreshes every 2 seconds." : "Nothing is running now."}
        </span>
      </p>
      <form class="filters" aria-label="Filter the jobs" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="jobs-kind">Kind</label>
          <select id="jobs-kind" value={filters.kind} onChange={(e) => go({ ...filters, kind: e.currentTarget.value })}>
            <option value="">All kinds</option>
            {JOB_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_WORDS[k]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="jobs-status">State</label>
          <select
            id="jobs-status"
            value={filters.status}
            onChange={(e) => go({ ...filters, status: e.currentTarget.value })}
          >
            <option value="">All states</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="jobs-database">Database</label>
          <select
            id="jobs-database"
            value={filters.databaseId}
            onChange={(e) => go({ ...filters, databaseId: e.currentTarget.value })}
          >
            <option value="">All databases</option>
            {databaseOptions.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </div>
        {filtered ? (
          <div class="field actions">
            <button type="button" class="secondary" onClick={() => go({ kind: "", status: "", databaseId: "" })}>
              Clear filters
            </button>
          </div>
        ) : null}
      </form>
      <LoadState
        error={first.error}
        loading={(first.loading && !first.data) || (!!first.data && !namesReady)}
        what="the jobs"
        retry={() => void first.reload()}
      />
      {first.data && namesReady && items.length === 0 ? (
        <EmptyState title={filtered ? "No jobs match these filters" : "No jobs yet"}>
          {filtered
            ? "Clear a filter to see more."
            : "A job appears when a schedule's time comes, or when someone asks for a backup or a drill."}
        </EmptyState>
      ) : null}
      {namesReady && items.length > 0 ? (
        <div class="table-wrap stack-on-phone">
          <table class="jobs">
            <caption class="sr-only">Jobs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Queued</th>
                <th scope="col">Kind</th>
                <th scope="col">Database</th>
                <th scope="col">State</th>
                <th scope="col">Runner</th>
                <th scope="col" class="num">
                  Took
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((j) => (
                <JobRow
                  key={j.id}
                  job={j}
                  database={names.get(j.databaseId)}
                  namesLoaded={databases.data !== undefined}
                  runner={j.runnerId ? runnerNames.get(j.runnerId) : undefined}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {nextCursor ? (
        <p>
          <button
            type="button"
            class="secondary"
            disabled={loadingMore}
            onClick={async () => {
              setLoadingMore(true);
              try {
                const q = queryOf(filters, { limit: String(PAGE), cursor: nextCursor });
                const page = await getJson<JobPage>(`/v1/jobs?${q}`);
                setMore((old) => ({ items: [...(old?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
              } finally {
                setLoadingMore(false);
              }
            }}
          >
            Older jobs
          </button>
        </p>
      ) : null}
    </>
  );
}

function JobRow({
  job: j,
  database,
  namesLoaded,
  runner,
}: {
  job: Job;
  database: string | undefined;
  namesLoaded: boolean;
  runner: string | undefined;
}) {
  const badge = statusBadge(j);
  const took =
    j.startedAt && j.finishedAt ? formatDuration(Date.parse(j.finishedAt) - Date.parse(j.startedAt)) : undefined;
  return (
    <tr data-job={j.id} data-status={j.status} data-kind={j.kind}>
      <th scope="row" data-label="Queued">
        <Time iso={j.createdAt} />
        <code class="muted small block wrap">{j.id}</code>
      </th>
      <td data-label="Kind">
        {KIND_WORDS[j.kind]}
        <span class="muted small block">{j.trigger === "manual" ? "on request" : "on schedule"}</span>
      </td>
      <td data-label="Database" class="name-cell">
        {database ? (
          <Link href={`/databases/${j.databaseId}`} title={database}>
            <Truncated text={database} />
          </Link>
        ) : (
          <span class="muted">
            {namesLoaded ? "deleted database " : ""}
            <code class="wrap">{j.databaseId}</code>
          </span>
        )}
      </td>
      <td data-label="State">
        <span class={`badge ${badge.tone}`} data-state={badge.word}>
          <span aria-hidden="true">{badge.symbol} </span>
          {badge.word}
        </span>
        <span class="reason small wrap" data-job-line>
          {jobLine(j, runner)}
        </span>
        {j.status === "succeeded" && j.kind === "backup" ? (
          <Link href={`/backups/${j.backupId}`} class="small">
            See the backup
          </Link>
        ) : null}
        {j.drillId ? (
          <Link href={`/drills/${j.drillId}`} class="small">
            See the drill
          </Link>
        ) : null}
      </td>
      <td data-label="Runner">
        {j.runnerId ? (
          runner ? (
            <Truncated text={runner} />
          ) : (
            <code class="wrap small">{j.runnerId}</code>
          )
        ) : (
          <span class="none">None yet</span>
        )}
      </td>
      <td data-label="Took" class="num">
        {took ??
          (isActive(j) && j.startedAt ? (
            <span class="small">
              started <Time iso={j.startedAt} relative />
            </span>
          ) : (
            "—"
          ))}
      </td>
    </tr>
  );
}
