import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, getJson, postJson } from "../api/client.js";
import type { BootstrapState, Me } from "@walwarden/verifier/wire";
import { navigate } from "../lib/router.js";
import { refusalAt, type Problems, type SetupField, type SetupForm } from "../lib/onboarding.js";
import { useFocusFirstProblem } from "../lib/onboarding-focus.js";
import { loadOnboardingChecks } from "../lib/onboarding-load.js";

/**
 * Signed out: sign in with email and password (the API sets an HttpOnly session cookie on this origin); or,
 * while no admin exists anywhere (GET /v1/bootstrap), first-run setup of the org and its admin, who is then
 * signed in and taken to the onboarding checklist.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [firstRun, setFirstRun] = useState<boolean | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>();
  useEffect(() => {
    if (firstRun !== undefined) document.title = firstRun ? "Set up · Walwarden" : "Sign in · Walwarden";
  }, [firstRun]);
  useEffect(() => {
    let live = true;
    getJson<BootstrapState>("/v1/bootstrap")
      .then((s) => {
        if (!live) return;
        setFirstRun(s.open);
        if (s.open) void loadOnboardingChecks().catch(() => undefined);
      })
      // A Worker that cannot say is one to sign in to: setup is refused there anyway once an admin exists.
      .catch(() => live && setFirstRun(false));
    return () => {
      live = false;
    };
  }, []);
  if (firstRun === undefined)
    return (
      <main class="sign-in" id="main">
        <Brand />
        <p class="muted" role="status">
          Loading…
        </p>
      </main>
    );
  if (firstRun)
    return (
      <FirstRun
        onSignedIn={onSignedIn}
        onTaken={() => {
          setNotice("Someone set Walwarden up meanwhile: sign in, or ask them to add you.");
          setFirstRun(false);
        }}
      />
    );
  return <SignInForm onSignedIn={onSignedIn} notice={notice} />;
}

function Brand() {
  return (
    <h1>
      <span aria-hidden="true">◆ </span>Walwarden
    </h1>
  );
}

function SignInForm({ onSignedIn, notice }: { onSignedIn: (me: Me) => void; notice?: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <main class="sign-in" id="main">
      <Brand />
      <p class="muted">Verifiable backups of your Postgres. Sign in to your organisation.</p>
      {notice ? (
        <p class="alert info" role="status">
          {notice}
        </p>
      ) : null}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            await postJson("/v1/auth/login", { email, password });
            onSignedIn(await getJson<Me>("/v1/auth/me"));
          } catch (err) {
            setError(err instanceof ApiError ? err.message : String(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="field">
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        {error ? (
          <p class="alert error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

const SETUP_FIELDS = ["orgName", "email", "password", "repeat"] as const;

/** First run: the org and its first admin, checked with BootstrapRequestSchema, problems at their fields. */
function FirstRun({ onSignedIn, onTaken }: { onSignedIn: (me: Me) => void; onTaken: () => void }) {
  const [f, setF] = useState<SetupForm>({ orgName: "", email: "", password: "", repeat: "" });
  const [problems, setProblems] = useState<Problems<SetupField>>({});
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstProblem(form, problems);
  const set = (patch: Partial<SetupForm>) => setF((old) => ({ ...old, ...patch }));
  return (
    <main class="sign-in first-run" id="main">
      <Brand />
      <h2>Set up Walwarden</h2>
      <p class="muted">
        Nobody has set this deployment up yet. Name your organisation and create its first admin: you. You can add
        colleagues afterwards.
      </p>
      <form
        ref={form}
        noValidate
        aria-describedby={problems.form ? "setup-problem" : undefined}
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            const checks = await loadOnboardingChecks();
            const checked = checks.checkSetup(f);
            if (!checked.ok) {
              setProblems(checked.problems);
              return;
            }
            setProblems({});
            await postJson("/v1/bootstrap", checked.body);
            const me = await getJson<Me>("/v1/auth/me");
            navigate("/welcome", { replace: true });
            onSignedIn(me);
          } catch (err) {
            if (err instanceof ApiError && err.status === 409) return onTaken();
            setProblems(
              err instanceof ApiError
                ? refusalAt(err.message, SETUP_FIELDS)
                : { form: `Could not set up: ${String(err)}` },
            );
          } finally {
            setBusy(false);
          }
        }}
      >
        <SetupInput
          field="orgName"
          label="Organisation name"
          value={f.orgName}
          problem={problems.orgName}
          autoComplete="organization"
          onInput={(v) => set({ orgName: v })}
        />
        <SetupInput
          field="email"
          label="Your email"
          type="email"
          value={f.email}
          problem={problems.email}
          autoComplete="username"
          onInput={(v) => set({ email: v })}
        />
        <SetupInput
          field="password"
          label="Choose a password"
          type="password"
          hint="At least 12 characters; a long passphrase is best."
          value={f.password}
          problem={problems.password}
          autoComplete="new-password"
          onInput={(v) => set({ password: v })}
        />
        <SetupInput
          field="repeat"
          label="Repeat the password"
          type="password"
          value={f.repeat}
          problem={problems.repeat}
          autoComplete="new-password"
          onInput={(v) => set({ repeat: v })}
        />
        {problems.form ? (
          <p class="alert error" role="alert" id="setup-problem">
            {problems.form}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? "Setting up…" : "Create organisation and admin"}
        </button>
      </form>
    </main>
  );
}

function SetupInput({
  field,
  label,
  type = "text",
  hint,
  value,
  problem,
  autoComplete,
  onInput,
}: {
  field: Exclude<SetupField, "form">;
  label: string;
  type?: "text" | "email" | "password";
  hint?: string;
  value: string;
  problem: string | undefined;
  autoComplete: string;
  onInput: (value: string) => void;
}) {
  const id = `setup-${field}`;
  const describedBy = [hint ? `${id}-hint` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ");
  const common = {
    id,
    name: field,
    autoComplete,
    value,
    "aria-invalid": problem ? ("true" as const) : undefined,
    "aria-describedby": describedBy || undefined,
    onInput: (e: Event) => onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {type === "password" ? (
        <input type="password" {...common} />
      ) : type === "email" ? (
        <input type="email" {...common} />
      ) : (
        <input type="text" {...common} />
      )}
      {hint ? (
        <span class="muted small" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {problem ? (
        <p class="field-problem" id={`${id}-problem`} data-problem={field}>
          {problem}
        </p>
      ) : null}
    </div>
  );
}
