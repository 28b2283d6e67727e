import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { err, ok, type Result } from "@walwarden/verifier";
import type { PruneTarget } from "@walwarden/verifier/wire";
import { BACKUP_METADATA } from "../kit/write-kit.js";
import { describeS3Error, isNotFound } from "./s3-errors.js";

/**
 * What is at a target's artifact key: the object its manifest names (with the version a delete must name:
 * the manifest's, or "null" for an object stored before versioning was turned on), nothing, or another object.
 */
export type ArtifactState =
  | { kind: "present"; deleteVersionId: string | null; sizeBytes: number }
  | { kind: "missing" }
  | { kind: "mismatch"; why: string };

/** An ETag without quotes or a weak marker (S3 quotes it in headers; manifests may hold either form). */
export function bareEtag(etag: string): string {
  return etag.replace(/^W\//, "").replace(/"/g, "");
}

/**
 * HEADs the artifact (the manifest's version when it has one) and compares it with the manifest (SPEC §12):
 * its ETag, its version (none, or "null", when the manifest has none) and its `walwarden-backup`
 * metadata must all be the backup's, else `mismatch`; 404 is `missing`. Other errors are `unavailable`.
 */
export async function inspectArtifact(
  s3: S3Client,
  target: PruneTarget,
): Promise<Result<ArtifactState, "unavailable">> {
  const { bucket, key, versionId, etag } = target.artifact;
  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
  } catch (e) {
    if (isNotFound(e)) return ok({ kind: "missing" });
    return err("unavailable", describeS3Error("HeadObject", key, e));
  }
  if (bareEtag(head.ETag ?? "") !== bareEtag(etag))
    return ok({ kind: "mismatch", why: `its ETag is ${head.ETag ?? "none"}, the manifest's ${etag}` });
  const version = head.VersionId ?? null;
  if (versionId !== null ? version !== versionId : version !== null && version !== "null")
    return ok({ kind: "mismatch", why: `its version is ${version ?? "none"}, the manifest's ${versionId ?? "none"}` });
  const owner = head.Metadata?.[BACKUP_METADATA];
  if (owner !== target.backupId)
    return ok({
      kind: "mismatch",
      why: `its ${BACKUP_METADATA} metadata is ${owner === undefined ? "absent" : JSON.stringify(owner)}, not ${target.backupId}`,
    });
  return ok({ kind: "present", deleteVersionId: versionId ?? version, sizeBytes: head.ContentLength ?? 0 });
}
