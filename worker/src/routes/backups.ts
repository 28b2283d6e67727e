import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import {
  BackupDetailSchema,
  BackupPageSchema,
  ListBackupsQuerySchema,
  type Backup,
  type DsseEnvelope,
} from "@walwarden/verifier/wire";
import { requireRole } from "../auth/middleware.js";
import { dbOf } from "../db/client.js";
import { backups } from "../db/schema.js";
import { notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { param, query } from "../http/validate.js";
import { currentProof } from "../jobs/complete.js";
import { iso } from "../lib/time.js";

type BackupRow = typeof backups.$inferSelect;
const view = (b: BackupRow): Backup => ({
  id: b.id,
  databaseId: b.databaseId,
  jobId: b.jobId,
  runnerId: b.runnerId,
  artifactUri: b.artifactUri,
  sha256: b.sha256,
  sizeBytes: b.sizeBytes,
  manifestSha256: b.manifestSha256,
  logSeq: b.logSeq,
  startedAt: iso(b.startedAt),
  completedAt: iso(b.completedAt),
  durationMs: b.durationMs,
  expiredAt: iso(b.expiredAt),
});

/** Completed backups; one backup's detail carries its signed manifest and a fresh inclusion proof. */
export const backupRoutes = new Hono<AppEnv>()
  .use(requireRole("viewer"))
  .get("/", async (c) => {
    const q = query(c, ListBackupsQuerySchema);
    return reply(
      c,
      BackupPageSchema,
      await orgPage(
        dbOf(c.env.DB),
        backups,
        c.get("principal").orgId,
        q,
        view,
        q.databaseId ? eq(backups.databaseId, q.databaseId) : undefined,
      ),
    );
  })
  .get("/:id", async (c) => {
    const orgId = c.get("principal").orgId;
    const row = await dbOf(c.env.DB).query.backups.findFirst({
      where: and(eq(backups.id, param(c, "id", Id)), eq(backups.orgId, orgId)),
    });
    if (!row) throw notFound("backup");
    const { proof, checkpoint } = await currentProof(c.env, orgId, row.logSeq);
    return reply(c, BackupDetailSchema, {
      ...view(row),
      envelope: JSON.parse(row.envelope) as DsseEnvelope,
      proof,
      checkpoint,
    });
  });
