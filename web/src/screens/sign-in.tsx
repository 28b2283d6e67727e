import { useState } from "preact/hooks";
import { ApiError, getJson, postJson } from "../api/client.js";
import type { Me } from "@walwarden/verifier/wire";

/** Sign in with email and password; the API sets an HttpOnly session cookie on this origin. */
export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <main class="sign-in" id="main">
      <h1>
        <span aria-hidden="true">◆ </span>Walwarden
      </h1>
      <p class="muted">Verifiable backups of your Postgres. Sign in to your organisation.</p>
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
