import { err, ok, policyFromVkeys, KEY_ROLE_SUFFIX, type Result } from "@walwarden/verifier";
import { PublishedKeysSchema, type PublishedKeys } from "@walwarden/verifier/wire";
import { requestJson, type Fetch } from "../api/http.js";

/**
 * GET {api}/.well-known/walwarden/keys: the deployment's published verifier keys, each checked to be a
 * well-formed vkey of the role it is listed under.
 */
export async function fetchPublishedKeys(
  fetchImpl: Fetch,
  api: string,
): Promise<Result<PublishedKeys, "keys-unavailable">> {
  const r = await requestJson(
    fetchImpl,
    `${api}/.well-known/walwarden/keys`,
    { method: "GET", timeoutMs: 20_000 },
    PublishedKeysSchema,
  );
  if (!r.ok)
    return err(
      "keys-unavailable",
      `cannot fetch the published keys from ${api}/.well-known/walwarden/keys: ${r.message}`,
    );
  for (const role of ["checkpoint", "manifest"] as const) {
    const policy = policyFromVkeys(r.value[role]);
    const wrongRole = r.value[role].find((v) => !v.split("+")[0]!.endsWith(KEY_ROLE_SUFFIX[role]));
    if (!policy.ok || wrongRole)
      return err(
        "keys-unavailable",
        `${api}/.well-known/walwarden/keys lists a ${role} key that is not a valid ${role} vkey: ${policy.ok ? wrongRole : policy.message}`,
      );
  }
  return ok(r.value);
}
