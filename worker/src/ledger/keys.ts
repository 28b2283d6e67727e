import {
  err,
  formatVkey,
  KEY_ROLE_SUFFIX,
  ok,
  parseSignerKey,
  parseVkey,
  publicKeyOf,
  type NamedSigner,
  type NoteSigner,
  type Result,
} from "@walwarden/verifier";
import type { CoreEnv } from "../core-env.js";

/** A signing key with the vkey it is published under. */
export type SigningKey = NamedSigner & NoteSigner & { vkey: string };

/** The Worker's two signing keys (separate roles) and the retired vkeys it still publishes. */
export interface SigningKeys {
  checkpoint: SigningKey;
  manifest: SigningKey;
  retired: string[];
}

function loadKey(
  secret: string | undefined,
  purpose: "checkpoint" | "manifest",
  envName: string,
): Result<SigningKey, "keys"> {
  if (!secret)
    return err(
      "keys",
      `${envName} is not set: run \`npm run dev:keys\` locally, or \`wrangler secret put ${envName}\``,
    );
  const parsed = parseSignerKey(secret.trim());
  if (!parsed.ok) return err("keys", `${envName} is not a signer key (${parsed.message})`);
  const { name, secretKey } = parsed.value;
  if (!name.endsWith(KEY_ROLE_SUFFIX[purpose]))
    return err("keys", `${envName}'s key name ${name} must end in ${KEY_ROLE_SUFFIX[purpose]}`);
  const publicKey = publicKeyOf(secretKey);
  return ok({ name, secretKey, publicKey, vkey: formatVkey(name, publicKey) });
}

let cache: { source: string; keys: Result<SigningKeys, "keys"> } | undefined;

/** Reads and checks the signing keys from the secrets (cached per isolate; a changed secret is re-read). */
export function signingKeys(
  env: Pick<CoreEnv, "CHECKPOINT_SIGNER_KEY" | "MANIFEST_SIGNER_KEY" | "RETIRED_VKEYS">,
): Result<SigningKeys, "keys"> {
  const source = `${env.CHECKPOINT_SIGNER_KEY}\n${env.MANIFEST_SIGNER_KEY}\n${env.RETIRED_VKEYS ?? ""}`;
  if (cache?.source === source) return cache.keys;
  const keys = ((): Result<SigningKeys, "keys"> => {
    const checkpoint = loadKey(env.CHECKPOINT_SIGNER_KEY, "checkpoint", "CHECKPOINT_SIGNER_KEY");
    if (!checkpoint.ok) return checkpoint;
    const manifest = loadKey(env.MANIFEST_SIGNER_KEY, "manifest", "MANIFEST_SIGNER_KEY");
    if (!manifest.ok) return manifest;
    if (checkpoint.value.vkey === manifest.value.vkey)
      return err("keys", "the checkpoint and manifest keys must differ");
    const retired = (env.RETIRED_VKEYS ?? "").split(/\s+/).filter(Boolean);
    for (const v of retired)
      if (!parseVkey(v).ok) return err("keys", `RETIRED_VKEYS holds something that is not a vkey: ${v}`);
    return ok({ checkpoint: checkpoint.value, manifest: manifest.value, retired });
  })();
  cache = { source, keys };
  return keys;
}
