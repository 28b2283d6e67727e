// Every screen of the dashboard on a phone (390×844), in the light and the dark colour scheme: the page never
// scrolls sideways (document.documentElement.scrollWidth ≤ 390), with data in every screen (seeded through the
// real API and the runner protocol: backups, a drill with its signed receipt, a restore, a channel, an
// evidence export) and screenshots into test-output/web/phone-<scheme>-<screen>.png. Then the header's
// controls: the colour scheme (light, dark, system) and the time zone (local, UTC), remembered across reloads.
// The screens other areas add (setup, settings, …) have their own phone checks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import {
  artifactUri,
  generateKeyPair,
  runnerKeyProofMessage,
  sign,
  signDrillReceipt,
  toBase64,
  type DrillPredicate,
} from "@walwarden/verifier";
import type { ClaimedDrillJob } from "@walwarden/verifier/wire";
import { apiCall, issueRestore, putBucketCredential, syntheticBackupResult } from "@walwarden/testing/api";
import { launchBrowser, screenshot } from "./support/browser.js";
import { startStack, type Stack } from "./support/stack.js";

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
const ids: Record<"db" | "single" | "backup" | "drill" | "restore", string> = {
  db: "",
  single: "",
  backup: "",
  drill: "",
  restore: "",
};
const LONG_NAME = "analytics-warehouse-replica-eu-west-1-with-a-very-long-name-that-must-not-break-the-layout";
const PHONE = { width: 390, height: 844 };
const ZONE = "Pacific/Auckland";

/** A drill of `databaseId`'s last backup, claimed and passed with a receipt signed by the runner's registered key. */
async function passedDrill(databaseId: string): Promise<string> {
  const key = generateKeyPair();
  const publicKey = toBase64(key.publicKey);
  const { vkey } = await apiCall<{ vkey: string }>(stack.dev, "POST", "/v1/runner/key", {
    bearer: stack.runner.token,
    body: { publicKey, proof: toBase64(sign(runnerKeyProofMessage(publicKey), key.secretKey)) },
  });
  await apiCall(stack.dev, "PUT", `/v1/databases/${databaseId}/drill-policy`, {
    cookie: stack.cookie,
    body: { cron: "0 4 * * 0", timezone: "Europe/Berlin", target: "local", maxRtoSeconds: 900, assertions: [] },
  });
  await apiCall(stack.dev, "POST", `/v1/databases/${databaseId}/drills`, { cookie: stack.cookie, body: {} });
  const { job } = await apiCall<{ job: ClaimedDrillJob | null }>(stack.dev, "POST", "/v1/runner/claim", {
    bearer: stack.runner.token,
    body: { version: "0.1.0", databases: [databaseId], kinds: ["drill"] },
  });
  if (job?.kind !== "drill") throw new Error(`the runner claimed ${JSON.stringify(job)}, not a drill`);
  const backup = syntheticBackupResult(stack.runner.id);
  const completedAt = new Date(Date.now() - 500);
  const measured: DrillPredicate = {
    drillId: job.drillId,
    orgId: job.orgId,
    databaseId: job.databaseId,
    backupId: job.backupId,
    jobId: job.jobId,
    manifestSha256: job.manifestSha256,
    startedAt: new Date(completedAt.getTime() - 9000).toISOString(),
    completedAt: completedAt.toISOString(),
    outcome: "passed",
    failure: null,
    downloadedSha256: job.artifact.sha256,
    target: { kind: job.target, serverVersion: "16.4" },
    pgRestore: { version: "17.2", jobs: 2, exitCode: 0, errors: [] },
    tables: backup.tables.map((t) => ({ schema: t.schema, name: t.name, expectedRows: t.rows, actualRows: t.rows })),
    schemaFingerprint: { expected: backup.schemaFingerprint, actual: backup.schemaFingerprint },
    assertions: [],
    phases: { downloadVerifyMs: 1250, restoreMs: 5100, checksMs: 380 },
    targetSetupMs: 1610,
    rto: { ms: 6730, targetMs: 900_000 },
    runner: { id: job.runnerId, version: "0.1.0" },
  };
  const receipt = signDrillReceipt(
    measured,
    { uri: artifactUri(job.artifact.bucket, job.artifact.key), sha256: job.artifact.sha256 },
    { name: vkey.split("+")[0]!, ...key },
  );
  await apiCall(stack.dev, "POST", `/v1/runner/jobs/${job.jobId}/drill`, {
    bearer: stack.runner.token,
    body: { leaseId: job.leaseId, receipt },
  });
  return job.drillId;
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  ids.db = await stack.addDatabase("shop", 60);
  ids.single = await stack.addDatabase(LONG_NAME, 60);
  for (let i = 0; i < 3; i++) ids.backup = await stack.backUp(ids.db);
  await stack.backUp(ids.single);
  ids.drill = await passedDrill(ids.db);
  await putBucketCredential(stack.dev, stack.cookie, "acme-backups", {
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    forcePathStyle: true,
    accessKeyId: "PHONETESTREADONLY",
    secretAccessKey: "phone-test-read-only-secret-0123456789",
  });
  ids.restore = (await issueRestore(stack.dev, stack.cookie, ids.backup)).restoreId;
  await apiCall(stack.dev, "POST", "/v1/alert-channels", {
    cookie: stack.cookie,
    body: {
      name: "pager-eu-west-with-a-long-channel-name",
      target: { kind: "webhook", url: "https://hooks.example.com/walwarden/a/very/long/path/that/must/wrap" },
    },
  });
  const now = Date.now();
  const exported = await fetch(`${stack.dev.url}/v1/evidence`, {
    method: "POST",
    headers: { cookie: stack.cookie, "content-type": "application/json" },
    body: JSON.stringify({ from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString() }),
  });
  expect(exported.status).toBe(200);
  await exported.arrayBuffer();

  // A zone other than UTC, so that local and UTC times differ.
  const context = await browser.newContext({ viewport: PHONE, baseURL: stack.dev.url, timezoneId: ZONE });
  const [name, value] = stack.cookie.split(/=(.*)/s) as [string, string];
  await context.addCookies([{ name, value, url: stack.dev.url }]);
  page = await context.newPage();
  errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`console: ${m.text()}`);
  });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Every route of routes.tsx, with what shows that its screen has loaded its data. */
