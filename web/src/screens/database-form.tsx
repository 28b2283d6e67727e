// Adding, renaming and deleting a database (admins): the form checked with the API's own
// CreateDatabaseRequestSchema (loaded with the verifier's chunk on first use), the API's refusal at its field,
// and the deletion's confirmation saying plainly what deleting does and does not do.
import type { Database, Provider } from "@walwarden/verifier/wire";
import { useEffect, useState } from "preact/hooks";
import { ApiError, deleteResource } from "../api/client.js";

/** Each provider hint in words (the wire's PROVIDERS, in its order; a unit test holds them equal). */
export const PROVIDER_WORDS: Record<Provider, string> = {
  neon: "Neon",
  supabase: "Supabase",
  rds: "Amazon RDS",
  cloudsql: "Google Cloud SQL",
  azure: "Azure Database for PostgreSQL",
  "self-hosted": "Self-hosted",
  other: "Other",
};
const PROVIDERS = Object.keys(PROVIDER_WORDS) as Provider[];

/** The form's fields, as typed. */
export interface DatabaseForm {
  name: string;
  provider: Provider;
}
/** Where a problem is shown. */
export type DatabaseProblems = Partial<Record<"name" | "provider" | "form", string>>;

const NAME_PROBLEM = "a name of 1 to 200 characters, on one line";

/** Schema issues, or the API's refusal ("invalid body: name: …"), at their fields: the form's own words for the name. */
export function databaseProblemsOf(
  issues: readonly { path: readonly PropertyKey[]; message: string }[] | string,
): DatabaseProblems {
  if (typeof issues === "string") {
    const m = /^invalid body: ([^:\s]+): (.+)$/s.exec(issues);
    if (m?.[1] === "name") return { name: NAME_PROBLEM };
    if (m?.[1] === "provider") return { provider: m[2]! };
    return { form: issues };
  }
  const out: DatabaseProblems = {};
  for (const i of issues) {
    const at = i.path[0] === "name" ? "name" : i.path[0] === "provider" ? "provider" : "form";
    out[at] ??= at === "name" ? NAME_PROBLEM : i.message;
  }
  return out;
}

type Check = (form: DatabaseForm) => { ok: true; body: DatabaseForm } | { ok: false; problems: DatabaseProblems };
let checkLoading: Promise<Check> | undefined;
/** The schema's check, loaded with the verifier's chunk. */
function loadCheck(): Promise<Check> {
  return (checkLoading ??= import("@walwarden/verifier/wire").then(({ CreateDatabaseRequestSchema }) => (form) => {
    const parsed = CreateDatabaseRequestSchema.safeParse(form);
    return parsed.success
      ? { ok: true, body: parsed.data }
      : { ok: false, problems: databaseProblemsOf(parsed.error.issues) };
  }));
}

/**
 * The database form, to add one (`initial` null) or rename or re-hint one. `submit` sends the checked body;
 * an ApiError it throws is shown at its field and the form keeps what was typed.
 */
