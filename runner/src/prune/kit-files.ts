import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { drillReceiptKey, err, KIT_FILES, kitObjectKey, ok, type Result } from "@walwarden/verifier";
import { BACKUP_METADATA } from "../kit/write-kit.js";
import { describeS3Error, isNotFound } from "./s3-errors.js";

/** One object of a backup's kit as it is in the bucket now: the version to delete (null: unversioned) and its size. */
export interface KitObject {
  key: string;
  versionId: string | null;
  sizeBytes: number;
}

/** A kit-looking object a prune leaves alone, and why. */
export interface KeptObject {
  key: string;
  why: string;
}

/** The kit files a prune may delete, in the order it deletes them, and those it keeps. */
export interface KitFiles {
  files: KitObject[];
  kept: KeptObject[];
}

/**
 * How a key is one of a backup's kit files by name (SPEC §10): a fixed suffix (`manifest.json` …
 * `restore.sh`), a drill receipt `drill-<drillId>.json`, or a receipt whose drill id has a dot, which could
 * also be another backup's key (`bk.drill-x.manifest.json` is backup `bk.drill-x`'s manifest): without the
 * backup's metadata such a key is not taken. Undefined: not a kit file of this artifact.
 */
export type KitFileName = "fixed" | "receipt" | "ambiguous-receipt";

const FIXED_SUFFIXES: readonly string[] = Object.values(KIT_FILES);

/** The artifact's key without its artifact extension: each kit file's key is this, a dot and its suffix. */
export function kitBase(artifactKey: string): string {
  return kitObjectKey(artifactKey, "manifest").slice(0, -(KIT_FILES.manifest.length + 1));
}

/** Whether (and how) `key` names one of the kit files next to `artifactKey`. */
export function kitFileName(artifactKey: string, key: string): KitFileName | undefined {
  const base = `${kitBase(artifactKey)}.`;
  if (!key.startsWith(base)) return undefined;
  const suffix = key.slice(base.length);
  if (FIXED_SUFFIXES.includes(suffix)) return "fixed";
  const drill = /^drill-(.+)\.json$/.exec(suffix);
  if (!drill) return undefined;
  try {
    if (drillReceiptKey(artifactKey, drill[1]!) !== key) return undefined;
  } catch {
    return undefined;
  }
  return drill[1]!.includes(".") ? "ambiguous-receipt" : "receipt";
}

/**
 * HEADs one kit file (its current version) and says whether the prune may delete it: it must carry the
 * backup's `walwarden-backup` metadata, or, without any (a kit written before the runner set it), be the
 * backup's own kit key by name. Null: not there. Another backup's metadata, or an ambiguous name without
 * metadata, is kept.
 */
export async function headKitFile(
  s3: S3Client,
  bucket: string,
  key: string,
  backupId: string,
  name: KitFileName,
): Promise<Result<KitObject | KeptObject | null, "unavailable">> {
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const owner = h.Metadata?.[BACKUP_METADATA];
    if (owner !== undefined && owner !== backupId)
      return ok({ key, why: `its ${BACKUP_METADATA} metadata is ${JSON.stringify(owner)}` });
    if (owner === undefined && name === "ambiguous-receipt")
      return ok({ key, why: `no ${BACKUP_METADATA} metadata, and the name could be another backup's` });
    return ok({ key, versionId: h.VersionId ?? null, sizeBytes: h.ContentLength ?? 0 });
  } catch (e) {
    if (isNotFound(e)) return ok(null);
    return err("unavailable", describeS3Error("HeadObject", key, e));
  }
}

/**
 * The kit files next to an artifact that are in the bucket (SPEC §10): every key under `<base>.` (one
 * listing) that is a fixed kit suffix or a drill receipt, each HEADed (headKitFile). Fixed files come
 * in the kit's order, then receipts by key.
 */
export async function findKitFiles(
  s3: S3Client,
  bucket: string,
  artifactKey: string,
  backupId: string,
): Promise<Result<KitFiles, "unavailable">> {
  const prefix = `${kitBase(artifactKey)}.`;
  const named: { key: string; name: KitFileName }[] = [];
  let token: string | undefined;
  do {
    let page: Awaited<ReturnType<typeof listPage>>;
    try {
      page = await listPage(s3, bucket, prefix, token);
    } catch (e) {
      return err("unavailable", describeS3Error("ListObjectsV2", prefix, e));
    }
    for (const o of page.Contents ?? []) {
      const name = o.Key ? kitFileName(artifactKey, o.Key) : undefined;
      if (name) named.push({ key: o.Key!, name });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const order = (k: string) => {
    const i = FIXED_SUFFIXES.indexOf(k.slice(prefix.length));
    return i < 0 ? FIXED_SUFFIXES.length : i;
  };
  named.sort((a, b) => order(a.key) - order(b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out: KitFiles = { files: [], kept: [] };
  for (const { key, name } of named) {
    const h = await headKitFile(s3, bucket, key, backupId, name);
    if (!h.ok) return h;
    if (h.value === null) continue;
    if ("why" in h.value) out.kept.push(h.value);
    else out.files.push(h.value);
  }
  return ok(out);
}

function listPage(s3: S3Client, bucket: string, prefix: string, token: string | undefined) {
  return s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
}