const screens = () => [
  { name: "databases", path: "/databases", ready: `tr[data-database="${ids.db}"]` },
  { name: "database", path: `/databases/${ids.db}`, ready: ".chart canvas" },
  { name: "database-one-backup", path: `/databases/${ids.single}`, ready: ".chart canvas" },
  { name: "backup", path: `/backups/${ids.backup}`, ready: "pre[data-entry]" },
  { name: "drill", path: `/drills/${ids.drill}`, ready: '[data-receipt="verified"]' },
  { name: "restores", path: "/restores", ready: "main table" },
  { name: "restore", path: `/restores/${ids.restore}`, ready: "[data-transition]" },
  { name: "log", path: "/log", ready: "table.log tr[data-seq]" },
  { name: "runners", path: "/runners", ready: `tr[data-runner="${stack.runner.id}"]` },
  { name: "witnesses", path: "/witnesses", ready: `tr[data-witness-runner="${stack.runner.id}"]` },
  { name: "evidence", path: "/evidence", ready: "main table" },
  { name: "alerts", path: "/alerts", ready: "main h1" },
  { name: "channels", path: "/alerts/channels", ready: ".channel" },
  { name: "not-found", path: "/no/such/screen", ready: "main h1" },
];

/**
 * The page's width, and the first elements that reach past the screen's right edge other than inside a box
 * that scrolls or clips sideways by itself (a table's wrapper, a code block, the navigation's strip).
 */
const overflow = (p: Page) =>
  p.evaluate(() => {
    // Inside a box that scrolls or clips sideways, unless positioned out of it (absolute or fixed, with no
    // positioned ancestor within the box: then the box does not clip it).
    const clipped = (e: Node) => {
      let escapes = e instanceof Element && ["absolute", "fixed"].includes(getComputedStyle(e).position);
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.position !== "static") escapes = false;
        if (style.overflowX !== "visible" && !escapes) return true;
      }
      return false;
    };
    const over: { e: Element; right: number }[] = [];
    for (const e of document.querySelectorAll("body *")) {
      const right = e.getBoundingClientRect().right;
      if (right > window.innerWidth + 0.5 && !clipped(e)) over.push({ e, right });
    }
    // Text wider than its element (a long unbroken id) overflows without its element doing so.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(t);
      const right = range.getBoundingClientRect().right;
      if (right > window.innerWidth + 0.5 && t.parentElement && !clipped(t)) over.push({ e: t.parentElement, right });
    }
    return {
      page: document.documentElement.scrollWidth,
      widest: over
        .slice(0, 5)
        .map(({ e, right }) => `${e.tagName.toLowerCase()}.${String(e.className)}: ${Math.round(right)}`),
    };
  });

