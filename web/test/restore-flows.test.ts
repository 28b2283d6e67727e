// The restore screens' flows in the real dashboard served by the real Worker (wrangler dev), driven in
// Debian's Chromium: issuing through the confirmation (database and backup time named, a dry-run choice,
// Escape cancels), the one-time command collapsing once a CLI claims it, the expiry countdown, cancel,
// re-issue after a cancel, a failure and an expiry, and the stepper in progress and failed. The CLI's side
// is driven through its API as the CLI does (claim with the token from the page, then transitions and
// progress with the progress credential; support: @walwarden/testing/api). Backups are synthetic (the
// bucket is never contacted: presigning is local). Tokens live 40 s here, so expiry is seen within a test.
// Desktop 1440×900 and phone 390×844, never wider than the viewport; screenshots in test-output/web.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { BackupDetail, RestorePage, RestoreView } from "@walwarden/verifier/wire";
import {
  apiCall,
  claimRestore,
  issueRestore,
  putBucketCredential,
  reportProgress,
  reportTransition,
} from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const VIEWER = { email: "restore-viewer@example.com", password: "a long viewer password" };
const TTL_SECONDS = 40;
const CREDENTIAL = {
  endpoint: "http://127.0.0.1:9",
  region: "us-east-1",
  forcePathStyle: true,
  accessKeyId: "RESTOREREADONLY",
  secretAccessKey: "restore-read-only-secret-0123456789",
};

let stack: Stack;
let browser: Browser;
let backupId: string;
let backup: BackupDetail;
let lockedBackupId: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startStack({ RESTORE_TOKEN_TTL_SECONDS: String(TTL_SECONDS) }),
    launchBrowser(),
  ]);
  const orders = await stack.addDatabase("orders");
  backupId = await stack.backUp(orders);
  backup = await apiCall<BackupDetail>(stack.dev, "GET", `/v1/backups/${backupId}`, { cookie: stack.cookie });
  await putBucketCredential(stack.dev, stack.cookie, "acme-backups", CREDENTIAL);
  // A second database whose backups go to a bucket with no read-only credential.
  const ledger = await stack.addDatabase("ledger");
  lockedBackupId = await stack.backUp(ledger, {
    s3: {
      bucket: "vault-archive",
      key: `walwarden/${ledger}/bk.dump.zst`,
      versionId: null,
      etag: '"e"',
      objectLock: null,
    },
  });
  await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...VIEWER, role: "viewer" } });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signedIn(who: { email: string; password: string }, viewport = DESKTOP) {
  const { page, errors } = await newPage(browser, stack.dev.url);
  await page.setViewportSize(viewport);
  await page.goto("/");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Databases" }).waitFor();
  return { page, errors };
}

/** How much wider than the viewport the document is (0: no sideways scrolling). */
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const step = (p: Page, key: string) => p.locator(`li[data-step="${key}"]`);
const statusOf = (p: Page, key: string) => step(p, key).getAttribute("data-status");
const statuses = (p: Page) =>
  p
    .locator("li[data-step]")
    .evaluateAll((els) => els.map((e) => `${e.getAttribute("data-step")}:${e.getAttribute("data-status")}`));
const restoreIdOf = (p: Page) => new URL(p.url()).pathname.split("/").pop()!;
const restores = async () =>
  (await apiCall<RestorePage>(stack.dev, "GET", "/v1/restores?limit=200", { cookie: stack.cookie })).items;

/** The value after `--name` in the issued command line. */
function flag(command: string, name: string): string {
  const m = new RegExp(`--${name} (\\S+)`).exec(command);
  if (!m) throw new Error(`no --${name} in ${command}`);
  return m[1]!;
}

