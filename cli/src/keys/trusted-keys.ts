import { err, ok, type Result } from "@walwarden/verifier";
import type { Fetch } from "../api/http.js";
import { describeDiff, diffKeys, sameKeys } from "./key-diff.js";
import { readPinned, writePinned } from "./key-store.js";

/** The keys a restore verifies with, and where they came from. */
export interface TrustedKeys {
  vkeys: string[];
  /** The deployment's log origin prefix (the org's log is `<origin>/<orgId>`), when known from a pin. */
  origin: string | undefined;
  source: "flag" | "pinned" | "first-use";
  /** Said to the operator once: the keys just pinned. */
  notice?: string;
}

/** Why no keys can be trusted. */
export type TrustErrorCode = "keys-unavailable" | "keys-changed" | "unreadable" | "unwritable";

/**
 * The keys to verify a restore with. --key given: those only (nothing is fetched or pinned). Otherwise
 * trust on first use: the keys pinned for this API in the config dir; on first use the published ones
 * are fetched and pinned (with a notice naming them); later the published set must equal the pinned set
 * exactly, else an error naming each change and how to accept it deliberately. Keys in a claim are never used.
 */
export async function trustedKeys(
  api: string,
  flagKeys: readonly string[],
  dir: string,
  fetchImpl: Fetch,
): Promise<Result<TrustedKeys, TrustErrorCode>> {
  // With --key the checkpoint's origin is not pinned: the verifier accepts any origin ending in /log/<orgId>,
  // signed by the given checkpoint key (which is what ties it to one deployment).
  if (flagKeys.length) return ok({ vkeys: [...flagKeys], origin: undefined, source: "flag" });
  const pinned = await readPinned(dir, api);
  if (!pinned.ok) return pinned;
  const { fetchPublishedKeys } = await import("./published-keys.js");
  const published = await fetchPublishedKeys(fetchImpl, api);
  if (!published.ok)
    return err("keys-unavailable", `${published.message}. Check --api and your network; the token was not used.`);
  if (!pinned.value) {
    const saved = await writePinned(dir, api, { ...published.value, pinnedAt: new Date().toISOString() });
    if (!saved.ok) return saved;
    const list = [
      ...published.value.checkpoint.map((v) => `  checkpoint ${v}`),
      ...published.value.manifest.map((v) => `  manifest   ${v}`),
    ].join("\n");
    return ok({
      vkeys: [...published.value.checkpoint, ...published.value.manifest],
      origin: published.value.origin,
      source: "first-use",
      notice: `First use of ${api}: pinned its published keys (log origin ${published.value.origin}) in ${dir}/keys.json:\n${list}\nCompare them with the keys your deployment announced; later restores must see exactly these.\n`,
    });
  }
  const diff = diffKeys(pinned.value, published.value);
  if (!sameKeys(diff)) {
    return err(
      "keys-changed",
      `the keys ${api} publishes differ from the ones pinned on ${pinned.value.pinnedAt} (${dir}/keys.json): ${describeDiff(diff)}. A rotation is announced and logged (a key.rotated entry); if this one was, accept the new keys deliberately with \`walwarden keys pin --api ${api}\` and run the restore again. Otherwise do not restore: the API may not be the one you pinned. The token was not used.`,
    );
  }
  return ok({
    vkeys: [...pinned.value.checkpoint, ...pinned.value.manifest],
    origin: pinned.value.origin,
    source: "pinned",
  });
}
