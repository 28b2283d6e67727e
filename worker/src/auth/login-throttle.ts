import type { Env } from "../env.js";
import type { BackoffPolicy } from "../ratelimit/backoff.js";
import type { BackoffDecision } from "../ratelimit/rate-limiter.js";

// Sign-in throttling as OWASP ASVS (V2.2.1, and its guidance against lockouts a stranger can trigger) asks:
// failures slow the one who makes them, and nobody else. Two keys, both with exponential backoff:
// - one client and one account: a few free tries, then waits that double; a success starts it over. A
//   stranger guessing an admin's password from their address never blocks the admin at another address.
// - one client, every account: a cap on guessing across many emails from one address.
// There is deliberately no key by account alone: it would let anyone lock any account out.

/** One client and one account: 5 free failures, then 5 s, 10 s, 20 s … at most 15 min; forgotten after 1 h quiet. */
export const ACCOUNT_POLICY: BackoffPolicy = { free: 5, baseMs: 5_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };
/** One client, any account: 20 free failures, then 30 s, 60 s … at most 15 min; forgotten after 1 h quiet. */
export const CLIENT_POLICY: BackoffPolicy = { free: 20, baseMs: 30_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };

/** The rate-limiter key of one client and one account. */
export const accountKey = (client: string, email: string) => `login:account:${client}:${email}`;
/** The rate-limiter key of one client. */
export const clientKey = (client: string) => `login:client:${client}`;

const limiter = (env: Env, key: string) => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));

/**
 * Counts a sign-in attempt under both keys before the password is checked (so attempts sent together
 * cannot all pass), or refuses it while either key is blocked (then nothing is counted).
 */
export async function beginLogin(env: Env, client: string, email: string, now: number): Promise<BackoffDecision> {
  const byClient = await limiter(env, clientKey(client)).attempt(CLIENT_POLICY, now);
  if (!byClient.allowed) return byClient;
  const byAccount = await limiter(env, accountKey(client, email)).attempt(ACCOUNT_POLICY, now);
  if (!byAccount.allowed) await limiter(env, clientKey(client)).refund();
  return byAccount;
}

/** A sign-in succeeded: its client and account start over, and the client's count takes this attempt back. */
export async function loginSucceeded(env: Env, client: string, email: string): Promise<void> {
  await limiter(env, accountKey(client, email)).reset();
  await limiter(env, clientKey(client)).refund();
}
