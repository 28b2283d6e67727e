import type { NamedVerifier } from "../dsse/envelope.js";
import { parseRunnerKeyName } from "../drill/runner-key.js";
import { type CosignerKey, cosignerKey, parseCosignerVkey, parseVkey, type NoteVerifier } from "../note/index.js";
import { err, ok, type Result } from "../result.js";

/**
 * What a verifier trusts, pinned out of band (never taken from the artifact). Checkpoint keys sign the
 * log's checkpoints; manifest keys sign backup manifests and bundle indexes. Keeping the roles apart
 * means a leaked manifest key cannot forge the log.
 */
export interface VerifyPolicy {
  checkpointKeys: NoteVerifier[];
  manifestKeys: NamedVerifier[];
  /** If set, the log origin the bundle must be for (one org's log). */
  origin?: string;
  /** Signed checkpoints the auditor already holds: the bundle must not fork from or roll back behind them. */
  previousCheckpoints?: string[];
  /**
   * Runner keys the auditor pinned (SPEC §9, check `drills`). If non-empty, every drill receipt must be
   * signed by one of them; otherwise the log's word (the entry's `runnerVkey`) says which key is the runner's.
   */
  runnerKeys?: NamedVerifier[];
  /**
   * Witnesses the auditor requires (SPEC §13, check `log.witnesses`): the head checkpoint must carry the
   * cosignatures of at least `witnessQuorum` of them (default 1), so they saw this history.
   */
  witnesses?: CosignerKey[];
  witnessQuorum?: number;
}

/** Key-name suffixes that say a published key's role (SPEC.md §Keys). */
export const KEY_ROLE_SUFFIX = { checkpoint: "/checkpoint", manifest: "/manifest" } as const;

/** Builds a policy from vkey strings, sorting them into roles by their name's suffix. */
export function policyFromVkeys(
  vkeys: string[],
  extra: Pick<VerifyPolicy, "origin" | "previousCheckpoints" | "runnerKeys" | "witnesses" | "witnessQuorum"> = {},
): Result<VerifyPolicy, "bad-key" | "no-keys"> {
  const policy: VerifyPolicy = { checkpointKeys: [], manifestKeys: [], ...extra };
  for (const vkey of vkeys) {
    const parsed = parseVkey(vkey);
    if (!parsed.ok) return err("bad-key", `not a verifier key: ${vkey} (${parsed.message})`);
    const key = parsed.value;
    if (key.name.endsWith(KEY_ROLE_SUFFIX.checkpoint)) policy.checkpointKeys.push(key);
    else if (key.name.endsWith(KEY_ROLE_SUFFIX.manifest))
      policy.manifestKeys.push({ name: key.name, publicKey: key.publicKey });
    else
      return err(
        "bad-key",
        `key ${key.name} has no role: its name must end in /checkpoint or /manifest${parseRunnerKeyName(key.name) ? " (a runner's key is pinned as a runner key)" : ""}`,
      );
  }
  if (policy.checkpointKeys.length === 0 && policy.manifestKeys.length === 0) return err("no-keys", "no keys given");
  return ok(policy);
}

/**
 * Parses pinned runner keys (SPEC §11): vkeys whose names are runner key names, `<deployment>/runner/<runnerId>`.
 * A checkpoint or manifest key, or any other name, is refused: it could never have signed a receipt.
 */
export function runnerKeysFromVkeys(vkeys: string[]): Result<NamedVerifier[], "bad-key"> {
  const keys: NamedVerifier[] = [];
  for (const vkey of vkeys) {
    const parsed = parseVkey(vkey);
    if (!parsed.ok) return err("bad-key", `not a verifier key: ${vkey} (${parsed.message})`);
    const { name, publicKey } = parsed.value;
    if (!parseRunnerKeyName(name))
      return err("bad-key", `key ${name} is not a runner's key: its name must be <deployment>/runner/<runnerId>`);
    keys.push({ name, publicKey });
  }
  return ok(keys);
}

/**
 * Parses pinned witness keys (SPEC §13): cosigner vkeys (signature type 0x04), or a runner's own vkey as
 * GET /v1/runners shows it (type 0x01), taken as the cosigner key of the same name and public key, which is
 * how the runner cosigns.
 */
export function witnessKeysFromVkeys(vkeys: string[]): Result<CosignerKey[], "bad-key"> {
  const keys: CosignerKey[] = [];
  for (const vkey of vkeys) {
    const cosigner = parseCosignerVkey(vkey);
    if (cosigner.ok) {
      keys.push(cosigner.value);
      continue;
    }
    const note = parseVkey(vkey);
    if (!note.ok) return err("bad-key", `not a witness key: ${vkey} (${cosigner.message})`);
    keys.push(cosignerKey(note.value.name, note.value.publicKey));
  }
  return ok(keys);
}
