import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, policyFromVkeys, type Result, type VerifyPolicy } from "@walwarden/verifier";
import { type PublishedKeys, PublishedKeysSchema } from "@walwarden/verifier/wire";
import { z } from "zod";

/** The keys a drill verifies kits with, and where they came from. */
export interface KitKeys {
  policy: VerifyPolicy;
  source: "config" | "pinned" | "first-use";
}

/** The published keys pinned in the state dir on first use. */
export const PINNED_KEYS_FILE = "pinned-keys.json";

const PinnedSchema = z.strictObject({
  v: z.literal(1),
  api: z.string(),
  origin: z.string().min(1),
  checkpoint: z.array(z.string().min(1)).min(1),
  manifest: z.array(z.string().min(1)).min(1),
  pinnedAt: z.string(),
});

/**
 * Why no keys: the API's keys could not be fetched (try again later), they differ from the pinned ones
 * (refuse: the API may not be the one pinned), or a file or key is unusable.
 */
export type KitKeysErrorCode = "keys-unavailable" | "keys-changed" | "keys-unusable";

/**
 * The kit keys: `drills.trustedKeys` when configured (nothing fetched or pinned; any origin ending in
 * /log/<orgId> signed by them), else trust on first use, as `walwarden restore` does: the API's
 * /.well-known/walwarden/keys are pinned in `stateDir/pinned-keys.json` the first time, and must equal
 * the pinned ones exactly after that (the origin too: the org's log must be `<origin>/<orgId>`).
 */
export async function kitKeys(
  o: { trustedKeys: readonly string[]; stateDir: string; api: string; orgId: string },
  fetchPublished: () => Promise<PublishedKeys>,
): Promise<Result<KitKeys, KitKeysErrorCode>> {
  if (o.trustedKeys.length) {
    const policy = policyFromVkeys([...o.trustedKeys]);
    return policy.ok
      ? ok({ policy: policy.value, source: "config" })
      : err("keys-unusable", `drills.trustedKeys: ${policy.message}`);
  }
  const path = join(o.stateDir, PINNED_KEYS_FILE);
  let pinned: z.infer<typeof PinnedSchema> | undefined;
  try {
    pinned = PinnedSchema.parse(JSON.parse(await readFile(path, "utf8")));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      return err(
        "keys-unusable",
        `${path} is not a pinned-keys file: fix it, or delete it to pin the API's keys again`,
      );
  }
  let published: PublishedKeys;
  try {
    published = PublishedKeysSchema.parse(await fetchPublished());
  } catch (e) {
    return err("keys-unavailable", `cannot fetch ${o.api}/.well-known/walwarden/keys: ${(e as Error).message}`);
  }
  if (pinned && pinned.api !== o.api)
    return err(
      "keys-changed",
      `${path} pins the keys of ${pinned.api}, but the runner's api is ${o.api}: delete the file to pin the new API's keys deliberately`,
    );
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().join() === [...b].sort().join();
  if (
    pinned &&
    !(
      pinned.origin === published.origin &&
      same(pinned.checkpoint, published.checkpoint) &&
      same(pinned.manifest, published.manifest)
    )
  )
    return err(
      "keys-changed",
      `the keys ${o.api} publishes differ from the ones pinned on ${pinned.pinnedAt} in ${path}: drills verify nothing against them. If the rotation was announced, delete ${path} (or set drills.trustedKeys) to pin the new keys`,
    );
  const keys = pinned ?? { v: 1 as const, api: o.api, ...published, pinnedAt: new Date().toISOString() };
  if (!pinned) {
    await mkdir(o.stateDir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(keys, null, 2)}\n`);
    await rename(tmp, path);
  }
  const policy = policyFromVkeys([...keys.checkpoint, ...keys.manifest], { origin: `${keys.origin}/${o.orgId}` });
  if (!policy.ok) return err("keys-unusable", `the API's published keys: ${policy.message}`);
  return ok({ policy: policy.value, source: pinned ? "pinned" : "first-use" });
}
