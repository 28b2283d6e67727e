// The onboarding checklist (issue 17): from an empty org to a protected database. Every step is ticked from
// the API's own state (nothing is remembered in the browser), so it is right on any device and after a
// reload; the checklist polls while it waits for a runner to connect and a backup to complete.
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type {
  BackupDetail,
  BucketCredentialList,
  Channel,
  Database,
  DatabaseRpo,
  Job,
  Provider,
  QueuedBackup,
  Restorability,
  RpoSummary,
  RunnerPage,
  Schedule,
} from "@walwarden/verifier/wire";
import { ApiError, getJson, postJson } from "../api/client.js";
import { Link } from "../components/link.js";
import { LoadState } from "../components/load-state.js";
import { RunnerSetup } from "../components/runner-setup.js";
import { Time } from "../components/time.js";
import { formatBytes } from "../lib/format.js";
import {
  type DatabaseField,
  type DatabaseForm,
  firstDatabase,
  hasNoBackup,
  jobWords,
  liveRunners,
  onboardingSteps,
  type Problems,
  refusalAt,
  SCHEDULE_CHOICES,
  type Step,
} from "../lib/onboarding.js";
import { useFocusFirstProblem } from "../lib/onboarding-focus.js";
import { loadOnboardingChecks } from "../lib/onboarding-load.js";
import { hasRole, useSession } from "../lib/session.js";
import { useApi } from "../lib/use-api.js";

/** GET /v1/alert-channels: only whether there is one matters here. */
type ChannelPage = { items: Channel[] };

/** A link to the checklist for the databases screen while the org has no backup at all; nothing otherwise. */
export function WelcomeLink({ databases }: { databases: readonly DatabaseRpo[] | undefined }) {
  if (!databases || !hasNoBackup(databases)) return null;
  return (
    <p class="alert info welcome-link" data-welcome-link>
      No backup yet. <Link href="/welcome">Get started: the checklist from here to a protected database</Link>.
    </p>
  );
}

