import fc from "fast-check";
import type { Send, World } from "./contract-calls.js";
import type { ValidRequest } from "./contract-routes.js";
import { jsonTextOf, mutatedBytes, mutatedText, mutatedValue, nastyString } from "./fuzz-values.js";
import { arbitraryOfJson, type JsonSchema } from "./zod-arbitrary.js";

// Requests for the fuzz test, each made from a valid request the contract sent: the same route, with its
// principal, path parameters, query, body, content type and headers each kept (often, so that what is
// mutated reaches deep code) or replaced by one generated from the wire schema or by a mutation.

/** Who a request comes as: a principal of the world (resolved when sent, as sessions come and go) or raw headers. */
export type Who =
  | "as-sent"
  | "admin"
  | "operator"
  | "viewer"
  | "runner"
  | "other-org-cookie"
  | "cookie-cross-origin"
  | "token-and-cookie"
  | "none"
  | { raw: Record<string, string> };

/** One fuzzed request of a route. */
export interface FuzzRequest {
  key: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  who: Who;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The valid request this one was made from (its credentials are what "as-sent" sends). */
  sent: Send;
}

/** `r` in a line or a few: huge strings and bodies cut, so a failure report stays readable. */
export function describeRequest(r: FuzzRequest): string {
  const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);
  const body =
    r.body === undefined ? "" : typeof r.body === "string" ? cut(JSON.stringify(r.body)) : `<${r.body.length} bytes>`;
  return `${r.method} ${cut(r.path)} as ${JSON.stringify(r.who)} headers ${cut(JSON.stringify(r.headers))} body ${body}`;
}

/** What the fuzz generates a route's requests from. */
export interface RouteSeed {
  key: string;
  valid: ValidRequest[];
  body?: JsonSchema;
  query?: JsonSchema;
  /** Ids from the world to put into path parameters (not for DELETE routes, which would delete the world). */
  worldIds: string[];
}

/** `s` percent-encoded, with lone surrogates (which encodeURIComponent refuses) as the UTF-8 of one. */
function encodeLoose(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s].map((ch) => (/[\uD800-\uDFFF]/.test(ch) ? "%ED%A0%80" : encodeURIComponent(ch))).join("");
  }
}

/** Header values: printable ASCII (workerd sends anything above it as UTF-8 anyway, with a warning). */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constantFrom("a".repeat(8_000), "%zz", "%00", "\\u0000"),
);

const secret = (prefix: string) => fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((s) => `${prefix}${s}`);

/** Bearer tokens and cookies that are missing, malformed, unknown or almost right. */
const garbageAuth: fc.Arbitrary<Who> = fc.oneof(
  fc
    .oneof(secret("wwt_"), secret("wwr_"), secret("wwp_"), secret("wwo_"), fc.stringMatching(/^[A-Za-z0-9_-]{8,256}$/))
    .map((t) => ({ raw: { authorization: `Bearer ${t}` } })),
  fc
    .constantFrom(
      "Bearer",
      "Bearer ",
      "Bearer  wwt_x",
      "Basic dXNlcjpwYXNzd29yZA==",
      "bearer wwt_abcdefgh",
      "Bearer a b",
    )
    .map((authorization) => ({ raw: { authorization } })),
  headerValue.map((authorization) => ({ raw: { authorization } })),
  fc
    .oneof(secret("wws_"), headerValue, fc.constantFrom("%zz", "%E0%A4%A", '"quoted"', "", "a=b=c"))
    .map((s) => ({ raw: { cookie: `ww_session=${s}` } })),
  fc
    .constantFrom(";;;", "=", "ww_session", "ww_session=a; ww_session=b", "other=1")
    .map((cookie) => ({ raw: { cookie } })),
);

const who: fc.Arbitrary<Who> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Who>("as-sent") },
  {
    weight: 6,
    arbitrary: fc.constantFrom<Who>(
      "admin",
      "operator",
      "viewer",
      "runner",
      "other-org-cookie",
      "cookie-cross-origin",
      "token-and-cookie",
      "none",
    ),
  },
  { weight: 3, arbitrary: garbageAuth },
);

