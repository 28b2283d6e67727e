// Registering and revoking runners on the runners screen, in Debian's Chromium against the real Worker (wrangler
// dev, serving web/dist): an admin registers one with the same panel as the onboarding checklist (the name
// checked at its field, the token shown once with the runner's files naming the org's databases), and revokes
// one after a confirmation (Cancel keeps it), after which its token is refused; a viewer reads the list with no
// button that changes it. Desktop 1440×900 and phone 390×844 without sideways scrolling.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Runner } from "@walwarden/verifier/wire";
import { ApiCallError, apiCall, claimJob } from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let databaseId: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  databaseId = await stack.addDatabase("orders", 60);
  ({ page, errors } = await newPage(browser, stack.dev.url));
  await page.setViewportSize(DESKTOP);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(p: Page, user: { email: string; password: string }) {
  await p.goto("/");
  await p.getByLabel("Email").fill(user.email);
  await p.getByLabel("Password").fill(user.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Databases" }).waitFor();
}

const runners = async () =>
  (await apiCall<{ items: Runner[] }>(stack.dev, "GET", "/v1/runners?limit=200", { cookie: stack.cookie })).items;
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const row = (p: Page, name: string) => p.locator("tr[data-runner]", { has: p.getByText(name, { exact: true }) });

describe("runners: register and revoke", () => {
  let token: string;

  it("an admin registers a runner: the name refused at its field when empty, then the token shown once with files naming the org's database", async () => {
    await signIn(page, ADMIN);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runners" }).click();
    await page.getByRole("heading", { name: "Runners", level: 1 }).waitFor();
    await row(page, "web test runner").waitFor();

    // Cancel closes the form and registers nothing.
    await page.getByRole("button", { name: "Register a runner" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByLabel("Runner name").count()).toBe(0);

    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/v1/runners")) posts.push(r.url());
    });
    await page.getByRole("button", { name: "Register a runner" }).click();
    await page.getByLabel("Runner name").fill("   ");
    await page.getByRole("button", { name: "Register runner" }).click();
    await page.locator('[data-problem="name"]').waitFor();
    await expect(page.getByLabel("Runner name").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("runners-new-name");
    expect(posts).toEqual([]);
    expect((await runners()).map((r) => r.name)).toEqual(["web test runner"]);

    await page.getByLabel("Runner name").fill("eu-west-runner");
    await page.getByRole("button", { name: "Register runner" }).click();
    const panel = page.locator("[data-runner-setup]");
    await panel.waitFor();
    token = (await panel.locator("[data-token]").textContent()) ?? "";
    expect(token).toMatch(/^wwr_[A-Za-z0-9_-]{43}$/);
    expect(posts).toHaveLength(1);
    const config = JSON.parse((await panel.locator('pre[data-file="runner.json"]').textContent()) ?? "");
    expect(config.api).toBe(new URL(stack.dev.url).origin);
    expect(config.token).toBe(token);
    expect(Object.keys(config.databases)).toEqual([databaseId]);
    expect(config.databases[databaseId]).toEqual({
      url: "postgres://USER:PASSWORD@HOST:5432/DBNAME",
      provider: "neon",
    });
    await expect(panel.locator('pre[data-file="docker-run"]').textContent()).resolves.toContain(
      `WALWARDEN_RUNNER_TOKEN=${token}`,
    );
    // The list has it at once, never seen.
    const created = (await runners()).find((r) => r.name === "eu-west-runner");
    expect(created?.lastSeenAt).toBeNull();
    await expect(row(page, "eu-west-runner").locator("[data-state]").textContent()).resolves.toBe("Never seen");
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "runners-admin-01-registered");
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "runners-admin-01-registered-phone");
    await page.setViewportSize(DESKTOP);

    // Done forgets the token: it is nowhere on the page any more.
    await panel.getByRole("button", { name: "Done: forget the token" }).click();
    expect(await page.locator("[data-token]").count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    // The token works: the runner can poll with it.
    await claimJob(stack.dev, token, { databases: [databaseId] });
    expect(errors).toEqual([]);
  });

  it("revokes a runner only after the confirmation (Cancel keeps it); its token is then refused and it reads Revoked", async () => {
    const r = row(page, "eu-west-runner");
    await r.getByRole("button", { name: "Revoke eu-west-runner" }).click();
    const dialog = r.getByRole("alertdialog");
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain("Its token stops working at once");
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "runners-admin-02-confirm-phone");
    await page.setViewportSize(DESKTOP);
    await screenshot(page, "runners-admin-02-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await r.getByRole("alertdialog").count()).toBe(0);
    expect((await runners()).find((x) => x.name === "eu-west-runner")?.revokedAt).toBeNull();

    await r.getByRole("button", { name: "Revoke eu-west-runner" }).click();
    await r.getByRole("alertdialog").getByRole("button", { name: "Revoke runner" }).click();
    await page.getByRole("status").filter({ hasText: "Runner eu-west-runner revoked" }).waitFor();
    await r.locator('[data-state="Revoked"]').waitFor();
    expect(await r.getByRole("button").count()).toBe(0);
    expect((await runners()).find((x) => x.name === "eu-west-runner")?.revokedAt).not.toBeNull();
    const refused = await claimJob(stack.dev, token, { databases: [databaseId] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiCallError);
    expect((refused as ApiCallError).status).toBe(401);
    // The other runner is untouched.
    await expect(
      row(page, "web test runner").getByRole("button", { name: "Revoke web test runner" }).count(),
    ).resolves.toBe(1);
    await screenshot(page, "runners-admin-03-revoked");
    expect(errors).toEqual([]);
  });

  it("shows a viewer the runners without Register or Revoke, and the checklist's runner step without its form", async () => {
    const viewer = { email: "runners-viewer@example.com", password: "a long viewer password" };
    await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...viewer, role: "viewer" } });
    const { page: asViewer, errors: viewerErrors } = await newPage(browser, stack.dev.url);
    await asViewer.setViewportSize(PHONE);
    await signIn(asViewer, viewer);
    await asViewer.goto("/runners");
    await row(asViewer, "eu-west-runner").locator('[data-state="Revoked"]').waitFor();
    await row(asViewer, "web test runner").waitFor();
    expect(await asViewer.getByRole("button", { name: "Register a runner" }).count()).toBe(0);
    expect(await asViewer.getByRole("button", { name: /^Revoke/ }).count()).toBe(0);
    expect(await overflow(asViewer)).toBeLessThanOrEqual(0);
    await screenshot(asViewer, "runners-admin-04-viewer-phone");

    await asViewer.goto("/welcome");
    const step = asViewer.locator('li[data-step="runner"]');
    await step.waitFor();
    expect(await step.getByLabel("Runner name").count()).toBe(0);
    expect(
      await asViewer
        .getByRole("button")
        .filter({ hasText: /Back up|Add database|Register/ })
        .count(),
    ).toBe(0);
    expect(await overflow(asViewer)).toBeLessThanOrEqual(0);
    await screenshot(asViewer, "runners-admin-05-viewer-welcome-phone");
    await asViewer.context().close();
    expect(viewerErrors).toEqual([]);
  });
});