/** The checklist's steps, ticked from the API. */
export function WelcomeScreen() {
  const me = useSession();
  const admin = hasRole(me.principal.role, "admin");
  const operator = hasRole(me.principal.role, "operator");
  const rpo = useApi("welcome:rpo", () => getJson<RpoSummary>("/v1/rpo"), 4_000);
  const runners = useApi("welcome:runners", () => getJson<RunnerPage>("/v1/runners?limit=200"), 3_000);
  const buckets = useApi("welcome:buckets", () => getJson<BucketCredentialList>("/v1/buckets"), 15_000);
  const channels = useApi("welcome:channels", () => getJson<ChannelPage>("/v1/alert-channels?limit=1"), 15_000);
  const databases = rpo.data?.databases;
  const ids = (databases ?? []).slice(0, 10).map((d) => d.databaseId);
  const drilled = useApi(
    ids.length ? `welcome:drills:${ids.join(",")}` : null,
    async () =>
      (
        await Promise.all(
          ids.map((id) => getJson<Restorability>(`/v1/databases/${encodeURIComponent(id)}/restorability`)),
        )
      )
        .filter((r) => r.policy !== null)
        .map((r) => r.databaseId),
    15_000,
  );
  const [keepSetup, setKeepSetup] = useState(false);
  const [watchingBackup, setWatchingBackup] = useState(false);

  const runnerList = runners.data?.items;
  const loaded = databases !== undefined && runnerList !== undefined;
  const steps =
    databases && runnerList
      ? onboardingSteps({
          databases,
          runners: runnerList,
          bucketCredentials: buckets.data?.items.length ?? 0,
          channels: channels.data?.items.length ?? 0,
          drilledDatabaseIds: drilled.data ?? [],
        })
      : [];
  const done = steps.filter((s) => s.done).length;
  const first = databases ? firstDatabase(databases) : undefined;
  const setupDatabases = useMemo(
    () => (databases ?? []).map((d) => ({ id: d.databaseId, name: d.name, provider: d.provider })),
    [databases],
  );

  const body = (s: Step) => {
    switch (s.id) {
      case "database":
        if (s.done)
          return first ? (
            <p>
              <Link href={`/databases/${first.databaseId}`}>Open {first.name}</Link>
            </p>
          ) : null;
        return admin ? (
          <DatabaseStep
            unscheduled={databases?.find((d) => d.targetRpoMinutes === null)}
            onAdded={() => void rpo.reload()}
          />
        ) : (
          <p class="muted">An admin adds it.</p>
        );
      case "runner":
        if (!admin) return s.done ? null : <p class="muted">An admin registers it.</p>;
        return !s.done || keepSetup ? (
          <RunnerSetup
            idPrefix="welcome-runner"
            databases={setupDatabases}
            onRegistered={() => {
              setKeepSetup(true);
              void runners.reload();
            }}
            onDone={() => setKeepSetup(false)}
          />
        ) : (
          <p>
            <Link href="/runners">Register another on the runners screen</Link>
          </p>
        );
      case "connected": {
        const seen = liveRunners(runners.data?.items ?? []).find((r) => r.lastSeenAt);
        if (seen)
          return (
            <p>
              Last seen <Time iso={seen.lastSeenAt} relative />. <Link href="/runners">See the runners</Link>
            </p>
          );
        return liveRunners(runners.data?.items ?? []).length > 0 ? (
          <p class="muted" role="status" data-waiting-runner>
            Checking every 3 seconds…
          </p>
        ) : null;
      }
      case "backup": {
        const backed = databases?.find((d) => d.lastBackup);
        // The backup asked for here stays followed on the page after the step is ticked.
        const follow =
          first && operator && (!s.done || watchingBackup) ? (
            <FirstBackup
              database={first}
              onQueued={() => setWatchingBackup(true)}
              onBackedUp={() => void rpo.reload()}
            />
          ) : null;
        // One shape whether the step is ticked or not, so the followed backup is never remounted (and lost).
        return (
          <>
            {follow}
            {s.done && backed?.lastBackup ? (
              <p>
                Completed <Time iso={backed.lastBackup.completedAt} relative />.{" "}
                <Link href={`/databases/${backed.databaseId}`}>See it on {backed.name}'s page</Link>
              </p>
            ) : null}
            {!s.done && !first ? <p class="muted">Add a database first.</p> : null}
            {!s.done && first && !operator ? <p class="muted">An operator or admin asks for it.</p> : null}
          </>
        );
      }
      case "bucket":
        return (
          <p>
            <Link href="/settings/buckets">Set up the bucket's read-only key</Link>
          </p>
        );
      case "channel":
        return (
          <p>
            <Link href="/alerts/channels">{s.done ? "See the channels" : "Add an alert channel"}</Link>
          </p>
        );
      case "drill":
        return first ? (
          <p>
            <Link href={`/databases/${first.databaseId}#drill-policy`}>
              {s.done ? `See ${first.name}'s drill policy` : `Set a drill policy on ${first.name}'s page`}
            </Link>
          </p>
        ) : (
          <p class="muted">Add a database first.</p>
        );
    }
  };

  return (
    <>
      <h1>Get started</h1>
      <p class="muted">
        From nothing to a protected database. Each step is ticked when the API shows it done; the only terminal you need
        is the one that starts the runner, in your network.
      </p>
      <LoadState
        error={rpo.error ?? runners.error}
        loading={!loaded}
        what="where this organisation is"
        retry={() => void Promise.all([rpo.reload(), runners.reload()])}
      />
      {loaded ? (
        <>
          <p class="onboarding-progress" data-progress={`${done}/${steps.length}`}>
            <strong>
              {done} of {steps.length}
            </strong>{" "}
            steps done{done === steps.length ? ": this organisation is set up." : "."}
          </p>
          <ol class="checklist">
            {steps.map((s, i) => (
              <StepItem key={s.id} step={s} n={i + 1}>
                {body(s)}
              </StepItem>
            ))}
          </ol>
        </>
      ) : null}
    </>
  );
}

