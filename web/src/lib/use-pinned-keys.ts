// The pinned keys as a hook: fetches the published keys, compares (pinning on first use) and lets the
// user trust a change explicitly.
import { useCallback, useEffect, useState } from "preact/hooks";
import { getJson } from "../api/client.js";
import type { PublishedKeys } from "@walwarden/verifier/wire";
import { comparePinned, pin, type PinComparison } from "./pinned-keys.js";

/** State of the pinned keys for this screen. */
export interface PinnedKeysState {
  comparison: PinComparison | undefined;
  published: PublishedKeys | undefined;
  error: string | undefined;
  /** Trusts the currently published keys (after the user compared them). */
  trustPublished: () => void;
}

/** Compares published and pinned keys once per mount. */
export function usePinnedKeys(): PinnedKeysState {
  const [published, setPublished] = useState<PublishedKeys | undefined>();
  const [comparison, setComparison] = useState<PinComparison | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    getJson<PublishedKeys>("/.well-known/walwarden/keys")
      .then((keys) => {
        setPublished(keys);
        setComparison(comparePinned(window.localStorage, keys));
      })
      .catch((e: unknown) =>
        setError(`could not read the published keys: ${e instanceof Error ? e.message : String(e)}`),
      );
  }, []);
  const trustPublished = useCallback(() => {
    if (!published) return;
    setComparison({ state: "match", pinned: pin(window.localStorage, published) });
  }, [published]);
  return { comparison, published, error, trustPublished };
}
