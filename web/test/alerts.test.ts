// Alerts in the real dashboard (web/dist) served by the real Worker, driven in Debian's Chromium: the banner
// above every screen, the alerts screen, the channels screen (/alerts/channels), the databases list
// ordered by alert and the runners' states.
//
// How incidents are made here: the Worker's cron tick finds the conditions and opens them. This Worker
// serves the dashboard (Workers Static Assets), and wrangler's asset router in front of it has no scheduled
// handler, so triggerCron (`/cdn-cgi/handler/scheduled?time=…`, a tick at a chosen time) fails with it; the
// dev server's `/__scheduled` (testScheduled, routed to the Worker first by `run_worker_first`) runs a tick
// *now*, and that is what `tick()` calls, waiting for the tick's {"event":"cron.tick"} line. So only
// conditions that can hold now are made: backup.failed (a backup job failed for good through the runner
// protocol: claim, then fail with retryable false) and runner.silent (the Worker runs with
// ALERT_RUNNER_SILENT_MINUTES=1, and a runner that never polls is silent a minute after it was registered;
// the stack's own runner polls before every tick so it never is). A warning-only banner (role="status")
// needs a warning condition now, which no route makes at once: it is proven in src/lib/alerts.test.ts.
// Channels point at https://hooks.example.com/… (accepted without being contacted; with no internet here
// their deliveries fail and retry, which the history shows), so ALERTS_ALLOW_LOOPBACK is not needed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Incident } from "@walwarden/verifier/wire";
import { apiCall, claimJob, requestBackup } from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ ALERT_RUNNER_SILENT_MINUTES: "1" }), launchBrowser()]);
  ({ page, errors } = await newPage(browser, stack.dev.url));
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Signs in through the form. */
async function signIn(p: Page, user = ADMIN) {
  await p.goto("/");
  await p.getByLabel("Email").fill(user.email);
  await p.getByLabel("Password").fill(user.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Databases" }).waitFor();
}

const tickLines = (out: string) => out.match(/^\{"event":"cron\.tick".*\}$/gm) ?? [];

/** Runs one cron tick now (see the header) after the stack's runner polled, and waits until it has logged its stats. */
async function tick() {
  await claimJob(stack.dev, stack.runner.token, { databases: [] });
  const before = tickLines(stack.dev.stdout).length;
  const res = await fetch(`${stack.dev.url}/__scheduled?cron=*+*+*+*+*`);
  expect(res.status).toBe(200);
  await stack.dev.waitFor((out) => tickLines(out)[before], 60_000, "the tick's cron.tick line");
}

/** A backup of the database that fails for good on its first attempt with `reason`, through the runner protocol. */
async function failBackup(databaseId: string, reason: string, token = stack.runner.token) {
  const { jobId } = await requestBackup(stack.dev, stack.cookie, databaseId);
  const { job } = await claimJob(stack.dev, token, { databases: [databaseId] });
  expect(job?.jobId).toBe(jobId);
  await apiCall(stack.dev, "POST", `/v1/runner/jobs/${jobId}/fail`, {
    bearer: token,
    body: { leaseId: job!.leaseId, reason, retryable: false },
  });
  return jobId;
}

/** The open incidents, as the API has them. */
const openIncidents = async () =>
  (await apiCall<{ items: Incident[] }>(stack.dev, "GET", "/v1/alerts?open=true&limit=200", { cookie: stack.cookie }))
    .items;

const banner = (p: Page) => p.locator(".alert-banner");

describe("alerts in the dashboard", () => {
  let ordersId: string;

  it("shows no banner while nothing is open; a failed backup raises a critical banner on every screen and an open alert linked to its database", async () => {
    await signIn(page);
    ordersId = await stack.addDatabase("orders");
    await tick();
    expect(await openIncidents()).toEqual([]);
    await page.goto("/alerts");
    await page.getByText("No open alerts").waitFor();
    expect(await banner(page).count()).toBe(0);

    await failBackup(ordersId, "pg_dump: connection to server at 10.0.0.5 refused");
    await tick();
    const open = await openIncidents();
    expect(open.map((i) => [i.condition, i.subject, i.severity])).toEqual([
      ["backup.failed", `database:${ordersId}`, "critical"],
    ]);

    // The banner polls; a navigation asks again at once.
    await page.getByRole("link", { name: "Databases" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "open alert" });
    await alert.waitFor();
    const text = (await alert.textContent()) ?? "";
    expect(text).toContain("Critical");
    expect(text).toContain("1 open alert");
    expect(text).not.toContain("1 open alerts");
    expect(text).toContain("Backups of orders failed after 1 attempt(s)");
    await screenshot(page, "alerts-01-banner");
    for (const [screen, path] of [
      ["Runners", "/runners"],
      ["Restores", "/restores"],
      ["Evidence", "/evidence"],
    ] as const) {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: screen }).click();
      await page.waitForURL(`**${path}`);
      await expect(banner(page).getAttribute("role")).resolves.toBe("alert");
    }

    await alert.getByRole("link", { name: "See alerts" }).click();
    await page.getByRole("heading", { name: "Alerts", level: 1 }).waitFor();
    const row = page.locator(`tr[data-condition="backup.failed"]`);
    await row.waitFor();
    const rowText = (await row.textContent()) ?? "";
    expect(rowText).toContain("Critical");
    expect(rowText).toContain("Backups of orders failed after 1 attempt(s)");
    expect(rowText).toContain("pg_dump: connection to server at 10.0.0.5 refused");
    expect(rowText).toContain(ordersId);
    await expect(row.locator("time").first().getAttribute("datetime")).resolves.toBe(open[0]!.openedAt);
    await screenshot(page, "alerts-02-open");
    await row.getByRole("link", { name: ordersId }).click();
    await page.waitForURL(`**/databases/${ordersId}`);
    await page.getByRole("heading", { name: "orders" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("lists the alert as resolved, with how long it was open, after a good backup and two clear ticks; the banner goes", async () => {
    await stack.backUp(ordersId);
    await tick();
    expect((await openIncidents()).length).toBe(1); // one clear tick is not enough (damps flapping)
    await tick();
    expect(await openIncidents()).toEqual([]);

    await page.goto("/alerts");
    await page.getByText("No open alerts").waitFor();
    const row = page.locator(`tr[data-condition="backup.failed"]`);
    await row.waitFor();
    await expect(row.locator(".duration").textContent()).resolves.toMatch(/^open \d+(\.\d+)? (ms|s|min)/);
    expect((await row.textContent()) ?? "").toContain("Backups of orders failed");
    expect(await banner(page).count()).toBe(0);
    await screenshot(page, "alerts-03-resolved");
    expect(errors).toEqual([]);
  });
});
