import { PutObjectCommand, PutObjectRetentionCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  canonicalBytes,
  encodeWitnessRefusal,
  type KIT_FILES,
  kitObjectKey,
  type WitnessRefusal,
  witnessRefusalKey,
} from "@walwarden/verifier";
import type { Completed } from "../api/worker-api.js";
import { kitReadme, kitScript, type KitFacts } from "./kit-text.js";

/** Object Lock to apply once the kit is complete. */
export interface Retention {
  mode: "GOVERNANCE" | "COMPLIANCE";
  retainUntil: Date;
}

/**
 * The kit's objects: key, bytes and content type, in the order they are written; with `refusal` (the runner
 * refused the kit's checkpoint as its org's witness, SPEC §10 "Witnessed kits"), its record after the
 * checkpoint.
 */
export function kitObjects(
  artifactKey: string,
  completed: Completed,
  facts: KitFacts,
  refusal?: WitnessRefusal,
): { key: string; body: Uint8Array | string; contentType: string }[] {
  const key = (f: keyof typeof KIT_FILES) => kitObjectKey(artifactKey, f);
  return [
    { key: key("manifest"), body: canonicalBytes(completed.envelope), contentType: "application/json" },
    { key: key("entry"), body: completed.entry, contentType: "application/json" },
    { key: key("proof"), body: canonicalBytes(completed.proof), contentType: "application/json" },
    { key: key("checkpoint"), body: completed.checkpoint, contentType: "text/plain; charset=utf-8" },
    ...(refusal
      ? [{ key: witnessRefusalKey(artifactKey), body: encodeWitnessRefusal(refusal), contentType: "application/json" }]
      : []),
    { key: key("readme"), body: kitReadme(facts), contentType: "text/markdown; charset=utf-8" },
    { key: key("script"), body: kitScript(facts), contentType: "text/x-shellscript; charset=utf-8" },
  ];
}

/** The metadata on every object of a backup (artifact, kit files, drill receipts): its id, which a prune checks before it deletes. */
export const BACKUP_METADATA = "walwarden-backup";

/**
 * Writes the walk-away kit next to the artifact: the signed manifest, the log entry, its inclusion proof,
 * the checkpoint (cosigned by the runner when it witnessed it), the refusal record when it refused it, a
 * README and a restore script, each with the backup's id in its `walwarden-backup` metadata. The manifest
 * goes first: once it exists the artifact is never without one. With Object Lock configured, each kit
 * object is written locked.
 */
export async function writeKit(
  client: S3Client,
  bucket: string,
  artifactKey: string,
  completed: Completed,
  facts: KitFacts,
  retention?: Retention,
  refusal?: WitnessRefusal,
): Promise<string[]> {
  const written: string[] = [];
  for (const o of kitObjects(artifactKey, completed, facts, refusal)) {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: o.key,
        Body: o.body,
        ContentType: o.contentType,
        Metadata: { [BACKUP_METADATA]: facts.backupId },
        ...(retention ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: retention.retainUntil } : {}),
      }),
    );
    written.push(o.key);
  }
  return written;
}

/** Locks the artifact (it was uploaded unlocked so that a dump whose complete failed could still be deleted). */
export async function lockObject(client: S3Client, bucket: string, key: string, retention: Retention): Promise<void> {
  await client.send(
    new PutObjectRetentionCommand({
      Bucket: bucket,
      Key: key,
      Retention: { Mode: retention.mode, RetainUntilDate: retention.retainUntil },
    }),
  );
}
