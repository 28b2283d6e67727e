import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiErrorSchema, ClaimRejectionSchema } from "@walwarden/verifier/wire";
import { MAX_JSON_BYTES } from "../src/http/validate.js";
import worker from "../src/index.js";
import { MAX_VERIFY_ZIP_BYTES } from "../src/routes/verify.js";
import { BUCKET, call, type World } from "./support/contract-calls.js";
import { CONTRACT, makeWorld, recordValidRequests } from "./support/contract-routes.js";
import { authOf, describeRequest, type FuzzRequest, type RouteSeed, requestsOf } from "./support/fuzz-requests.js";
import { type Change, changesBetween, describeChanges, watchWrites, writeSnapshot } from "./support/write-snapshot.js";
import { jsonSchemaOf } from "./support/zod-arbitrary.js";

// Every route of the app, fuzzed in real workerd. Each route's requests are made from the valid ones the
// contract table (support/contract-routes.ts) sends, with the principal, path parameters, query, body,
// content type and headers kept, generated from the route's wire schemas, or mutated (see
// support/fuzz-requests.ts and support/fuzz-values.ts). Whatever comes in, the Worker must never answer
// 5xx, must answer every refusal with the JSON error body, and a refusal must write nothing: the rows
// written to every D1 table (counted by triggers, support/write-snapshot.ts) and every org's Ledger head
// are compared before and after each refused request. A 2xx must have the route's success status.
//
// FUZZ_RUNS=n sets the requests per route; FUZZ_SEED=s replays a run (the seed is printed first), and a
// failure prints fast-check's own seed and path for its property.

/**
 * Requests per route (76 routes, about 1,600 in all): about a minute in workerd, so it runs in CI.
 */
const RUNS = Number(env.FUZZ_RUNS) || 20;
/** The run's seed: each route's property gets seed + its index. */
const SEED = Number(env.FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);

let requests = 0;
/** The status of the last request `holds` sent. */
let lastStatus = 0;

/**
 * The one write a refusal may make, by design: a rejected restore claim is an audit event, logged as
 * restore.claim_rejected with the refusal's code as its reason (worker/README.md, Restores). Exactly that
 * entry, in one org's Ledger, and its copy in D1's log_entries, and nothing else.
 */
function isLoggedClaimRejection(r: FuzzRequest, code: string, changes: Change[]): boolean {
  if (r.key !== "POST /v1/restores/claim" || !ClaimRejectionSchema.safeParse(code).success) return false;
  const [copy, ...otherD1] = changes.filter((c) => c.name.startsWith("d1 "));
  const [log, ...otherLogs] = changes.filter((c) => c.name.startsWith("ledger "));
  if (!copy || !log || otherD1.length > 0 || otherLogs.length > 0 || !log.before || !log.after) return false;
  if (copy.name !== "d1 log_entries inserts" || Number(copy.after) !== Number(copy.before ?? 0) + 1) return false;
  const [b, a] = [JSON.parse(log.before), JSON.parse(log.after)];
  return a.entries === b.entries + 1 && a.lastType === "restore.claim_rejected" && a.lastReason === code;
}

/** Sends `r` and holds its answer to the properties above. */
async function holds(r: FuzzRequest, w: World): Promise<void> {
  requests++;
  const before = await writeSnapshot();
  // The Worker's own fetch handler, called directly: through SELF, vitest-pool-workers 0.15 wraps its
  // entrypoint's prototype in one more Proxy per request (cloudflare/workers-sdk#15092), so a few thousand
  // requests grow each one's cost until they overflow the stack.
  const ctx = createExecutionContext();
  const req = new Request(`https://walwarden.test${r.path}`, {
    method: r.method,
    headers: { ...r.headers, ...authOf(r, w) },
    body: r.body,
  });
  const res = await worker.fetch(req, env, ctx);
  await waitOnExecutionContext(ctx);
  lastStatus = res.status;
  const type = res.headers.get("content-type") ?? "";
  // An event stream goes on until its restore ends: its status and headers are the answer.
  let text = "";
  if (type.startsWith("text/event-stream")) await res.body?.cancel();
  else text = new TextDecoder().decode(await res.arrayBuffer());
  const what = `${describeRequest(r)}\n→ ${res.status} ${type} ${text.slice(0, 400)}`;
  if (res.status >= 500) throw new Error(`answered ${res.status}: ${what}`);
  if (res.status < 400) {
    const route = CONTRACT[r.key]!;
    if (res.status !== route.status && !route.also?.includes(res.status))
      throw new Error(`answered ${res.status}, not the route's success: ${what}`);
    await keepAdminSignedIn(r, w);
    return;
  }
  if (!type.startsWith("application/json")) throw new Error(`a refusal that is not JSON: ${what}`);
  const body = ApiErrorSchema.safeParse(JSON.parse(text));
  if (!body.success) throw new Error(`a refusal that is not the error body: ${what}`);
  // The alert queue's consumer records its attempts on alert_deliveries in the background (the world's
  // channels' test notices, retried: this pool answers the Worker's outbound fetches 503), whatever request
  // is in flight; a refusal's own writes are every other change.
  const changes = changesBetween(before, await writeSnapshot()).filter(
    (c) => !c.name.startsWith("d1 alert_deliveries"),
  );
  if (changes.length > 0 && !isLoggedClaimRejection(r, body.data.error.code, changes))
    throw new Error(`a ${res.status} wrote:\n${describeChanges(changes)}\n${what}`);
}