/** Opens the confirmation from the page's issue button and checks what it says. */
async function openDialog(page: Page, button: string) {
  await page.getByRole("button", { name: button }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  return dialog;
}

describe("issuing a restore", () => {
  it("asks first, naming the database and the backup's time, with a dry-run choice; Escape and Cancel issue nothing", async () => {
    const { page, errors } = await signedIn(ADMIN);
    await page.goto(`/backups/${backupId}`);
    const dialog = await openDialog(page, "Restore this backup…");
    await expect(dialog.getByRole("heading").textContent()).resolves.toMatch(
      /^Restore orders from its backup of .+\?$/,
    );
    expect(await dialog.locator("time").getAttribute("datetime")).toBe(backup.completedAt);
    await expect(dialog.textContent()).resolves.toContain("one-time token, valid for at most 15 minutes");
    // A native modal dialog: the page behind is inert and focus starts inside it.
    expect(await page.evaluate(() => document.querySelector("dialog")!.matches(":modal"))).toBe(true);
    expect(await page.evaluate(() => !!document.activeElement?.closest("dialog"))).toBe(true);
    // Tab never reaches the page behind: it goes round the dialog's controls (and, past the last, the browser's own).
    let inside = 0;
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      const where = await page.evaluate(() => {
        const a = document.activeElement;
        return a?.closest("dialog") ? "dialog" : !a || a === document.body ? "browser" : a.outerHTML.slice(0, 80);
      });
      expect(["dialog", "browser"], `tab ${i}`).toContain(where);
      if (where === "dialog") inside++;
    }
    expect(inside).toBeGreaterThanOrEqual(5);
    await expect(dialog.getByRole("radio", { name: /Restore into a database/ }).isChecked()).resolves.toBe(true);
    await screenshot(page, "restore-flows-01-confirm-desktop");

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    const cancelled = await openDialog(page, "Restore this backup…");
    await cancelled.getByRole("button", { name: "Cancel" }).click();
    await cancelled.waitFor({ state: "hidden" });
    expect(await restores()).toEqual([]);
    expect(page.url()).toMatch(/\/backups\//);

    // On a phone the confirmation fits the screen.
    await page.setViewportSize(PHONE);
    const small = await openDialog(page, "Restore this backup…");
    const box = await small.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(PHONE.width);
    expect(await overflow(page)).toBe(0);
    await screenshot(page, "restore-flows-02-confirm-phone");
    await page.keyboard.press("Escape");
    await page.setViewportSize(DESKTOP);
    expect(errors).toEqual([]);
  });

  it("a dry run: the command has --dry-run and no target, the countdown runs, and the command can be hidden and shown again", async () => {
    const { page, errors } = await signedIn(ADMIN);
    await page.goto(`/backups/${backupId}`);
    const dialog = await openDialog(page, "Restore this backup…");
    await dialog.getByRole("radio", { name: /Dry run/ }).check();
    await expect(dialog.textContent()).resolves.toContain("nothing is restored");
    await dialog.getByRole("button", { name: "Issue dry-run command" }).click();
    const command = page.locator("pre[data-command]");
    await command.waitFor();
    const text = (await command.textContent())!;
    expect(text).toMatch(/^walwarden restore --api \S+ --org \S+ --token wwo_\S+ --dry-run$/);
    expect(text).not.toContain("--target");
    await expect(page.locator("[data-install]").textContent()).resolves.toContain("npm install -g @walwarden/cli");
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toMatch(/^Restore of orders/);
    // The countdown moves.
    const first = await page.locator("[data-countdown-value]").textContent();
    expect(first).toMatch(/^0:[0-4]\d$/);
    await page.waitForFunction((t) => document.querySelector("[data-countdown-value]")?.textContent !== t, first);
    expect(await statusOf(page, "issued")).toBe("current");
    await expect(step(page, "issued").locator(".restore-step-status").textContent()).resolves.toBe("waiting");
    await expect(step(page, "issued").locator(".restore-step-detail").textContent()).resolves.toBe(
      "waiting for the CLI to claim the token",
    );
    await expect(page.locator("[data-issuer]").textContent()).resolves.toBe(ADMIN.email);
    await screenshot(page, "restore-flows-03-dry-run-issued");

    await page.getByRole("button", { name: "Hide the command" }).click();
    expect(await page.locator("pre[data-command]").count()).toBe(0);
    await page.getByRole("button", { name: "Show the command" }).click();
    await expect(page.locator("pre[data-command]").textContent()).resolves.toBe(text);
    expect(errors).toEqual([]);
  });
});

describe("cancel and re-issue", () => {
  it("cancels an unclaimed restore (the CLI's claim is then refused), and re-issues it with a new command", async () => {
    const { page, errors } = await signedIn(ADMIN);
    await page.goto(`/backups/${backupId}`);
    const dialog = await openDialog(page, "Restore this backup…");
    await dialog.getByRole("button", { name: "Issue restore command" }).click();
    await page.locator("pre[data-command]").waitFor();
    const command = (await page.locator("pre[data-command]").textContent())!;
    expect(command).toContain('--target "$TARGET_DATABASE_URL"');
    const first = restoreIdOf(page);
    await page.locator('[data-connection="live"]').waitFor();

    await page.getByRole("button", { name: "Cancel this restore" }).click();
    await page.locator('li[data-transition="cancelled"]').waitFor();
    await page.locator('[data-connection="ended"]').waitFor();
    expect(await statusOf(page, "issued")).toBe("stopped");
    await expect(step(page, "issued").textContent()).resolves.toContain("cancelled before any CLI claimed it");
    expect(await page.getByRole("button", { name: "Cancel this restore" }).count()).toBe(0);
    expect(await page.locator("pre[data-command]").count()).toBe(0);
    await expect(page.locator("[data-command-spent]").textContent()).resolves.toContain("was cancelled");
    expect(await page.content()).not.toContain(flag(command, "token"));
    await page.locator("[data-reissue] button:not([disabled])").waitFor();
    await screenshot(page, "restore-flows-04-cancelled");

    // The CLI, run after all, is told plainly.
    const claim = await fetch(`${stack.dev.url}/v1/restores/claim`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: flag(command, "token"), orgId: stack.orgId, clientVersion: "0.1.0" }),
    });
    expect(claim.status).toBe(410);
    expect(((await claim.json()) as { error: { code: string } }).error.code).toBe("cancelled");

    const again = await openDialog(page, "Re-issue…");
    await expect(again.getByRole("heading").textContent()).resolves.toMatch(/^Restore orders from its backup of/);
    await again.getByRole("button", { name: "Issue restore command" }).click();
    await page.waitForURL((u) => !u.pathname.endsWith(first));
    const next = page.locator("pre[data-command]");
    await next.waitFor();
    expect(flag((await next.textContent())!, "token")).not.toBe(flag(command, "token"));
    expect(await statusOf(page, "issued")).toBe("current");
    await page.locator("[data-countdown]").waitFor();
    expect((await restores()).find((r) => r.id === first)!.state).toBe("cancelled");
    expect(errors).toEqual([]);
  });

  it("an unclaimed token expires on screen: the countdown runs out, then it is expired and can be re-issued", async () => {
    const issued = await issueRestore(stack.dev, stack.cookie, backupId);
    const { page, errors } = await signedIn(ADMIN);
    await page.goto(`/restores/${issued.restoreId}`);
    // Opened later: the command was shown once, on the screen that issued it.
    await page.locator("[data-command-gone]").waitFor();
    expect(await page.content()).not.toContain(issued.token);
    await page.locator("[data-countdown-value]").waitFor();
    await page.locator('li[data-transition="expired"]').waitFor({ timeout: (TTL_SECONDS + 30) * 1000 });
    expect(await statusOf(page, "issued")).toBe("stopped");
    await expect(step(page, "issued").textContent()).resolves.toContain("no CLI claimed the token before it expired");
    expect(await page.locator("[data-countdown]").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Cancel this restore" }).count()).toBe(0);
    await page.getByRole("button", { name: "Re-issue…" }).waitFor();
    await screenshot(page, "restore-flows-05-expired");
    expect(errors).toEqual([]);
  }, 120_000);
});

