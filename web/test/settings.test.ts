// The settings screens (issue 17: a screen for every setting the API has) in the real dashboard served by the
// real Worker, driven in Debian's Chromium: users (add with an initial password shown once, change a role,
// remove, each after a confirmation; the last admin protected, and the API's 409 shown when a stale list
// tries anyway), API tokens (the secret shown once with a copy button, who made each, last used, revoke after
// a confirmation) and the read-only bucket credentials (the IAM policy inline, the name checked as the
// Worker checks it, the secret write-only, replace re-entering it, remove after a confirmation). Every form
// is checked with the wire's own schema before anything is sent; a viewer reads what a viewer may and sees
// no button that changes anything. Desktop 1440×900 and phone 390×844 with no sideways scrolling;
// screenshots in test-output/web/settings-*.png; no script or console errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BucketPosture } from "@walwarden/verifier";
import type { ApiToken, BucketCredential, User } from "@walwarden/verifier/wire";
import type { Browser, Page } from "playwright-core";
import { apiCall } from "@walwarden/testing/api";
import { LAST_ADMIN_WORDS } from "../src/lib/settings.js";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const VIEWER = { email: "settings-viewer@example.com", password: "a long viewer password" };
/** A bucket a runner reports (through its claim) that has no credential yet. */
const REPORTED: BucketPosture = {
  bucket: "acme-reported-backups",
  versioning: "enabled",
  objectLock: "unknown",
  publicAccess: "blocked",
  encryption: "AES256",
  lifecycle: [],
};

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
/** Every write the admin's page sent ("METHOD path"), and every script chunk it loaded (file names). */
const writes: string[] = [];
const chunks: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  ({ page, errors } = await newPage(browser, stack.dev.url));
  await page.setViewportSize(DESKTOP);
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (r.method() !== "GET" && url.pathname.startsWith("/v1/") && !url.pathname.startsWith("/v1/auth/"))
      writes.push(`${r.method()} ${url.pathname}`);
    if (url.pathname.startsWith("/assets/chunks/")) chunks.push(url.pathname.split("/").pop()!);
  });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto("/");
  await p.getByLabel("Email").fill(who.email);
  await p.getByLabel("Password").fill(who.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Databases" }).waitFor();
}

