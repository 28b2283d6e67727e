import { fromBase64, toBase64 } from "@walwarden/verifier";
import { timingSafeEqualText } from "./crypto.js";

/**
 * PBKDF2-HMAC-SHA256 at 100,000 iterations: the most the Workers runtime allows (it refuses more), and
 * the slow hash it has natively. OWASP asks 600,000 for PBKDF2-SHA256; worker/README.md ("Passwords") says why this is
 * the choice here and what else guards sign-in. Stored as `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`.
 */
export const PASSWORD_ITERATIONS = 100_000;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** Hashes a password with a fresh 16-byte salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, PASSWORD_ITERATIONS);
  return `pbkdf2-sha256$${PASSWORD_ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** Checks a password against a stored hash, in constant time. A malformed stored value never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, saltB64, hashB64] = stored.split("$");
  const iterations = Number(iter);
  const salt = saltB64 ? fromBase64(saltB64) : undefined;
  if (scheme !== "pbkdf2-sha256" || !Number.isSafeInteger(iterations) || iterations < 1 || !salt || !hashB64)
    return false;
  const hash = await derive(password, salt, iterations);
  return timingSafeEqualText(toBase64(hash), hashB64);
}

/** A stored hash of a random password: checked against when the email is unknown, so timing does not tell. */
export const DUMMY_PASSWORD_HASH =
  "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