export function DatabaseFormView({
  idPrefix,
  initial,
  submitLabel,
  submit,
  cancel,
}: {
  idPrefix: string;
  initial: Database | null;
  submitLabel: string;
  submit: (body: DatabaseForm) => Promise<void>;
  cancel: () => void;
}) {
  const id = (name: string) => `${idPrefix}-${name}`;
  const [form, setForm] = useState<DatabaseForm>({ name: initial?.name ?? "", provider: initial?.provider ?? "neon" });
  const [problems, setProblems] = useState<DatabaseProblems>({});
  const [busy, setBusy] = useState(false);
  const [check, setCheck] = useState<Check | undefined>();
  useEffect(() => {
    let live = true;
    void loadCheck()
      .then((c) => live && setCheck(() => c))
      .catch(() => undefined); // Without the check the API's own judges the form.
    return () => {
      live = false;
    };
  }, []);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const checked = check ? check(form) : ({ ok: true, body: form } as const);
    if (!checked.ok) {
      setProblems(checked.problems);
      if (checked.problems.name) document.getElementById(id("name"))?.focus();
      return;
    }
    setBusy(true);
    setProblems({});
    try {
      await submit(checked.body);
    } catch (err) {
      const refused = err instanceof ApiError ? databaseProblemsOf(err.message) : { form: String(err) };
      setProblems(refused);
      if (refused.name) document.getElementById(id("name"))?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="database-form" noValidate onSubmit={(e) => void onSubmit(e)} data-database-form>
      <div class="field">
        <label for={id("name")}>Name</label>
        <input
          id={id("name")}
          name="name"
          type="text"
          autoComplete="off"
          value={form.name}
          aria-invalid={problems.name ? "true" : undefined}
          aria-describedby={problems.name ? `${id("name-hint")} ${id("name-problem")}` : id("name-hint")}
          onInput={(e) => {
            const name = e.currentTarget.value;
            setForm((old) => ({ ...old, name }));
            setProblems(({ name: _gone, form: _form, ...rest }) => rest);
          }}
        />
        <span class="muted small" id={id("name-hint")}>
          What people call it, e.g. shop-production
        </span>
        {problems.name ? (
          <p class="field-problem" id={id("name-problem")} data-problem="name">
            {problems.name}
          </p>
        ) : null}
      </div>
      <div class="field">
        <label for={id("provider")}>Provider</label>
        <select
          id={id("provider")}
          value={form.provider}
          aria-describedby={id("provider-hint")}
          onChange={(e) => {
            const provider = e.currentTarget.value as Provider;
            setForm((old) => ({ ...old, provider }));
          }}
        >
          {PROVIDERS.map((p) => (
            <option key={p} value={p}>
              {PROVIDER_WORDS[p]}
            </option>
          ))}
        </select>
        <span class="muted small" id={id("provider-hint")}>
          Where it is hosted: a hint for docs and defaults. Walwarden never holds its connection string; the runner
          does.
        </span>
        {problems.provider ? (
          <p class="field-problem" data-problem="provider">
            {problems.provider}
          </p>
        ) : null}
      </div>
      {problems.form ? (
        <div class="alert error" role="alert" data-problem="form">
          <p>{problems.form}</p>
        </div>
      ) : null}
      <p class="channel-actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" class="secondary" onClick={cancel}>
          Cancel
        </button>
      </p>
    </form>
  );
}

/** What the confirmation can count: the database's schedules, backups and whether it has a drill policy. */
export interface DeletionFacts {
  schedules: number | undefined;
  backups: { count: number; more: boolean } | undefined;
  drillPolicy: boolean | undefined;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/** The deletion's confirmation: what deleting removes, what it keeps, that it deletes no bytes; then DELETE. */
export function ConfirmDeleteDatabase({
  database,
  facts,
  onCancel,
  onDeleted,
}: {
  database: { id: string; name: string };
  facts: DeletionFacts;
  onCancel: () => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const schedules = facts.schedules === undefined ? "its schedules" : `its ${count(facts.schedules, "schedule")}`;
  const backups =
    facts.backups === undefined
      ? "its backups"
      : `its ${facts.backups.more ? "more than " : ""}${count(facts.backups.count, "backup")}`;
  return (
    <div class="alert error delete-database" role="alertdialog" aria-labelledby="db-delete-h" data-database-delete>
      <p id="db-delete-h">
        <strong class="wrap">Delete {database.name}?</strong>
      </p>
      <ul class="delete-facts">
        <li>
          <strong>Removed:</strong> {schedules} (no more backups are queued for it), its drill policy
          {facts.drillPolicy === false ? " (it has none)" : ""} and its retention policy (a queued prune is withdrawn).
          It leaves the databases list.
        </li>
        <li>
          <strong>Kept:</strong> its history — {backups}, each with its signed manifest, its drills and their receipts,
          and every audit log entry — stays readable and verifiable, and in evidence exports.
        </li>
        <li>
          <strong>No bytes deleted:</strong> nothing is deleted from your bucket. Its dumps stay there until you delete
          them yourself; retention no longer prunes them. A backup or drill job already queued is not withdrawn, and the
          runner's config still names the database until you remove it there.
        </li>
      </ul>
      {problem ? (
        <p role="alert" data-problem="delete">
          {problem}
        </p>
      ) : null}
      <p class="channel-actions">
        <button
          type="button"
          class="danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setProblem(undefined);
            try {
              await deleteResource(`/v1/databases/${encodeURIComponent(database.id)}`);
              onDeleted();
            } catch (e) {
              setProblem(`Could not delete it: ${e instanceof ApiError ? e.message : String(e)}`);
              setBusy(false);
            }
          }}
        >
          Delete database
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </div>
  );
}
