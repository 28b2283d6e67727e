import type {
  BackupPage,
  Database,
  DatabaseRpo,
  Job,
  JobPage,
  Restorability,
  RunnerPage,
  SchedulePage,
} from "@walwarden/verifier/wire";
import { useMemo, useState } from "preact/hooks";
import { getJson, patchJson } from "../api/client.js";
import { EmptyState } from "../components/empty-state.js";
import { HistoryChart } from "../components/history-chart.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RpoBadge } from "../components/status-badge.js";
import { Time } from "../components/time.js";
import { Truncated } from "../components/truncated.js";
import type { DrillPage } from "../lib/drills.js";
import { formatBytes, formatDuration, formatMinutes, shortHash } from "../lib/format.js";
import { coverageOf, coverageWarning } from "../lib/jobs.js";
import { navigate } from "../lib/router.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";
import { BackupNow } from "./backup-now.js";
import { ConfirmDeleteDatabase, DatabaseFormView, PROVIDER_WORDS } from "./database-form.js";
import { rpoReason } from "./databases.js";
import { DrillHistory, RestorabilityPanel } from "./drills-panel.js";
import { RetentionPanel } from "./retention-panel.js";
import { SchedulesPanel } from "./schedules-panel.js";

const enc = encodeURIComponent;

/**
 * One database: whether runners serve it, its RPO and its last proven restore side by side ("back up now",
 * followed live, and "drill now" for operators), its backup schedules, its retention (the policy, each
 * backup's fate, the editor for admins), its restore drills with their receipts verified here, and its
 * backup history as a chart and a table. Admins rename, re-hint and delete it.
 */
