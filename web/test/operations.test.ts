// Databases, schedules and jobs in the real dashboard, served by the real Worker, driven in Chromium at a
// desktop (1440×900) and a phone (390×844) size: an admin adds, renames and deletes a database (after a
// confirmation that says what stays); schedules from presets and a custom cron with their problems at the
// field, the target-RPO warning and the next five runs worked out in the browser (equal to the Worker's
// next_run_at); "Back up now" followed live as the test drives the job through the runner protocol (claim,
// heartbeats, complete) and the new backup listed at once; the jobs screen with its filters and its refresh
// while a job runs; the warning when no runner serves a database. No page is wider than its viewport.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Schedule } from "@walwarden/verifier/wire";
import {
  apiCall,
  type ClaimedJob,
  claimJob,
  completeJob,
  requestBackup,
  SYNTHETIC_ARTIFACT_SHA256,
  syntheticBackupResult,
} from "@walwarden/testing/api";
import { previewRuns } from "../src/lib/schedule-engine.js";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];

/** How long a live line may take to follow the job (it reads the job every second; the machine is shared). */
const LIVE = { timeout: 15_000 };

const SIZES = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  ({ page, errors } = await newPage(browser, stack.dev.url));
  await signIn(page, ADMIN);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto("/");
  // Other tests in this checkout rebuild web/dist: a page loaded in the middle of that finds its bundle gone
  // and stays "Loading…". Once more, then say what the page shows.
  const form = p.getByLabel("Email");
  if (
    !(await form.waitFor({ timeout: 10_000 }).then(
      () => true,
      () => false,
    ))
  )
    await p.reload();
  await form.waitFor({ timeout: 10_000 }).catch(async (e) => {
    throw new Error(
      `no sign-in form at ${p.url()}: ${((await p.locator("body").textContent()) ?? "").slice(0, 500)} (${e})`,
    );
  });
  await p.getByLabel("Email").fill(who.email);
  await p.getByLabel("Password").fill(who.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Databases", exact: true }).waitFor();
}

/** The page is no wider than its viewport (a phone never scrolls sideways). */
async function fits(p: Page, where: string) {
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) {
    // Name what sticks out, so a failure says where to look.
    const wide = await p.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(-5)
        .map(
          (e) =>
            `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} ${Math.round(e.getBoundingClientRect().right)}px`,
        ),
    );
    expect.fail(`${where} is ${overflow}px wider than the viewport: ${wide.join(", ")}`);
  }
}

/** Opens a database's screen afresh (a new load also picks up a web/dist another test rebuilt meanwhile). */
async function openDatabase(id: string, name: string) {
  await page.goto(`/databases/${id}`);
  await page.getByRole("heading", { name, level: 1 }).waitFor();
}

const api = <T>(method: string, path: string, body?: unknown) =>
  apiCall<T>(stack.dev, method, path, { cookie: stack.cookie, body });
const runner = <T>(path: string, body: unknown) =>
  apiCall<T>(stack.dev, "POST", path, { bearer: stack.runner.token, body });
const heartbeat = (job: ClaimedJob, phase: string, bytes: number) =>
  runner(`/v1/runner/jobs/${job.jobId}/heartbeat`, { leaseId: job.leaseId, progress: { phase, bytes } });
const fail = (job: ClaimedJob, reason: string, retryable: boolean) =>
  runner(`/v1/runner/jobs/${job.jobId}/fail`, { leaseId: job.leaseId, reason, retryable });
