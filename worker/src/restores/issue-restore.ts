import { and, eq } from "drizzle-orm";
import { err, ok, type Result } from "@walwarden/verifier";
import { intVar, type Env } from "../env.js";
import { dbOf } from "../db/client.js";
import { backups, restores } from "../db/schema.js";
import { flushOutbox } from "../log/outbox.js";
import { newSecret, sha256Hex } from "../lib/crypto.js";
import { newId } from "../lib/ids.js";
import { bucketAccess, splitArtifactUri } from "./bucket-access.js";
import { MAX_PRESIGN_SECONDS } from "./presign.js";
import { sessionOf } from "./session-client.js";

/** What an issue answers: the token (shown this once) and when it expires. */
export interface Issued {
  restoreId: string;
  token: string;
  expiresAt: number;
}

/** Why a restore was not issued. */
export type IssueErrorCode = "not-found" | "expired" | "no-credential" | "sealed" | "log-unavailable";

/**
 * Issues a restore of one of the org's backups not expired by retention: checks the Worker can presign the artifact's bucket (so a
 * token is never issued that cannot be claimed), creates the RestoreSession (which logs
 * restore.token_issued with the token's hash and arms the expiry alarm), then records the D1 row.
 */
export async function issueRestore(
  env: Env,
  orgId: string,
  actor: string,
  backupId: string,
  now: number,
): Promise<Result<Issued, IssueErrorCode>> {
  const backup = await dbOf(env.DB).query.backups.findFirst({
    where: and(eq(backups.id, backupId), eq(backups.orgId, orgId)),
  });
  if (!backup) return err("not-found", "backup not found");
  if (backup.expiredAt !== null)
    return err(
      "expired",
      `backup ${backupId} expired under its database's retention policy: its runner deleted the objects (backup.expired in the log)`,
    );
  const where = splitArtifactUri(backup.artifactUri);
  if (!where) return err("not-found", `backup ${backupId} has no s3:// artifact`);
  const access = await bucketAccess(env, orgId, where.bucket);
  if (!access.ok) return access;

  const restoreId = newId("rs", now);
  const token = newSecret("wwo");
  const tokenSha256 = await sha256Hex(token);
  const ttl = Math.min(MAX_PRESIGN_SECONDS, intVar(env.RESTORE_TOKEN_TTL_SECONDS, MAX_PRESIGN_SECONDS));
  const expiresAt = now + ttl * 1000;
  await flushOutbox(env, orgId);
  const issued = await sessionOf(env, restoreId).issue({
    restoreId,
    orgId,
    backupId,
    databaseId: backup.databaseId,
    tokenSha256,
    issuedBy: actor,
    issuedAt: now,
    expiresAt,
  });
  if (!issued.ok) return err("log-unavailable", issued.message);
  await dbOf(env.DB).insert(restores).values({
    id: restoreId,
    orgId,
    backupId,
    databaseId: backup.databaseId,
    tokenSha256,
    state: "issued",
    issuedBy: actor,
    issuedAt: now,
    expiresAt,
  });
  return ok({ restoreId, token, expiresAt });
}

/**
 * The exact command an operator runs: the target is theirs to fill in and never reaches Walwarden. A dry run
 * (download and verify only) never contacts a target, so its command names none.
 */
export function restoreCommand(apiUrl: string, orgId: string, token: string, o: { dryRun?: boolean } = {}): string {
  const base = `walwarden restore --api ${apiUrl} --org ${orgId} --token ${token}`;
  return o.dryRun ? `${base} --dry-run` : `${base} --target "$TARGET_DATABASE_URL"`;
}
