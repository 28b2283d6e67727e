import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { sessions } from "../db/schema.js";
import { newSecret, sha256Hex } from "../lib/crypto.js";

/** The dashboard session cookie. */
export const SESSION_COOKIE = "ww_session";
/** How long a session lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Starts a session for a user: stores the SHA-256 of a fresh secret and sets it as an HttpOnly cookie. */
export async function startSession(
  c: Context,
  db: Db,
  user: { id: string; orgId: string },
  now: number,
): Promise<void> {
  const secret = newSecret("wws");
  await db.insert(sessions).values({
    tokenSha256: await sha256Hex(secret),
    userId: user.id,
    orgId: user.orgId,
    expiresAt: now + SESSION_TTL_MS,
    createdAt: now,
  });
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
}

/** Ends the caller's session (if any) and clears the cookie. */
export async function endSession(c: Context, db: Db): Promise<void> {
  const secret = getCookie(c, SESSION_COOKIE);
  if (secret) await db.delete(sessions).where(eq(sessions.tokenSha256, await sha256Hex(secret)));
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
}
