import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { CreatedRunner, Provider } from "@walwarden/verifier/wire";
import { ApiError, postJson } from "../api/client.js";
import {
  type BucketFields,
  DATABASE_ID_PLACEHOLDER,
  DATABASE_URL_PLACEHOLDER,
  type Problems,
  RUNNER_IMAGE,
  refusalAt,
  runnerFiles,
} from "../lib/onboarding.js";
import { useFocusFirstProblem } from "../lib/onboarding-focus.js";
import { loadOnboardingChecks } from "../lib/onboarding-load.js";
import { CopyButton } from "./copy-button.js";

/** A database as the runner's files name it: by id (its connection string is the user's to add). */
export interface SetupDatabase {
  id: string;
  name: string;
  provider: Provider;
}

/**
 * Registers a runner (admins): its name, checked with CreateRunnerRequestSchema, then POST /v1/runners. The
 * token it answers is shown once, kept only in this component's memory, with a docker run line, a compose
 * file and a runner.json filled in with this dashboard's API URL, the token and the org's database ids; the
 * bucket typed here only fills the files in. Nothing asks for a connection string: it stays in the runner's
 * configuration, in the user's network. Used by the onboarding checklist and the runners screen.
 */
export function RunnerSetup({
  idPrefix,
  databases,
  onRegistered,
  onDone,
  cancel,
  initialName = "",
}: {
  idPrefix: string;
  databases: readonly SetupDatabase[] | undefined;
  onRegistered?: (runner: CreatedRunner) => void;
  /** After "Done": the token is forgotten. */
  onDone?: () => void;
  /** Before registering: a Cancel button beside the form's. */
  cancel?: () => void;
  initialName?: string;
}) {
  const [name, setName] = useState(initialName);
  const [problems, setProblems] = useState<Problems<"name" | "form">>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedRunner | undefined>();
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstProblem(form, problems);
  const id = (what: string) => `${idPrefix}-${what}`;
  useEffect(() => void loadOnboardingChecks().catch(() => undefined), []);

  if (created)
    return (
      <RunnerFiles
        idPrefix={idPrefix}
        runner={created}
        databases={databases ?? []}
        onDone={() => {
          setCreated(undefined);
          setName("");
          onDone?.();
        }}
      />
    );
  return (
    <form
      ref={form}
      class="runner-register"
      noValidate
      aria-describedby={problems.form ? id("problem") : undefined}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          const checked = (await loadOnboardingChecks()).checkRunnerName(name);
          if (!checked.ok) {
            setProblems(checked.problems);
            return;
          }
          setProblems({});
          const runner = await postJson<CreatedRunner>("/v1/runners", checked.body);
          setCreated(runner);
          onRegistered?.(runner);
        } catch (err) {
          setProblems(err instanceof ApiError ? refusalAt(err.message, ["name"]) : { form: String(err) });
        } finally {
          setBusy(false);
        }
      }}
    >
      <div class="field">
        <label for={id("name")}>Runner name</label>
        <input
          id={id("name")}
          name="name"
          type="text"
          autoComplete="off"
          placeholder="e.g. prod-eu"
          value={name}
          aria-invalid={problems.name ? "true" : undefined}
          aria-describedby={[id("name-hint"), problems.name ? id("name-problem") : ""].filter(Boolean).join(" ")}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <span class="muted small" id={id("name-hint")}>
          Where it runs, so you can tell runners apart: it appears on the runners screen and in the log.
        </span>
        {problems.name ? (
          <p class="field-problem" id={id("name-problem")} data-problem="name">
            {problems.name}
          </p>
        ) : null}
      </div>
      {problems.form ? (
        <p class="alert error" role="alert" id={id("problem")}>
          {problems.form}
        </p>
      ) : null}
      <p class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Registering…" : "Register runner"}
        </button>
        {cancel ? (
          <button type="button" class="secondary" onClick={cancel}>
            Cancel
          </button>
        ) : null}
      </p>
    </form>
  );
}

