import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ACCOUNT_POLICY, accountKey, CLIENT_POLICY, clientKey } from "../src/auth/login-throttle.js";
import { createOrgWithAdmin } from "../src/orgs/create-org.js";
import { call } from "./support/client.js";

// Sign-in throttling in real workerd (the RateLimiter Durable Object behind the real route). It must slow
// whoever fails, by client address and account together and by client address alone, and never let a
// stranger lock the real user out from somewhere else. Time passing is simulated by moving the stored
// failure times back (runInDurableObject): the only thing here that is not the real path.

const PASSWORD = "correct horse battery staple";
let accounts = 0;

async function account(): Promise<string> {
  const email = `admin${++accounts}@throttle.test`;
  const created = await createOrgWithAdmin(
    env,
    { orgName: `Throttle ${accounts}`, email, password: PASSWORD },
    { onlyIfNoAdmin: false },
  );
  if (!created) throw new Error("org not created");
  return email;
}

const login = (from: string, email: string, password: string, headers: Record<string, string> = {}) =>
  call("POST", "/v1/auth/login", { json: { email, password }, headers: { "cf-connecting-ip": from, ...headers } });

/** Moves the failures stored under a key `ms` into the past, as if that much time had passed. */
async function age(key: string, ms: number): Promise<void> {
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec("UPDATE backoff SET last_at = last_at - ?", ms);
  });
}

describe("sign-in throttling by client and account", () => {
  it("a stranger's wrong passwords slow the stranger, and never lock the real user out from another address", async () => {
    const email = await account();
    const stranger = "203.0.113.66";
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(stranger, email, `guess ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429, 429, 429]);
    const refused = await login(stranger, email, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^[1-5]$/);
    expect(refused.body.error.message).toMatch(/too many failed sign-ins from your address; try again in \d s/);

    const owner = await login("198.51.100.7", email, PASSWORD);
    expect(owner.status).toBe(200);
    // Even a hundred more wrong tries from the stranger change nothing for the owner.
    for (let i = 0; i < 100; i++) await login(stranger, email, `more ${i}`);
    expect((await login("198.51.100.7", email, PASSWORD)).status).toBe(200);
  });

  it("backs off exponentially after the free failures: each wait twice the last, at most 15 minutes", async () => {
    const email = await account();
    const from = "203.0.113.10";
    for (let i = 0; i < ACCOUNT_POLICY.free; i++) expect((await login(from, email, `guess ${i}`)).status).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 10; round++) {
      expect((await login(from, email, `guess again ${round}`)).status).toBe(401);
      const blocked = await login(from, email, PASSWORD);
      expect(blocked.status).toBe(429);
      waits.push(Number(blocked.headers.get("retry-after")));
      // Wait out the block (and nothing more): the next attempt is tried, and fails again.
      await age(accountKey(from, email), waits.at(-1)! * 1000);
    }
    // Retry-After counts from the failure's start, before the password was hashed: a second or two less on a busy machine.
    const expected = [5, 10, 20, 40, 80, 160, 320, 640, 900, 900];
    for (const [i, wait] of waits.entries()) expect(expected[i]! - wait).toBeGreaterThanOrEqual(0);
    for (const [i, wait] of waits.entries()) expect(expected[i]! - wait).toBeLessThanOrEqual(2);
  });

  it("a success starts the client and account over; a key quiet for an hour is forgotten (and its storage deleted)", async () => {
    const email = await account();
    const from = "203.0.113.11";
    for (let i = 0; i < 6; i++) await login(from, email, `guess ${i}`);
    expect((await login(from, email, PASSWORD)).status).toBe(429);
    await age(accountKey(from, email), 5_000);
    expect((await login(from, email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < ACCOUNT_POLICY.free; i++) expect((await login(from, email, `typo ${i}`)).status).toBe(401);

    await age(accountKey(from, email), ACCOUNT_POLICY.forgetMs);
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(accountKey(from, email)));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, (_i, state) => {
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'backoff'").toArray()).toEqual([]);
    });
    for (let i = 0; i < ACCOUNT_POLICY.free; i++) expect((await login(from, email, `fresh ${i}`)).status).toBe(401);
  });

  it("attempts sent together are counted before any is checked: at most the free ones and one more get through", async () => {
    const email = await account();
    const from = "203.0.113.12";
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => login(from, email, `burst ${i}`)));
    const tried = statuses.filter((s) => s.status === 401).length;
    expect(tried).toBeLessThanOrEqual(ACCOUNT_POLICY.free + 1);
    expect(statuses.filter((s) => s.status === 429)).toHaveLength(30 - tried);
  });
});

describe("sign-in throttling by client alone", () => {
  it("one client trying many emails is stopped after the free failures (60 emails: 21 tried, 39 refused)", async () => {
    const from = "203.0.113.77";
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await login(from, `nobody${i}@throttle.test`, "guess")).status);
    expect(statuses.slice(0, CLIENT_POLICY.free).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(CLIENT_POLICY.free + 1).every((s) => s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429)).toHaveLength(39);
    // The refused address cannot sign in to a real account either, while other addresses can.
    const email = await account();
    expect((await login(from, email, PASSWORD)).status).toBe(429);
    expect((await login("198.51.100.8", email, PASSWORD)).status).toBe(200);
    // Its wait doubles as it keeps failing: 30 s, then 60 s.
    await age(clientKey(from), 30_000);
    expect((await login(from, "another@throttle.test", "guess")).status).toBe(401);
    const wait = Number((await login(from, email, PASSWORD)).headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(58);
    expect(wait).toBeLessThanOrEqual(60);
  });

  it("keys by the platform's client address only: an X-Forwarded-For the client makes up changes nothing", async () => {
    const from = "203.0.113.78";
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++)
      statuses.push(
        (await login(from, `spoof${i}@throttle.test`, "guess", { "x-forwarded-for": `10.0.${i}.1` })).status,
      );
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - CLIENT_POLICY.free - 1);
  });

  it("a success does not wipe the client's count (an attacker signing in to their own account gains nothing)", async () => {
    const own = await account();
    const from = "203.0.113.79";
    for (let i = 0; i < CLIENT_POLICY.free; i++) await login(from, `victim${i}@throttle.test`, "guess");
    expect((await login(from, own, PASSWORD)).status).toBe(200);
    expect((await login(from, "victim-next@throttle.test", "guess")).status).toBe(401);
    expect((await login(from, "victim-last@throttle.test", "guess")).status).toBe(429);
  });
});
