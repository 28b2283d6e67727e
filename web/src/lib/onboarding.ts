// First run and onboarding, in words and files: the checklist of an empty org derived from what the API
// says, the runner's files (runner.json, a docker run line, a compose file) filled in with this dashboard's
// API URL and a new runner's token, and the forms' problems placed at their fields. Pure: no DOM, no fetch.
import type { DatabaseRpo, Provider, Runner } from "@walwarden/verifier/wire";
import { formatMinutes } from "./format.js";

// ---------------------------------------------------------------------------------------------------------
// The checklist

/** What the checklist is derived from: the API's own answers, nothing kept in the browser. */
export interface OnboardingState {
  /** GET /v1/rpo's databases (a target RPO means an enabled schedule sets one). */
  databases: readonly DatabaseRpo[];
  /** GET /v1/runners. */
  runners: readonly Runner[];
  /** How many read-only bucket credentials the Worker holds (GET /v1/buckets). */
  bucketCredentials: number;
  /** How many alert channels exist (GET /v1/alert-channels). */
  channels: number;
  /** The databases with a drill policy (GET /v1/databases/:id/restorability). */
  drilledDatabaseIds: readonly string[];
}

/** The steps, in the order a new team takes them. */
export const STEP_IDS = ["database", "runner", "connected", "backup", "bucket", "channel", "drill"] as const;
/** One step of the checklist. */
export type StepId = (typeof STEP_IDS)[number];

/** A step: what to do, whether the API shows it done, and what it shows. */
export interface Step {
  id: StepId;
  title: string;
  done: boolean;
  /** What the API shows for it: done, what was done; not done, what is missing. */
  detail: string;
}

/** Runners that have not been revoked. */
export const liveRunners = (runners: readonly Runner[]): Runner[] => runners.filter((r) => !r.revokedAt);

/** The database the checklist works on: the first with a schedule, else the first. */
export function firstDatabase(databases: readonly DatabaseRpo[]): DatabaseRpo | undefined {
  return databases.find((d) => d.targetRpoMinutes !== null) ?? databases[0];
}

