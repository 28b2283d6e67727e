import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import {
  BucketCredentialListSchema,
  BucketCredentialRequestSchema,
  BucketCredentialSchema,
  type BucketCredential,
} from "@walwarden/verifier/wire";
import { actorOf } from "../auth/principal.js";
import { logAdminAction } from "../audit/log-admin-action.js";
import { sha256Hex } from "../lib/crypto.js";
import { requireRole } from "../auth/middleware.js";
import { dbOf } from "../db/client.js";
import { bucketCredentials } from "../db/schema.js";
import { ApiError, notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { jsonBody, param } from "../http/validate.js";
import { seal } from "../lib/secret-box.js";
import { iso } from "../lib/time.js";
import { BUCKET_NAME, bucketSecretContext } from "../restores/bucket-access.js";

const BucketName = z.string().regex(BUCKET_NAME, "not an S3 bucket name");
type Row = typeof bucketCredentials.$inferSelect;
const view = (r: Row): BucketCredential => ({
  bucket: r.bucket,
  endpoint: r.endpoint,
  region: r.region,
  forcePathStyle: r.forcePathStyle,
  accessKeyId: r.accessKeyId,
  updatedBy: r.updatedBy,
  updatedAt: iso(r.updatedAt),
});

/**
 * Read-only bucket credentials (admin): the key the Worker presigns restore downloads with. The secret is
 * sealed at rest and never answered back; viewers may see which buckets are set up, not the keys.
 */
export const bucketRoutes = new Hono<AppEnv>()
  .get("/", requireRole("viewer"), async (c) => {
    const rows = await dbOf(c.env.DB)
      .select()
      .from(bucketCredentials)
      .where(eq(bucketCredentials.orgId, c.get("principal").orgId));
    return reply(c, BucketCredentialListSchema, { items: rows.map(view) });
  })
  .put("/:bucket", requireRole("admin"), async (c) => {
    const bucket = param(c, "bucket", BucketName);
    const body = await jsonBody(c, BucketCredentialRequestSchema);
    const p = c.get("principal");
    const sealed = await seal(c.env.BUCKET_CREDENTIALS_KEY, body.secretAccessKey, bucketSecretContext(p.orgId, bucket));
    if (!sealed.ok) throw new ApiError(503, "unavailable", `cannot store bucket credentials: ${sealed.message}`);
    const row: Row = {
      orgId: p.orgId,
      bucket,
      endpoint: body.endpoint ?? null,
      region: body.region,
      forcePathStyle: body.forcePathStyle,
      accessKeyId: body.accessKeyId,
      sealedSecret: sealed.value,
      updatedBy: actorOf(p),
      updatedAt: Date.now(),
    };
    const db = dbOf(c.env.DB);
    const existing = await db.query.bucketCredentials.findFirst({
      where: and(eq(bucketCredentials.orgId, p.orgId), eq(bucketCredentials.bucket, bucket)),
    });
    await logAdminAction(c.env, p.orgId, {
      type: "bucket.credential_set",
      actor: actorOf(p),
      subject: `bucket:${bucket}`,
      data: {
        bucket,
        region: row.region,
        endpoint: row.endpoint,
        accessKeyIdSha256: await sha256Hex(row.accessKeyId),
        replaced: existing !== undefined,
      },
    });
    await db
      .insert(bucketCredentials)
      .values(row)
      .onConflictDoUpdate({ target: [bucketCredentials.orgId, bucketCredentials.bucket], set: { ...row } });
    return reply(c, BucketCredentialSchema, view(row));
  })
  .delete("/:bucket", requireRole("admin"), async (c) => {
    const bucket = param(c, "bucket", BucketName);
    const p = c.get("principal");
    const db = dbOf(c.env.DB);
    const which = and(eq(bucketCredentials.orgId, p.orgId), eq(bucketCredentials.bucket, bucket));
    if (!(await db.query.bucketCredentials.findFirst({ where: which }))) throw notFound("bucket credential");
    await logAdminAction(c.env, p.orgId, {
      type: "bucket.credential_removed",
      actor: actorOf(p),
      subject: `bucket:${bucket}`,
      data: { bucket },
    });
    await db.delete(bucketCredentials).where(which);
    return c.body(null, 204);
  });