/** How much wider than the viewport the document is (≤ 0: no sideways scrolling). */
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
/** The elements that stick out past the viewport's right edge, named, for a failure's message. */
const wideElements = (p: Page) =>
  p.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 8)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} → ${Math.round(e.getBoundingClientRect().right)}`,
      )
      .join(", "),
  );
/** The page, once laid out, scrolls no sideways (a layout may settle a frame or two after the content arrives). */
async function fitsWidth(p: Page, where: string) {
  const width = p.viewportSize()?.width;
  await expect
    .poll(() => overflow(p), { timeout: 3000, message: `${where} at ${width}px wide` })
    .toBeLessThanOrEqual(0)
    .catch(async (e: Error) => {
      throw new Error(`${e.message}; past the right edge: ${(await wideElements(p)) || "no element"}`);
    });
}

/** Writes sent from now on, while `act` runs. */
async function writesDuring(act: () => Promise<void>): Promise<string[]> {
  const before = writes.length;
  await act();
  return writes.slice(before);
}

const api = <T>(method: string, path: string, body?: unknown) =>
  apiCall<T>(stack.dev, method, path, { cookie: stack.cookie, body });
const users = async () => (await api<{ items: User[] }>("GET", "/v1/users?limit=200")).items;
const tokens = async () => (await api<{ items: ApiToken[] }>("GET", "/v1/tokens?limit=200")).items;
const buckets = async () => (await api<{ items: BucketCredential[] }>("GET", "/v1/buckets")).items;
/** The API's refusal of a call, as its message. */
const refusal = (method: string, path: string, body?: unknown) =>
  api(method, path, body).then(
    () => "not refused",
    (e: Error) => e.message,
  );

const userRow = (p: Page, email: string) =>
  p.locator("tr[data-user]", { has: p.getByRole("rowheader", { name: email, exact: false }) });
const confirm = (p: Page = page) => p.locator("[data-confirm]");

describe("users", () => {
  let password: string;

  it("is in the navigation; the only admin's role and removal are off with the reason beside them", async () => {
    await signIn(page, ADMIN);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    expect(await page.locator("[data-area]").count()).toBe(3);
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Users" }).click();
    await page.waitForURL("**/settings/users");
    const me = userRow(page, ADMIN.email);
    await me.waitFor();
    expect((await me.textContent()) ?? "").toContain("you");
    await expect(me.getByRole("combobox", { name: `Role of ${ADMIN.email}` }).isDisabled()).resolves.toBe(true);
    await expect(me.getByRole("button", { name: `Remove ${ADMIN.email}` }).isDisabled()).resolves.toBe(true);
    await expect(me.locator("[data-last-admin]").textContent()).resolves.toBe(LAST_ADMIN_WORDS);
    await expect(page.locator("[data-user-count]").textContent()).resolves.toBe("1 user, 1 admin");
    // The schemas' chunk is not part of the list: it comes when a form opens.
    expect(chunks.filter((c) => c.startsWith("settings-checks-"))).toEqual([]);
    await fitsWidth(page, page.url());
    await screenshot(page, "settings-01-users-desktop");
    expect(errors).toEqual([]);
  });

  it("adds a user: a short password refused at its field before anything is sent, an existing email refused by the API at the email field, then the initial password shown once", async () => {
    const loaded = page.waitForResponse((r) => r.url().includes("/assets/chunks/settings-checks-"));
    await page.getByRole("button", { name: "Add user" }).click();
    const form = page.locator("[data-user-form]");
    await expect(form.locator("[data-password-note]").textContent()).resolves.toContain(
      "Walwarden sends no invitation and has no password reset yet",
    );
    await loaded; // the schemas' chunk, asked for when the form opened

    await form.getByLabel("Email").fill("Ops@Example.com");
    await form.getByLabel("Role", { exact: true }).selectOption("operator");
    await expect(form.locator("#new-user-role-hint").textContent()).resolves.toContain("also queues backups");
    await form.getByLabel("Initial password").fill("too short");
    const none = await writesDuring(async () => {
      await form.getByRole("button", { name: "Add user" }).click();
      await form.locator('[data-problem="new-user-password"]').waitFor();
    });
    expect(none).toEqual([]);
    await expect(form.locator('[data-problem="new-user-password"]').textContent()).resolves.toBe(
      "Use at least 12 characters.",
    );
    await expect(form.getByLabel("Initial password").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("new-user-password");

    await form.getByRole("button", { name: "Generate" }).click();
    password = await form.getByLabel("Initial password").inputValue();
    expect(password).toMatch(/^[a-km-np-z2-9]{20}$/);
    await expect(form.getByLabel("Initial password").getAttribute("type")).resolves.toBe("text");
    expect(await form.locator('[data-problem="new-user-password"]').count()).toBe(0); // typing cleared it

    // An email the org has: the API's 409, at the email field, in its own words.
    await form.getByLabel("Email").fill(ADMIN.email);
    const sent = await writesDuring(async () => {
      await form.getByRole("button", { name: "Add user" }).click();
      await form.locator('[data-problem="new-user-email"]').waitFor();
    });
    expect(sent).toEqual(["POST /v1/users"]);
    const apiSays = await refusal("POST", "/v1/users", { email: ADMIN.email, password, role: "viewer" });
    expect(apiSays).toContain("409");
    expect(apiSays).toContain(`a user with email ${ADMIN.email} exists`);
    await expect(form.locator('[data-problem="new-user-email"]').textContent()).resolves.toBe(
      `A user with email ${ADMIN.email} exists.`,
    );
    await expect(form.getByLabel("Initial password").inputValue()).resolves.toBe(password); // what was typed stays
    expect((await users()).length).toBe(1);
    await screenshot(page, "settings-02-user-refused-desktop");

    await form.getByLabel("Email").fill("Ops@Example.com");
    await form.getByRole("button", { name: "Add user" }).click();
    const once = page.locator("[data-once-secret]");
    await once.waitFor();
    await expect(once.locator("[data-secret]").textContent()).resolves.toBe(password);
    const onceText = (await once.textContent()) ?? "";
    expect(onceText).toContain("Initial password for ops@example.com");
    expect(onceText).toContain("it will not be shown again");
    expect(await once.getByRole("button", { name: "Copy" }).count()).toBe(1);
    await userRow(page, "ops@example.com").waitFor();
    await expect(page.locator("[data-said]").textContent()).resolves.toBe("Added ops@example.com as operator.");
    const ops = (await users()).find((u) => u.email === "ops@example.com");
    expect(ops?.role).toBe("operator");
    await expect(userRow(page, "ops@example.com").getAttribute("data-role")).resolves.toBe("operator");
    await screenshot(page, "settings-03-user-added-desktop");

    // The password handed over is the one that signs in.
    const { page: asOps, errors: opsErrors } = await newPage(browser, stack.dev.url);
    await signIn(asOps, { email: "ops@example.com", password });
    await asOps.context().close();
    expect(opsErrors).toEqual([]);

    await once.getByRole("button", { name: "I have handed it over" }).click();
    expect(await once.count()).toBe(0);
    await page.reload();
    await userRow(page, "ops@example.com").waitFor();
    expect(await page.content()).not.toContain(password);
    expect(errors).toEqual([]);
  });

  it("changes a role only after a confirmation; Cancel changes nothing", async () => {
    const row = userRow(page, "ops@example.com");
    const select = row.getByRole("combobox", { name: "Role of ops@example.com" });
    await select.selectOption("admin");
    await expect(confirm().locator("#confirm-q").textContent()).resolves.toBe(
      "Change ops@example.com from operator to admin?",
    );
    await expect(confirm().textContent()).resolves.toContain("they are signed out everywhere");
    await confirm().getByRole("button", { name: "Cancel" }).click();
    expect(await confirm().count()).toBe(0);
    await expect(select.inputValue()).resolves.toBe("operator");
    expect((await users()).find((u) => u.email === "ops@example.com")?.role).toBe("operator");

    await select.selectOption("admin");
    const sent = await writesDuring(async () => {
      await confirm().getByRole("button", { name: "Change role" }).click();
      await page.locator("[data-said]", { hasText: "ops@example.com is now admin." }).waitFor();
    });
    expect(sent).toEqual([`PATCH /v1/users/${(await users()).find((u) => u.email === "ops@example.com")!.id}`]);
    expect((await users()).find((u) => u.email === "ops@example.com")?.role).toBe("admin");
    // Two admins: neither is the last, so the admin's own row may change now.
    const me = userRow(page, ADMIN.email);
    await expect(me.getByRole("combobox", { name: `Role of ${ADMIN.email}` }).isDisabled()).resolves.toBe(false);
    expect(await me.locator("[data-last-admin]").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("warns plainly before you demote or remove yourself, and shows the API's 409 when a stale list tries on the last admin; nothing changes", async () => {
    const me = userRow(page, ADMIN.email);
    const ops = (await users()).find((u) => u.email === "ops@example.com")!;
    const adminId = (await users()).find((u) => u.email === ADMIN.email)!.id;

    // Demoting yourself: the warning says what happens to you.
    await me.getByRole("combobox", { name: `Role of ${ADMIN.email}` }).selectOption("viewer");
    const what = (await confirm().textContent()) ?? "";
    expect(what).toContain("This is you. You will be signed out at once and sign in again as viewer");
    expect(what).toContain("you will no longer manage users, API tokens or bucket credentials");
    // Meanwhile another admin demotes ops: this page's list is stale, and the admin is now the last one.
    await api("PATCH", `/v1/users/${ops.id}`, { role: "viewer" });
    const before = await users();
    await confirm().getByRole("button", { name: "Change role" }).click();
    const refused = confirm().locator("[data-refusal]");
    await refused.waitFor();
    const apiSays = await refusal("PATCH", `/v1/users/${adminId}`, { role: "viewer" });
    expect(apiSays).toContain("409");
    expect(apiSays).toContain("this is the org's last admin: make another admin first");
    await expect(refused.textContent()).resolves.toBe(
      "Refused: this is the org's last admin: make another admin first",
    );
    expect(await users()).toEqual(before);
    // The list was read again: the admin's row now says why it may not change.
    await me.locator("[data-last-admin]").waitFor();
    await screenshot(page, "settings-04-last-admin-refused-desktop");
    await confirm().getByRole("button", { name: "Cancel" }).click();
    await expect(me.getByRole("combobox", { name: `Role of ${ADMIN.email}` }).isDisabled()).resolves.toBe(true);

    // Removing yourself, the same way: a plain warning, then the API's refusal.
    await api("PATCH", `/v1/users/${ops.id}`, { role: "admin" });
    await page.reload();
    await expect(me.getByRole("button", { name: `Remove ${ADMIN.email}` }).isDisabled()).resolves.toBe(false);
    await me.getByRole("button", { name: `Remove ${ADMIN.email}` }).click();
    await expect(confirm().locator("#confirm-q").textContent()).resolves.toBe(`Remove yourself (${ADMIN.email})?`);
    expect((await confirm().textContent()) ?? "").toContain(
      "This is you. You will be signed out at once and can no longer sign in; only another admin can add you again.",
    );
    await api("PATCH", `/v1/users/${ops.id}`, { role: "viewer" });
    const still = await users();
    await confirm().getByRole("button", { name: "Remove myself" }).click();
    await expect(confirm().locator("[data-refusal]").textContent()).resolves.toBe(
      "Refused: this is the org's last admin: make another admin first",
    );
    expect(await users()).toEqual(still);
    await confirm().getByRole("button", { name: "Cancel" }).click();
    expect(errors).toEqual([]);
  });

  it("signs you out at once when you change your own role, as the warning said", async () => {
    const ops = (await users()).find((u) => u.email === "ops@example.com")!;
    await api("PATCH", `/v1/users/${ops.id}`, { role: "admin" });
    const { page: asOps, errors: opsErrors } = await newPage(browser, stack.dev.url);
    await signIn(asOps, { email: "ops@example.com", password });
    await asOps.goto("/settings/users");
    const own = userRow(asOps, "ops@example.com");
    await own.getByRole("combobox", { name: "Role of ops@example.com" }).selectOption("operator");
    expect((await confirm(asOps).textContent()) ?? "").toContain("This is you. You will be signed out at once");
    await confirm(asOps).getByRole("button", { name: "Change role" }).click();
    await asOps.getByRole("button", { name: "Sign in" }).waitFor();
    expect((await users()).find((u) => u.id === ops.id)?.role).toBe("operator");
    await asOps.context().close();
    expect(opsErrors).toEqual([]);
  });

  it("removes a user only after a confirmation; they can no longer sign in", async () => {
    const leaver = { email: "leaver@example.com", password: "a long leaver password" };
    await api("POST", "/v1/users", { ...leaver, role: "viewer" });
    await page.reload();
    const row = userRow(page, leaver.email);
    await row.getByRole("button", { name: `Remove ${leaver.email}` }).click();
    await expect(confirm().locator("#confirm-q").textContent()).resolves.toBe(`Remove ${leaver.email}?`);
    expect((await confirm().textContent()) ?? "").toContain("What they did stays in the audit log.");
    await confirm().getByRole("button", { name: "Cancel" }).click();
    expect((await users()).some((u) => u.email === leaver.email)).toBe(true);

    await row.getByRole("button", { name: `Remove ${leaver.email}` }).click();
    await confirm().getByRole("button", { name: "Remove user" }).click();
    await row.waitFor({ state: "detached" });
    await expect(page.locator("[data-said]").textContent()).resolves.toBe(`Removed ${leaver.email}.`);
    expect((await users()).some((u) => u.email === leaver.email)).toBe(false);
    const login = await apiCall(stack.dev, "POST", "/v1/auth/login", { body: leaver }).then(
      () => "signed in",
      (e: Error) => e.message,
    );
    expect(login).toContain("401");
    expect(errors).toEqual([]);
  });
});

describe("API tokens", () => {
  let secret: string;
  const tokenRow = (name: string) =>
    page.locator("tr[data-token]", { has: page.getByRole("rowheader", { name, exact: true }) });

  it("creates a token: an empty name refused at its field before anything is sent, then the token shown once with a copy button", async () => {
    await page.goto("/settings/tokens");
    await page.getByText("No API tokens yet").waitFor();
    await page.getByRole("button", { name: "Create token" }).click();
    const form = page.locator("[data-token-form]");
    const none = await writesDuring(async () => {
      await form.getByRole("button", { name: "Create token" }).click();
      await form.locator('[data-problem="new-token-name"]').waitFor();
    });
    expect(none).toEqual([]);
    await expect(form.locator('[data-problem="new-token-name"]').textContent()).resolves.toBe("Required.");

    await form.getByLabel("Name").fill("CI export");
    await form.getByLabel("Role", { exact: true }).selectOption("viewer");
    await form.getByRole("button", { name: "Create token" }).click();
    const once = page.locator("[data-once-secret]");
    await once.waitFor();
    secret = (await once.locator("[data-secret]").textContent()) ?? "";
    expect(secret).toMatch(/^wwt_[A-Za-z0-9_-]{43}$/);
    const text = (await once.textContent()) ?? "";
    expect(text).toContain("Copy it now: it will not be shown again.");
    expect(text).toContain("only its SHA-256");
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.dev.url });
    await once.getByRole("button", { name: "Copy" }).click();
    await once.getByText("Copied").waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret);
    await screenshot(page, "settings-05-token-once-desktop");

    const row = tokenRow("CI export");
    await row.waitFor();
    await expect(row.locator("[data-created-by]").textContent()).resolves.toBe("you");
    await expect(row.locator("[data-last-used]").textContent()).resolves.toBe("never");
    await expect(row.locator("[data-token-state]").textContent()).resolves.toBe("Active");
    const [made] = await tokens();
    expect(made).toMatchObject({ name: "CI export", role: "viewer", lastUsedAt: null, revokedAt: null });
    await expect(row.getAttribute("data-token")).resolves.toBe(made!.id);

    await once.getByRole("button", { name: "I have stored it" }).click();
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(errors).toEqual([]);
  });

  it("says when a token was last used and which token made another (from the log)", async () => {
    await apiCall(stack.dev, "GET", "/v1/rpo", { bearer: secret });
    const automation = await api<{ token: string }>("POST", "/v1/tokens", { name: "automation", role: "admin" });
    await apiCall(stack.dev, "POST", "/v1/tokens", {
      bearer: automation.token,
      body: { name: "made by a script", role: "viewer" },
    });
    await page.reload();
    await tokenRow("CI export").locator("[data-last-used] time").waitFor();
    await expect(tokenRow("made by a script").locator("[data-created-by]").textContent()).resolves.toBe(
      "API token “automation”",
    );
    await expect(tokenRow("made by a script").locator("[data-created-by] span").getAttribute("title")).resolves.toMatch(
      /^token:tok_/,
    );
    await expect(page.locator("[data-token-count]").textContent()).resolves.toBe("3 active, 0 revoked");
    expect(errors).toEqual([]);
  });

  it("revokes a token only after a confirmation; it is refused from then on and stays listed as revoked", async () => {
    const row = tokenRow("CI export");
    await row.getByRole("button", { name: "Revoke CI export" }).click();
    await expect(confirm().locator("#confirm-q").textContent()).resolves.toBe("Revoke “CI export”?");
    expect((await confirm().textContent()) ?? "").toContain("cannot be brought back");
    await confirm().getByRole("button", { name: "Cancel" }).click();
    expect((await tokens()).find((t) => t.name === "CI export")?.revokedAt).toBeNull();

    await row.getByRole("button", { name: "Revoke CI export" }).click();
    await confirm().getByRole("button", { name: "Revoke token" }).click();
    await row.locator("[data-token-state] .badge", { hasText: "Revoked" }).waitFor();
    await expect(row.getAttribute("data-state")).resolves.toBe("revoked");
    expect(await row.getByRole("button").count()).toBe(0);
    // Active ones first: the revoked token is listed last.
    await expect(page.locator("tr[data-token]").last().getAttribute("data-token")).resolves.toBe(
      await row.getAttribute("data-token"),
    );
    expect((await tokens()).find((t) => t.name === "CI export")?.revokedAt).not.toBeNull();
    const use = await apiCall(stack.dev, "GET", "/v1/rpo", { bearer: secret }).then(
      () => "accepted",
      (e: Error) => e.message,
    );
    expect(use).toContain("401");
    await fitsWidth(page, page.url());
    await screenshot(page, "settings-06-tokens-desktop");
    expect(errors).toEqual([]);
  });
});

describe("bucket credentials", () => {
  const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const card = (name: string) => page.locator(`[data-bucket="${name}"]`);
  const policyResource = async () =>
    JSON.parse((await page.locator("[data-policy-json]").textContent()) ?? "").Statement[0].Resource;

  it("explains the key with its IAM policy inline and lists a bucket the runners write to that has none", async () => {
    await apiCall(stack.dev, "POST", "/v1/runner/claim", {
      bearer: stack.runner.token,
      body: { version: "0.1.0", databases: [], kinds: ["backup"], posture: REPORTED },
    });
    await page.goto("/settings/buckets");
    await page.getByText("No bucket credentials yet").waitFor();
    await page.locator(`[data-missing-bucket="${REPORTED.bucket}"]`).waitFor();
    expect(await policyResource()).toBe(`arn:aws:s3:::${REPORTED.bucket}/walwarden/*`);
    const policy = (await page.locator("[data-policy]").textContent()) ?? "";
    expect(policy).toContain("no ListBucket, no PutObject, no DeleteObject");
    expect(policy).toContain("docs/restore-credentials.md");
    expect((await page.locator(".intro").textContent()) ?? "").toContain("never answered back");
    expect(errors).toEqual([]);
  });

  it("refuses a bucket name the Worker refuses at its field, and missing keys, before anything is sent", async () => {
    await page.getByRole("button", { name: "Add bucket" }).click();
    const form = page.locator("[data-bucket-form]");
    await form.getByLabel("Bucket", { exact: true }).fill("Acme_Backups");
    const none = await writesDuring(async () => {
      await form.getByRole("button", { name: "Add credential" }).click();
      await form.locator('[data-problem="new-bucket-bucket"]').waitFor();
    });
    expect(none).toEqual([]);
    await expect(form.locator('[data-problem="new-bucket-bucket"]').textContent()).resolves.toBe(
      "Not an S3 bucket name: lower-case letters only.",
    );
    await expect(form.locator('[data-problem="new-bucket-accessKeyId"]').textContent()).resolves.toBe("Required.");
    await expect(form.locator('[data-problem="new-bucket-secretAccessKey"]').textContent()).resolves.toBe("Required.");
    // The Worker refuses the same name.
    const apiSays = await refusal("PUT", "/v1/buckets/Acme_Backups", { accessKeyId: "AKIA", secretAccessKey: "x" });
    expect(apiSays).toContain("400");
    expect(apiSays).toContain("not an S3 bucket name");
    await form.getByLabel("Endpoint (optional)").fill("minio.local");
    await form.getByRole("button", { name: "Add credential" }).click();
    await expect(form.locator('[data-problem="new-bucket-endpoint"]').textContent()).resolves.toMatch(/^Not a URL/);
    await screenshot(page, "settings-07-bucket-refused-desktop");
    expect(await buckets()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("adds a credential (the policy follows the name typed); the secret is never shown or answered back", async () => {
    const form = page.locator("[data-bucket-form]");
    await form.getByLabel("Bucket", { exact: true }).fill("acme-backups");
    expect(await policyResource()).toBe("arn:aws:s3:::acme-backups/walwarden/*");
    await form.getByLabel("Endpoint (optional)").fill("");
    await form.getByLabel("Region").fill("eu-north-1");
    await form.getByLabel("Access key id").fill("AKIAEXAMPLE");
    await form.getByLabel("Secret access key").fill(SECRET);
    const sent = await writesDuring(async () => {
      await form.getByRole("button", { name: "Add credential" }).click();
      await card("acme-backups").waitFor();
    });
    expect(sent).toEqual(["PUT /v1/buckets/acme-backups"]);
    const [saved] = await buckets();
    expect(saved).toMatchObject({
      bucket: "acme-backups",
      endpoint: null,
      region: "eu-north-1",
      forcePathStyle: false,
      accessKeyId: "AKIAEXAMPLE",
    });
    expect(JSON.stringify(saved)).not.toContain(SECRET);
    const c = card("acme-backups");
    await expect(c.locator('[data-fact="endpoint"]').textContent()).resolves.toBe(
      "AWS (https://s3.eu-north-1.amazonaws.com)",
    );
    await expect(c.locator('[data-fact="secret"]').textContent()).resolves.toBe("Set; write-only, never shown");
    await expect(c.locator('[data-fact="updated"]').textContent()).resolves.toMatch(/ by you$/);
    expect(await page.content()).not.toContain(SECRET);
    // The reported bucket is still without one.
    await page.locator(`[data-missing-bucket="${REPORTED.bucket}"]`).waitFor();
    await fitsWidth(page, page.url());
    await screenshot(page, "settings-08-buckets-desktop");
    expect(errors).toEqual([]);
  });

  it("replaces a credential only with the secret entered again", async () => {
    const c = card("acme-backups");
    await c.getByRole("button", { name: "Replace the credential of acme-backups" }).click();
    const form = c.locator("[data-bucket-form]");
    await expect(form.getByLabel("Bucket", { exact: true }).getAttribute("readonly")).resolves.not.toBeNull();
    await expect(form.getByLabel("Access key id").inputValue()).resolves.toBe("AKIAEXAMPLE");
    await expect(form.getByLabel("Region").inputValue()).resolves.toBe("eu-north-1");
    await expect(form.getByLabel("Secret access key").inputValue()).resolves.toBe("");
    const none = await writesDuring(async () => {
      await form.getByRole("button", { name: "Save credential" }).click();
      await form.locator('[data-problem="edit-acme-backups-secretAccessKey"]').waitFor();
    });
    expect(none).toEqual([]);
    await form.getByLabel("Endpoint (optional)").fill("https://minio.example.com:9000");
    await form.getByLabel("Path-style URLs (endpoint/bucket/key)").check();
    await form.getByLabel("Access key id").fill("AKIAROTATED");
    await form.getByLabel("Secret access key").fill("a-new-secret-key");
    await form.getByRole("button", { name: "Save credential" }).click();
    await c.locator('[data-fact="access-key"]', { hasText: "AKIAROTATED" }).waitFor();
    await expect(c.locator('[data-fact="endpoint"]').textContent()).resolves.toBe("https://minio.example.com:9000");
    await expect(c.locator('[data-fact="path-style"]').textContent()).resolves.toBe("Path-style");
    expect((await buckets())[0]).toMatchObject({
      endpoint: "https://minio.example.com:9000",
      forcePathStyle: true,
      accessKeyId: "AKIAROTATED",
    });
    expect(errors).toEqual([]);
  });

  it("sets up the reported bucket from its line, and removes a credential only after a confirmation", async () => {
    await page.getByRole("button", { name: `Set up ${REPORTED.bucket}` }).click();
    const form = page.locator("[data-bucket-form]").first();
    await expect(form.getByLabel("Bucket", { exact: true }).inputValue()).resolves.toBe(REPORTED.bucket);
    await form.getByLabel("Access key id").fill("AKIAREPORTED");
    await form.getByLabel("Secret access key").fill("reported-secret");
    await form.getByRole("button", { name: "Add credential" }).click();
    await card(REPORTED.bucket).waitFor();
    await page.locator("[data-missing]").waitFor({ state: "detached" });

    const c = card("acme-backups");
    await c.getByRole("button", { name: "Remove the credential of acme-backups" }).click();
    expect((await confirm().textContent()) ?? "").toContain("Restores of backups in acme-backups are refused");
    await confirm().getByRole("button", { name: "Cancel" }).click();
    expect((await buckets()).map((b) => b.bucket).sort()).toEqual(["acme-backups", REPORTED.bucket]);
    await c.getByRole("button", { name: "Remove the credential of acme-backups" }).click();
    await confirm().getByRole("button", { name: "Remove credential" }).click();
    await c.waitFor({ state: "detached" });
    expect((await buckets()).map((b) => b.bucket)).toEqual([REPORTED.bucket]);
    expect(errors).toEqual([]);
  });
});

describe("on a phone", () => {
  it("fits 390×844 with forms and confirmations open: no sideways scrolling on any settings screen", async () => {
    await page.setViewportSize(PHONE);
    const open: Record<string, () => Promise<void>> = {
      "/settings": async () => {},
      "/settings/users": async () => {
        await page.getByRole("button", { name: "Add user" }).click();
        await page.locator("[data-user-form]").getByRole("button", { name: "Generate" }).click();
        await page.getByRole("button", { name: "Remove ops@example.com" }).click();
      },
      "/settings/tokens": async () => {
        await page.getByRole("button", { name: "Create token" }).click();
        await page.getByRole("button", { name: "Revoke automation" }).click();
      },
      "/settings/buckets": async () => {
        await page.getByRole("button", { name: "Add bucket" }).click();
        await page.getByRole("button", { name: `Remove the credential of ${REPORTED.bucket}` }).click();
      },
    };
    for (const [path, act] of Object.entries(open)) {
      await page.goto(path);
      await page.locator("main h1").waitFor();
      await page.waitForLoadState("networkidle");
      await act();
      await fitsWidth(page, path);
      await screenshot(page, `settings-09-phone${path.replaceAll("/", "-")}`);
    }
    await page.setViewportSize(DESKTOP);
    expect(errors).toEqual([]);
  });
});

describe("as a viewer", () => {
  it("reads what a viewer may, with a line saying who may change it, and no button that changes anything", async () => {
    await api("POST", "/v1/users", { ...VIEWER, role: "viewer" });
    const { page: asViewer, errors: viewerErrors } = await newPage(browser, stack.dev.url);
    const asked: string[] = [];
    asViewer.on("request", (r) => {
      const p = new URL(r.url()).pathname;
      if (p.startsWith("/v1/")) asked.push(`${r.method()} ${p}`);
    });
    await signIn(asViewer, VIEWER);
    for (const size of [DESKTOP, PHONE]) {
      await asViewer.setViewportSize(size);
      const tag = size === DESKTOP ? "desktop" : "phone";
      for (const [path, says] of [
        ["/settings/users", "Only an admin may see the org's users"],
        ["/settings/tokens", "Only an admin may see the org's API tokens"],
        ["/settings/buckets", "Only an admin may add, replace or remove a credential."],
      ] as const) {
        await asViewer.goto(path);
        const who = asViewer.locator("[data-who-may]");
        await who.waitFor();
        const text = (await who.textContent()) ?? "";
        expect(text).toContain(says);
        expect(text).toContain("You are signed in as viewer.");
        if (path === "/settings/buckets") {
          const c = asViewer.locator(`[data-bucket="${REPORTED.bucket}"]`);
          await c.waitFor();
          // A viewer may not list users: the admin who set it is "another user", the id in the title.
          await expect(c.locator('[data-fact="updated"] span').textContent()).resolves.toBe("another user");
          await expect(c.locator('[data-fact="updated"] span').getAttribute("title")).resolves.toMatch(/^user:usr_/);
          await asViewer.locator("[data-policy-json]").waitFor();
        }
        await asViewer.waitForLoadState("networkidle");
        const buttons = await asViewer
          .locator("main button")
          .evaluateAll((bs) => bs.map((b) => b.textContent?.trim()).filter((t) => t !== "Copy policy"));
        expect(buttons, path).toEqual([]);
        expect(await asViewer.locator("main form, main select, main input").count(), path).toBe(0);
        await fitsWidth(asViewer, path);
        await screenshot(asViewer, `settings-10-viewer-${tag}${path.replaceAll("/", "-")}`);
      }
    }
    // Nothing a viewer may not read was asked for (no 403s), and nothing was written.
    expect(asked.filter((a) => /\/v1\/(users|tokens)/.test(a) || !a.startsWith("GET "))).toEqual([
      "POST /v1/auth/login",
    ]);
    await asViewer.context().close();
    expect(viewerErrors).toEqual([]);
  });
});