export function DatabaseScreen({ id }: { id: string }) {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const database = useApi(`database:${id}`, () => getJson<Database>(`/v1/databases/${enc(id)}`));
  const rpo = useApi(`rpo:${id}`, () => getJson<DatabaseRpo>(`/v1/rpo/${enc(id)}`), 15_000);
  const backups = useApi(
    `backups:${id}`,
    () => getJson<BackupPage>(`/v1/backups?databaseId=${enc(id)}&limit=200`),
    15_000,
  );
  const restorability = useApi(
    `restorability:${id}`,
    () => getJson<Restorability>(`/v1/databases/${enc(id)}/restorability`),
    15_000,
  );
  const drills = useApi(`drills:${id}`, () => getJson<DrillPage>(`/v1/drills?databaseId=${enc(id)}&limit=50`), 15_000);
  const schedules = useApi(`schedules:${id}`, () =>
    getJson<SchedulePage>(`/v1/schedules?databaseId=${enc(id)}&limit=200`),
  );
  const runners = useApi("runners", () => getJson<RunnerPage>("/v1/runners?limit=200"), 30_000);
  const jobs = useApi(
    `jobs:${id}`,
    () => getJson<JobPage>(`/v1/jobs?databaseId=${enc(id)}&kind=backup&limit=20`),
    30_000,
  );
  const runnerNames = useMemo(() => new Map((runners.data?.items ?? []).map((r) => [r.id, r.name])), [runners.data]);
  const [mode, setMode] = useState<"view" | "edit" | "delete">("view");
  const [said, setSaid] = useState<string | undefined>();
  const d = rpo.data;
  const items = backups.data?.items;
  const name = database.data?.name ?? d?.name ?? id;
  const coverage = runners.data && jobs.data ? coverageOf(runners.data.items, jobs.data.items) : undefined;
  const warning = coverage ? coverageWarning(coverage) : undefined;

  const backupStep = () => void Promise.all([jobs.reload(), runners.reload()]);
  const backupDone = (job: Job) => {
    if (job.status === "succeeded") void Promise.all([backups.reload(), rpo.reload(), restorability.reload()]);
  };

  return (
    <>
      <p class="crumbs">
        <Link href="/databases">Databases</Link> /
      </p>
      <div class="title-row database-title">
        <h1 class="title-truncate">
          <Truncated text={name} />
        </h1>
        {admin && database.data && mode === "view" ? (
          <span class="title-actions">
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setSaid(undefined);
                setMode("edit");
              }}
            >
              Edit database
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setSaid(undefined);
                setMode("delete");
              }}
            >
              Delete database…
            </button>
          </span>
        ) : null}
      </div>
      <p role="status" class="database-said">
        {said ?? ""}
      </p>
      {admin && database.data && mode === "edit" ? (
        <section class="panel" aria-label="Edit database">
          <DatabaseFormView
            idPrefix="database-edit"
            initial={database.data}
            submitLabel="Save database"
            cancel={() => setMode("view")}
            submit={async (body) => {
              const current = database.data!;
              const changes = Object.fromEntries(
                Object.entries(body).filter(([k, v]) => current[k as keyof typeof body] !== v),
              );
              if (Object.keys(changes).length > 0) await patchJson<Database>(`/v1/databases/${enc(id)}`, changes);
              setMode("view");
              setSaid(Object.keys(changes).length > 0 ? "Database saved." : "Nothing changed.");
              await Promise.all([database.reload(), rpo.reload()]);
            }}
          />
        </section>
      ) : null}
      {admin && database.data && mode === "delete" ? (
        <ConfirmDeleteDatabase
          database={{ id, name }}
          facts={{
            schedules: schedules.data?.items.length,
            backups: backups.data
              ? { count: backups.data.items.length, more: backups.data.nextCursor !== null }
              : undefined,
            drillPolicy: restorability.data ? restorability.data.policy !== null : undefined,
          }}
          onCancel={() => setMode("view")}
          onDeleted={() => navigate(`/databases?deleted=${enc(name)}`)}
        />
      ) : null}
      <LoadState error={rpo.error} loading={rpo.loading && !d} what="the database" />
      {warning ? (
        <div class="alert warning runner-warning" data-runner-warning={coverage?.kind}>
          <p>
            <strong>
              <span aria-hidden="true">▲ </span>
              {warning.title}
            </strong>
          </p>
          <p>{warning.body}</p>
        </div>
      ) : null}
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
                <dd>{PROVIDER_WORDS[d.provider] ?? d.provider}</dd>
              </div>
              <div>
                <dt>Last run by</dt>
                <dd data-fact="last-runner">
                  {coverage?.kind === "ok" && coverage.lastRunner ? (
                    <>
                      <Truncated text={coverage.lastRunner.name} />{" "}
                      <span class="muted small">
                        (seen <Time iso={coverage.lastRunner.lastSeenAt} relative />)
                      </span>
                    </>
                  ) : coverage?.kind === "last-runner-silent" ? (
                    <Truncated text={coverage.runner.name} />
                  ) : (
                    <span class="none">No runner yet</span>
                  )}
                </dd>
              </div>
              <div class="wide">
                <dt>Id</dt>
                <dd>
                  <code>{d.databaseId}</code> · <Link href={`/jobs?databaseId=${enc(id)}`}>See its jobs</Link>
                </dd>
              </div>
            </dl>
            {hasRole(me.principal.role, "operator") ? (
              <BackupNow databaseId={id} runnerNames={runnerNames} onStep={backupStep} onDone={backupDone} />
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
      <SchedulesPanel
        databaseId={id}
        schedules={schedules}
        onChanged={async () => {
          await Promise.all([schedules.reload(), rpo.reload()]);
        }}
      />
      <RetentionPanel databaseId={id} />
      <DrillHistory drills={drills} runnerNames={runnerNames} />
      <h2>Backup history</h2>
      <LoadState error={backups.error} loading={backups.loading && !items} what="the backups" />
      {items && items.length === 0 ? (
        <EmptyState title="No backups yet">A runner's first completed backup of this database appears here.</EmptyState>
      ) : null}
      {items && items.length > 0 ? (
        <>
          <HistoryChart backups={items} name={name} />
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