/** The new runner's token, shown once, and its files ready to copy. */
function RunnerFiles({
  idPrefix,
  runner,
  databases,
  onDone,
}: {
  idPrefix: string;
  runner: CreatedRunner;
  databases: readonly SetupDatabase[];
  onDone: () => void;
}) {
  const [bucket, setBucket] = useState<BucketFields>({ bucket: "", region: "us-east-1", endpoint: "" });
  const id = (what: string) => `${idPrefix}-${what}`;
  const files = runnerFiles({ api: window.location.origin, token: runner.token, databases, bucket });
  const setB = (patch: Partial<BucketFields>) => setBucket((old) => ({ ...old, ...patch }));
  return (
    <section class="runner-setup" data-runner-setup={runner.id} aria-labelledby={id("h")}>
      <h3 id={id("h")}>Runner {runner.name} registered</h3>
      <div class="alert info" role="status">
        <p>
          <strong>Its token is shown this once.</strong> Copy it, or the files below that hold it, now: Walwarden keeps
          only its hash, and this page forgets it when you leave or press Done.
        </p>
      </div>
      <p class="token-line">
        <span class="muted">Token</span>{" "}
        <code class="secret" data-token>
          {runner.token}
        </code>{" "}
        <CopyButton text={runner.token} label="Copy token" />
      </p>

      <fieldset class="bucket-fields">
        <legend>Your bucket (this only fills in the files below; nothing is sent)</legend>
        <div class="field">
          <label for={id("bucket")}>Bucket name</label>
          <input
            id={id("bucket")}
            type="text"
            autoComplete="off"
            placeholder="acme-backups"
            value={bucket.bucket}
            onInput={(e) => setB({ bucket: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for={id("region")}>Region</label>
          <input
            id={id("region")}
            type="text"
            autoComplete="off"
            value={bucket.region}
            onInput={(e) => setB({ region: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for={id("endpoint")}>S3-compatible endpoint (optional)</label>
          <input
            id={id("endpoint")}
            type="url"
            autoComplete="off"
            placeholder="empty for AWS; https://… for R2 or MinIO"
            value={bucket.endpoint}
            onInput={(e) => setB({ endpoint: e.currentTarget.value })}
          />
        </div>
      </fieldset>

      {databases.length === 0 ? (
        <p class="alert error" role="alert">
          The runner needs at least one database id and this organisation has none yet: add a database, and its id takes
          the place of <code>{DATABASE_ID_PLACEHOLDER}</code> here.
        </p>
      ) : (
        <p>
          The files name {databases.length === 1 ? "your database" : "your databases"} by id (
          {databases.map((d, i) => (
            <span key={d.id}>
              {i > 0 ? ", " : ""}
              {d.name}: <code>{d.id}</code>
            </span>
          ))}
          ). Replace <code>{DATABASE_URL_PLACEHOLDER}</code> with a <strong>direct</strong> (not pooled) connection
          string of a role that can read it: it stays in your network, and Walwarden never sees it. The bucket's keys
          come from your environment (<code>AWS_ACCESS_KEY_ID</code>, <code>AWS_SECRET_ACCESS_KEY</code>) or an instance
          or task role.
        </p>
      )}

      <RunnerFile
        title="Docker"
        file="docker-run"
        text={files.dockerRun}
        copyLabel="Copy docker run"
        before={
          <p>
            Build the image once, from the Walwarden repository:{" "}
            <code>docker build -f runner/Dockerfile -t {RUNNER_IMAGE} .</code> Then, next to the database:
          </p>
        }
      />
      <RunnerFile
        title="Docker Compose"
        file="compose.yaml"
        text={files.compose}
        copyLabel="Copy compose.yaml"
        before={
          <p>
            Save as <code>compose.yaml</code>, then <code>docker compose run --rm walwarden-runner check</code> and{" "}
            <code>docker compose up -d</code>.
          </p>
        }
      />
      <RunnerFile
        title="Without Docker"
        file="runner.json"
        text={files.runnerJson}
        copyLabel="Copy runner.json"
        before={
          <p>
            On Node 20.12+ with <code>zstd</code> and a <code>pg_dump</code> at least your server's version:{" "}
            <code>npm install -g @walwarden/runner</code>, save this as <code>runner.json</code>, then{" "}
            <code>walwarden-runner check --config runner.json</code> and{" "}
            <code>walwarden-runner run --config runner.json</code>.
          </p>
        }
      />
      <p class="muted small">
        Every setting is in the runner's README (Configuration); <code>check</code> says what a backup will meet before
        the first one runs.
      </p>
      <p>
        <button type="button" class="secondary" onClick={onDone}>
          Done: forget the token
        </button>
      </p>
    </section>
  );
}

function RunnerFile({
  title,
  file,
  text,
  copyLabel,
  before,
}: {
  title: string;
  file: string;
  text: string;
  copyLabel: string;
  before: ComponentChildren;
}) {
  return (
    <div class="runner-file">
      <h4>{title}</h4>
      {before}
      <pre class="code" data-file={file}>
        {text}
      </pre>
      <CopyButton text={text} label={copyLabel} />
    </div>
  );
}
