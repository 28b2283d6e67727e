// Setting up an org through the API: its first admin, databases, runners.
import type { BootstrapRequestSchema, ProviderSchema } from "@walwarden/verifier/wire";
import type { z } from "zod";
import { ApiCallError, apiCall, baseOf, type Dev } from "./api-call.js";

/** Where a database is hosted: a hint, never a credential (the wire's ProviderSchema). */
export type Provider = z.infer<typeof ProviderSchema>;

/** What bootstrapOrg returns: the admin's session `cookie` (a Cookie header value), the org, the user and the password used. */
export interface BootstrappedOrg {
  cookie: string;
  org: { id: string; name: string };
  user: { id: string; email: string; role: "admin" };
  password: string;
}

/** A database record (POST /v1/databases). */
export interface DatabaseRecord {
  id: string;
  name: string;
  provider: Provider;
  createdAt: string;
  updatedAt: string;
}

/** First run: POST /v1/bootstrap creates the org and its admin. */
export async function bootstrapOrg(
  dev: Dev,
  {
    orgName = "Test org",
    email = "admin@example.com",
    password = "correct horse battery staple",
  }: Partial<z.input<typeof BootstrapRequestSchema>> = {},
): Promise<BootstrappedOrg> {
  const res = await fetch(`${baseOf(dev)}/v1/bootstrap`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ orgName, email, password }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiCallError("POST", "/v1/bootstrap", res.status, text);
  // The cookie is Secure (the Worker runs on https in production); we are its client, so we carry it over http.
  const session = res.headers.getSetCookie().find((c) => c.startsWith("ww_session="));
  if (!session)
    throw new ApiCallError("POST", "/v1/bootstrap", res.status, `no ww_session cookie in the answer; body: ${text}`);
  const { org, user } = JSON.parse(text) as Pick<BootstrappedOrg, "org" | "user">;
  return { cookie: session.split(";")[0]!, org, user, password };
}

/** POST /v1/databases (admin): a database to back up. */
export function createDatabase(
  dev: Dev,
  cookie: string,
  name: string,
  provider: Provider = "self-hosted",
): Promise<DatabaseRecord> {
  return apiCall(dev, "POST", "/v1/databases", { cookie, body: { name, provider } });
}

/** POST /v1/runners (admin): registers a runner; returns its `id` and its `token` (wwr_…, shown once). */
export function createRunnerToken(
  dev: Dev,
  cookie: string,
  name: string,
): Promise<{ id: string; name: string; token: string; createdAt: string }> {
  return apiCall(dev, "POST", "/v1/runners", { cookie, body: { name } });
}

/** POST /v1/tokens (admin): an org API token with `role`; returns its `id` and its `token` (shown once). */
export function createApiToken(
  dev: Dev,
  cookie: string,
  name: string,
  role: "viewer" | "operator" | "admin" = "viewer",
): Promise<{ id: string; token: string }> {
  return apiCall(dev, "POST", "/v1/tokens", { cookie, body: { name, role } });
}
