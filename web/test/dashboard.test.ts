// The real dashboard (web/dist, built by the global setup) served by the real Worker on the API's origin,
// driven in Debian's Chromium: sign in, databases with their RPO, runners, a backup's history, detail and
// in-browser verification, the audit log with filters and the in-browser consistency check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { BundlePaths, formatVkey, generateKeyPair } from "@walwarden/verifier";
import { unzipSync, zipSync } from "fflate";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { publishedKeys } from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let shopId: string;
const LONG_NAME = "analytics-warehouse-replica-eu-west-1-with-a-very-long-name-that-must-not-break-the-layout";

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  ({ page, errors } = await newPage(browser, stack.dev.url));
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Signs in through the form. */
async function signIn(p: Page) {
  await p.goto("/");
  await p.getByLabel("Email").fill(ADMIN.email);
  await p.getByLabel("Password").fill(ADMIN.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Databases" }).waitFor();
}

const row = (p: Page, databaseId: string) => p.locator(`tr[data-database="${databaseId}"]`);

describe("the dashboard", () => {
  it("signs in, shows a database with no backup, then OK after a backup arrives", async () => {
    await page.goto("/databases");
    // Not signed in yet: the dashboard asks.
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await screenshot(page, "01-sign-in");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("wrong email or password");
    await signIn(page);
    // A new org: the empty state says what to do.
    await page.getByText("No databases yet").waitFor();

    shopId = await stack.addDatabase("shop", 60);
    await stack.addDatabase(LONG_NAME);
    await page.getByRole("button", { name: "Refresh" }).click();

    const shop = row(page, shopId);
    await expect(shop.textContent()).resolves.toContain("No backup yet");
    expect(await shop.getAttribute("data-status")).toBe("at-risk");
    await expect(shop.locator(".badge").textContent()).resolves.toContain("At risk");
    await screenshot(page, "02-databases-no-backup");

    await stack.backUp(shopId);
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator(`tr[data-database="${shopId}"][data-status="ok"]`).waitFor();
    const text = (await shop.textContent()) ?? "";
    expect(text).toContain("OK");
    expect(text).toContain("within the 1 h target");
    expect(text).not.toContain("No backup yet");
    expect(text).toMatch(/\d+(\.\d)? MiB/);
    await screenshot(page, "03-databases-ok");
    expect(errors).toEqual([]);
  });

  it("cuts long names with an ellipsis and keeps the whole name in a title", async () => {
    const cell = page.locator("tr", { hasText: "analytics-warehouse" }).locator(".truncate").first();
    expect(await cell.getAttribute("title")).toBe(LONG_NAME);
    const box = await cell.boundingBox();
    expect(box!.width).toBeLessThan(400);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(overflow).toBe(true);
  });

  it("shows runners with when they were last seen", async () => {
    await page.getByRole("link", { name: "Runners" }).click();
    await page.getByRole("heading", { name: "Runners" }).waitFor();
    const r = page.locator(`tr[data-runner="${stack.runner.id}"]`);
    await r.waitFor();
    const text = (await r.textContent()) ?? "";
    expect(text).toContain("web test runner");
    expect(text).toContain("Active");
    expect(text).toMatch(/just now|ago/);
    await screenshot(page, "04-runners");
  });

  it("charts a database's backup history and lists every backup", async () => {
    await stack.backUp(shopId);
    await stack.backUp(shopId);
    await page.getByRole("link", { name: "Databases" }).click();
    await page.getByRole("link", { name: "shop" }).click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    await page.locator(".chart canvas").waitFor();
    await expect(page.locator(".chart [role=img]").getAttribute("aria-label")).resolves.toContain("last 3 backups");
    await expect(page.locator("tr[data-backup]").count()).resolves.toBe(3);
    // uPlot's legend names both series.
    const legend = (await page.locator(".u-legend").textContent()) ?? "";
    expect(legend).toContain("Size");
    expect(legend).toContain("Duration");
    await screenshot(page, "05-database-history");
    // A database without backups says so instead of drawing an empty chart.
    await page.locator("nav").getByRole("link", { name: "Databases" }).click();
    await page.getByRole("link", { name: /analytics-warehouse/ }).click();
    await page.getByText("No backups yet").waitFor();
    expect(await page.locator(".chart").count()).toBe(0);
    await page.goBack();
    await page.getByRole("link", { name: "shop" }).click();
    await page.locator(".chart canvas").waitFor();
    // An operator (here the admin) can queue a backup now.
    await page.getByRole("button", { name: "Back up now" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Backup queued" }).textContent()).resolves.toMatch(
      /Backup queued as job job_\w+/,
    );
  });

  it("shows a backup's manifest and log entry, and verifies it in the browser against keys pinned on first use", async () => {
    await page.locator("tr[data-backup] a").first().click();
    await page.getByRole("heading", { name: "Manifest" }).waitFor();
    const manifest = (await page.locator("dl.manifest").textContent()) ?? "";
    expect(manifest).toContain("https://walwarden.dev/attestation/pg-dump/v1");
    expect(manifest).toContain("acme-backups");
    expect(manifest).toContain("zstd");
    expect(manifest).toContain("16.4 / 17.2");
    await expect(page.locator("pre[data-entry]").textContent()).resolves.toContain('"type": "backup.completed"');
    await page.locator('[data-keys="first-use"]').waitFor();
    await page.getByRole("button", { name: "Verify in browser" }).click();
    const report = page.locator(".report");
    await report.waitFor();
    expect(await report.getAttribute("data-verdict")).toBe("verified");
    await expect(report.locator(".verdict-line").textContent()).resolves.toContain("Verified");
    for (const check of ["manifest.signature", "kit.checkpoint", "kit.entry", "kit.inclusion"]) {
      await expect(report.locator(`tr[data-check="${check}"] .check-status`).textContent()).resolves.toBe("passed");
    }
    // The artifact itself stays in the bucket: that check is skipped, and says so where it can be seen.
    const skipped = report.locator('tr[data-check="manifest.artifact"] .check-status');
    await expect(skipped.textContent()).resolves.toBe("skipped");
    await expect(skipped.isVisible()).resolves.toBe(true);
    expect((await skipped.boundingBox())!.y).toBeGreaterThan((await report.boundingBox())!.y);
    await screenshot(page, "06-backup-verified");
    expect(errors).toEqual([]);
  });

  it("keeps verifying with the pinned keys and reports a changed published key as an error", async () => {
    const url = page.url();
    // Another browser pinned keys this Worker never used: the published ones now look changed.
    const other = (name: string) => formatVkey(name, generateKeyPair().publicKey);
    const foreign = {
      origin: "walwarden.local/log",
      checkpoint: [other("impostor.example/checkpoint")],
      manifest: [other("impostor.example/manifest")],
      pinnedAt: "2026-01-01T00:00:00.000Z",
    };
    await page.evaluate((v) => localStorage.setItem("walwarden.pinnedKeys.v1", v), JSON.stringify(foreign));
    await page.goto(url);
    const changed = page.locator('[data-keys="changed"]');
    await changed.waitFor();
    await expect(changed.textContent()).resolves.toContain("The published verifier keys changed");
    expect(await changed.getAttribute("role")).toBe("alert");
    await page.getByRole("button", { name: "Verify in browser" }).click();
    await page.locator(".report").waitFor();
    expect(await page.locator(".report").getAttribute("data-verdict")).toBe("not-verified");
    await screenshot(page, "07-backup-keys-changed");
    // Trusting the published keys (after comparing them) makes it verify again.
    await page.getByRole("button", { name: /trust the published keys/ }).click();
    await page.locator('[data-keys="match"]').waitFor();
    await page.getByRole("button", { name: "Verify in browser" }).click();
    await page.locator('.report[data-verdict="verified"]').waitFor();
  });

  it("lists the audit log and filters it by type and subject", async () => {
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await page.locator("table.log tr[data-seq]").first().waitFor();
    const all = await page.locator("table.log tr[data-seq]").count();
    expect(all).toBeGreaterThan(6);
    await page.getByLabel("Event type").selectOption("backup.completed");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/\/log\?type=backup\.completed$/);
    await expect.poll(() => page.locator("table.log tr[data-seq]").count()).toBe(3);
    const types = await page
      .locator("table.log tr[data-seq]")
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.type));
    expect(new Set(types)).toEqual(new Set(["backup.completed"]));
    await screenshot(page, "08-audit-log-filtered");

    await page.getByLabel("Event type").selectOption("");
    await page.getByLabel("Subject").fill("db");
    await expect(page.locator("#log-subject-problem").textContent()).resolves.toContain("at least 3 characters");
    await page.getByLabel("Subject").fill(`database:${shopId}`);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/subject=database/);
    await expect.poll(() => page.locator("table.log tr[data-seq]").count()).toBeGreaterThanOrEqual(9);
    const subjects = await page
      .locator("table.log tr[data-seq] td:nth-child(5) .truncate")
      .evaluateAll((els) => els.map((e) => e.getAttribute("title")));
    expect(new Set(subjects)).toEqual(new Set([`database:${shopId}`]));

    await page.getByLabel("Event type").selectOption("restore.failed");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("No entries match these filters").waitFor();
    await page.getByRole("button", { name: "Clear" }).click();
    await expect.poll(() => page.locator("table.log tr[data-seq]").count()).toBe(all);
  });

  it("checks the log's consistency between two checkpoints in the browser, and catches a forged proof", async () => {
    const head = Number(await page.getByLabel("To size").inputValue());
    expect(head).toBeGreaterThan(6);
    await page.getByLabel("From size").fill("3");
    await page.getByRole("button", { name: "Check consistency" }).click();
    const report = page.locator("#consistency-h ~ .report");
    await report.waitFor();
    expect(await report.getAttribute("data-verdict")).toBe("verified");
    for (const check of ["checkpoint.from", "checkpoint.to", "consistency"]) {
      await expect(report.locator(`tr[data-check="${check}"] .check-status`).textContent()).resolves.toBe("passed");
    }
    await screenshot(page, "09-audit-log-consistency");

    // The same check against a proof altered on the way (one hash flipped): it must fail, in words.
    await page.route("**/v1/log/proofs/consistency?*", async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { hashes: string[] };
      const first = Buffer.from(body.hashes[0]!, "base64");
      first[0] = first[0]! ^ 1;
      body.hashes[0] = first.toString("base64");
      await route.fulfill({ response: res, json: body });
    });
    await page.getByRole("button", { name: "Check consistency" }).click();
    await page.locator('#consistency-h ~ .report[data-verdict="not-verified"]').waitFor();
    await expect(report.locator('tr[data-check="consistency"] .check-status').textContent()).resolves.toBe("failed");
    await page.unroute("**/v1/log/proofs/consistency?*");
    expect(errors).toEqual([]);
  });

  let bundlePath: string;

  it("exports an evidence bundle and says how to verify it offline", async () => {
    await page.getByRole("link", { name: "Evidence" }).click();
    await page.getByRole("heading", { name: "Evidence export" }).waitFor();
    await page.getByText("No exports yet").waitFor();
    await page.getByRole("button", { name: "Export evidence" }).click();
    const ready = page.locator("[data-exported]");
    await ready.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("a[data-download]").click()]);
    expect(download.suggestedFilename()).toMatch(/^walwarden-evidence-.*\.zip$/);
    bundlePath = join(tmpdir(), `ww-web-${Date.now()}-${download.suggestedFilename()}`);
    await download.saveAs(bundlePath);
    const zip = readFileSync(bundlePath);
    expect(zip.subarray(0, 2).toString()).toBe("PK");
    // The page's SHA-256 of the zip is the file's.
    const { createHash } = await import("node:crypto");
    await expect(ready.textContent()).resolves.toContain(createHash("sha256").update(zip).digest("hex"));
    // The export is logged, and listed.
    await page.locator("table tr", { hasText: "user:" }).first().waitFor();
    await screenshot(page, "14-evidence-exported");
    expect(errors).toEqual([]);
  });

  it("verifies the exported bundle in the standalone verify page opened from disk, with no network", async () => {
    const keys = await publishedKeys(stack.dev);
    const vkeys = [...keys.checkpoint, ...keys.manifest].join("\n");
    const { page: offline, errors: offlineErrors } = await newPage(browser);
    const requests: string[] = [];
    offline.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url());
    });
    await offline.goto(pathToFileURL(resolve(import.meta.dirname, "../dist/verify.html")).href);
    await offline.getByRole("heading", { name: "Verify an evidence bundle" }).waitFor();

    // Without keys it refuses to guess them from the bundle.
    await offline.locator("#bundle").setInputFiles(bundlePath);
    await offline.getByRole("button", { name: "Verify" }).click();
    await expect(offline.getByRole("alert").textContent()).resolves.toContain("Paste the verifier keys you trust");

    await offline.getByLabel(/Pinned verifier keys/).fill(vkeys);
    await offline.getByLabel("Log origin (optional)").fill(`${keys.origin}/${stack.orgId}`);
    await offline.getByRole("button", { name: "Verify" }).click();
    const verdict = offline.locator("#verdict");
    await verdict.waitFor();
    expect(await verdict.getAttribute("data-verdict")).toBe("verified");
    await expect(verdict.textContent()).resolves.toContain("Verified");
    await screenshot(offline, "15-verify-page-verified");

    // An entry changed (its size grew a digit), or a key that did not sign it: not verified, the failed check named.
    const files = unzipSync(readFileSync(bundlePath));
    const entries = new TextDecoder().decode(files[BundlePaths.entries]);
    expect(entries).toContain('"backup.completed"');
    files[BundlePaths.entries] = new TextEncoder().encode(entries.replace('"sizeBytes":', '"sizeBytes":1'));
    const tampered = zipSync(files);
    const tamperedPath = bundlePath.replace(/\.zip$/, "-tampered.zip");
    writeFileSync(tamperedPath, tampered);
    await offline.locator("#bundle").setInputFiles(tamperedPath);
    await offline.getByRole("button", { name: "Verify" }).click();
    await offline.locator('#verdict[data-verdict="not-verified"]').waitFor();
    await expect(offline.locator(".summary").textContent()).resolves.toContain("first failure");
    await screenshot(offline, "16-verify-page-tampered");

    const impostor = [
      formatVkey(keys.checkpoint[0]!.split("+")[0]!, generateKeyPair().publicKey),
      ...keys.manifest,
    ].join("\n");
    await offline.getByLabel(/Pinned verifier keys/).fill(impostor);
    await offline.locator("#bundle").setInputFiles(bundlePath);
    await offline.getByRole("button", { name: "Verify" }).click();
    await offline.locator('#verdict[data-verdict="not-verified"]').waitFor();

    expect(requests).toEqual([]);
    expect(offlineErrors).toEqual([]);
  });

  it("is usable by keyboard: skip link, focus moves to the screen, visible focus, every control labelled", async () => {
    await page.goto("/databases");
    await page.getByRole("heading", { name: "Databases" }).waitFor();
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect((await skip.boundingBox())!.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press("Enter");
    // The shell moves focus in an effect after the render: on a loaded machine that lands a moment later.
    const focusedId = () => page.evaluate(() => document.activeElement?.id);
    await expect.poll(focusedId, { timeout: 5000 }).toBe("main");

    // Tab to the Runners link and follow it with Enter: focus lands on the new screen.
    let guard = 0;
    while ((await page.evaluate(() => document.activeElement?.textContent)) !== "Runners" && guard++ < 30)
      await page.keyboard.press("Shift+Tab");
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(ring).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Runners" }).waitFor();
    await expect.poll(focusedId, { timeout: 5000 }).toBe("main");

    // Every input, select and textarea on every screen has a label.
    const backupId = await page.evaluate(
      async () => ((await (await fetch("/v1/backups?limit=1")).json()) as { items: { id: string }[] }).items[0]!.id,
    );
    for (const path of [
      "/databases",
      `/databases/${shopId}`,
      `/backups/${backupId}`,
      "/restores",
      "/log",
      "/runners",
      "/evidence",
    ]) {
      await page.goto(path);
      await page.locator("main h1").waitFor();
      await page.waitForLoadState("networkidle");
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLInputElement>("input, select, textarea")]
          .filter((el) => !el.labels?.length && !el.getAttribute("aria-label"))
          .map((el) => el.outerHTML),
      );
      expect(unlabelled, path).toEqual([]);
    }
    await page.goto("/restores");
    await page.getByText("No restores yet").waitFor();
    expect(errors).toEqual([]);
  });

  it("serves the dashboard and the API on one origin: CSP on the app, verify.html with its own, the API never shadowed", async () => {
    const app = await fetch(`${stack.dev.url}/databases/anything`, {
      headers: { "sec-fetch-mode": "navigate", accept: "text/html" },
    });
    expect(app.status).toBe(200);
    expect(await app.text()).toContain('<div id="app">');
    const csp = app.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    // verify.html's inline script and styles are admitted by hash, and its own meta policy forbids every connection.
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/);
    const verify = await (await fetch(`${stack.dev.url}/verify.html`)).text();
    expect(verify).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'none'`,
    );
    // Unknown API paths are the API's JSON 404, not the dashboard's index.html.
    const api = await fetch(`${stack.dev.url}/v1/no-such-route`, {
      headers: { "sec-fetch-mode": "navigate", accept: "text/html" },
    });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: "not-found" } });
    // verify.html also works served from the origin (its inline script runs under its own policy).
    const { page: served, errors: servedErrors } = await newPage(browser, stack.dev.url);
    await served.goto("/verify.html");
    await served.getByRole("button", { name: "Verify" }).click();
    await expect(served.getByRole("alert").textContent()).resolves.toContain("Paste the verifier keys");
    expect(servedErrors).toEqual([]);
  });

  it("signs out: the session ends and the sign-in form is back", async () => {
    await page.goto("/databases");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const me = await page.evaluate(async () => (await fetch("/v1/auth/me")).status);
    expect(me).toBe(401);
  });
});