describe("the stepper while the CLI runs", () => {
  it("shows the step in progress with bytes of the total, collapses the spent command, then shows the failed step with its stage and reason", async () => {
    const { page, errors } = await signedIn(ADMIN);
    await page.goto(`/backups/${backupId}`);
    const dialog = await openDialog(page, "Restore this backup…");
    await dialog.getByRole("button", { name: "Issue restore command" }).click();
    await page.locator("pre[data-command]").waitFor();
    const command = (await page.locator("pre[data-command]").textContent())!;
    const restoreId = restoreIdOf(page);
    await page.locator('[data-connection="live"]').waitFor();

    // The CLI claims (the token spent) and starts downloading.
    const claimed = await claimRestore(stack.dev, {
      token: flag(command, "token"),
      orgId: flag(command, "org"),
      clientVersion: "0.1.0",
    });
    await page.locator('li[data-transition="claimed"]').waitFor();
    expect(await page.locator("pre[data-command]").count()).toBe(0);
    await expect(page.locator("[data-command-spent]").textContent()).resolves.toContain(
      "The CLI has claimed this restore: the one-time token in the command is spent",
    );
    expect(await page.getByRole("button", { name: "Show the command" }).count()).toBe(0);
    expect(await page.content()).not.toContain(flag(command, "token"));
    expect(await page.getByRole("button", { name: "Cancel this restore" }).count()).toBe(0);

    await reportTransition(stack.dev, restoreId, claimed.progressToken, { state: "downloading" });
    await reportProgress(stack.dev, restoreId, claimed.progressToken, {
      phase: "downloading",
      bytes: 3_145_728,
      totalBytes: 7_654_604,
      bytesPerSecond: 1_048_576,
    });
    await page.locator('li[data-step="downloading"] progress').waitFor();
    expect(await statuses(page)).toEqual([
      "issued:done",
      "claimed:done",
      "downloading:current",
      "verifying:todo",
      "restoring:todo",
      "completed:todo",
    ]);
    const downloading = (await step(page, "downloading").textContent())!;
    expect(downloading).toContain("3.0 MiB of 7.3 MiB, 1.0 MiB/s");
    expect(downloading).toContain("in progress");
    expect(downloading).not.toContain("✔");
    expect(await step(page, "downloading").getAttribute("aria-current")).toBe("step");
    expect(await step(page, "downloading").locator("progress").getAttribute("value")).toBe("3145728");
    await expect(step(page, "claimed").textContent()).resolves.toContain("by CLI 0.1.0");
    await screenshot(page, "restore-flows-06-downloading-desktop");
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBe(0);
    await screenshot(page, "restore-flows-07-downloading-phone");
    await page.setViewportSize(DESKTOP);

    // The download fails.
    const reason = "the connection was reset after 3.0 MiB, 8 retries (ECONNRESET)";
    await reportTransition(stack.dev, restoreId, claimed.progressToken, { state: "failed", stage: "download", reason });
    await page.locator('li[data-transition="failed"]').waitFor();
    expect(await statuses(page)).toEqual([
      "issued:done",
      "claimed:done",
      "downloading:failed",
      "verifying:todo",
      "restoring:todo",
      "completed:todo",
    ]);
    await expect(step(page, "downloading").textContent()).resolves.toContain(`download: ${reason}`);
    expect(await page.locator("li[data-step] progress").count()).toBe(0);
    await page.locator("[data-reissue] button:not([disabled])").waitFor();
    await expect(page.locator("[data-state-words]").textContent()).resolves.toBe(`Failed at download: ${reason}`);
    await screenshot(page, "restore-flows-08-failed-desktop");
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBe(0);
    await screenshot(page, "restore-flows-09-failed-phone");
    await page.setViewportSize(DESKTOP);

    // Re-issued after the failure: a new restore of the same backup.
    const again = await openDialog(page, "Re-issue…");
    await again.getByRole("button", { name: "Issue restore command" }).click();
    await page.waitForURL((u) => !u.pathname.endsWith(restoreId));
    await page.locator("pre[data-command]").waitFor();
    const view = await apiCall<RestoreView>(stack.dev, "GET", `/v1/restores/${restoreIdOf(page)}`, {
      cookie: stack.cookie,
    });
    expect(view).toMatchObject({ backupId, state: "issued", issuedByName: ADMIN.email });
    expect(errors).toEqual([]);
  });
});

