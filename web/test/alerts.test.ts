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
import type { Channel, Incident } from "@walwarden/verifier/wire";
import { apiCall, claimJob, createRunnerToken, requestBackup } from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
/** A runner that never polls: silent a minute after it was registered (made first, so the wait overlaps the other tests). */
let quiet: { id: string; createdAt: string };

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ ALERT_RUNNER_SILENT_MINUTES: "1" }), launchBrowser()]);
  quiet = await createRunnerToken(stack.dev, stack.cookie, "quiet");
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

  describe("channels", () => {
    const channels = async () =>
      (await apiCall<{ items: Channel[] }>(stack.dev, "GET", "/v1/alert-channels", { cookie: stack.cookie })).items;
    const card = (p: Page, name: string) => p.locator("[data-channel]", { has: p.getByRole("heading", { name }) });
    let firstSecret: string;

    it("refuses a loopback URL with the API's message and changes nothing; creates a webhook channel and shows its secret once", async () => {
      await page.goto("/alerts/channels");
      await page.getByText("No channels yet").waitFor();
      await page.getByRole("button", { name: "Add channel" }).click();
      const form = page.locator("form.channel-form");
      await form.getByLabel("Name").fill("pager");
      await form.getByLabel("URL").fill("https://127.0.0.1/hook");
      await form.getByRole("button", { name: "Create channel" }).click();
      const problem = form.getByRole("alert");
      await problem.waitFor();
      const refused = await apiCall(stack.dev, "POST", "/v1/alert-channels", {
        cookie: stack.cookie,
        body: { name: "x", target: { kind: "webhook", url: "https://127.0.0.1/hook" } },
      }).catch((e: Error) => e.message);
      expect(refused).toContain("400");
      const shown = ((await problem.textContent()) ?? "").trim();
      expect(shown.length).toBeGreaterThan(0);
      expect(refused).toContain(shown);
      expect(await channels()).toEqual([]);
      await expect(form.getByLabel("Name").inputValue()).resolves.toBe("pager"); // what was typed stays

      await form.getByLabel("URL").fill("https://hooks.example.com/walwarden");
      await form.getByLabel("Backup failed").check();
      await form.getByLabel("Runner silent").check();
      await form.getByLabel("Least severity").selectOption("critical");
      await form.getByLabel("Repeat every (minutes)").fill("30");
      await form.getByRole("button", { name: "Create channel" }).click();
      const panel = page.locator("[data-secret-panel]");
      await panel.waitFor();
      firstSecret = (await panel.locator("code.secret").textContent()) ?? "";
      expect(firstSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{32,}$/);
      const panelText = (await panel.textContent()) ?? "";
      expect(panelText).toContain("it will not be shown again");
      expect(panelText).toContain("Standard Webhooks");
      expect(panelText).toContain("webhook-signature");
      await screenshot(page, "alerts-04-secret");

      const [created] = await channels();
      expect(created).toMatchObject({
        name: "pager",
        kind: "webhook",
        conditions: ["backup.failed", "runner.silent"],
        minSeverity: "critical",
        repeatMinutes: 30,
        enabled: true,
      });
      expect(created!.targetHint).toContain("hooks.example.com");
      const pager = card(page, "pager");
      await expect(pager.locator("[data-target-hint]").textContent()).resolves.toBe(created!.targetHint);
      await expect(pager.locator("[data-conditions]").textContent()).resolves.toBe("Backup failed, Runner silent");
      await expect(pager.locator("[data-severity]").textContent()).resolves.toBe("Critical only");
      await expect(pager.locator("[data-repeat]").textContent()).resolves.toBe("every 30 min while open");

      await panel.getByRole("button", { name: "I have stored it" }).click();
      expect(await panel.count()).toBe(0);
      await page.reload();
      await card(page, "pager").waitFor();
      expect(await page.content()).not.toContain(firstSecret);
      expect(errors).toEqual([]);
    });

    it("edits with a PATCH of only what changed; a new URL shows a new secret", async () => {
      const pager = card(page, "pager");
      await pager.getByRole("button", { name: "Edit" }).click();
      const form = pager.locator("form.channel-form");
      await form.getByLabel("Name").fill("pager-eu");
      await form.getByLabel("Repeat every (minutes)").fill("");
      const patch = page.waitForRequest((r) => r.method() === "PATCH");
      await form.getByRole("button", { name: "Save changes" }).click();
      expect((await patch).postDataJSON()).toEqual({ name: "pager-eu", repeatMinutes: null });
      const renamed = card(page, "pager-eu");
      await renamed.locator("[data-repeat]", { hasText: "once" }).waitFor();
      expect(await page.locator("[data-secret-panel]").count()).toBe(0);
      const [after] = await channels();
      expect(after).toMatchObject({ name: "pager-eu", repeatMinutes: null, minSeverity: "critical" });

      await renamed.getByRole("button", { name: "Edit" }).click();
      await renamed.getByLabel("URL").fill("https://hooks2.example.com/walwarden");
      const retarget = page.waitForRequest((r) => r.method() === "PATCH");
      await renamed.getByRole("button", { name: "Save changes" }).click();
      expect((await retarget).postDataJSON()).toEqual({
        target: { kind: "webhook", url: "https://hooks2.example.com/walwarden" },
      });
      const secret = (await page.locator("[data-secret-panel] code.secret").textContent()) ?? "";
      expect(secret).toMatch(/^whsec_/);
      expect(secret).not.toBe(firstSecret);
      await renamed.locator("[data-target-hint]", { hasText: "hooks2.example.com" }).waitFor();
      expect((await channels())[0]!.targetHint).toContain("hooks2.example.com");
      await page.getByRole("button", { name: "I have stored it" }).click();
      expect(errors).toEqual([]);
    });

    it("sends a test that appears in the delivery history as the API records it", async () => {
      const pager = card(page, "pager-eu");
      await pager.getByRole("button", { name: "Send test" }).click();
      await pager.getByText("Test notice queued").waitFor();
      await pager.getByText("Delivery history", { exact: true }).click();
      const row = pager.locator('tr[data-kind="test"]');
      await row.waitFor();
      const id = (await channels())[0]!.id;
      const { items } = await apiCall<{ items: { id: string; kind: string }[] }>(
        stack.dev,
        "GET",
        `/v1/alert-channels/${id}/deliveries`,
        { cookie: stack.cookie },
      );
      expect(items.map((d) => d.kind)).toEqual(["test"]);
      await expect(row.getAttribute("data-delivery")).resolves.toBe(items[0]!.id);
      expect((await row.textContent()) ?? "").toMatch(/queued|retrying|delivered|failed/);
      await screenshot(page, "alerts-05-history");
      expect(errors).toEqual([]);
    });

    it("creates an email channel from comma-separated addresses, and deletes it only after a confirmation", async () => {
      await page.getByRole("button", { name: "Add channel" }).click();
      const form = page.locator("form.channel-form");
      await form.getByLabel("Name").fill("ops mail");
      await form.getByLabel("Kind").selectOption("email");
      await form.getByLabel("Addresses (comma-separated)").fill("ops@example.com, oncall@example.org");
      await form.getByRole("button", { name: "Create channel" }).click();
      const mail = card(page, "ops mail");
      await mail.waitFor();
      expect(await page.locator("[data-secret-panel]").count()).toBe(0); // no secret for email
      await expect(mail.locator("[data-conditions]").textContent()).resolves.toBe("every condition");
      const created = (await channels()).find((c) => c.name === "ops mail")!;
      expect(created.kind).toBe("email");
      await expect(mail.locator("[data-target-hint]").textContent()).resolves.toBe(created.targetHint);

      await mail.getByRole("button", { name: "Delete" }).click();
      const confirm = mail.getByRole("alertdialog");
      expect((await confirm.textContent()) ?? "").toContain("Delete ops mail?");
      await confirm.getByRole("button", { name: "Cancel" }).click();
      expect((await channels()).map((c) => c.name).sort()).toEqual(["ops mail", "pager-eu"]);
      await mail.getByRole("button", { name: "Delete" }).click();
      await mail.getByRole("button", { name: "Delete channel" }).click();
      await mail.waitFor({ state: "detached", timeout: 5000 }).catch(async (e) => {
        throw new Error(`${e}: ${await mail.textContent()}`);
      });
      expect((await channels()).map((c) => c.name)).toEqual(["pager-eu"]);
      expect(errors).toEqual([]);
    });

    it("shows a viewer the channels and their history without any button that changes them", async () => {
      const viewer = { email: "alerts-viewer@example.com", password: "a long viewer password" };
      await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...viewer, role: "viewer" } });
      const { page: asViewer, errors: viewerErrors } = await newPage(browser, stack.dev.url);
      await signIn(asViewer, viewer);
      await asViewer.goto("/alerts/channels");
      const pager = card(asViewer, "pager-eu");
      await pager.waitFor();
      for (const name of ["Add channel", "Edit", "Send test", "Delete"])
        expect(await asViewer.getByRole("button", { name }).count(), name).toBe(0);
      await pager.getByText("Delivery history", { exact: true }).click();
      await pager.locator('tr[data-kind="test"]').waitFor();
      await asViewer.context().close();
      expect(viewerErrors).toEqual([]);
    });
  });

  it("orders the databases by their worst open alert, with the badge and the last failure's reason and attempts, asking for jobs only for the failing one", async () => {
    const alphaId = await stack.addDatabase("alpha");
    await stack.backUp(alphaId);
    const zetaId = await stack.addDatabase("zeta");
    const paymentsId = await stack.addDatabase("payments");
    await failBackup(paymentsId, "pg_dump: could not write to output file: No space left on device");
    await tick();
    const failing = (await openIncidents()).filter((i) => i.subject.startsWith("database:"));
    expect(failing.map((i) => [i.condition, i.subject])).toEqual([["backup.failed", `database:${paymentsId}`]]);

    const jobRequests: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/v1/jobs") jobRequests.push(r.url());
    });
    await page.goto("/databases");
    const rows = page.locator("tr[data-database]");
    const payments = page.locator(`tr[data-database="${paymentsId}"]`);
    await payments.locator('[data-condition="backup.failed"]').waitFor();
    await payments.locator("[data-last-failure]").waitFor();
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-database")));
    expect(order).toEqual([paymentsId, alphaId, ordersId, zetaId]);
    await expect(payments.locator('[data-condition="backup.failed"]').textContent()).resolves.toContain(
      "Backup failed",
    );
    const failure = (await payments.locator("[data-last-failure]").textContent()) ?? "";
    expect(failure).toMatch(/^Last failure \(attempt 1 of \d+\): /);
    expect(failure).toContain("No space left on device");
    // The other rows have no alert badge.
    expect(await page.locator(`tr[data-database="${alphaId}"] [data-condition]`).count()).toBe(0);
    expect(jobRequests.map((u) => new URL(u).searchParams.get("databaseId"))).toEqual([paymentsId]);
    await screenshot(page, "alerts-06-databases");
    expect(errors).toEqual([]);
  });

  it("says a runner with an open runner.silent alert is Silent, one whose jobs failed in the last hour Failing, and one that polls Active", async () => {
    const steady = await createRunnerToken(stack.dev, stack.cookie, "steady");
    // quiet counts as silent once it is a minute old: wait for that (most of it went by in the tests above).
    const due = Date.parse(quiet.createdAt) + 61_000 - Date.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    await claimJob(stack.dev, steady.token, { databases: [] });
    await tick();
    const silent = (await openIncidents()).filter((i) => i.condition === "runner.silent");
    expect(silent.map((i) => i.subject)).toEqual([`runner:${quiet.id}`]);

    await page.goto("/runners");
    const state = (id: string) => page.locator(`tr[data-runner="${id}"] [data-state]`);
    // The rows come with the runners; the alerts and the failed jobs land after them, so poll.
    await expect.poll(() => state(quiet.id).textContent()).toBe("Silent");
    // The stack's runner polls before every tick, but it ran the two backups that failed above.
    await expect.poll(() => state(stack.runner.id).textContent()).toBe("Failing");
    expect((await page.locator(`tr[data-runner="${stack.runner.id}"]`).textContent()) ?? "").toContain(
      "2 failed job(s) in the last hour",
    );
    await expect(state(steady.id).textContent()).resolves.toBe("Active");
    // The banner now leads with a critical alert too, and counts every open one.
    const open = await openIncidents();
    await expect(banner(page).textContent()).resolves.toContain(`${open.length} open alerts`);
    await screenshot(page, "alerts-07-runners");
    expect(errors).toEqual([]);
  }, 180_000);

  it("fits a phone (390×844): no sideways scrolling on the alerts, channels, databases and runners screens", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ["/alerts", "/alerts/channels", "/databases", "/runners"]) {
      await page.goto(path);
      await page.locator("main h1").waitFor();
      await banner(page).waitFor();
      if (path === "/alerts/channels") {
        await page.getByRole("button", { name: "Add channel" }).click();
        await page.getByText("Delivery history", { exact: true }).first().click();
        await page.locator("tr[data-delivery]").first().waitFor();
      }
      await page.waitForLoadState("networkidle");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
      await screenshot(page, `alerts-08-phone${path.replaceAll("/", "-")}`);
    }
    await page.setViewportSize({ width: 1366, height: 900 });
    expect(errors).toEqual([]);
  });
});
