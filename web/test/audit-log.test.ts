// The audit log in the real dashboard, served by the real Worker: newest first across pages, each entry
// opened to its full JSON, subjects linked to their screens, actors named where the signed-in role may read
// the names (runners for everyone, users for admins); each screen's document title; and the weight of the
// screens that verify nothing: the log and a restore load no verifier chunk, a backup's Verify does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiCall, issueRestore, putBucketCredential } from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let dbId: string;
let backupId: string;
let restoreId: string;
let head: number;
const VIEWER = { email: "log-viewer@example.com", password: "a long viewer password" };

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto("/");
  await p.getByLabel("Email").fill(who.email);
  await p.getByLabel("Password").fill(who.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.locator("main h1").waitFor();
}

const rows = (p: Page) => p.locator("table.log tr[data-seq]");
const seqsOn = (p: Page) => rows(p).evaluateAll((rs) => rs.map((r) => Number((r as HTMLElement).dataset.seq)));

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  dbId = await stack.addDatabase("shop", 60);
  backupId = await stack.backUp(dbId);
  // More than a page of entries (100): each database and its schedule are two.
  for (let i = 0; i < 55; i++) await stack.addDatabase(`db-${String(i).padStart(2, "0")}`, 60);
  await stack.backUp(dbId);
  await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...VIEWER, role: "viewer" } });
  await putBucketCredential(stack.dev, stack.cookie, "acme-backups", {
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    forcePathStyle: true,
    accessKeyId: "LOGTESTREADONLY",
    secretAccessKey: "log-test-read-only-secret-0123456789",
  });
  restoreId = (await issueRestore(stack.dev, stack.cookie, backupId)).restoreId;
  head = (await apiCall<{ treeSize: number }>(stack.dev, "GET", "/v1/log/checkpoint", { cookie: stack.cookie }))
    .treeSize;
  ({ page, errors } = await newPage(browser, stack.dev.url));
  await signIn(page, ADMIN);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the audit log", () => {
  it("lists the newest entries first, and older ones page by page down to the first", async () => {
    expect(head).toBeGreaterThan(120);
    await page.goto("/log");
    await rows(page).first().waitFor();
    const first = await seqsOn(page);
    expect(first).toEqual(Array.from({ length: 100 }, (_, i) => head - 1 - i));
    await expect(page.locator("table.log caption").textContent()).resolves.toBe("Log entries, newest first");
    await page.getByRole("button", { name: `Load older entries (before seq ${head - 100})` }).click();
    await expect.poll(() => rows(page).count()).toBe(head);
    const all = await seqsOn(page);
    expect(all).toEqual(Array.from({ length: head }, (_, i) => head - 1 - i));
    expect(await page.getByRole("button", { name: /Load older entries/ }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("filters newest first, and starts at the seq asked for", async () => {
    await page.goto("/log?type=backup.completed");
    await expect.poll(() => rows(page).count()).toBe(2);
    const [newer, older] = await seqsOn(page);
    expect(newer).toBeGreaterThan(older!);
    await page.getByLabel("Up to seq").fill(String(newer! - 1));
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/upTo=/);
    await expect.poll(() => seqsOn(page)).toEqual([older]);
    await page.goto("/log?upTo=5");
    await expect.poll(() => seqsOn(page)).toEqual([5, 4, 3, 2, 1, 0]);
  });

  it("opens an entry to its full JSON, exactly what was logged, and closes it again", async () => {
    await page.goto("/log?type=backup.completed");
    const row = rows(page).first();
    await row.waitFor();
    const seq = Number(await row.getAttribute("data-seq"));
    const toggle = row.getByRole("button", { name: new RegExp(`Show entry ${seq} in full`) });
    await expect(toggle.getAttribute("aria-expanded")).resolves.toBe("false");
    await toggle.click();
    const detail = page.locator(`tr[data-entry-of="${seq}"] pre[data-entry-json]`);
    await detail.waitFor();
    await expect(row.getByRole("button", { name: /Hide entry/ }).getAttribute("aria-expanded")).resolves.toBe("true");
    const shown = JSON.parse((await detail.textContent())!) as Record<string, unknown>;
    const stored = await page.evaluate(async (n) => {
      const r = await fetch(`/v1/log/entries?after=${n - 1}&limit=1`);
      return ((await r.json()) as { entries: string[] }).entries[0]!;
    }, seq);
    expect(shown).toEqual(JSON.parse(stored));
    // The whole entry, nothing cut: the manifest's hash and the artifact's URI are there in full.
    const text = (await detail.textContent())!;
    expect(text).toContain((JSON.parse(stored) as { data: { manifestSha256: string } }).data.manifestSha256);
    expect(text).not.toContain("…");
    await screenshot(page, "log-01-entry-open");
    await row.getByRole("button", { name: /Hide entry/ }).click();
    await expect.poll(() => page.locator(`tr[data-entry-of="${seq}"]`).count()).toBe(0);
  });

  it("links each subject to its screen", async () => {
    await page.goto(`/log?subject=${encodeURIComponent(`restore:${restoreId}`)}`);
    const link = rows(page)
      .first()
      .getByRole("link", { name: `restore:${restoreId}` });
    await link.click();
    await page.waitForURL(new RegExp(`/restores/${restoreId}$`));
    await page.goto(`/log?subject=${encodeURIComponent(`database:${dbId}`)}`);
    await rows(page)
      .first()
      .getByRole("link", { name: `database:${dbId}` })
      .click();
    await page.waitForURL(new RegExp(`/databases/${dbId}$`));
    await page.getByRole("heading", { name: "shop" }).waitFor();
  });

  it("names runners and, for an admin, users; a viewer sees users' ids", async () => {
    await page.goto("/log?type=backup.completed");
    const runnerCell = rows(page).first().locator("td[data-actor]");
    await expect(runnerCell.getAttribute("data-actor")).resolves.toBe(`runner:${stack.runner.id}`);
    await expect.poll(() => runnerCell.textContent()).toBe("web test runner runner");
    await page.goto("/log?type=user.created");
    const userCell = rows(page).first().locator("td[data-actor]");
    await expect.poll(() => userCell.textContent()).toBe(`${ADMIN.email} user`);
    await screenshot(page, "log-02-actors-named");

    const { page: asViewer, errors: viewerErrors } = await newPage(browser, stack.dev.url);
    await signIn(asViewer, VIEWER);
    await asViewer.goto("/log?type=backup.completed");
    await expect
      .poll(() => rows(asViewer).first().locator("td[data-actor]").textContent())
      .toBe("web test runner runner");
    await asViewer.goto("/log?type=user.created");
    const adminActor = (await rows(asViewer).first().locator("td[data-actor]").getAttribute("data-actor"))!;
    expect(adminActor).toMatch(/^user:/);
    await asViewer.waitForLoadState("networkidle");
    await expect(rows(asViewer).first().locator("td[data-actor]").textContent()).resolves.toBe(adminActor);
    await asViewer.context().close();
    expect(viewerErrors).toEqual([]);
  });
});

describe("every screen", () => {
  it("has its own document title, with the id of what it shows", async () => {
    for (const [path, title] of [
      ["/databases", "Databases · Walwarden"],
      [`/databases/${dbId}`, `Database ${dbId} · Walwarden`],
      [`/backups/${backupId}`, `Backup ${backupId} · Walwarden`],
      ["/log", "Audit log · Walwarden"],
      [`/restores/${restoreId}`, `Restore ${restoreId} · Walwarden`],
      ["/alerts/channels", "Alert channels · Walwarden"],
      ["/no/such/screen", "Not found · Walwarden"],
    ] as const) {
      await page.goto(path);
      await page.locator("main h1").waitFor();
      await expect.poll(() => page.title(), { message: path }).toBe(title);
    }
    // Navigating inside the app changes it too.
    await page.locator("nav").getByRole("link", { name: "Runners" }).click();
    await expect.poll(() => page.title()).toBe("Runners · Walwarden");
    // Signed out, the sign-in page has its own (the org has an admin, so it is not first-run setup).
    const { page: signedOut, errors: signedOutErrors } = await newPage(browser, stack.dev.url);
    await signedOut.goto("/databases");
    await signedOut.getByLabel("Email").waitFor();
    await expect.poll(() => signedOut.title()).toBe("Sign in · Walwarden");
    await signedOut.context().close();
    expect(signedOutErrors.filter((e) => !e.includes("401"))).toEqual([]);
  });

  it("loads the verifier's chunk only where something is verified: not for the log nor a restore", async () => {
    const scripts = new Map<string, number>();
    page.on("response", async (r) => {
      if (r.url().endsWith(".js")) scripts.set(new URL(r.url()).pathname, (await r.body()).length);
    });
    // The verifier's chunk: a chunk of its own, hundreds of KiB (zod's schemas); the app bundle is not one.
    const heavy = () =>
      [...scripts].filter(([path, bytes]) => path.startsWith("/assets/chunks/") && bytes > 200_000).map(([p]) => p);
    for (const path of ["/log", `/restores/${restoreId}`, "/runners", "/evidence"]) {
      await page.goto(path);
      await page.locator("main h1").waitFor();
      await page.waitForLoadState("networkidle");
      expect(heavy(), path).toEqual([]);
    }
    // The event type filter lists every type without it.
    await page.goto("/log");
    await page.getByLabel("Event type").waitFor();
    expect(await page.getByLabel("Event type").locator("option").count()).toBeGreaterThan(40);
    expect(heavy()).toEqual([]);
    // A backup's Verify in browser does load it.
    await page.goto(`/backups/${backupId}`);
    await page.getByRole("button", { name: "Verify in browser" }).click();
    await page.locator(".report").waitFor();
    expect(heavy()).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
