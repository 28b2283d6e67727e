import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, cookieOf } from "./support/client.js";

const admin = { orgName: "Acme Corp", email: "Ada@Acme.test", password: "correct horse battery staple" };
const count = async (table: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

describe("bootstrap, sessions, users and tokens", () => {
  let cookie = "";

  it("refuses a bootstrap with bad input, saying which field, and writes nothing", async () => {
    const bad = await call("POST", "/v1/bootstrap", { json: { ...admin, password: "short" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/password.*12 characters/);
    const notJson = await call("POST", "/v1/bootstrap", {
      body: "orgName=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(notJson.status).toBe(415);
    const extra = await call("POST", "/v1/bootstrap", { json: { ...admin, role: "admin" } });
    expect(extra.status).toBe(400);
    expect(await count("orgs")).toBe(0);
    expect(await count("users")).toBe(0);
  });

  it("says first run is open while no admin exists, to anyone, uncached and with nothing else", async () => {
    const state = await call("GET", "/v1/bootstrap");
    expect(state.status).toBe(200);
    expect(state.body).toEqual({ open: true });
    expect(state.headers.get("cache-control")).toBe("no-store");
    expect(state.headers.get("set-cookie")).toBeNull();
  });

  it("bootstraps the first admin once, with an HttpOnly, Secure, SameSite=Lax session cookie", async () => {
    const first = await call("POST", "/v1/bootstrap", { json: admin });
    expect(first.status).toBe(201);
    expect(first.body.user).toMatchObject({ email: "ada@acme.test", role: "admin" });
    const set = first.headers.get("set-cookie")!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/Secure/);
    expect(set).toMatch(/SameSite=Lax/);
    cookie = cookieOf(first);
    const again = await call("POST", "/v1/bootstrap", { json: { ...admin, email: "mallory@evil.test" } });
    expect(again.status).toBe(409);
    expect(await count("users")).toBe(1);
    expect(await count("orgs")).toBe(1);
    // Closed from now on, signed in or not: the dashboard shows sign-in, not setup.
    expect((await call("GET", "/v1/bootstrap")).body).toEqual({ open: false });
    expect((await call("GET", "/v1/bootstrap", { cookie })).body).toEqual({ open: false });
  });

  it("stores the password as PBKDF2-SHA256 at 100,000 iterations, never in clear", async () => {
    const row = await env.DB.prepare("SELECT password_hash FROM users").first<{ password_hash: string }>();
    expect(row!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(row!.password_hash).not.toContain(admin.password);
  });

  it("signs in with the right password only, and says the same for an unknown email", async () => {
    const good = await call("POST", "/v1/auth/login", { json: { email: admin.email, password: admin.password } });
    expect(good.status).toBe(200);
    const wrong = await call("POST", "/v1/auth/login", { json: { email: admin.email, password: "not the password" } });
    const unknown = await call("POST", "/v1/auth/login", {
      json: { email: "nobody@acme.test", password: "whatever it is" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
    const me = await call("GET", "/v1/auth/me", { cookie: cookieOf(good) });
    expect(me.body.principal).toMatchObject({ kind: "user", role: "admin", email: "ada@acme.test" });
  });

  it("refuses a cookie-authenticated change from another origin", async () => {
    const r = await call("POST", "/v1/databases", {
      cookie,
      json: { name: "x", provider: "neon" },
      headers: { origin: "https://evil.test" },
    });
    expect(r.status).toBe(403);
    expect(await count("databases")).toBe(0);
  });

  it("issues an API token once, lists it without its secret, and a revoked token stops working", async () => {
    const created = await call("POST", "/v1/tokens", { cookie, json: { name: "ci", role: "viewer" } });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^wwt_[A-Za-z0-9_-]{43}$/);
    const list = await call("GET", "/v1/tokens", { cookie });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(list.body.items).toHaveLength(1);
    expect((await call("GET", "/v1/databases", { token: created.body.token })).status).toBe(200);
    expect((await call("DELETE", `/v1/tokens/${created.body.id}`, { cookie })).status).toBe(204);
    const after = await call("GET", "/v1/databases", { token: created.body.token });
    expect(after.status).toBe(401);
    expect((await call("DELETE", `/v1/tokens/${created.body.id}`, { cookie })).status).toBe(404);
  });

  it("records a token's last use for a request it got done, never for a refused one", async () => {
    const created = await call("POST", "/v1/tokens", { cookie, json: { name: "last use", role: "admin" } });
    const lastUsed = async () =>
      (await env.DB.prepare("SELECT last_used_at AS t FROM api_tokens WHERE id = ?").bind(created.body.id).first<{
        t: number | null;
      }>())!.t;
    const t = created.body.token as string;
    // Refused after the token was recognised: bad input (400), an unknown id (404), bad JSON and a wrong type.
    expect((await call("POST", "/v1/databases", { token: t, json: { name: "" } })).status).toBe(400);
    expect((await call("GET", "/v1/databases/db_nothing", { token: t })).status).toBe(404);
    expect((await call("PATCH", "/v1/users/usr_nothing", { token: t, json: { role: "viewer" } })).status).toBe(404);
    expect((await call("GET", "/v1/databases?limit=0", { token: t })).status).toBe(400);
    expect(await lastUsed()).toBeNull();
    expect((await call("GET", "/v1/databases", { token: t })).status).toBe(200);
    expect(await lastUsed()).toBeGreaterThan(0);
  });

  it("enforces roles: a viewer reads, an operator may queue a backup, only an admin manages", async () => {
    const token = async (role: string) =>
      (await call("POST", "/v1/tokens", { cookie, json: { name: role, role } })).body.token as string;
    const viewer = await token("viewer");
    const operator = await token("operator");
    const db = await call("POST", "/v1/databases", { cookie, json: { name: "main", provider: "supabase" } });
    expect((await call("GET", `/v1/databases/${db.body.id}`, { token: viewer })).status).toBe(200);
    const denied = await call("POST", "/v1/databases", { token: viewer, json: { name: "x", provider: "neon" } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/admin role; you are viewer/);
    expect((await call("POST", `/v1/databases/${db.body.id}/backups`, { token: viewer, json: {} })).status).toBe(403);
    expect((await call("POST", `/v1/databases/${db.body.id}/backups`, { token: operator, json: {} })).status).toBe(202);
    expect(
      (await call("POST", "/v1/databases", { token: operator, json: { name: "x", provider: "neon" } })).status,
    ).toBe(403);
    expect((await call("POST", "/v1/tokens", { token: operator, json: { name: "x", role: "admin" } })).status).toBe(
      403,
    );
    expect((await call("GET", "/v1/databases")).status).toBe(401);
  });

  it("manages users: add, change role (ending their sessions), remove; never the last admin", async () => {
    const me = (await call("GET", "/v1/auth/me", { cookie })).body.principal;
    const added = await call("POST", "/v1/users", {
      cookie,
      json: { email: "bob@acme.test", password: "another long passphrase", role: "operator" },
    });
    expect(added.status).toBe(201);
    expect(JSON.stringify(added.body)).not.toContain("passphrase");
    const dup = await call("POST", "/v1/users", {
      cookie,
      json: { email: "BOB@acme.test", password: "another long passphrase", role: "viewer" },
    });
    expect(dup.status).toBe(409);
    const bob = cookieOf(
      await call("POST", "/v1/auth/login", { json: { email: "bob@acme.test", password: "another long passphrase" } }),
    );
    expect((await call("GET", "/v1/auth/me", { cookie: bob })).status).toBe(200);
    expect((await call("PATCH", `/v1/users/${added.body.id}`, { cookie, json: { role: "viewer" } })).body.role).toBe(
      "viewer",
    );
    expect((await call("GET", "/v1/auth/me", { cookie: bob })).status).toBe(401);
    expect((await call("PATCH", `/v1/users/${me.id}`, { cookie, json: { role: "viewer" } })).status).toBe(409);
    expect((await call("DELETE", `/v1/users/${me.id}`, { cookie })).status).toBe(409);
    expect((await call("PATCH", `/v1/users/${added.body.id}`, { cookie, json: { role: "owner" } })).status).toBe(400);
    expect((await call("DELETE", `/v1/users/${added.body.id}`, { cookie })).status).toBe(204);
    expect((await call("GET", "/v1/users", { cookie })).body.items).toHaveLength(1);
  });

  it("refuses a sign-out from another origin: 403, the cookie kept and the session still valid", async () => {
    const r = await call("POST", "/v1/auth/logout", { cookie, headers: { origin: "https://evil.test" } });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: "forbidden", message: "cross-origin request refused" });
    expect(r.headers.get("set-cookie")).toBeNull();
    expect((await call("GET", "/v1/auth/me", { cookie })).status).toBe(200);
    const same = await call("POST", "/v1/auth/logout", {
      cookie: "ww_session=x",
      headers: { origin: "https://evil.test" },
    });
    expect(same.status).toBe(403);
  });

  it("refuses a sign-in from another origin with the right password: 403 and no session cookie (no login CSRF)", async () => {
    const r = await call("POST", "/v1/auth/login", {
      json: { email: admin.email, password: admin.password },
      headers: { origin: "https://evil.test" },
    });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: "forbidden", message: "cross-origin request refused" });
    expect(r.headers.get("set-cookie")).toBeNull();
    const same = await call("POST", "/v1/auth/login", {
      json: { email: admin.email, password: admin.password },
      headers: { origin: "https://walwarden.test" },
    });
    expect(same.status).toBe(200);
  });

  it("signs out: the session stops working", async () => {
    const out = await call("POST", "/v1/auth/logout", { cookie });
    expect(out.status).toBe(204);
    expect((await call("GET", "/v1/auth/me", { cookie })).status).toBe(401);
  });

  it("answers unknown routes with a JSON 404 that names the route", async () => {
    const r = await call("GET", "/v1/nope");
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({ code: "not-found", message: "no route GET /v1/nope" });
  });
});