/** Signs the world's first admin in again if a fuzzed sign-out ended their session (later requests use it). */
async function keepAdminSignedIn(r: FuzzRequest, w: World): Promise<void> {
  if (r.key !== "POST /v1/auth/logout") return;
  if ((await call("GET", "/v1/auth/me", { cookie: w.admin.cookie })).status === 200) return;
  const login = await call("POST", "/v1/auth/login", {
    json: { email: w.admin.email, password: w.admin.password },
    headers: { "cf-connecting-ip": "192.0.2.1" },
  });
  expect(login.status, "the admin signs in again").toBe(200);
  w.admin.cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
}

/** A body of `n` bytes, streamed without a Content-Length, so only the Worker's running count can stop it. */
function streamOf(n: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let left = n;
  return new ReadableStream({
    pull(c) {
      if (left <= 0) return c.close();
      const part = chunk.subarray(0, Math.min(chunk.length, left));
      left -= part.length;
      c.enqueue(part);
    },
  });
}

describe("fuzzing every route", () => {
  let w: World;
  const seeds = new Map<string, RouteSeed>();
  const started = Date.now();

  beforeAll(async () => {
    // Every exercise of the contract, once: the valid requests they send are what the fuzz starts from.
    await watchWrites();
    const valid = await recordValidRequests(async () => {
      w = await makeWorld();
      for (const c of Object.values(CONTRACT)) await c.exercise(w);
    });
    const worldIds = [w.org.databaseId, w.org.runnerId, w.org.orgId, w.backupId, w.admin.userId, BUCKET];
    for (const [key, c] of Object.entries(CONTRACT))
      seeds.set(key, {
        key,
        valid: valid.filter((v) => v.key === key),
        body: c.request?.body && jsonSchemaOf(c.request.body),
        query: c.request?.query && jsonSchemaOf(c.request.query),
        worldIds: key.startsWith("DELETE ") ? [] : worldIds,
      });
  }, 120_000);

  afterAll(() => {
    console.log(
      `fuzz: ${requests} requests over ${seeds.size} routes in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });

  it("starts every route from a valid request the contract sent", () => {
    for (const [key, s] of seeds) expect(s.valid.length, key).toBeGreaterThan(0);
  });

  for (const [i, key] of Object.keys(CONTRACT).entries())
    it(`${key}: never a 5xx, every refusal the error body, and a refusal writes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(requestsOf(seeds.get(key)!), (r) => holds(r, w)),
        { numRuns: RUNS, seed: SEED + i },
      );
    });

  it("refuses a body over the cap, with or without a Content-Length, writing nothing", async () => {
    for (const [key, s] of seeds) {
      const [method, pattern] = key.split(" ") as [string, string];
      if (!s.body && pattern !== "/v1/verify") continue;
      const cap = pattern === "/v1/verify" ? MAX_VERIFY_ZIP_BYTES : MAX_JSON_BYTES;
      for (const valid of s.valid.slice(0, 1))
        for (const body of [new Uint8Array(cap + 1).fill(0x20), streamOf(cap + 1)]) {
          const type = valid.send.headers?.["content-type"] ?? "application/json";
          const r: FuzzRequest = {
            key,
            method,
            path: valid.path,
            who: "as-sent",
            headers: { "content-type": type, "cf-connecting-ip": "198.51.100.7" },
            body: body as never,
            sent: valid.send,
          };
          await holds(r, w);
          expect(lastStatus, key).toBeGreaterThanOrEqual(400);
        }
    }
  });
});
