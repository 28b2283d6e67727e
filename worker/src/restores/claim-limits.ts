import type { Env } from "../env.js";
import { intVar } from "../env.js";
import { rateLimit } from "../ratelimit/client.js";

/** Claims of one known token per minute: a leaked, already used token cannot fill its org's log with refusals. */
export const CLAIMS_PER_TOKEN_PER_MINUTE = 10;

/** Whether a claim may be answered (allowed) or is over its limit (429, retry after the given seconds). */
export type ClaimLimit = { allowed: true } | { allowed: false; retryAfterSeconds: number; message: string };

/** One claim counted under `key` against `limit` a minute; over it, `what` says what was limited. */
async function countClaim(env: Env, key: string, limit: number, what: string): Promise<ClaimLimit> {
  const d = await rateLimit(env, key, limit, 60_000);
  if (d.allowed) return { allowed: true };
  const message = `too many claims ${what}; try again in ${d.retryAfterSeconds} s`;
  return { allowed: false, retryAfterSeconds: d.retryAfterSeconds, message };
}

/**
 * Counts a claim whose token matches no restore, per client address (CF-Connecting-IP): CLAIM_RATE_LIMIT_PER_MINUTE.
 * Only such claims count there, so a stranger's junk from an address (or from every client without the
 * header, in local development) never refuses an operator holding a real token.
 */
export function countUnknownToken(env: Env, client: string): Promise<ClaimLimit> {
  const limit = intVar(env.CLAIM_RATE_LIMIT_PER_MINUTE, 20);
  return countClaim(env, `claim-unknown:${client}`, limit, "with unknown tokens from your address");
}

/** Counts a claim of a known token (by its hash), whatever the address: CLAIMS_PER_TOKEN_PER_MINUTE. */
export function countKnownToken(env: Env, tokenSha256: string): Promise<ClaimLimit> {
  return countClaim(env, `claim-token:${tokenSha256}`, CLAIMS_PER_TOKEN_PER_MINUTE, "of this restore token");
}
