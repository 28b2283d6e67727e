// From an empty deployment to a protected database, only through the dashboard (issue 17), in Debian's
// Chromium against the real Worker (wrangler dev, which also serves web/dist): first-run setup of the org and
// its admin, the onboarding checklist (a database with a schedule, a runner registered with its token shown
// once and its files), the REAL walwarden-runner started with the runner.json the page shows (read from the
// DOM), the runner seen connecting, "Back up now" followed to a completed backup, and that backup on the
// database's screen. The runner backs up a real PostgreSQL (the sample database) into a real local S3
// (s3rver); the database id → connection string map is added to the runner's configuration by the test, as
// a user does in their own network: the dashboard never asks for it.
//
// The order differs from "register a runner, start it, then add the database": the runner refuses to start
// without at least one database id (runner/src/config/schema.ts), so the checklist asks for the database
// first and the runner's files name it; one start of the runner is then all the terminal a team needs.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { apiCall } from "@walwarden/testing/api";
import { startCluster, stopAllClusters, type Cluster } from "@walwarden/testing/postgres";
import { startRunner, type RunnerProcess } from "@walwarden/testing/runner-parts";
import { localS3Client, startS3, type LocalS3 } from "@walwarden/testing/s3";
import { createSampleDatabase } from "@walwarden/testing/sample-data";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, type EmptyStack, startStack } from "./support/stack.js";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

let stack: EmptyStack;
let browser: Browser;
let pg: Cluster;
let s3: LocalS3;
let page: Page;
let errors: string[];
let runner: RunnerProcess | undefined;
/** What the page showed, read from its DOM. */
let shown: { runnerJson: string; dockerRun: string; compose: string; token: string };
let databaseId: string;

beforeAll(async () => {
  [stack, browser, pg, s3] = await Promise.all([
    startStack({}, { bootstrap: false }),
    launchBrowser(),
    startCluster({ name: "first-run-source" }),
    startS3({ bucket: "acme-backups" }),
  ]);
  await createSampleDatabase(pg, "shop");
  ({ page, errors } = await newPage(browser, stack.dev.url));
  await page.setViewportSize(DESKTOP);
}, 300_000);
afterAll(async () => {
  if (runner && runner.child.exitCode === null) {
    runner.child.kill("SIGTERM");
    await runner.exit;
  }
  await browser?.close();
  await s3?.stop();
  await stopAllClusters();
  await stack?.stop();
});

/** No sideways scrolling: the document is no wider than the viewport. */
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The signed-in admin's session cookie, for reading the API's state beside what the page shows. */
async function cookie(): Promise<string> {
  const c = (await page.context().cookies()).find((x) => x.name === "ww_session");
  if (!c) throw new Error("no ww_session cookie in the browser");
  return `${c.name}=${c.value}`;
}

const step = (id: string) => page.locator(`li[data-step="${id}"]`);