const claim = async (databaseId: string): Promise<ClaimedJob> => {
  const { job } = await claimJob(stack.dev, stack.runner.token, { databases: [databaseId] });
  if (!job) throw new Error(`nothing to claim for ${databaseId}`);
  return job;
};
/** Completes a claimed backup with a synthetic result, as stack.backUp does. */
const complete = (job: ClaimedJob & { backupId: string }, databaseId: string) =>
  completeJob(stack.dev, stack.runner.token, job.jobId, {
    leaseId: job.leaseId,
    artifactSha256: SYNTHETIC_ARTIFACT_SHA256,
    result: syntheticBackupResult(stack.runner.id, {
      startedAt: new Date(Date.now() - 31_000).toISOString(),
      completedAt: new Date(Date.now() - 1000).toISOString(),
      s3: {
        bucket: "acme-backups",
        key: `walwarden/${databaseId}/${job.backupId}.dump.zst`,
        versionId: null,
        etag: '"9b2cf535f27731c974343645a3985328-3"',
        objectLock: null,
      },
    }),
  });

describe("the schedule preview is the Worker's", () => {
  it("for several crons and zones, the first run the browser's code works out is the next_run_at the Worker stored", async () => {
    const db = await stack.addDatabase("preview-check");
    const cases: [string, string][] = [
      ["0 * * * *", "UTC"],
      ["0 */6 * * *", "America/New_York"],
      ["0 3 * * *", "Europe/Berlin"],
      ["0 4 * * 0", "Asia/Kolkata"],
      ["*/15 9-17 * * 1-5", "Australia/Sydney"],
      ["30 2 * * *", "Europe/Berlin"],
      ["0 0 1 * *", "Pacific/Chatham"],
    ];
    for (const [cron, timezone] of cases) {
      const s = await api<Schedule>("POST", "/v1/schedules", { databaseId: db, cron, timezone, targetRpoMinutes: 60 });
      const preview = previewRuns(cron, timezone, Date.parse(s.createdAt));
      if (!("runs" in preview)) throw new Error(preview.problem);
      expect(new Date(preview.runs[0]!).toISOString(), `${cron} in ${timezone}`).toBe(s.nextRunAt);
    }
    await api("DELETE", `/v1/databases/${db}`);
  });
});

