import { err, fromBase64, ok, toBase64, type Result } from "@walwarden/verifier";
import { Webhook } from "standardwebhooks";
import { timingSafeEqualText } from "../../lib/crypto.js";

// Signing per the Standard Webhooks specification (https://www.standardwebhooks.com/): the library computes the
// HMAC-SHA256 over "<id>.<timestamp>.<body>"; this file owns the secret's format, the clock and the outcomes as
// values (the library throws and reads Date.now(), which is frozen within a Worker request).

/** How old or new a timestamp may be, as the specification recommends. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

const PREFIX = "whsec_";

/** Why a secret or a delivery did not verify. */
export type WebhookVerifyErrorCode =
  | "bad-secret"
  | "missing-header"
  | "bad-timestamp"
  | "too-old"
  | "too-new"
  | "bad-signature";

/** A new signing secret: `whsec_` + base64 of 32 random bytes. Shown to the admin, stored sealed. */
export function newWebhookSecret(): string {
  return PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** The key bytes of a `whsec_` secret (canonical base64 of 24–64 bytes). */
export function webhookSecretKey(secret: string): Result<Uint8Array, "bad-secret"> {
  if (!secret.startsWith(PREFIX)) return err("bad-secret", "a webhook secret starts with whsec_");
  const key = fromBase64(secret.slice(PREFIX.length));
  if (!key) return err("bad-secret", "a webhook secret is whsec_ and standard base64");
  if (key.length < 24 || key.length > 64) return err("bad-secret", "a webhook secret holds 24 to 64 bytes");
  return ok(key);
}

/** The signature header's value, `v1,<base64>`, with a key already checked. */
function signature(key: Uint8Array, id: string, timestampSeconds: number, body: string): string {
  return new Webhook(key, { format: "raw" }).sign(id, new Date(timestampSeconds * 1000), body);
}

/**
 * The three Standard Webhooks headers for one delivery. The secret must pass `webhookSecretKey` (the channel's
 * secret is made by `newWebhookSecret`); a malformed one throws, as a programming error.
 */
export async function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<Record<string, string>> {
  const key = webhookSecretKey(secret);
  if (!key.ok) throw new Error(key.message);
  const ts = Math.floor(timestampSeconds);
  return { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signature(key.value, id, ts, body) };
}

/** One header from a Headers object or a plain record (any case). */
function header(headers: Headers | Record<string, string>, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * Verifies a delivery as a receiver does: the body exactly as received, the timestamp within 5 minutes of
 * `nowSeconds`, and any one of the space-separated `v1,` signatures matching.
 */
export async function verifyWebhook(
  secret: string,
  headers: Headers | Record<string, string>,
  body: string,
  nowSeconds: number,
): Promise<Result<void, WebhookVerifyErrorCode>> {
  const key = webhookSecretKey(secret);
  if (!key.ok) return key;
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    return err("missing-header", "webhook-id, webhook-timestamp and webhook-signature are required");
  }
  if (!/^\d{1,12}$/.test(timestamp)) return err("bad-timestamp", "webhook-timestamp is not unix seconds");
  const ts = Number(timestamp);
  if (nowSeconds - ts > WEBHOOK_TOLERANCE_SECONDS) return err("too-old", "webhook-timestamp is too old");
  if (ts - nowSeconds > WEBHOOK_TOLERANCE_SECONDS) return err("too-new", "webhook-timestamp is in the future");
  const expected = signature(key.value, id, ts, body);
  // Compare every candidate, so the time taken does not say which one (or whether any) matched.
  let matched = false;
  for (const candidate of signatures.split(" ")) matched = timingSafeEqualText(candidate, expected) || matched;
  return matched ? ok(undefined) : err("bad-signature", "no webhook-signature matches the body");
}