describe("first run, through the dashboard only", () => {
  it("an empty deployment offers setup; a bad form is refused at its fields with nothing sent; the admin is set up, signed in and taken to the checklist", async () => {
    const bootstrapPosts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/v1/bootstrap")) bootstrapPosts.push(r.url());
    });
    expect(await apiCall(stack.dev, "GET", "/v1/bootstrap")).toEqual({ open: true });
    await page.goto("/");
    await page.getByRole("heading", { name: "Set up Walwarden" }).waitFor();
    await expect.poll(() => page.title()).toBe("Set up · Walwarden");
    expect(await page.getByRole("button", { name: "Sign in" }).count()).toBe(0);
    await screenshot(page, "first-run-01-setup");
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "first-run-01-setup-phone");
    await page.setViewportSize(DESKTOP);

    await page.getByLabel("Organisation name").fill("Acme Robotics");
    await page.getByLabel("Your email").fill("not-an-email");
    await page.getByLabel("Choose a password").fill("short");
    await page.getByLabel("Repeat the password").fill("short");
    await page.getByRole("button", { name: "Create organisation and admin" }).click();
    const problem = (f: string) => page.locator(`[data-problem="${f}"]`);
    await problem("password").waitFor();
    await expect(problem("password").textContent()).resolves.toBe("use at least 12 characters");
    await expect(problem("email").count()).resolves.toBe(1);
    await expect(problem("orgName").count()).resolves.toBe(0);
    await expect(page.getByLabel("Your email").getAttribute("aria-invalid")).resolves.toBe("true");
    // Focus moves to the first field with a problem, which reads its problem through aria-describedby.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("setup-email");
    // The problem is tied to its input for a screen reader.
    await expect(page.getByLabel("Choose a password").getAttribute("aria-describedby")).resolves.toContain(
      "setup-password-problem",
    );
    await screenshot(page, "first-run-02-refused");

    await page.getByLabel("Your email").fill(ADMIN.email);
    await page.getByLabel("Choose a password").fill(ADMIN.password);
    await page.getByLabel("Repeat the password").fill(`${ADMIN.password}!`);
    await page.getByRole("button", { name: "Create organisation and admin" }).click();
    await problem("repeat").waitFor();
    expect(bootstrapPosts).toEqual([]); // nothing was sent while the form was wrong
    await expect(problem("email").count()).resolves.toBe(0);

    await page.getByLabel("Repeat the password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create organisation and admin" }).click();
    await page.getByRole("heading", { name: "Get started", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/welcome");
    expect(bootstrapPosts).toHaveLength(1);
    await expect(page.locator(".who").textContent()).resolves.toContain("Acme Robotics");
    await expect(page.locator("[data-progress]").getAttribute("data-progress")).resolves.toBe("0/7");
    expect(await page.locator('li[data-step][data-done="false"]').count()).toBe(7);
    expect(await apiCall(stack.dev, "GET", "/v1/bootstrap")).toEqual({ open: false });
    const me = await apiCall(stack.dev, "GET", "/v1/auth/me", { cookie: await cookie() });
    expect(me.principal).toMatchObject({ kind: "user", role: "admin", email: ADMIN.email });
    await screenshot(page, "first-run-03-checklist");

    // Someone else opening the dashboard now is asked to sign in, not to set up.
    const { page: other, errors: otherErrors } = await newPage(browser, stack.dev.url);
    await other.goto("/");
    await other.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await other.getByRole("heading", { name: "Set up Walwarden" }).count()).toBe(0);
    await other.context().close();
    expect(otherErrors).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("adds a database with a schedule (a wrong time zone refused at its field, nothing created), and the databases screen links to the checklist", async () => {
    const db = step("database");
    await db.getByLabel("Database name").fill("shop");
    await db.getByLabel("Hosted on").selectOption("self-hosted");
    await db.getByLabel("Back up").selectOption("daily");
    await expect(db.getByLabel("Target RPO (minutes)").inputValue()).resolves.toBe("1560");
    await db.getByLabel("Time zone").fill("Mars/Olympus");
    await db.getByRole("button", { name: "Add database" }).click();
    await db.locator('[data-problem="timezone"]').waitFor();
    await expect(db.locator('[data-problem="timezone"]').textContent()).resolves.toBe("not a known IANA time zone");
    const databases = async () =>
      (
        await apiCall<{ items: { id: string; name: string }[] }>(stack.dev, "GET", "/v1/databases", {
          cookie: await cookie(),
        })
      ).items;
    expect(await databases()).toEqual([]);

    await db.getByLabel("Time zone").fill("Europe/Oslo");
    await db.getByRole("button", { name: "Add database" }).click();
    await page.locator('li[data-step="database"][data-done="true"]').waitFor();
    const [created] = await databases();
    expect(created?.name).toBe("shop");
    databaseId = created!.id;
    const schedules = await apiCall<{ items: { cron: string; timezone: string; targetRpoMinutes: number }[] }>(
      stack.dev,
      "GET",
      `/v1/schedules?databaseId=${databaseId}`,
      { cookie: await cookie() },
    );
    expect(schedules.items).toEqual([
      expect.objectContaining({ cron: "0 3 * * *", timezone: "Europe/Oslo", targetRpoMinutes: 1560 }),
    ]);
    await expect(step("database").locator(".step-detail").textContent()).resolves.toBe("shop: target RPO 26 h.");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Databases" }).click();
    const link = page.locator("[data-welcome-link]");
    await link.waitFor();
    await link.getByRole("link").click();
    await page.getByRole("heading", { name: "Get started", level: 1 }).waitFor();
    expect(errors).toEqual([]);
  });

  it("registers a runner: its token shown once with copy buttons, and a docker run line, a compose file and a runner.json filled in with this API, the token and the database's id", async () => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    const r = step("runner");
    await r.getByLabel("Runner name").fill("office-runner");
    await r.getByRole("button", { name: "Register runner" }).click();
    const panel = page.locator("[data-runner-setup]");
    await panel.waitFor();
    shown = {
      token: (await panel.locator("[data-token]").textContent()) ?? "",
      runnerJson: "",
      dockerRun: "",
      compose: "",
    };
    expect(shown.token).toMatch(/^wwr_[A-Za-z0-9_-]{43}$/);
    await expect(panel.getByRole("status").first().textContent()).resolves.toContain("shown this once");
    await panel.getByRole("button", { name: "Copy token" }).click();
    await panel.getByText("Copied").first().waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown.token);

    // The bucket typed here only fills the files in: s3rver's, as this test's network has it.
    await panel.getByLabel("Bucket name").fill(s3.bucket);
    await panel.getByLabel("Region").fill(s3.region);
    await panel.getByLabel("S3-compatible endpoint (optional)").fill(s3.endpoint);
    const file = (name: string) => panel.locator(`pre[data-file="${name}"]`);
    shown.runnerJson = (await file("runner.json").textContent()) ?? "";
    shown.dockerRun = (await file("docker-run").textContent()) ?? "";
    shown.compose = (await file("compose.yaml").textContent()) ?? "";

    const origin = new URL(stack.dev.url).origin;
    expect(JSON.parse(shown.runnerJson)).toEqual({
      api: origin,
      token: shown.token,
      databases: { [databaseId]: { url: "postgres://USER:PASSWORD@HOST:5432/DBNAME", provider: "self-hosted" } },
      bucket: {
        bucket: s3.bucket,
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        prefix: "walwarden",
      },
    });
    for (const text of [shown.dockerRun, shown.compose]) {
      expect(text).toContain(`WALWARDEN_API${text === shown.dockerRun ? "=" : ": '"}${origin}`);
      expect(text).toContain(shown.token);
      expect(text).toContain(databaseId);
      expect(text).toContain("WALWARDEN_S3_FORCE_PATH_STYLE");
    }
    await panel.getByRole("button", { name: "Copy runner.json" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(shown.runnerJson);

    // The API has the runner, and it has not been seen yet: the next step waits for it, live.
    const runners = await apiCall(stack.dev, "GET", "/v1/runners", { cookie: await cookie() });
    expect(runners.items.map((x: { name: string; lastSeenAt: string | null }) => [x.name, x.lastSeenAt])).toEqual([
      ["office-runner", null],
    ]);
    await page.locator('li[data-step="runner"][data-done="true"]').waitFor();
    await step("connected").locator("[data-waiting-runner]").waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "first-run-04-runner-files");
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "first-run-04-runner-files-phone");
    await page.setViewportSize(DESKTOP);
    expect(errors).toEqual([]);
  });

  it("the real runner, started with the runner.json the page showed, connects; Back up now is followed to a completed backup, which the database screen shows", async () => {
    // As the user does in their own network: the connection string goes into the runner's file, nowhere else.
    const config = JSON.parse(shown.runnerJson);
    config.databases[databaseId].url = pg.url("shop");
    const dir = mkdtempSync(join(tmpdir(), "ww-first-run-"));
    const path = join(dir, "runner.json");
    writeFileSync(path, JSON.stringify(config, null, 2));
    runner = startRunner(["run", "--config", path], {
      // The bucket's keys from the environment, as the page says (the AWS chain); a quick poll for the test.
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      WALWARDEN_POLL_SECONDS: "0.5",
      WALWARDEN_HEALTH_PORT: "-1",
      WALWARDEN_STATE_DIR: join(dir, "state"),
    });
    await page
      .locator('li[data-step="connected"][data-done="true"]')
      .waitFor({ timeout: 60_000 })
      .catch((e: Error) => {
        throw new Error(`${e.message}\nrunner:\n${runner!.stdout().slice(-3000)}\n${runner!.stderr().slice(-2000)}`);
      });
    await expect(step("connected").locator(".step-detail").textContent()).resolves.toMatch(
      /^office-runner polled the API \(version \d+\.\d+\.\d+/,
    );
    await screenshot(page, "first-run-05-connected");

    const statuses: string[] = [];
    const jobStatus = page.locator("[data-job-status]");
    await step("backup").getByRole("button", { name: "Back up shop now" }).click();
    await jobStatus.waitFor();
    for (let i = 0; i < 600; i++) {
      const s = await jobStatus.getAttribute("data-job-status", { timeout: 1_000 }).catch(() => null);
      if (s && statuses.at(-1) !== s) statuses.push(s);
      if (s === "succeeded" || s === "failed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(statuses.at(-1), `${statuses.join(" → ")}\n${runner.stdout().slice(-3000)}`).toBe("succeeded");
    await expect(jobStatus.textContent()).resolves.toContain("Completed: the backup is in your bucket");
    await page.locator('li[data-step="backup"][data-done="true"]').waitFor();
    await runner.waitForLine((l) => l.event === "backup.completed");
    await screenshot(page, "first-run-06-backed-up");

    // The artifact and its walk-away kit are in the bucket.
    const client = localS3Client(s3);
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `walwarden/${databaseId}/` }),
    );
    client.destroy();
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.some((k) => /\.dump\.zst$/.test(k))).toBe(true);
    expect(keys.some((k) => k.endsWith(".manifest.json"))).toBe(true);

    await step("backup").getByRole("link", { name: "See it on shop's page" }).click();
    await page.getByRole("heading", { name: "shop", level: 1 }).waitFor();
    const rows = page.locator("tr[data-backup]");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await expect(page.locator('section[aria-labelledby="rpo-h"] .badge').textContent()).resolves.toContain("OK");
    await screenshot(page, "first-run-07-database");

    // With a backup, the databases screen no longer sends anyone to the checklist.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Databases" }).click();
    await page.locator(`tr[data-database="${databaseId}"][data-status="ok"]`).waitFor();
    expect(await page.locator("[data-welcome-link]").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 240_000);

  it("the checklist links to the remaining steps, and fits a desktop and a phone without sideways scrolling", async () => {
    await page.goto("/welcome");
    await page.locator('li[data-step="backup"][data-done="true"]').waitFor();
    await expect(page.locator("[data-progress]").getAttribute("data-progress")).resolves.toBe("4/7");
    await expect(step("bucket").getByRole("link").getAttribute("href")).resolves.toBe("/settings/buckets");
    await expect(step("channel").getByRole("link").getAttribute("href")).resolves.toBe("/alerts/channels");
    await expect(step("drill").getByRole("link").getAttribute("href")).resolves.toBe(
      `/databases/${databaseId}#drill-policy`,
    );
    // The token is gone from the page once it has been left: it was only ever in memory.
    expect(await page.locator("[data-token]").count()).toBe(0);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "first-run-08-checklist-done");
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "first-run-08-checklist-done-phone");
    await page.setViewportSize(DESKTOP);
    expect(errors).toEqual([]);
  });
});