describe.each(SIZES)("at $name size ($width×$height)", (size) => {
  const shot = (name: string) => screenshot(page, `operations-${size.name}-${name}`);
  let dbId: string;
  let dbName: string;

  beforeAll(async () => {
    await page.setViewportSize({ width: size.width, height: size.height });
  });

  it("adds a database (its problem at the field), lands on it, renames it, and says no runner has polled", async () => {
    await page.goto("/databases");
    await page.getByRole("button", { name: "Add database", exact: true }).click();
    const form = page.locator("form[data-database-form]");
    await form.waitFor();
    await form.getByRole("button", { name: "Add database" }).click();
    await expect(form.locator('[data-problem="name"]').textContent()).resolves.toBe(
      "a name of 1 to 200 characters, on one line",
    );
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("database-new-name");
    expect(await form.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");
    await fits(page, "the add-database form");
    await shot("01-add-database-problem");

    dbName = `orders-${size.name}`;
    await form.getByLabel("Name").fill(dbName);
    await form.getByLabel("Provider").selectOption("supabase");
    await form.getByRole("button", { name: "Add database" }).click();
    await page.waitForURL(/\/databases\/db_/);
    dbId = page.url().split("/").pop()!;
    await page.getByRole("heading", { name: dbName, level: 1 }).waitFor();
    await expect(page.locator('[data-fact="last-runner"]').textContent()).resolves.toContain("No runner yet");
    if (size.name === "desktop") {
      // The stack's runner has not polled yet: nothing would take this database's backups.
      const warning = page.locator('[data-runner-warning="all-silent"]');
      await warning.waitFor();
      await expect(warning.textContent()).resolves.toContain("no runner has ever polled");
    }
    // No schedule yet: the panel says what that means.
    await page.locator("[data-schedules-panel]").getByText("No schedule").waitFor();

    await page.getByRole("button", { name: "Edit database" }).click();
    const edit = page.locator("form[data-database-form]");
    await edit.getByLabel("Name").fill(`${dbName}-eu`);
    await edit.getByLabel("Provider").selectOption("rds");
    await edit.getByRole("button", { name: "Save database" }).click();
    dbName = `${dbName}-eu`;
    await page.getByRole("heading", { name: dbName, level: 1 }).waitFor();
    await page.getByRole("status").filter({ hasText: "Database saved." }).waitFor();
    const db = await api<{ name: string; provider: string }>("GET", `/v1/databases/${dbId}`);
    expect(db).toMatchObject({ name: dbName, provider: "rds" });
    await fits(page, "a new database's screen");
    await shot("02-database-added");
    expect(errors).toEqual([]);
  });

  it("creates a schedule from a preset: the next 5 runs in its zone, the target-RPO warning, then the Worker's next run", async () => {
    await openDatabase(dbId, dbName);
    const panel = page.locator("[data-schedules-panel]");
    await panel.getByRole("button", { name: "Add schedule" }).click();
    const form = panel.locator("form[data-schedule-form]");
    await form.waitFor();
    // The default: daily at 03:00 UTC, a 26-hour target; five runs worked out in the browser.
    await expect(form.locator("[data-preview-runs] li").count()).resolves.toBe(5);
    expect(await form.locator("[data-preview-runs]").getAttribute("data-cron")).toBe("0 3 * * *");

    await form.getByLabel("Runs", { exact: true }).selectOption("weekly");
    await form.getByLabel("On", { exact: true }).selectOption("1");
    await form.getByLabel("At", { exact: true }).selectOption("4");
    await form.getByLabel("Time zone").fill("Europe/Berlin");
    await form.getByLabel("Target RPO", { exact: true }).fill("1");
    await form.getByLabel("Target RPO unit").selectOption("days");
    const warning = form.locator("[data-rpo-warning]");
    await expect(warning.textContent()).resolves.toContain(
      "The target (1 day) is shorter than the longest gap between runs (7 days)",
    );
    const runs = form.locator("[data-preview-runs] li");
    await expect(runs.first().textContent()).resolves.toMatch(/^Mon \d+ \w{3} \d{4}, 04:00 (CET|CEST)$/);
    const previewed = await runs.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.run!));
    expect(previewed).toHaveLength(5);
    // The same code in Node, from the same instant's minute, agrees.
    const node = previewRuns("0 4 * * 1", "Europe/Berlin", Date.now());
    if (!("runs" in node)) throw new Error(node.problem);
    expect(previewed[0]).toBe(new Date(node.runs[0]!).toISOString());
    await fits(page, "the schedule form with its warning");
    await shot("03-schedule-form-warning");

    await form.getByLabel("Target RPO", { exact: true }).fill("8");
    await expect.poll(() => warning.count()).toBe(0);
    await form.getByRole("button", { name: "Create schedule" }).click();
    const row = panel.locator("tr[data-schedule]");
    await row.waitFor();
    await expect(row.locator("th").textContent()).resolves.toContain("Weekly on Monday at 04:00");
    // What the Worker stored as the next run is the first run the browser previewed.
    const [saved] = (await api<{ items: Schedule[] }>("GET", `/v1/schedules?databaseId=${dbId}`)).items;
    expect(saved).toMatchObject({ cron: "0 4 * * 1", timezone: "Europe/Berlin", targetRpoMinutes: 8 * 1440 });
    expect(saved!.nextRunAt).toBe(previewed[0]);
    expect(await row.locator("[data-next-run]").getAttribute("data-next-run")).toBe(previewed[0]);
    // The database's target RPO follows its schedule.
    await expect.poll(() => page.locator("#rpo-h ~ dl.facts").textContent()).toContain("8 d");
    await fits(page, "the schedules list");
    await shot("04-schedule-created");
    expect(errors).toEqual([]);
  });

  it("shows a custom cron's and an unknown zone's problems at their fields", async () => {
    await openDatabase(dbId, dbName);
    const panel = page.locator("[data-schedules-panel]");
    await panel.getByRole("button", { name: "Add schedule" }).click();
    const form = panel.locator("form[data-schedule-form]");
    await form.getByLabel("Runs", { exact: true }).selectOption("custom");
    // Switching to custom starts from the preset's cron.
    await expect(form.getByLabel("Cron expression").inputValue()).resolves.toBe("0 3 * * *");
    await form.getByLabel("Cron expression").fill("61 * * * *");
    await form.getByLabel("Time zone").focus();
    await expect(form.locator('[data-problem="cron"]').textContent()).resolves.toBe(
      'cron "61 * * * *": Invalid value for minute: 61',
    );
    expect(await form.getByLabel("Cron expression").getAttribute("aria-invalid")).toBe("true");
    await expect(form.locator("[data-preview-problem]").textContent()).resolves.toContain("No preview");
    await form.getByLabel("Time zone").fill("Europe/Atlantis");
    await form.getByLabel("Target RPO", { exact: true }).focus();
    await expect(form.locator('[data-problem="timezone"]').textContent()).resolves.toBe("not a known IANA time zone");
    await form.getByRole("button", { name: "Create schedule" }).click();
    // Save is refused here: the focus goes to the first field with a problem.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("schedule-new-cron");
    await fits(page, "the schedule form with problems");
    await shot("05-schedule-form-problems");

    // Every six hours from 00:15 in Tokyo, with a 7-hour target: no warning, five runs six hours apart.
    await form.getByLabel("Cron expression").fill("15 */6 * * *");
    await form.getByLabel("Time zone").fill("Asia/Tokyo");
    await form.getByLabel("Target RPO", { exact: true }).fill("7");
    await form.getByLabel("Target RPO unit").selectOption("hours");
    await expect.poll(() => form.locator('[data-problem="cron"]').count()).toBe(0);
    const runs = await form
      .locator("[data-preview-runs] li")
      .evaluateAll((els) => els.map((e) => Date.parse((e as HTMLElement).dataset.run!)));
    expect(runs.slice(1).map((t, i) => t - runs[i]!)).toEqual([6, 6, 6, 6].map((h) => h * 3_600_000));
    await expect(form.locator("[data-rpo-warning]").count()).resolves.toBe(0);
    await form.getByRole("button", { name: "Create schedule" }).click();
    await expect.poll(() => panel.locator("tr[data-schedule]").count()).toBe(2);
    await expect(panel.locator("[data-schedules-said]").textContent()).resolves.toBe("Schedule created.");
    expect(errors).toEqual([]);
  });

  it("edits a schedule, pauses and resumes it, and deletes it after a confirmation", async () => {
    await openDatabase(dbId, dbName);
    const panel = page.locator("[data-schedules-panel]");
    const custom = panel.locator("tr[data-schedule]", { hasText: "15 */6 * * *" });
    await custom.getByRole("button", { name: "Edit" }).click();
    const form = panel.locator("form[data-schedule-form]");
    await expect(form.getByLabel("Runs", { exact: true }).inputValue()).resolves.toBe("custom");
    await form.getByLabel("Runs", { exact: true }).selectOption("every-6-hours");
    await form.getByLabel("Target RPO", { exact: true }).fill("2");
    await expect(form.locator("[data-rpo-warning]").textContent()).resolves.toContain("(2 hours) is shorter");
    await form.getByRole("button", { name: "Save schedule" }).click();
    const edited = panel.locator("tr[data-schedule]", { hasText: "Every 6 hours" });
    await edited.waitFor();
    // Saved with the warning: the row repeats it.
    await edited.locator("[data-rpo-warning]").waitFor();

    await edited.getByRole("button", { name: "Pause" }).click();
    await panel.locator('tr[data-enabled="false"]', { hasText: "Every 6 hours" }).waitFor();
    await expect(edited.textContent()).resolves.toContain("None while paused");
    await edited.getByRole("button", { name: "Resume" }).click();
    await panel.locator('tr[data-enabled="true"]', { hasText: "Every 6 hours" }).waitFor();

    await edited.getByRole("button", { name: "Delete" }).click();
    const confirm = panel.getByRole("alertdialog");
    await expect(confirm.textContent()).resolves.toContain("It queues no more backups");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm.count()).resolves.toBe(0);
    await edited.getByRole("button", { name: "Delete" }).click();
    await fits(page, "the schedule deletion's confirmation");
    await shot("06-schedule-delete-confirm");
    await panel.getByRole("alertdialog").getByRole("button", { name: "Delete schedule" }).click();
    await expect.poll(() => panel.locator("tr[data-schedule]").count()).toBe(1);
    await expect(panel.locator("[data-schedules-said]").textContent()).resolves.toContain("Schedule deleted");
    expect(errors).toEqual([]);
  });

  it("follows “Back up now” live: queued, taken with progress, done, and the new backup listed at once", async () => {
    await openDatabase(dbId, dbName);
    const status = page.locator("[data-backup-now]");
    await page.getByRole("button", { name: "Back up now" }).click();
    await expect
      .poll(() => status.textContent(), LIVE)
      .toMatch(/^Backup queued as job job_\w+\. Waiting for a runner to take it\.$/);
    const jobId = /job_\w+/.exec((await status.textContent())!)![0];
    await page.locator(".stepper li.current", { hasText: "Queued" }).waitFor();

    const job = await claim(dbId);
    expect(job.jobId).toBe(jobId);
    await expect
      .poll(() => status.textContent(), LIVE)
      .toBe("Taken by runner web test runner (attempt 1 of 3); no progress reported yet.");
    await heartbeat(job, "dumping", 12_900_000);
    await expect
      .poll(() => status.textContent(), LIVE)
      .toMatch(/^Running on runner web test runner \(attempt 1 of 3\): dumping the database, 12\.3 MiB so far/);
    await page.locator(".stepper li.current", { hasText: "Running" }).waitFor();
    await heartbeat(job, "uploading", 48_000_000);
    await expect.poll(() => status.textContent(), LIVE).toContain("uploading to the bucket, 45.8 MiB so far");
    await fits(page, "a database with its backup running");
    await shot("07-backup-now-running");

    if (job.kind !== "backup") throw new Error("not a backup");
    await complete(job, dbId);
    const done = Date.now();
    // The new backup is listed as soon as the job is seen done: no wait for the 15-second refresh.
    await page.locator(`tr[data-backup="${job.backupId}"]`).waitFor({ timeout: 8000 });
    expect(Date.now() - done).toBeLessThan(8000);
    await expect(status.textContent()).resolves.toMatch(/^Succeeded on runner web test runner \(attempt 1 of 3\)/);
    await status.getByRole("link", { name: `See backup ${job.backupId}` }).waitFor();
    await page.locator(".stepper li.done", { hasText: "Done" }).waitFor();
    // The runner has polled now: no warning, and it is named as the one that ran the last job.
    await expect.poll(() => page.locator('[data-fact="last-runner"]').textContent()).toContain("web test runner");
    expect(await page.locator("[data-runner-warning]").count()).toBe(0);
    await fits(page, "a database after its backup");
    await shot("08-backup-now-done");
    expect(errors).toEqual([]);
  });

  it("lists jobs with names, filters them, refreshes while one runs, and shows a failure's reason and attempts", async () => {
    const analytics = await stack.addDatabase(`analytics-${size.name}`, 120);
    const billing = await stack.addDatabase(`billing-${size.name}`);
    // analytics: one failed for good, one failed once and queued again, one running with progress.
    await requestBackup(stack.dev, stack.cookie, analytics);
    await fail(await claim(analytics), "pg_dump: connection to server refused", false);
    await requestBackup(stack.dev, stack.cookie, analytics);
    await fail(await claim(analytics), "upload timed out", true);
    const running = await claim(analytics); // the retry, attempt 2
    await heartbeat(running, "dumping", 5_000_000);
    // billing: queued, no runner takes it.
    await requestBackup(stack.dev, stack.cookie, billing);
    await openDatabase(dbId, dbName);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
    const rows = page.locator("tr[data-job]");
    await rows.first().waitFor();
    await expect(page.locator("[data-live]").getAttribute("data-live")).resolves.toBe("true");
    const text = (await page.locator("table.jobs").textContent()) ?? "";
    expect(text).toContain(`analytics-${size.name}`);
    expect(text).toContain(`billing-${size.name}`);
    expect(text).toContain(dbName);
    expect(text).toContain("web test runner");
    expect(text).not.toContain(analytics); // names, not ids
    const runningRow = page.locator(`tr[data-job="${running.jobId}"]`);
    await expect(runningRow.locator("[data-state]").getAttribute("data-state")).resolves.toBe("Running");
    await expect(runningRow.locator("[data-job-line]").textContent()).resolves.toContain(
      "(attempt 2 of 3): dumping the database, 4.8 MiB so far",
    );
    await fits(page, "the jobs screen");
    await shot("09-jobs");

    // While it runs the list refreshes by itself: the next heartbeat shows without a click.
    await heartbeat(running, "uploading", 30_000_000);
    await expect
      .poll(() => runningRow.locator("[data-job-line]").textContent(), { timeout: 6000 })
      .toContain("uploading to the bucket, 28.6 MiB so far");
    if (running.kind !== "backup") throw new Error("not a backup");
    await complete(running, analytics);
    await expect
      .poll(() => runningRow.locator("[data-state]").getAttribute("data-state"), { timeout: 6000 })
      .toBe("Succeeded");

    await page.getByLabel("State").selectOption("failed");
    await page.waitForURL(/\/jobs\?status=failed$/);
    await expect.poll(() => page.locator('tr[data-job]:not([data-status="failed"])').count()).toBe(0);
    const failed = page.locator("tr[data-job]", { hasText: `analytics-${size.name}` });
    await expect(failed.locator("[data-job-line]").textContent()).resolves.toBe(
      "Failed on attempt 1 of 3: pg_dump: connection to server refused.",
    );
    await fits(page, "the failed jobs");
    await shot("10-jobs-failed");

    await page.getByLabel("State").selectOption("");
    await page.getByLabel("Database").selectOption(billing);
    await page.waitForURL(new RegExp(`/jobs\\?databaseId=${billing}$`));
    await expect.poll(() => rows.count()).toBe(1);
    await expect(rows.first().locator("[data-job-line]").textContent()).resolves.toBe(
      "Waiting for a runner to take it.",
    );
    await page.getByLabel("Kind").selectOption("drill");
    await page.getByText("No jobs match these filters").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.waitForURL(/\/jobs$/);
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(4);
    expect(errors).toEqual([]);
  });

  it("warns on a database whose job no polling runner takes, and when no runner has polled lately", async () => {
    const billing = await page.evaluate(
      async (name) =>
        (
          (await (await fetch("/v1/rpo")).json()) as { databases: { databaseId: string; name: string }[] }
        ).databases.find((d) => d.name === name)!.databaseId,
      `billing-${size.name}`,
    );
    await claimJob(stack.dev, stack.runner.token, { databases: [] }); // the runner polls, serving nothing
    // Six minutes on (this page's clock only): billing's job has waited that long while the runner polled.
    const { page: later, errors: laterErrors } = await newPage(browser, stack.dev.url);
    await later.setViewportSize({ width: size.width, height: size.height });
    await signIn(later, ADMIN);
    await later.clock.setFixedTime(Date.now() + 6 * 60_000);
    await later.goto(`/databases/${billing}`);
    const warning = later.locator("[data-runner-warning]");
    await warning.waitFor();
    expect(await warning.getAttribute("data-runner-warning")).toBe("unclaimed");
    await expect(warning.textContent()).resolves.toMatch(/A job has waited \d+ minutes and no runner has taken it/);
    await expect(warning.textContent()).resolves.toContain("not which databases each one serves");
    await fits(later, "a database no runner serves");
    await screenshot(later, `operations-${size.name}-11-no-runner-takes-it`);

    // Twenty minutes on: no runner has polled in the last ten.
    await later.clock.setFixedTime(Date.now() + 20 * 60_000);
    await later.goto(`/databases/${billing}`);
    await later.locator('[data-runner-warning="all-silent"]').waitFor();
    await expect(warning.textContent()).resolves.toContain("No runner has polled in the last 10 minutes");
    await screenshot(later, `operations-${size.name}-12-no-runner-polled`);
    expect(laterErrors).toEqual([]);
    await later.context().close();
  });

  it("deletes a database after a confirmation that says what goes, what stays, and that no bytes are deleted", async () => {
    await openDatabase(dbId, dbName);
    // What the confirmation counts is on the screen first.
    await page.locator("tr[data-backup]").first().waitFor();
    await page.locator("tr[data-schedule]").first().waitFor();
    await page.getByRole("button", { name: "Delete database…" }).click();
    const confirm = page.getByRole("alertdialog");
    const said = (await confirm.textContent()) ?? "";
    expect(said).toContain(`Delete ${dbName}?`);
    expect(said).toContain("Removed: its 1 schedule (no more backups are queued for it)");
    expect(said).toContain("its retention policy (a queued prune is withdrawn)");
    expect(said).toContain("Kept: its history — its 1 backup, each with its signed manifest");
    expect(said).toContain("No bytes deleted: nothing is deleted from your bucket");
    await fits(page, "the database deletion's confirmation");
    await shot("13-database-delete-confirm");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm.count()).resolves.toBe(0);

    await page.getByRole("button", { name: "Delete database…" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete database", exact: true }).click();
    await page.waitForURL(/\/databases\?deleted=/);
    await expect(page.locator("[data-deleted-database]").textContent()).resolves.toContain(`Deleted ${dbName}`);
    expect(await page.locator(`tr[data-database="${dbId}"]`).count()).toBe(0);
    // History stays: its backup is still listed by the API; its schedules are gone.
    const backups = await api<{ items: unknown[] }>("GET", `/v1/backups?databaseId=${dbId}`);
    expect(backups.items).toHaveLength(1);
    expect((await api<{ items: unknown[] }>("GET", `/v1/schedules?databaseId=${dbId}`)).items).toEqual([]);
    // Its jobs still show on the jobs screen, as a deleted database's.
    await page.goto(`/jobs?databaseId=${dbId}`);
    await page.locator("tr[data-job]").first().waitFor();
    await expect(page.locator("tr[data-job]").first().textContent()).resolves.toContain("deleted database");
    await fits(page, "a deleted database's jobs");
    await shot("14-database-deleted");
    expect(errors).toEqual([]);
  });
});

