import { and, eq } from "drizzle-orm";
import { err, ok, type DsseEnvelope, type Result } from "@walwarden/verifier";
import type { ClaimRestoreResponse } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { dbOf } from "../db/client.js";
import { backups, restores } from "../db/schema.js";
import { currentProof } from "../jobs/complete.js";
import { ledgerOf, unwrapLedger } from "../ledger/client.js";
import { bucketAccess, splitArtifactUri, type BucketAccessErrorCode } from "./bucket-access.js";
import { MAX_PRESIGN_SECONDS, presignGet } from "./presign.js";
import type { SessionErrorCode } from "./restore-session.js";
import { sessionOf } from "./session-client.js";

/** A restore as D1 stores it. */
export type RestoreRow = typeof restores.$inferSelect;

/** The restore whose one-time token hashes to `tokenSha256`, or undefined. */
export async function restoreByToken(env: Env, tokenSha256: string): Promise<RestoreRow | undefined> {
  return dbOf(env.DB).query.restores.findFirst({ where: eq(restores.tokenSha256, tokenSha256) });
}

/**
 * Claims the restore `row` (found by its token's hash) with that token. Before the session consumes the
 * token, the bucket credential is opened, so a claim that succeeds always gets its download URL. Then: the
 * backup's manifest, its backup.completed entry, a fresh inclusion proof and checkpoint, and a presigned GET
 * that lives no longer than 15 minutes. A token that matches no restore never gets here (routes/restores.ts
 * counts it and logs nothing: a stranger must not write into an org's log).
 */
export async function claimRestore(
  env: Env,
  row: RestoreRow,
  token: { sha256: string; orgId: string; clientVersion: string },
  now: number,
): Promise<Result<ClaimRestoreResponse, SessionErrorCode | BucketAccessErrorCode>> {
  const db = dbOf(env.DB);
  const backup = await db.query.backups.findFirst({
    where: and(eq(backups.id, row.backupId), eq(backups.orgId, row.orgId)),
  });
  const where = backup ? splitArtifactUri(backup.artifactUri) : undefined;
  if (!backup || !where) return err("not-found", "the backup of this restore no longer exists");
  const access = await bucketAccess(env, row.orgId, where.bucket);
  if (!access.ok) return access;

  const claimed = await sessionOf(env, row.id).claim(token.sha256, token.orgId, token.clientVersion, now);
  if (!claimed.ok) return claimed;

  const [entry] = unwrapLedger(await ledgerOf(env, row.orgId).entries(row.orgId, backup.logSeq, 1));
  const { proof, checkpoint } = await currentProof(env, row.orgId, backup.logSeq);
  const url = await presignGet(access.value, where.key, MAX_PRESIGN_SECONDS, now);
  return ok({
    restoreId: row.id,
    backupId: row.backupId,
    orgId: row.orgId,
    databaseId: row.databaseId,
    envelope: JSON.parse(backup.envelope) as DsseEnvelope,
    entry: entry!,
    proof,
    checkpoint,
    download: { url: url.url, expiresAt: new Date(url.expiresAt).toISOString(), sizeBytes: backup.sizeBytes },
    progressToken: claimed.value.progressToken,
  });
}