/** True while the org has no backup at all: the databases screen then links to the checklist. */
export function hasNoBackup(databases: readonly DatabaseRpo[]): boolean {
  return !databases.some((d) => d.lastBackup);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The checklist, each step ticked from the API's state. */
export function onboardingSteps(s: OnboardingState): Step[] {
  const scheduled = s.databases.filter((d) => d.targetRpoMinutes !== null);
  const runners = liveRunners(s.runners);
  const seen = runners.filter((r) => r.lastSeenAt);
  const backedUp = s.databases.filter((d) => d.lastBackup);
  const drilled = s.databases.filter((d) => s.drilledDatabaseIds.includes(d.databaseId));
  const names = (list: readonly { name: string }[]) => list.map((x) => x.name).join(", ");
  return [
    {
      id: "database",
      title: "Add a database with a schedule",
      done: scheduled.length > 0,
      detail:
        scheduled.length > 0
          ? `${names(scheduled)}: target RPO ${formatMinutes(scheduled[0]!.targetRpoMinutes)}.`
          : s.databases.length > 0
            ? `${names(s.databases)} has no schedule yet: give it one below.`
            : "No database yet. Walwarden keeps its name and schedule; the connection string stays with your runner.",
    },
    {
      id: "runner",
      title: "Register a runner",
      done: runners.length > 0,
      detail:
        runners.length > 0
          ? `${plural(runners.length, "runner")} registered: ${names(runners)}.`
          : "No runner yet. A runner runs in your network, next to the database, and writes to your bucket.",
    },
    {
      id: "connected",
      title: "See it connect",
      done: seen.length > 0,
      detail:
        seen.length > 0
          ? `${names(seen)} polled the API${seen[0]!.version ? ` (version ${seen[0]!.version})` : ""}.`
          : runners.length > 0
            ? `Waiting for ${names(runners)} to poll the API: start it with the command from the previous step.`
            : "Register a runner first.",
    },
    {
      id: "backup",
      title: "Run the first backup",
      done: backedUp.length > 0,
      detail:
        backedUp.length > 0
          ? `${names(backedUp)} has a completed backup, signed and logged.`
          : "No backup yet. Ask for one now rather than waiting for the schedule.",
    },
    {
      id: "bucket",
      title: "Give the Worker its read-only bucket key",
      done: s.bucketCredentials > 0,
      detail:
        s.bucketCredentials > 0
          ? `${plural(s.bucketCredentials, "bucket")} set up for restores.`
          : "Restores download through links the Worker presigns with a read-only key of your bucket.",
    },
    {
      id: "channel",
      title: "Add an alert channel",
      done: s.channels > 0,
      detail:
        s.channels > 0
          ? `${plural(s.channels, "channel")} will be told when a backup fails or gets too old.`
          : "Nobody is told yet when a backup fails or gets too old.",
    },
    {
      id: "drill",
      title: "Set a drill policy",
      done: drilled.length > 0,
      detail:
        drilled.length > 0
          ? `${names(drilled)} is restored and checked on a schedule.`
          : "A drill restores a backup into a throwaway database and checks it: it proves the backup restores.",
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// The runner's files

/** A connection string the runner.json holds until the user puts their own there (it never leaves their network). */
export const DATABASE_URL_PLACEHOLDER = "postgres://USER:PASSWORD@HOST:5432/DBNAME";
/** The database id in the files while the org has no database (not an id: the runner refuses it at start). */
export const DATABASE_ID_PLACEHOLDER = "<database id>";
/** The bucket in the files until one is typed. */
export const BUCKET_PLACEHOLDER = "your-backup-bucket";
/** The image `docker build -f runner/Dockerfile -t walwarden-runner .` makes. */
export const RUNNER_IMAGE = "walwarden-runner";
/** Where the image keeps the runner's state (its WALWARDEN_STATE_DIR, a volume). */
const IMAGE_STATE_DIR = "/var/lib/walwarden-runner";

/** The bucket as typed in the setup panel (nothing of it is sent anywhere). */
export interface BucketFields {
  bucket: string;
  region: string;
  /** For R2, MinIO and other S3-compatible stores; empty for AWS. */
  endpoint: string;
}

/** What the files are filled in with. */
export interface RunnerFileInputs {
  /** The API the runner calls: this dashboard's origin (the API answers on it). */
  api: string;
  token: string;
  databases: readonly { id: string; provider: Provider }[];
  bucket: BucketFields;
}

/** The three ways to run a runner, ready to copy. */
export interface RunnerFiles {
  runnerJson: string;
  dockerRun: string;
  compose: string;
}

function bucketOf(b: BucketFields) {
  const endpoint = b.endpoint.trim();
  return {
    bucket: b.bucket.trim() || BUCKET_PLACEHOLDER,
    region: b.region.trim() || "us-east-1",
    endpoint: endpoint || undefined,
  };
}

function databaseIds(inputs: RunnerFileInputs): { id: string; provider?: Provider }[] {
  return inputs.databases.length > 0 ? [...inputs.databases] : [{ id: DATABASE_ID_PLACEHOLDER }];
}

/**
 * The environment of the runner as runner/README.md names it (WALWARDEN_* and the AWS chain's keys), in the
 * order the files list it. `null`: passed through from the host's environment (a secret typed nowhere here).
 */
export function runnerEnvironment(inputs: RunnerFileInputs): [name: string, value: string | null][] {
  const b = bucketOf(inputs.bucket);
  const databases = Object.fromEntries(databaseIds(inputs).map((d) => [d.id, DATABASE_URL_PLACEHOLDER]));
  return [
    ["WALWARDEN_API", inputs.api],
    ["WALWARDEN_RUNNER_TOKEN", inputs.token],
    ["WALWARDEN_DATABASES", JSON.stringify(databases)],
    ["WALWARDEN_S3_BUCKET", b.bucket],
    ["WALWARDEN_S3_REGION", b.region],
    ...(b.endpoint
      ? ([
          ["WALWARDEN_S3_ENDPOINT", b.endpoint],
          ["WALWARDEN_S3_FORCE_PATH_STYLE", "true"],
        ] as [string, string][])
      : []),
    ["AWS_ACCESS_KEY_ID", null],
    ["AWS_SECRET_ACCESS_KEY", null],
  ];
}

/** A value quoted for a POSIX shell. */
export const shellQuote = (s: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;

/** A value quoted for YAML: single-quoted, with its single quotes doubled. */
const yamlQuote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** runner.json, the docker run line and compose.yaml for a new runner. */
export function runnerFiles(inputs: RunnerFileInputs): RunnerFiles {
  const b = bucketOf(inputs.bucket);
  const config = {
    api: inputs.api,
    token: inputs.token,
    databases: Object.fromEntries(
      databaseIds(inputs).map((d) => [
        d.id,
        d.provider ? { url: DATABASE_URL_PLACEHOLDER, provider: d.provider } : { url: DATABASE_URL_PLACEHOLDER },
      ]),
    ),
    bucket: {
      bucket: b.bucket,
      region: b.region,
      ...(b.endpoint ? { endpoint: b.endpoint, forcePathStyle: true } : {}),
      prefix: "walwarden",
    },
  };
  const env = runnerEnvironment(inputs);
  const dockerRun = [
    `docker run -d --name walwarden-runner --restart unless-stopped --stop-timeout 60`,
    ...env.map(([name, value]) => (value === null ? `-e ${name}` : `-e ${name}=${shellQuote(value)}`)),
    `-v walwarden-runner-state:${IMAGE_STATE_DIR}`,
    `-p 127.0.0.1:8080:8080`,
    RUNNER_IMAGE,
  ].join(" \\\n  ");
  const compose = [
    "# compose.yaml: a Walwarden runner. It holds the runner's token: keep it private.",
    "# Replace the connection string with a DIRECT (not pooled) one of a role that can read the database;",
    "# the bucket keys come from your environment (or drop them and use an instance or task role).",
    "services:",
    "  walwarden-runner:",
    `    image: ${RUNNER_IMAGE}`,
    "    restart: unless-stopped",
    "    # A backup in progress is cancelled cleanly on SIGTERM (upload aborted, job re-queued): give it time.",
    "    stop_grace_period: 60s",
    "    environment:",
    ...env.map(([name, value]) => `      ${name}: ${value === null ? `\${${name}}` : yamlQuote(value)}`),
    "    volumes:",
    `      - runner-state:${IMAGE_STATE_DIR}`,
    "    ports:",
    `      - "127.0.0.1:8080:8080"`,
    "volumes:",
    "  runner-state:",
    "",
  ].join("\n");
  return { runnerJson: `${JSON.stringify(config, null, 2)}\n`, dockerRun, compose };
}

// ---------------------------------------------------------------------------------------------------------
// The forms

/** The first-run form. */
export interface SetupForm {
  orgName: string;
  email: string;
  password: string;
  repeat: string;
}
/** Where a setup problem is shown. */
export type SetupField = keyof SetupForm | "form";

/** The database-and-schedule form. */
export interface DatabaseForm {
  name: string;
  provider: Provider;
  schedule: ScheduleChoice;
  timezone: string;
  targetRpoMinutes: string;
}
/** Where a database form problem is shown. */
export type DatabaseField = "name" | "provider" | "schedule" | "timezone" | "targetRpoMinutes" | "form";

/** Problems at their fields (the first of each). */
export type Problems<F extends string> = Partial<Record<F, string>>;

/** A schedule a new team picks from, with the target RPO that leaves it room for one late run. */
export interface ScheduleChoice {
  id: "hourly" | "six-hourly" | "daily" | "weekly";
  words: string;
  cron: string;
  targetRpoMinutes: number;
}
/** The schedules the inline form offers (the database screen's editor takes any cron). */
export const SCHEDULE_CHOICES: readonly ScheduleChoice[] = [
  { id: "hourly", words: "Every hour, on the hour", cron: "0 * * * *", targetRpoMinutes: 120 },
  { id: "six-hourly", words: "Every 6 hours", cron: "0 */6 * * *", targetRpoMinutes: 12 * 60 },
  { id: "daily", words: "Every day at 03:00", cron: "0 3 * * *", targetRpoMinutes: 26 * 60 },
  { id: "weekly", words: "Every Sunday at 03:00", cron: "0 3 * * 0", targetRpoMinutes: 8 * 24 * 60 },
];

/** An issue as zod and the API's refusals name it: a path and a message. */
export interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/** Schema issues at their fields: the first issue of each field wins; one of no known field is the form's. */
export function problemsAt<F extends string>(
  issues: readonly Issue[],
  fields: readonly F[],
  rename: Partial<Record<string, F>> = {},
): Problems<F | "form"> {
  const out: Problems<F | "form"> = {};
  for (const issue of issues) {
    const key = String(issue.path[0] ?? "");
    const at: F | "form" = rename[key] ?? ((fields as readonly string[]).includes(key) ? (key as F) : "form");
    out[at] ??= at === "form" && key ? `${key}: ${issue.message}` : issue.message;
  }
  return out;
}

/** The API's refusal (`invalid body: password: use at least 12 characters`) at its field, else the form's. */
export function refusalAt<F extends string>(
  message: string,
  fields: readonly F[],
  rename: Partial<Record<string, F>> = {},
): Problems<F | "form"> {
  const m = /^invalid body: ([^:\s]+): (.+)$/s.exec(message);
  if (!m) return { form: message } as Problems<F | "form">;
  const key = m[1]!.split(".")[0]!;
  const at = rename[key] ?? ((fields as readonly string[]).includes(key) ? (key as F) : undefined);
  return (at ? { [at]: m[2]! } : { form: message }) as Problems<F | "form">;
}

// ---------------------------------------------------------------------------------------------------------
// Watching the first backup

/** A job as the backup step follows it. */
export interface WatchedJob {
  status: "queued" | "leased" | "completing" | "succeeded" | "failed";
  attempt: number;
  maxAttempts: number;
  lastError: string | null;
  progress: { phase: string; bytes: number } | null;
}

/** What the backup step says while it follows its job (bytes formatted by the caller's formatter). */
export function jobWords(job: WatchedJob, formatBytes: (n: number) => string): string {
  const retry = job.lastError && job.status !== "succeeded" ? ` Last attempt failed: ${job.lastError}` : "";
  switch (job.status) {
    case "queued":
      return job.attempt > 0
        ? `Queued again for attempt ${job.attempt + 1} of ${job.maxAttempts}.${retry}`
        : "Queued: waiting for the runner to claim it (it polls every 15 s or so).";
    case "leased":
      return job.progress
        ? `Running: ${job.progress.phase}, ${formatBytes(job.progress.bytes)} so far.`
        : "Claimed by the runner: starting pg_dump.";
    case "completing":
      return "Uploaded: the API is signing the manifest and logging it.";
    case "succeeded":
      return "Completed: the backup is in your bucket, its manifest signed and logged.";
    case "failed":
      return `Failed after ${job.attempt} of ${job.maxAttempts} attempt(s): ${job.lastError ?? "no reason given"}`;
  }
}
