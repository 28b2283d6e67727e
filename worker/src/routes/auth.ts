import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { LoginRequestSchema, LoginResponseSchema, MeSchema } from "@walwarden/verifier/wire";
import { beginLogin, loginSucceeded } from "../auth/login-throttle.js";
import { requireRole, requireSameOrigin, requireSameOriginForCookie } from "../auth/middleware.js";
import { endSession, startSession } from "../auth/session.js";
import { dbOf } from "../db/client.js";
import { orgs, users } from "../db/schema.js";
import { ApiError } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { reply } from "../http/reply.js";
import { jsonBody } from "../http/validate.js";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../lib/password.js";
import { clientAddress } from "../ratelimit/client.js";

/** Sign in (session cookie), sign out, and who am I. */
export const authRoutes = new Hono<AppEnv>()
  .post("/login", requireSameOrigin(), async (c) => {
    const body = await jsonBody(c, LoginRequestSchema);
    const client = clientAddress(c);
    const now = Date.now();
    const gate = await beginLogin(c.env, client, body.email, now);
    if (!gate.allowed) {
      c.header("retry-after", String(gate.retryAfterSeconds));
      throw new ApiError(
        429,
        "rate-limited",
        `too many failed sign-ins from your address; try again in ${gate.retryAfterSeconds} s`,
      );
    }
    const db = dbOf(c.env.DB);
    const user = await db.query.users.findFirst({ where: eq(users.email, body.email) });
    // Hash even for an unknown email, so the answer's timing does not say which emails exist.
    const good = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !good) throw new ApiError(401, "unauthenticated", "wrong email or password");
    await loginSucceeded(c.env, client, body.email);
    await startSession(c, db, user, now);
    return reply(c, LoginResponseSchema, {
      user: { id: user.id, email: user.email, role: user.role, orgId: user.orgId },
    });
  })
  .post("/logout", requireSameOriginForCookie(), async (c) => {
    await endSession(c, dbOf(c.env.DB));
    return c.body(null, 204);
  })
  .get("/me", requireRole("viewer"), async (c) => {
    const p = c.get("principal");
    const org = await dbOf(c.env.DB).query.orgs.findFirst({ where: eq(orgs.id, p.orgId) });
    return reply(c, MeSchema, { principal: p, org: org ? { id: org.id, name: org.name } : null });
  });
