import { Hono } from "hono";
import { and, eq, isNull } from "drizzle-orm";
import { Id } from "@walwarden/verifier";
import { CreateRunnerRequestSchema } from "@walwarden/verifier/wire";
import { requireRole } from "../auth/middleware.js";
import { dbOf } from "../db/client.js";
import { runners } from "../db/schema.js";
import { notFound } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { orgPage, PageQuery } from "../http/pagination.js";
import { jsonBody, param, query } from "../http/validate.js";
import { newSecret, sha256Hex } from "../lib/crypto.js";
import { newId } from "../lib/ids.js";
import { iso } from "../lib/time.js";

type RunnerRow = typeof runners.$inferSelect;
const view = (r: RunnerRow) => ({
  id: r.id,
  name: r.name,
  createdAt: iso(r.createdAt),
  lastSeenAt: iso(r.lastSeenAt),
  version: r.version,
  revokedAt: iso(r.revokedAt),
});

/** Runners: anyone in the org sees them (last seen, version); admins register and revoke them. */
export const runnerAdminRoutes = new Hono<AppEnv>()
  .get("/", requireRole("viewer"), async (c) => {
    const q = query(c, PageQuery);
    return c.json(await orgPage(dbOf(c.env.DB), runners, c.get("principal").orgId, q, view));
  })
  .post("/", requireRole("admin"), async (c) => {
    const body = await jsonBody(c, CreateRunnerRequestSchema);
    const now = Date.now();
    const token = newSecret("wwr");
    const row = {
      id: newId("rnr", now),
      orgId: c.get("principal").orgId,
      name: body.name,
      tokenSha256: await sha256Hex(token),
      createdAt: now,
      lastSeenAt: null,
      version: null,
      revokedAt: null,
    };
    await dbOf(c.env.DB).insert(runners).values(row);
    return c.json({ ...view(row), token }, 201);
  })
  .delete("/:id", requireRole("admin"), async (c) => {
    const id = param(c, "id", Id);
    const [row] = await dbOf(c.env.DB)
      .update(runners)
      .set({ revokedAt: Date.now() })
      .where(and(eq(runners.id, id), eq(runners.orgId, c.get("principal").orgId), isNull(runners.revokedAt)))
      .returning({ id: runners.id });
    if (!row) throw notFound("runner");
    return c.body(null, 204);
  });
