import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { and, eq, gt, isNull } from "drizzle-orm";
import { dbOf, type Db } from "../db/client.js";
import { apiTokens, runners, sessions, users } from "../db/schema.js";
import { ApiError } from "../http/errors.js";
import type { AppEnv } from "../http/app-env.js";
import { sha256Hex, timingSafeEqualText } from "../lib/crypto.js";
import { hasRole, type Principal, type Role } from "./principal.js";
import { SESSION_COOKIE } from "./session.js";

function bearer(c: Context): string | undefined {
  const h = c.req.header("authorization");
  const m = h ? /^Bearer ([A-Za-z0-9_-]{8,256})$/.exec(h) : null;
  return m?.[1];
}

async function principalFromToken(db: Db, token: string): Promise<Principal | undefined> {
  const hash = await sha256Hex(token);
  const row = await db.query.apiTokens.findFirst({
    where: and(eq(apiTokens.tokenSha256, hash), isNull(apiTokens.revokedAt)),
  });
  if (!row || !timingSafeEqualText(row.tokenSha256, hash)) return undefined;
  return { kind: "token", id: row.id, orgId: row.orgId, role: row.role };
}

async function principalFromSession(db: Db, secret: string, now: number): Promise<Principal | undefined> {
  const hash = await sha256Hex(secret);
  const [row] = await db
    .select({
      tokenSha256: sessions.tokenSha256,
      id: users.id,
      orgId: users.orgId,
      role: users.role,
      email: users.email,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenSha256, hash), gt(sessions.expiresAt, now)));
  if (!row || !timingSafeEqualText(row.tokenSha256, hash)) return undefined;
  return { kind: "user", id: row.id, orgId: row.orgId, role: row.role, email: row.email };
}

/** A request that may change something (not GET or HEAD) whose Origin names another origin than this one. */
function isCrossOriginChange(c: Context): boolean {
  if (["GET", "HEAD"].includes(c.req.method)) return false;
  const origin = c.req.header("origin");
  return origin !== undefined && origin !== new URL(c.req.url).origin;
}

const crossOriginRefused = () => new ApiError(403, "forbidden", "cross-origin request refused");

/**
 * Refuses a change that carries the session cookie from another origin, as requireRole does for the
 * routes it guards. For sign-out, which has no requireRole (it must also clear an expired session's
 * cookie) and so escaped the check: another site could sign a user out (a logout CSRF).
 */
export function requireSameOriginForCookie(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (getCookie(c, SESSION_COOKIE) !== undefined && isCrossOriginChange(c)) throw crossOriginRefused();
    await next();
  };
}

/**
 * Refuses a change sent from another origin whatever it carries: for sign-in, which sets the session
 * cookie, so another site cannot sign a visitor in to an account of the site's choosing (login CSRF). The
 * JSON content type already forces a CORS preflight the Worker never grants; this does not rely on it.
 */
export function requireSameOrigin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (isCrossOriginChange(c)) throw crossOriginRefused();
    await next();
  };
}

/**
 * Requires a signed-in user (session cookie) or an org API token (Bearer) with at least `role`. A cookie
 * request that changes something must come from this origin (SameSite=Lax is the first guard, this the second).
 */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const now = Date.now();
    const token = bearer(c);
    let principal: Principal | undefined;
    const db = dbOf(c.env.DB);
    if (token) principal = await principalFromToken(db, token);
    else {
      const secret = getCookie(c, SESSION_COOKIE);
      if (secret) principal = await principalFromSession(db, secret, now);
      if (principal && isCrossOriginChange(c)) throw crossOriginRefused();
    }
    if (!principal)
      throw new ApiError(401, "unauthenticated", "sign in, or send an API token as Authorization: Bearer <token>");
    if (!hasRole(principal.role, role))
      throw new ApiError(403, "forbidden", `this needs the ${role} role; you are ${principal.role}`);
    c.set("principal", principal);
    await next();
    // A token's last use is a request it got done: a refused one (bad input, unknown id, a conflict) writes
    // nothing, so it does not move last use either. Errors are rendered by now, so the status is final.
    if (principal.kind === "token" && c.res.status < 400)
      await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, principal.id));
  };
}

/** Requires a runner token (Bearer) that is not revoked; records when the runner was last seen. */
export function requireRunner(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearer(c);
    if (!token) throw new ApiError(401, "unauthenticated", "send the runner token as Authorization: Bearer <token>");
    const hash = await sha256Hex(token);
    const row = await dbOf(c.env.DB).query.runners.findFirst({
      where: and(eq(runners.tokenSha256, hash), isNull(runners.revokedAt)),
    });
    if (!row || !timingSafeEqualText(row.tokenSha256, hash))
      throw new ApiError(401, "unauthenticated", "unknown or revoked runner token");
    c.set("runner", { id: row.id, orgId: row.orgId });
    await next();
  };
}