function StepItem({ step, n, children }: { step: Step; n: number; children: ComponentChildren }) {
  const h = `step-${step.id}-h`;
  return (
    <li class={`step${step.done ? " done" : ""}`} data-step={step.id} data-done={String(step.done)} aria-labelledby={h}>
      <div class="step-head">
        <span class="step-mark" aria-hidden="true">
          {step.done ? "✓" : n}
        </span>
        <h2 id={h}>{step.title}</h2>
        <span class={`badge ${step.done ? "good" : "neutral"}`}>{step.done ? "Done" : "To do"}</span>
      </div>
      <p class="step-detail">{step.detail}</p>
      {children}
    </li>
  );
}

const PROVIDER_WORDS: Record<Provider, string> = {
  neon: "Neon",
  supabase: "Supabase",
  rds: "Amazon RDS or Aurora",
  cloudsql: "Google Cloud SQL",
  azure: "Azure Database for PostgreSQL",
  "self-hosted": "Self-hosted",
  other: "Other",
};

const DATABASE_FIELDS: readonly DatabaseField[] = ["name", "provider", "schedule", "timezone", "targetRpoMinutes"];

const browserZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
};

/**
 * A database and its schedule in one form (POST /v1/databases, then POST /v1/schedules), checked with both
 * schemas first. `unscheduled`: a database that exists without a schedule, which gets only the schedule.
 */
function DatabaseStep({ unscheduled, onAdded }: { unscheduled: DatabaseRpo | undefined; onAdded: () => void }) {
  const daily = SCHEDULE_CHOICES.find((c) => c.id === "daily")!;
  const [f, setF] = useState<DatabaseForm>({
    name: "",
    provider: "self-hosted",
    schedule: daily,
    timezone: browserZone(),
    targetRpoMinutes: String(daily.targetRpoMinutes),
  });
  const [problems, setProblems] = useState<Problems<DatabaseField>>({});
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstProblem(form, problems);
  useEffect(() => void loadOnboardingChecks().catch(() => undefined), []);
  const set = (patch: Partial<DatabaseForm>) => setF((old) => ({ ...old, ...patch }));
  const field = (name: Exclude<DatabaseField, "form">) => ({
    id: `db-${name}`,
    "aria-invalid": problems[name] ? ("true" as const) : undefined,
    "aria-describedby": problems[name] ? `db-${name}-problem` : undefined,
  });
  const problem = (name: Exclude<DatabaseField, "form">) =>
    problems[name] ? (
      <p class="field-problem" id={`db-${name}-problem`} data-problem={name}>
        {problems[name]}
      </p>
    ) : null;
  return (
    <form
      ref={form}
      class="database-step"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          const checked = (await loadOnboardingChecks()).checkDatabase(f, !unscheduled);
          if (!checked.ok) return setProblems(checked.problems);
          setProblems({});
          let databaseId = unscheduled?.databaseId;
          if (!databaseId) {
            try {
              databaseId = (await postJson<Database>("/v1/databases", checked.body.database)).id;
            } catch (err) {
              return setProblems(
                err instanceof ApiError ? refusalAt(err.message, DATABASE_FIELDS) : { form: String(err) },
              );
            }
          }
          try {
            await postJson<Schedule>("/v1/schedules", { databaseId, ...checked.body.schedule });
          } catch (err) {
            // The database exists now: the form turns into its schedule only, with the refusal at its field.
            setProblems(
              err instanceof ApiError
                ? refusalAt(err.message, DATABASE_FIELDS, { cron: "schedule" })
                : { form: String(err) },
            );
          }
          onAdded();
        } finally {
          setBusy(false);
        }
      }}
    >
      {unscheduled ? (
        <p>
          Give <strong>{unscheduled.name}</strong> a schedule:
        </p>
      ) : (
        <div class="form-row">
          <div class="field">
            <label for="db-name">Database name</label>
            <input
              {...field("name")}
              type="text"
              autoComplete="off"
              placeholder="e.g. orders"
              value={f.name}
              onInput={(e) => set({ name: e.currentTarget.value })}
            />
            {problem("name")}
          </div>
          <div class="field">
            <label for="db-provider">Hosted on</label>
            <select
              {...field("provider")}
              value={f.provider}
              onChange={(e) => set({ provider: e.currentTarget.value as Provider })}
            >
              {Object.entries(PROVIDER_WORDS).map(([k, words]) => (
                <option key={k} value={k}>
                  {words}
                </option>
              ))}
            </select>
            {problem("provider")}
          </div>
        </div>
      )}
      <div class="form-row">
        <div class="field">
          <label for="db-schedule">Back up</label>
          <select
            {...field("schedule")}
            value={f.schedule.id}
            onChange={(e) => {
              const choice = SCHEDULE_CHOICES.find((c) => c.id === e.currentTarget.value) ?? daily;
              set({ schedule: choice, targetRpoMinutes: String(choice.targetRpoMinutes) });
            }}
          >
            {SCHEDULE_CHOICES.map((c) => (
              <option key={c.id} value={c.id}>
                {c.words}
              </option>
            ))}
          </select>
          <span class="muted small">
            Cron <code>{f.schedule.cron}</code>; any other on the database's page.
          </span>
          {problem("schedule")}
        </div>
        <div class="field">
          <label for="db-timezone">Time zone</label>
          <input
            {...field("timezone")}
            type="text"
            autoComplete="off"
            value={f.timezone}
            onInput={(e) => set({ timezone: e.currentTarget.value })}
          />
          {problem("timezone")}
        </div>
        <div class="field">
          <label for="db-targetRpoMinutes">Target RPO (minutes)</label>
          <input
            {...field("targetRpoMinutes")}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            value={f.targetRpoMinutes}
            onInput={(e) => set({ targetRpoMinutes: e.currentTarget.value })}
          />
          <span class="muted small">How old the newest backup may get before it is at risk.</span>
          {problem("targetRpoMinutes")}
        </div>
      </div>
      {problems.form ? (
        <p class="alert error" role="alert">
          {problems.form}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {unscheduled ? "Save the schedule" : "Add database"}
      </button>
    </form>
  );
}

