import { Hono } from "hono";
import { BootstrapRequestSchema, BootstrapResponseSchema, BootstrapStateSchema } from "@walwarden/verifier/wire";
import { startSession } from "../auth/session.js";
import { dbOf } from "../db/client.js";
import { ApiError } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { jsonBody } from "../http/validate.js";
import { createOrgWithAdmin } from "../orgs/create-org.js";

/**
 * First run. GET says whether it is still open (no admin exists anywhere: the same condition the POST's
 * guard checks), so the dashboard can offer its setup form; it needs no session and says nothing else.
 * POST creates the first org and its admin and signs them in; refused once any admin exists.
 */
export const bootstrapRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const admin = await c.env.DB.prepare("SELECT 1 AS x FROM users WHERE role = 'admin' LIMIT 1").first();
    c.header("cache-control", "no-store");
    return reply(c, BootstrapStateSchema, { open: admin === null });
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, BootstrapRequestSchema);
    const created = await createOrgWithAdmin(c.env, body, { onlyIfNoAdmin: true });
    if (!created) throw new ApiError(409, "conflict", "already bootstrapped: an admin exists; ask them to add you");
    await startSession(c, dbOf(c.env.DB), { id: created.userId, orgId: created.orgId }, Date.now());
    return reply(
      c,
      BootstrapResponseSchema,
      {
        org: { id: created.orgId, name: body.orgName },
        user: { id: created.userId, email: body.email, role: "admin" },
      },
      201,
    );
  });