describe("names, not ids, and the list on a phone", () => {
  it("a viewer sees who issued a restore by email and the database by name, and may not cancel or re-issue", async () => {
    // A failed restore with a long reason, to be listed.
    const issued = await issueRestore(stack.dev, stack.cookie, backupId);
    const c = await claimRestore(stack.dev, { token: issued.token, orgId: stack.orgId, clientVersion: "0.1.0" });
    await reportTransition(stack.dev, issued.restoreId, c.progressToken, { state: "downloading" });
    await reportTransition(stack.dev, issued.restoreId, c.progressToken, {
      state: "failed",
      stage: "verify",
      reason: `the downloaded file's SHA-256 is not the one the manifest signed: ${"0123456789abcdef".repeat(40)} ${"the bytes differ; ".repeat(60)}`,
    });

    const { page, errors } = await signedIn(VIEWER);
    await page.goto(`/restores/${issued.restoreId}`);
    await page.locator('li[data-transition="failed"]').waitFor();
    await expect(page.locator("[data-issuer]").textContent()).resolves.toBe(ADMIN.email);
    expect(await statusOf(page, "verifying")).toBe("failed");
    expect(await page.locator("[data-reissue]").count()).toBe(0);
    expect(await page.getByRole("button", { name: /Cancel this restore|Re-issue/ }).count()).toBe(0);

    await page.getByRole("link", { name: "Restores", exact: true }).first().click();
    const rows = page.locator("tr[data-restore]");
    await rows.first().waitFor();
    const all = await restores();
    expect(await rows.count()).toBe(all.length);
    for (const r of all) {
      const row = page.locator(`tr[data-restore="${r.id}"]`);
      await expect(row.locator("th a").textContent()).resolves.toBe("orders");
      await expect(row.locator("[data-issuer]").textContent()).resolves.toBe(`by ${ADMIN.email}`);
    }
    // (Earlier restores' tokens may expire meanwhile: only the finished one's state is compared.)
    await expect(page.locator(`tr[data-restore="${issued.restoreId}"] .badge`).textContent()).resolves.toBe("failed");
    expect(await page.content()).not.toContain("user:usr_");
    await screenshot(page, "restore-flows-10-restores-desktop");
    expect(await overflow(page)).toBe(0);

    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBe(0);
    const heights = await rows.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    expect(Math.max(...heights), JSON.stringify(heights)).toBeLessThan(240);
    // Each row is a card: the database and its state on one line.
    const failed = page.locator(`tr[data-restore="${issued.restoreId}"]`);
    const [name, badge] = await Promise.all([
      failed.locator("th a").boundingBox(),
      failed.locator(".badge").boundingBox(),
    ]);
    expect(Math.abs(name!.y - badge!.y)).toBeLessThan(12);
    await screenshot(page, "restore-flows-11-restores-phone");
    expect(errors).toEqual([]);
  });

  it("a backup whose bucket has no read-only credential sends the admin to Settings → Buckets, not to the API", async () => {
    const { page, errors } = await signedIn(ADMIN);
    await page.goto(`/backups/${lockedBackupId}`);
    const note = page.locator("[data-no-credential]");
    await note.waitFor();
    await expect(note.textContent()).resolves.toContain("vault-archive");
    expect(await note.getByRole("link", { name: "Settings → Buckets" }).getAttribute("href")).toBe("/settings/buckets");
    expect(await note.textContent()).not.toContain("PUT /v1/buckets");
    expect(await page.getByRole("button", { name: "Restore this backup…" }).count()).toBe(0);
    await screenshot(page, "restore-flows-12-no-credential");
    expect(errors).toEqual([]);
  });
});
