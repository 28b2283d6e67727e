import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { BucketCredentialRequestSchema } from "@walwarden/verifier/wire";
import { actorOf } from "../auth/principal.js";
import { requireRole } from "../auth/middleware.js";
import { dbOf } from "../db/client.js";
import { bucketCredentials } from "../db/schema.js";
import { ApiError, notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { jsonBody, param } from "../http/validate.js";
import { seal } from "../lib/secret-box.js";
import { iso } from "../lib/time.js";
import { BUCKET_NAME, bucketSecretContext } from "../restores/bucket-access.js";

const BucketName = z.string().regex(BUCKET_NAME, "not an S3 bucket name");
type Row = typeof bucketCredentials.$inferSelect;
const view = (r: Row) => ({
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
    return c.json({ items: rows.map(view) });
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
    await dbOf(c.env.DB)
      .insert(bucketCredentials)
      .values(row)
      .onConflictDoUpdate({ target: [bucketCredentials.orgId, bucketCredentials.bucket], set: { ...row } });
    return c.json(view(row));
  })
  .delete("/:bucket", requireRole("admin"), async (c) => {
    const bucket = param(c, "bucket", BucketName);
    const [row] = await dbOf(c.env.DB)
      .delete(bucketCredentials)
      .where(and(eq(bucketCredentials.orgId, c.get("principal").orgId), eq(bucketCredentials.bucket, bucket)))
      .returning({ bucket: bucketCredentials.bucket });
    if (!row) throw notFound("bucket credential");
    return c.body(null, 204);
  });
