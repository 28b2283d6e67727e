// The bucket posture panel on the runners screen (verifier/SPEC.md §12), in the real dashboard served by the
// real Worker, driven in Debian's Chromium. Postures are reported the way a runner reports them: with a
// claim (POST /v1/runner/claim with the runner's token and `posture`). Three buckets: one well protected
// with two parts its store could not show, one every part of which is unreadable (both must read as
// unread, not as bad, with no at-risk callout), and one reported well protected and then worse, whose
// callout lists what got worse, the same list the Worker's bucket.at_risk alert holds after a cron tick.
// A viewer reads it on desktop 1440×900 and phone 390×844, with no sideways scrolling.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { BucketPosture } from "@walwarden/verifier";
import type { BucketPostureView, Incident } from "@walwarden/verifier/wire";
import { apiCall, createRunnerToken } from "@walwarden/testing/api";
import { UNREAD_WORDS } from "../src/lib/posture.js";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { startStack, type Stack } from "./support/stack.js";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const VIEWER = { email: "posture-viewer@example.com", password: "a long viewer password" };

/** Well protected; its store shows neither the public access block nor lifecycle rules. */
const GOOD: BucketPosture = {
  bucket: "acme-backups",
  versioning: "enabled",
  objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
  publicAccess: "unknown",
  encryption: "AES256",
  lifecycle: "unknown",
};
/** A store that implements none of the five reads (or credentials that may read none of them); a long name. */
const UNREAD: BucketPosture = {
  bucket: "walwarden-eu-west-1-production-postgres-wal-archive-replica-0001",
  versioning: "unknown",
  objectLock: "unknown",
  publicAccess: "unknown",
  encryption: "unknown",
  lifecycle: "unknown",
};
/** The second bucket as first reported, then worse in every part the Worker compares. */
const ARCHIVE_BEFORE: BucketPosture = {
  bucket: "acme-archive",
  versioning: "enabled",
  objectLock: { enabled: false, defaultMode: null, defaultDays: null },
  publicAccess: "blocked",
  encryption: "aws:kms",
  lifecycle: [],
};
const ARCHIVE_WORSE: BucketPosture = {
  ...ARCHIVE_BEFORE,
  versioning: "suspended",
  publicAccess: "open",
  encryption: "none",
  lifecycle: [{ id: "expire-old", days: 7 }],
};
const WORSENING = [
  "versioning suspended",
  "public access allowed",
  "default encryption removed",
  'lifecycle rule "expire-old" deletes objects after 7 days, before the policy does',
];

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let dbId: string;
let archiveRunner: { id: string; token: string };

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  dbId = await stack.addDatabase("orders");
  archiveRunner = await createRunnerToken(stack.dev, stack.cookie, "archive runner");
  await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...VIEWER, role: "viewer" } });
  ({ page, errors } = await newPage(browser, stack.dev.url));
  await page.setViewportSize(DESKTOP);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A claim that carries a posture, as the runner's loop sends it every few minutes (nothing is queued). */
const report = (token: string, posture: BucketPosture) =>
  apiCall(stack.dev, "POST", "/v1/runner/claim", {
    bearer: token,
    body: { version: "0.1.0", databases: [dbId], kinds: ["backup"], posture },
  });

/** GET /v1/bucket-postures as the admin. */
const postures = async () =>
  (await apiCall<{ items: BucketPostureView[] }>(stack.dev, "GET", "/v1/bucket-postures", { cookie: stack.cookie }))
    .items;

