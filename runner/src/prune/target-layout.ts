import { artifactExtension, backupObjectKey, err, ok, type Result } from "@walwarden/verifier";
import type { PruneTarget } from "@walwarden/verifier/wire";

/** Every artifact extension of the kit layout (SPEC §10): `dump.zst`, `dump`, `tar.gz`, … */
const ARTIFACT_EXTENSIONS: ReadonlySet<string> = new Set(
  (["custom", "tar", "plain"] as const).flatMap((format) =>
    (["zstd", "gzip", "lz4", "none"] as const).map((compression) => artifactExtension(compression, format)),
  ),
);

/** What the runner owns: its bucket, its key prefix, and the database the prune job is for. */
export interface Owned {
  bucket: string;
  prefix: string;
  databaseId: string;
}

/**
 * Whether a prune target is this runner's to delete (SPEC §12): its bucket is the configured one, and its
 * key is the kit layout's artifact key (SPEC §10, `backupObjectKey`) of that backup of the job's database
 * under the configured prefix, dated no later than the backup completed. `foreign` otherwise, with why.
 */
export function checkOwned(target: PruneTarget, own: Owned): Result<void, "foreign"> {
  const { bucket, key } = target.artifact;
  if (bucket !== own.bucket) return err("foreign", `the bucket ${bucket} is not this runner's (${own.bucket})`);
  const prefix = own.prefix.replace(/\/+$/, "");
  const start = prefix ? `${prefix}/` : "";
  if (!key.startsWith(start)) return err("foreign", `the key ${key} is not under this runner's prefix ${prefix}/`);
  const parts = key.slice(start.length).split("/");
  const [databaseId, yyyy, mm, dd, file] = parts;
  if (parts.length !== 5 || databaseId !== own.databaseId)
    return err("foreign", `the key ${key} is not in the layout ${start}${own.databaseId}/<yyyy>/<mm>/<dd>/`);
  const ext = file!.startsWith(`${target.backupId}.`) ? file!.slice(target.backupId.length + 1) : "";
  if (!ARTIFACT_EXTENSIONS.has(ext))
    return err("foreign", `the key ${key} does not name backup ${target.backupId}'s artifact (<backupId>.<ext>)`);
  const day = `${yyyy}-${mm}-${dd}`;
  const startedAt = `${day}T00:00:00.000Z`;
  const date = new Date(startedAt);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== startedAt || day > target.completedAt.slice(0, 10))
    return err("foreign", `the key ${key} is not dated by a day on or before the backup completed`);
  const expected = backupObjectKey({
    prefix: own.prefix,
    databaseId: own.databaseId,
    backupId: target.backupId,
    startedAt,
    artifactExt: ext,
  });
  if (!expected.ok || expected.value !== key)
    return err("foreign", `the key ${key} is not the kit layout's key of backup ${target.backupId}`);
  return ok(undefined);
}
