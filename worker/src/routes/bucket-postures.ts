import { Hono } from "hono";
import { asc, eq } from "drizzle-orm";
import { BucketPostureListSchema, MAX_BUCKET_POSTURES } from "@walwarden/verifier/wire";
import { requireRole } from "../auth/middleware.js";
import { dbOf } from "../db/client.js";
import { bucketPostures } from "../db/schema.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { iso } from "../lib/time.js";

/** Each bucket's posture as last logged (viewer): what protects it and what got worse (SPEC §12). */
export const bucketPostureRoutes = new Hono<AppEnv>().get("/", requireRole("viewer"), async (c) => {
  const rows = await dbOf(c.env.DB)
    .select()
    .from(bucketPostures)
    .where(eq(bucketPostures.orgId, c.get("principal").orgId))
    .orderBy(asc(bucketPostures.bucket))
    .limit(MAX_BUCKET_POSTURES);
  const items = rows.map((r) => ({
    bucket: r.bucket,
    runnerId: r.runnerId,
    posture: r.posture,
    worsening: r.worsening,
    changedAt: iso(r.changedAt),
    reportedAt: iso(r.reportedAt),
  }));
  return reply(c, BucketPostureListSchema, { items });
});
