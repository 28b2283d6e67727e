import { useEffect, useState } from "preact/hooks";
import { ApiError, getJson, SIGNED_OUT_EVENT } from "./api/client.js";
import type { Me } from "@walwarden/verifier/wire";
import { SessionContext } from "./lib/session.js";
import { Routes } from "./routes.js";
import { SignIn } from "./screens/sign-in.js";
import { Shell } from "./shell.js";

/** The dashboard: asks who is signed in, then shows sign-in or the screens. A 401 anywhere returns to sign-in. */
export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [bootError, setBootError] = useState<string | undefined>();
  useEffect(() => {
    getJson<Me>("/v1/auth/me")
      .then(setMe)
      .catch((e: unknown) =>
        e instanceof ApiError && e.status === 401
          ? setMe(null)
          : setBootError(e instanceof Error ? e.message : String(e)),
      );
    const signedOut = () => setMe(null);
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, []);
  if (bootError) {
    return (
      <main class="boot" id="main">
        <h1>Walwarden</h1>
        <div class="alert error" role="alert">
          Could not reach the API: {bootError}
        </div>
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </main>
    );
  }
  if (me === undefined)
    return (
      <p class="boot" role="status">
        Loading Walwarden…
      </p>
    );
  if (me === null) return <SignIn onSignedIn={setMe} />;
  return (
    <SessionContext.Provider value={me}>
      <Shell me={me} onSignedOut={() => setMe(null)}>
        <Routes />
      </Shell>
    </SessionContext.Provider>
  );
}
