import { Hono } from "hono";
import { Id } from "@walwarden/verifier";
import { DatabaseRpoSchema, RpoSummarySchema, type RpoStatus } from "@walwarden/verifier/wire";
import { requireRole } from "../auth/middleware.js";
import { notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { param } from "../http/validate.js";
import { rpoReport } from "../rpo/rpo-report.js";

/** RPO at a glance: the org summary (counts by status, every database) and one database's line. */
export const rpoRoutes = new Hono<AppEnv>()
  .use(requireRole("viewer"))
  .get("/", async (c) => {
    const now = Date.now();
    const databases = await rpoReport(c.env.DB, c.get("principal").orgId, now);
    const counts: Record<RpoStatus, number> = { ok: 0, "at-risk": 0, breached: 0, "no-target": 0 };
    for (const d of databases) counts[d.status]++;
    return reply(c, RpoSummarySchema, { at: new Date(now).toISOString(), counts, databases });
  })
  .get("/:databaseId", async (c) => {
    const [line] = await rpoReport(c.env.DB, c.get("principal").orgId, Date.now(), param(c, "databaseId", Id));
    if (!line) throw notFound("database");
    return reply(c, DatabaseRpoSchema, line);
  });
