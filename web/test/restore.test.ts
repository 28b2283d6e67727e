// A restore issued in the dashboard and run by the real `walwarden` CLI, watched live: the real Worker under
// wrangler dev (which also serves web/dist), s3rver, PostgreSQL 15 and a backup made by the real runner
// (@walwarden/testing/restore-parts). Issued through the confirmation; the dashboard shows the one-time command once; while the CLI runs, each
// transition appears on the page as the Worker logs it, in order, over SSE; the stream is closed at the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiCall, publishedKeys } from "@walwarden/testing/api";
import { runCli, startRestoreParts, type RestoreParts } from "@walwarden/testing/restore-parts";
import { tableChecksums } from "@walwarden/testing/sample-data";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN } from "./support/stack.js";

let parts: RestoreParts;
let browser: Browser;

beforeAll(async () => {
  [parts, browser] = await Promise.all([startRestoreParts({ dashboard: true }), launchBrowser()]);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await parts?.stop();
});

/** Records, in page time, when each transition row first appears (the SPA never reloads, so one clock). */
const RECORD_TRANSITIONS = () => {
  const w = window as unknown as { __seen: { state: string; t: number }[] };
  w.__seen = [];
  const scan = () => {
    for (const li of document.querySelectorAll<HTMLElement>("li[data-transition]")) {
      if (li.dataset.recorded) continue;
      li.dataset.recorded = "1";
      w.__seen.push({ state: li.dataset.transition!, t: performance.now() });
    }
  };
  new MutationObserver(scan).observe(document, { childList: true, subtree: true });
};

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Databases" }).waitFor();
}

/** The value after `flag` in a shell command line (the command is `walwarden restore --api … --org … --token … --target …`). */
function flag(command: string, name: string): string {
  const m = new RegExp(`--${name} (\\S+)`).exec(command);
  if (!m) throw new Error(`no --${name} in ${command}`);
  return m[1]!.replace(/^["']|["']$/g, "");
}

describe("a restore in the dashboard", () => {
  it("issues it as an operator, shows the command once, and shows each transition live while the CLI runs", async () => {
    const { page, errors } = await newPage(browser, parts.dev.url);
    await page.addInitScript(RECORD_TRANSITIONS);
    const streams: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/events")) streams.push(r.url());
    });
    await signIn(page, ADMIN);
    await page.goto(`/backups/${parts.backupId}`);
    await page.getByRole("button", { name: "Restore this backup…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Issue restore command" }).click();
    const commandBox = page.locator("pre[data-command]");
    await commandBox.waitFor();
    const command = (await commandBox.textContent()) ?? "";
    expect(command).toMatch(/^(npx )?walwarden restore /);
    expect(command).toContain(`--org ${parts.orgId}`);
    expect(command).toMatch(/--token wwo_/);
    expect(command).toContain("$TARGET_DATABASE_URL");
    await page.locator('li[data-transition="issued"]').waitFor();
    const restoreId = page.url().split("/").pop()!;
    await screenshot(page, "10-restore-issued");

    // The operator runs the command on their machine, with keys they pinned and their own target.
    const target = await parts.target("restore_web");
    const keys = await publishedKeys(parts.dev);
    const args = [
      "restore",
      "--api",
      flag(command, "api"),
      "--org",
      flag(command, "org"),
      "--token",
      flag(command, "token"),
      "--target",
      target.url,
    ];
    const cli = runCli([...args, ...[...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k])]);
    let exited = false;
    void cli.then(() => (exited = true));

    // While it runs, poll what the page shows: some poll must see the restore part-way, before the CLI ends.
    const duringRun: string[][] = [];
    let midShot = false;
    while (!exited) {
      const shown = await page
        .locator("li[data-transition]")
        .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.transition!));
      if (!exited) duringRun.push(shown);
      if (!midShot && shown.includes("downloading") && !shown.includes("completed")) {
        midShot = true;
        await screenshot(page, "11-restore-in-progress");
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const run = await cli;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await tableChecksums(parts.pg, target.db)).toEqual(await tableChecksums(parts.pg, "shop"));

    const order = ["issued", "claimed", "downloading", "verifying", "restoring", "completed"];
    await page.locator('li[data-transition="completed"]').waitFor();
    const seen = await page.evaluate(() => (window as unknown as { __seen: { state: string; t: number }[] }).__seen);
    expect(seen.map((s) => s.state)).toEqual(order);
    // Live, not loaded at the end: the page showed the restore part-way while the CLI was still running…
    const partWay = duringRun.filter((s) => s.includes("claimed") && !s.includes("completed"));
    expect(partWay.length, JSON.stringify(duringRun)).toBeGreaterThan(0);
    // …and each transition appeared at its own moment, in order.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.t).toBeGreaterThanOrEqual(seen[i - 1]!.t);
    expect(seen.at(-1)!.t - seen[1]!.t).toBeGreaterThan(0);

    // The history on the page is the logged one, with the downloaded file's SHA-256 at verifying.
    const logged = await apiCall<{ entries: string[] }>(
      parts.dev,
      "GET",
      `/v1/log/entries?limit=100&subject=restore:${restoreId}`,
      { cookie: parts.cookie },
    );
    const entries = logged.entries.map((e) => JSON.parse(e) as { type: string; seq: number });
    expect(entries.map((e) => e.type)).toEqual(
      order.map((s) => (s === "issued" ? "restore.token_issued" : `restore.${s}`)),
    );
    const pageSeqs = await page
      .locator("li[data-transition]")
      .evaluateAll((els) => els.map((e) => Number(/log #(\d+)/.exec(e.textContent ?? "")?.[1])));
    expect(pageSeqs).toEqual(entries.map((e) => e.seq));
    await expect(page.locator('li[data-transition="verifying"]').textContent()).resolves.toMatch(
      /downloaded SHA-256 [0-9a-f]{64}/,
    );

    // The stream ended at completed and the page closed it: no reconnect (the server's retry is 2 s).
    await page.locator('[data-connection="ended"]').waitFor();
    await page.waitForTimeout(3_000);
    expect(streams).toHaveLength(1);
    await screenshot(page, "12-restore-completed");

    // Shown once: the command is not on the page after a reload, nor anywhere the API serves.
    await page.reload();
    await page.locator('li[data-transition="completed"]').waitFor();
    expect(await page.locator("pre[data-command]").count()).toBe(0);
    expect(await page.content()).not.toContain(flag(command, "token"));
    expect(errors).toEqual([]);
  });

  it("offers no restore to a viewer", async () => {
    const viewer = { email: "viewer@example.com", password: "a long viewer password" };
    await apiCall(parts.dev, "POST", "/v1/users", { cookie: parts.cookie, body: { ...viewer, role: "viewer" } });
    const { page } = await newPage(browser, parts.dev.url);
    await signIn(page, viewer);
    await page.goto(`/backups/${parts.backupId}`);
    await page.getByText("Restores are issued by operators.").waitFor();
    expect(await page.getByRole("button", { name: "Restore this backup…" }).count()).toBe(0);
  });

  it("lists the restore with its state", async () => {
    const { page } = await newPage(browser, parts.dev.url);
    await signIn(page, ADMIN);
    await page.getByRole("link", { name: "Restores" }).click();
    const row = page.locator("tr[data-restore]").first();
    await row.waitFor();
    await expect(row.locator(".badge").textContent()).resolves.toBe("completed");
    await expect(row.locator("[data-issuer]").textContent()).resolves.toBe(`by ${ADMIN.email}`);
    await screenshot(page, "13-restores");
  });
});