describe("the dashboard on a phone", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`fits every screen into 390 px without sideways scrolling, in the ${scheme} scheme`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      const background = scheme === "dark" ? "rgb(13, 17, 23)" : "rgb(246, 248, 250)";
      for (const s of screens()) {
        await page.goto(s.path);
        await page.locator("main h1").waitFor();
        await page.locator(s.ready).first().waitFor();
        await page.waitForLoadState("networkidle");
        expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), s.name).toBe(
          background,
        );
        const fit = await overflow(page);
        expect(fit, s.name).toEqual({ page: PHONE.width, widest: [] });
        await screenshot(page, `phone-${scheme}-${s.name}`);
      }
      expect(errors).toEqual([]);
    });
  }

  it("keeps the evidence download button, the report tables and every hash on the screen", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto("/evidence");
    await page.getByRole("button", { name: "Export evidence" }).click();
    const button = page.locator("a[data-download]");
    await button.waitFor();
    const box = (await button.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect((await overflow(page)).page).toBe(PHONE.width);
    await screenshot(page, "phone-light-evidence-exported");

    await page.goto(`/backups/${ids.backup}`);
    await page.getByRole("button", { name: "Verify in browser" }).click();
    await page.locator(".report").waitFor();
    const fit = await page.evaluate(() => ({
      tables: [...document.querySelectorAll(".report table")].map(
        (t) => t.getBoundingClientRect().right - window.innerWidth,
      ),
      codes: [...document.querySelectorAll("main code")].map(
        (c) => c.getBoundingClientRect().right - window.innerWidth,
      ),
    }));
    for (const over of [...fit.tables, ...fit.codes]) expect(over).toBeLessThanOrEqual(0);
    expect((await overflow(page)).page).toBe(PHONE.width);
    await screenshot(page, "phone-light-backup-verified");
    expect(errors).toEqual([]);
  });

  it("switches the colour scheme in the header and remembers it; System follows the system's", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto("/databases");
    const theme = page.getByLabel("Theme");
    await expect(theme.inputValue()).resolves.toBe("system");
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const html = () => page.evaluate(() => document.documentElement.dataset.theme ?? null);
    await expect(bg()).resolves.toBe("rgb(246, 248, 250)");
    await theme.selectOption("dark");
    await expect(html()).resolves.toBe("dark");
    await expect(bg()).resolves.toBe("rgb(13, 17, 23)");
    await page.reload();
    await page.locator("main h1").waitFor();
    await expect(html()).resolves.toBe("dark");
    await expect(page.getByLabel("Theme").inputValue()).resolves.toBe("dark");
    await screenshot(page, "phone-header-dark-chosen");
    await page.getByLabel("Theme").selectOption("light");
    await page.emulateMedia({ colorScheme: "dark" });
    await expect(bg()).resolves.toBe("rgb(246, 248, 250)");
    await page.getByLabel("Theme").selectOption("system");
    await expect(html()).resolves.toBe(null);
    await expect(bg()).resolves.toBe("rgb(13, 17, 23)");
    await expect(page.evaluate(() => localStorage.getItem("walwarden.theme.v1"))).resolves.toBe("system");
  });

  it("shows every time in the zone chosen in the header, UTC or local, and remembers it", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`/databases/${ids.db}`);
    const first = page.locator("tr[data-backup] time").first();
    await first.waitFor();
    const iso = (await first.getAttribute("datetime"))!;
    await page.getByLabel("Times").selectOption("utc");
    const utc = new Date(iso);
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const two = (n: number) => String(n).padStart(2, "0");
    const expected = `${utc.getUTCDate()} ${months[utc.getUTCMonth()]} ${utc.getUTCFullYear()}, ${two(utc.getUTCHours())}:${two(utc.getUTCMinutes())} UTC`;
    await expect.poll(() => first.textContent()).toBe(expected);
    await page.goto("/evidence");
    await expect(page.locator("label[for=ev-from]").textContent()).resolves.toBe("First day (UTC)");
    await expect(page.locator("main table time").first().textContent()).resolves.toMatch(/ UTC$/);
    await page.reload();
    await page.locator("main h1").waitFor();
    await expect(page.getByLabel("Times").inputValue()).resolves.toBe("utc");
    await page.getByLabel("Times").selectOption("local");
    await expect(page.locator("label[for=ev-from]").textContent()).resolves.toBe(`First day (${ZONE})`);
    await expect(page.locator("main table time").first().textContent()).resolves.not.toMatch(/UTC/);
    expect(errors).toEqual([]);
  });
});