/** "Back up now" for the checklist's database, then its job followed every 2 s until the backup exists. */
function FirstBackup({
  database,
  onQueued,
  onBackedUp,
}: {
  database: DatabaseRpo;
  onQueued: () => void;
  onBackedUp: () => void;
}) {
  const [queued, setQueued] = useState<QueuedBackup | undefined>();
  const [job, setJob] = useState<Job | undefined>();
  const [backup, setBackup] = useState<BackupDetail | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const jobId = queued?.jobId;
  useEffect(() => {
    if (!queued) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const j = await getJson<Job>(`/v1/jobs/${encodeURIComponent(queued.jobId)}`);
        if (!live) return;
        setJob(j);
        setProblem(undefined);
        if (j.status === "failed") return;
        if (j.status === "succeeded") {
          const b = await getJson<BackupDetail>(`/v1/backups/${encodeURIComponent(queued.backupId)}`);
          if (!live) return;
          setBackup(b);
          onBackedUp();
          return;
        }
      } catch (e) {
        if (live) setProblem(`Could not follow the job: ${e instanceof ApiError ? e.message : String(e)}`);
      }
      if (live) timer = setTimeout(() => void tick(), 2_000);
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [jobId]);
  return (
    <div class="first-backup" data-first-backup>
      {backup ? null : (
        <p>
          <button
            type="button"
            disabled={busy || (queued !== undefined && job?.status !== "failed")}
            onClick={async () => {
              setBusy(true);
              setProblem(undefined);
              setJob(undefined);
              try {
                setQueued(
                  await postJson<QueuedBackup>(`/v1/databases/${encodeURIComponent(database.databaseId)}/backups`),
                );
                onQueued();
              } catch (e) {
                setProblem(`Could not queue a backup: ${e instanceof ApiError ? e.message : String(e)}`);
              } finally {
                setBusy(false);
              }
            }}
          >
            Back up {database.name} now
          </button>
        </p>
      )}
      {queued ? (
        <p role="status" data-job-status={job?.status ?? "queued"}>
          Job <code>{queued.jobId}</code>:{" "}
          {backup
            ? "Completed: the backup is in your bucket, its manifest signed and logged."
            : job
              ? jobWords(job, formatBytes)
              : "Queued."}
          {backup ? (
            <>
              {" "}
              <Link href={`/backups/${backup.id}`}>See the backup</Link>
            </>
          ) : null}
        </p>
      ) : null}
      {problem ? (
        <p class="alert error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
