// @walwarden/verifier, loaded on first use into its own chunk: it carries zod's schemas (most of its weight),
// and only the verification screens need it, so the databases and runners screens load without it.
import { useEffect, useState } from "preact/hooks";

/** The verifier module. */
export type Verifier = typeof import("@walwarden/verifier");

let loading: Promise<Verifier> | undefined;

/** Loads the verifier once; every caller gets the same module. */
export function loadVerifier(): Promise<Verifier> {
  return (loading ??= import("@walwarden/verifier"));
}

/** The verifier once loaded (undefined until then). */
export function useVerifier(): Verifier | undefined {
  const [v, setV] = useState<Verifier | undefined>();
  useEffect(() => {
    let live = true;
    void loadVerifier().then((m) => live && setV(m));
    return () => {
      live = false;
    };
  }, []);
  return v;
}