async function signIn(p: Page) {
  await p.goto("/");
  await p.getByLabel("Email").fill(VIEWER.email);
  await p.getByLabel("Password").fill(VIEWER.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Databases" }).waitFor();
}

const panel = () => page.locator("[data-posture-panel]");
const bucket = (name: string) => panel().locator(`[data-posture-bucket="${name}"]`);
const part = (name: string, key: string) => bucket(name).locator(`[data-part="${key}"]`);
const text = async (name: string, key: string) => ((await part(name, key).textContent()) ?? "").trim();
/** The document is no wider than the viewport. */
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

const tickLines = (out: string) => out.match(/^\{"event":"cron\.tick".*\}$/gm) ?? [];
/** One cron tick now (the dev server's /__scheduled), waiting for its stats line. */
async function tick() {
  const before = tickLines(stack.dev.stdout).length;
  expect((await fetch(`${stack.dev.url}/__scheduled?cron=*+*+*+*+*`)).status).toBe(200);
  await stack.dev.waitFor((out) => tickLines(out)[before], 60_000, "the tick's cron.tick line");
}

describe("the bucket posture panel", () => {
  it("says runners report the posture with their claims while none has", async () => {
    await signIn(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runners" }).click();
    await panel().getByRole("heading", { name: "Bucket posture" }).waitFor();
    const empty = panel().getByRole("status").filter({ hasText: "No bucket posture reported yet" });
    await empty.waitFor();
    expect(await empty.textContent()).toContain(
      "Runners report their bucket's posture with their claims every few minutes",
    );
    expect(await panel().locator("[data-posture-bucket]").count()).toBe(0);
    await screenshot(page, "posture-01-empty-desktop");
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it("shows each bucket's parts in words, unread parts as unread, and an at-risk callout only for the worse one", async () => {
    await report(stack.runner.token, GOOD);
    await report(stack.runner.token, UNREAD);
    await report(archiveRunner.token, ARCHIVE_BEFORE);
    await report(archiveRunner.token, ARCHIVE_WORSE);
    const views = new Map((await postures()).map((v) => [v.bucket, v]));
    expect(views.get(GOOD.bucket)!.worsening).toEqual([]);
    expect(views.get(UNREAD.bucket)!.worsening).toEqual([]);
    expect(views.get(ARCHIVE_WORSE.bucket)!.worsening).toEqual(WORSENING);

    await page.reload();
    await bucket(ARCHIVE_WORSE.bucket).waitFor();
    expect(await panel().locator("[data-posture-count]").textContent()).toBe("3 buckets, 1 at risk");
    // At risk first, then by name.
    expect(
      await panel()
        .locator("[data-posture-bucket]")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-posture-bucket"))),
    ).toEqual([ARCHIVE_WORSE.bucket, GOOD.bucket, UNREAD.bucket]);

    // The worse bucket: a callout (role="alert") listing each item, in the alert's words.
    const risk = bucket(ARCHIVE_WORSE.bucket).getByRole("alert");
    expect(await risk.count()).toBe(1);
    expect(await risk.locator("li").allTextContents()).toEqual(WORSENING);
    expect(await risk.textContent()).toContain("Bucket acme-archive is less protected than before");
    expect(await bucket(ARCHIVE_WORSE.bucket).locator(".badge").textContent()).toBe("At risk");
    expect(await text(ARCHIVE_WORSE.bucket, "versioning")).toBe("suspended (enabled once, then stopped)");
    expect(await text(ARCHIVE_WORSE.bucket, "objectLock")).toBe("off");
    expect(await text(ARCHIVE_WORSE.bucket, "publicAccess")).toBe("open (not every block setting is on)");
    expect(await text(ARCHIVE_WORSE.bucket, "encryption")).toBe("none");
    expect(await text(ARCHIVE_WORSE.bucket, "lifecycle")).toBe('rule "expire-old" expires objects after 7 days');
    expect(await text(ARCHIVE_WORSE.bucket, "runner")).toBe(`archive runner${archiveRunner.id}`);

    // The good bucket: no callout; what its store could not show reads as unread, not as bad.
    expect(await bucket(GOOD.bucket).locator("[data-posture-risk], [role=alert]").count()).toBe(0);
    expect(await bucket(GOOD.bucket).locator(".badge").textContent()).toBe("Not worse than before");
    expect(await text(GOOD.bucket, "versioning")).toBe("enabled");
    expect(await text(GOOD.bucket, "objectLock")).toBe("on, COMPLIANCE default 30 days");
    expect(await text(GOOD.bucket, "encryption")).toBe("AES256");
    expect(await text(GOOD.bucket, "publicAccess")).toBe(UNREAD_WORDS);
    expect(await text(GOOD.bucket, "lifecycle")).toBe(UNREAD_WORDS);
    expect(await bucket(GOOD.bucket).locator('[data-unread="true"]').count()).toBe(2);
    expect(await text(GOOD.bucket, "runner")).toBe(`web test runner${stack.runner.id}`);
    const good = views.get(GOOD.bucket)!;
    expect(await part(GOOD.bucket, "reported").locator("time").first().getAttribute("datetime")).toBe(good.reportedAt);
    expect(await part(GOOD.bucket, "changed").locator("time").getAttribute("datetime")).toBe(good.changedAt);

    // Nothing readable: every part unread, still no callout.
    expect(await bucket(UNREAD.bucket).locator("[data-posture-risk], [role=alert]").count()).toBe(0);
    for (const key of ["versioning", "objectLock", "publicAccess", "encryption", "lifecycle"])
      expect(await text(UNREAD.bucket, key), key).toBe(UNREAD_WORDS);
    expect(await panel().textContent()).not.toMatch(/\bunknown\b/i);

    await screenshot(page, "posture-02-buckets-desktop");
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it("holds the same list as the Worker's bucket.at_risk alert", async () => {
    await tick();
    const open = (
      await apiCall<{ items: Incident[] }>(stack.dev, "GET", "/v1/alerts?open=true&limit=200", { cookie: stack.cookie })
    ).items.filter((i) => i.condition === "bucket.at_risk");
    expect(open.map((i) => [i.subject, i.severity, i.summary])).toEqual([
      [
        `bucket:${ARCHIVE_WORSE.bucket}`,
        "critical",
        `Bucket acme-archive is less protected than before: ${WORSENING.join("; ")}`,
      ],
    ]);
    await page.reload();
    await bucket(ARCHIVE_WORSE.bucket).getByRole("alert").waitFor();
    expect(await bucket(ARCHIVE_WORSE.bucket).getByRole("alert").locator("li").allTextContents()).toEqual(WORSENING);
    await screenshot(page, "posture-03-with-alert-desktop");
  });

  it("has no sideways scrolling on a phone, the long bucket name and the callout included", async () => {
    await page.setViewportSize(PHONE);
    await page.reload();
    await bucket(UNREAD.bucket).waitFor();
    await bucket(ARCHIVE_WORSE.bucket).getByRole("alert").waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    // Nothing in the panel pokes out of it either (a long name wraps).
    const poking = await panel().evaluate((el) => {
      const right = el.getBoundingClientRect().right;
      return [...el.querySelectorAll("*")].filter((c) => c.getBoundingClientRect().right > right + 0.5).length;
    });
    expect(poking).toBe(0);
    await screenshot(page, "posture-04-buckets-phone");
    await page.setViewportSize(DESKTOP);
    expect(errors).toEqual([]);
  });
});
