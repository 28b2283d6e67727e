import { Hono } from "hono";
import { and, eq, gte } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import { JobPageSchema, JobSchema, ListJobsQuerySchema, type Job } from "@walwarden/verifier/wire";
import { requireRole } from "../auth/middleware.js";
import { dbOf } from "../db/client.js";
import { jobs } from "../db/schema.js";
import { notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage } from "../http/pagination.js";
import { reply } from "../http/reply.js";
import { param, query } from "../http/validate.js";
import { iso } from "../lib/time.js";

type JobRow = typeof jobs.$inferSelect;
const view = (j: JobRow): Job => ({
  id: j.id,
  kind: j.kind,
  databaseId: j.databaseId,
  scheduleId: j.scheduleId,
  trigger: j.trigger,
  slotAt: iso(j.slotAt),
  status: j.status,
  attempt: j.attempt,
  maxAttempts: j.maxAttempts,
  runnerId: j.runnerId,
  leaseExpiresAt: iso(j.leaseExpiresAt),
  progress: j.progressPhase ? { phase: j.progressPhase, bytes: j.progressBytes ?? 0, at: iso(j.heartbeatAt) } : null,
  backupId: j.backupId,
  drillId: j.drillId,
  lastError: j.lastError,
  createdAt: iso(j.createdAt),
  startedAt: iso(j.startedAt),
  finishedAt: iso(j.finishedAt),
});

/** Jobs (backups and drills) with their attempts, lease and live progress. */
export const jobRoutes = new Hono<AppEnv>()
  .use(requireRole("viewer"))
  .get("/", async (c) => {
    const q = query(c, ListJobsQuerySchema);
    return reply(
      c,
      JobPageSchema,
      await orgPage(
        dbOf(c.env.DB),
        jobs,
        c.get("principal").orgId,
        q,
        view,
        q.databaseId ? eq(jobs.databaseId, q.databaseId) : undefined,
        q.status ? eq(jobs.status, q.status) : undefined,
        q.kind ? eq(jobs.kind, q.kind) : undefined,
        q.runnerId ? eq(jobs.runnerId, q.runnerId) : undefined,
        q.since ? gte(jobs.createdAt, Date.parse(q.since)) : undefined,
      ),
    );
  })
  .get("/:id", async (c) => {
    const row = await dbOf(c.env.DB).query.jobs.findFirst({
      where: and(eq(jobs.id, param(c, "id", Id)), eq(jobs.orgId, c.get("principal").orgId)),
    });
    if (!row) throw notFound("job");
    return reply(c, JobSchema, view(row));
  });
