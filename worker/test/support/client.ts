import { env, SELF } from "cloudflare:test";
import { createOrgWithAdmin } from "../../src/orgs/create-org.js";

/** An API answer: status, parsed JSON (or text) body, headers. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape.
  body: any;
  headers: Headers;
}

/** How to call: a bearer token or a session cookie, a JSON body or raw bytes, extra headers. */
export interface CallOptions {
  token?: string;
  cookie?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** Sends a request to the real Worker (workerd) at `path`, as `o` says, and returns the raw response. */
export function send(method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.cookie) headers.cookie = o.cookie;
  let body = o.body;
  if (o.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(o.json);
  }
  return SELF.fetch(`https://walwarden.test${path}`, { method, headers, body });
}

/** Calls the real Worker (workerd) at `path`. */
export async function call(method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const res = await send(method, path, o);
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, headers: res.headers };
}

/** The `name=value` of a Set-Cookie header, for sending back. */
export function cookieOf(a: Answer): string {
  const set = a.headers.get("set-cookie") ?? "";
  return set.split(";")[0]!;
}

/** Everything a test needs in one org: tokens for each role, a runner and a database. */
export interface Org {
  orgId: string;
  adminToken: string;
  operatorToken: string;
  viewerToken: string;
  runnerToken: string;
  runnerId: string;
  databaseId: string;
}

let orgCount = 0;

/** Creates an org with its admin (directly, as bootstrap does), then tokens, a runner and a database through the API. */
export async function makeOrg(name = `Org ${++orgCount}`): Promise<Org> {
  const email = `admin${orgCount}.${Date.now()}@${name.toLowerCase().replace(/\W+/g, "")}.test`;
  const password = "correct horse battery staple";
  const created = await createOrgWithAdmin(env, { orgName: name, email, password }, { onlyIfNoAdmin: false });
  if (!created) throw new Error("org not created");
  const login = await call("POST", "/v1/auth/login", { json: { email, password } });
  const cookie = cookieOf(login);
  const token = async (role: string) =>
    (await call("POST", "/v1/tokens", { cookie, json: { name: `${role} token`, role } })).body.token as string;
  const adminToken = await token("admin");
  const runner = await call("POST", "/v1/runners", { token: adminToken, json: { name: "runner one" } });
  const db = await call("POST", "/v1/databases", { token: adminToken, json: { name: "main", provider: "neon" } });
  return {
    orgId: created.orgId,
    adminToken,
    operatorToken: await token("operator"),
    viewerToken: await token("viewer"),
    runnerToken: runner.body.token,
    runnerId: runner.body.id,
    databaseId: db.body.id,
  };
}