describe("for a viewer", () => {
  it("shows schedules and jobs read-only: no add, edit, delete, pause or back up", async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const viewer = { email: "viewer@example.com", password: "viewer password 123" };
    await api("POST", "/v1/users", { ...viewer, role: "viewer" });
    const db = await stack.addDatabase("read-only", 90);
    const { page: asViewer, errors: viewerErrors } = await newPage(browser, stack.dev.url);
    await asViewer.setViewportSize({ width: 1440, height: 900 });
    await signIn(asViewer, viewer);
    expect(await asViewer.getByRole("button", { name: "Add database" }).count()).toBe(0);
    await asViewer.goto(`/databases/${db}`);
    const panel = asViewer.locator("[data-schedules-panel]");
    await panel.locator("tr[data-schedule]").waitFor();
    await expect(panel.locator("tr[data-schedule] th").textContent()).resolves.toContain("Daily at 03:00");
    for (const name of ["Add schedule", "Edit", "Pause", "Delete", "Edit database", "Delete database…", "Back up now"])
      expect(await asViewer.getByRole("button", { name, exact: true }).count(), name).toBe(0);
    await asViewer.goto("/jobs");
    await asViewer.locator("tr[data-job]").first().waitFor();
    await screenshot(asViewer, "operations-viewer-jobs");
    expect(viewerErrors).toEqual([]);
    await asViewer.context().close();
    expect(errors).toEqual([]);
  });
});