/** The `:name` values of `path` as an instance of the route pattern. */
function paramsOf(pattern: string, path: string): Map<string, string> {
  const names = [...pattern.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const re = new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, "([^/?]+)")}(?:\\?.*)?$`);
  const m = re.exec(path);
  return new Map(names.map((n, i) => [n, m?.[i + 1] ?? ""]));
}

function paramValue(valid: string, worldIds: string[]): fc.Arbitrary<string> {
  const bad = fc.constantFrom(
    "",
    "zzz_does_not_exist",
    "%00",
    "%zz",
    "%",
    "%ED%A0%80",
    "%C0%80",
    "%2F",
    "..",
    "%2e%2e",
    "a".repeat(5_000),
    "%F0%9F%98%80",
    "%20",
    "-1",
    "1e3",
    "0x10",
    "9007199254740993",
    "NaN",
    "Infinity",
    "1.5",
    "00",
    `${valid}%00`,
    `${valid}%20`,
    valid.toUpperCase(),
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(valid) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/) },
    { weight: 4, arbitrary: bad },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 20 }), nastyString).map(encodeLoose) },
    ...(worldIds.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...worldIds) }] : []),
  );
}

/** The route's path with each parameter kept or replaced. */
function pathOf(seed: RouteSeed, valid: ValidRequest): fc.Arbitrary<string> {
  const pattern = seed.key.split(" ")[1]!;
  const params = paramsOf(pattern, valid.path);
  if (params.size === 0) return fc.constant(pattern);
  return fc.tuple(...[...params].map(([, v]) => paramValue(v, seed.worldIds))).map((values) => {
    let i = 0;
    return pattern.replace(/:[A-Za-z]+/g, () => values[i++]!);
  });
}

const rawQuery = fc.constantFrom(
  "%",
  "%zz",
  "a=%E0%A4",
  "&&&",
  "=x",
  "limit[]=1",
  "limit=1&limit=2",
  "cursor=",
  "limit=",
  "limit=1e2",
  "limit=0x10",
  "limit=%201",
  "limit=-0",
  "limit=9007199254740993",
  "__proto__=1",
  "constructor=x",
  "toString=1",
  "seq=1&seq=2",
  "after=-1",
  "type=",
  "databaseId=%00",
);

/** The query string (without "?"), kept, generated from the schema, mutated or raw garbage. */
function queryOf(seed: RouteSeed, valid: ValidRequest): fc.Arbitrary<string> {
  const sent = valid.path.includes("?") ? valid.path.slice(valid.path.indexOf("?") + 1) : "";
  const entries = [...new URLSearchParams(sent)];
  const keys = [...new Set([...entries.map(([k]) => k), ...Object.keys(seed.query?.properties ?? {}), "x"])];
  const pair = fc
    .tuple(fc.constantFrom(...keys), fc.oneof(fc.string({ maxLength: 20 }), nastyString, fc.integer().map(String)))
    .map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`);
  const options: fc.Arbitrary<string>[] = [
    fc.constant(sent),
    fc.array(pair, { minLength: 1, maxLength: 3 }).map((ps) => [sent, ...ps].filter(Boolean).join("&")),
    rawQuery.map((q) => [sent, q].filter(Boolean).join("&")),
  ];
  if (seed.query)
    options.push(
      arbitraryOfJson(seed.query).map((q) =>
        Object.entries(q as Record<string, unknown>)
          .map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(String(v))}`)
          .join("&"),
      ),
    );
  // Routes without a query mostly get none: the query is not what they are about.
  return seed.query ? fc.oneof(...options) : fc.oneof({ weight: 6, arbitrary: fc.constant(sent) }, ...options);
}

const JSON_TYPE = "application/json";
const contentType = fc.oneof(
  { weight: 10, arbitrary: fc.constant<string | undefined>(JSON_TYPE) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/json;charset=utf-16",
      "application/json-patch+json",
      "application/jsonx",
      "text/plain",
      "",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "application/zip",
      "application/octet-stream",
      undefined,
    ),
  },
);

/** A request body and its content type. */
type FuzzBody = { type?: string; body?: string | Uint8Array };

/** A body and its content type, made from what the valid request sent. */
function bodyOf(seed: RouteSeed, send: Send): fc.Arbitrary<FuzzBody> {
  const sentBytes = send.body instanceof Uint8Array ? send.body : undefined;
  if (sentBytes) {
    const type = send.headers?.["content-type"];
    return fc.record({
      type: fc.oneof({ weight: 4, arbitrary: fc.constant(type) }, contentType),
      body: fc.oneof(
        { weight: 1, arbitrary: fc.constant(sentBytes) },
        { weight: 5, arbitrary: mutatedBytes(sentBytes) },
      ),
    });
  }
  const values: fc.Arbitrary<unknown>[] = [];
  if (send.json !== undefined)
    values.push(fc.constant(send.json), mutatedValue(send.json, seed.body), mutatedValue(send.json, seed.body));
  if (seed.body) values.push(arbitraryOfJson(seed.body));
  if (values.length === 0)
    // No body in the contract: mostly none, sometimes one it must ignore or refuse.
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant<FuzzBody>({}) },
      fc.record({
        type: contentType,
        body: fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          nastyString,
        ),
      }),
    );
  const text = fc.oneof(...values).chain(jsonTextOf);
  const body = fc.oneof<fc.MaybeWeightedArbitrary<string | Uint8Array>[]>(
    { weight: 6, arbitrary: text },
    { weight: 2, arbitrary: text.chain(mutatedText) },
    { weight: 1, arbitrary: text.map((t) => new TextEncoder().encode(t)).chain(mutatedBytes) },
  );
  return fc.record({ type: contentType, body });
}

/** The client addresses requests come from. */
const CLIENTS = [...Array(12).keys()].map((i) => `203.0.113.${i + 10}`).concat("2001:db8::1", "::1");

/** Headers beside auth and content type: client address, origin, accept, Last-Event-ID, an unknown one. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      // A few addresses, so the per-address limits (sign-in, claims, verify) still let most requests through,
      // and few rate-limiter objects are made (each new Durable Object costs every later one a little, #15092).
      "cf-connecting-ip": fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...CLIENTS) }, headerValue),
      origin: fc.constantFrom("https://walwarden.test", "https://evil.test", "null"),
      accept: fc.constantFrom("application/json", "text/event-stream", "*/*", "application/zip", "x/y"),
      "last-event-id": fc.oneof(fc.nat().map(String), headerValue),
      "x-forwarded-for": headerValue,
    },
    { requiredKeys: [] },
  )
  .chain((h) =>
    fc
      .option(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue), { freq: 4 })
      .map((extra) => (extra ? { ...h, [extra[0]]: extra[1] } : h)),
  );

/** Fuzzed requests of one route. */
export function requestsOf(seed: RouteSeed): fc.Arbitrary<FuzzRequest> {
  const method = seed.key.split(" ")[0]!;
  return fc.constantFrom(...seed.valid).chain((valid) =>
    fc
      .record({
        path: pathOf(seed, valid),
        query: queryOf(seed, valid),
        who,
        headers: extraHeaders,
        // GET and HEAD requests cannot carry a body (fetch refuses to send one).
        body: method === "GET" ? fc.constant<FuzzBody>({}) : bodyOf(seed, valid.send),
      })
      .map(({ path, query, who, headers, body }): FuzzRequest => {
        const all = { ...headers };
        if (body.type !== undefined) all["content-type"] = body.type;
        const r: FuzzRequest = {
          key: seed.key,
          method,
          path: query ? `${path}?${query}` : path,
          who,
          headers: all,
          body: body.body,
          sent: valid.send,
        };
        return Object.assign(r, { [fc.toStringMethod]: () => describeRequest(r) });
      }),
  );
}

/** The headers that say who `r` comes as, in the world as it is now. */
export function authOf(r: FuzzRequest, w: World): Record<string, string> {
  const sent = r.sent;
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  switch (r.who) {
    case "as-sent":
      return { ...(sent.token ? bearer(sent.token) : {}), ...(sent.cookie ? { cookie: sent.cookie } : {}) };
    case "admin":
      return bearer(w.org.adminToken);
    case "operator":
      return bearer(w.org.operatorToken);
    case "viewer":
      return bearer(w.org.viewerToken);
    case "runner":
      return bearer(w.org.runnerToken);
    case "other-org-cookie":
      return { cookie: w.admin.cookie };
    case "cookie-cross-origin":
      return { cookie: w.admin.cookie, origin: "https://evil.test" };
    case "token-and-cookie":
      return { ...bearer(w.org.viewerToken), cookie: w.admin.cookie };
    case "none":
      return {};
    default:
      return r.who.raw;
  }
}
