// The retention policy editor in the real dashboard, served by the real Worker (verifier/SPEC.md §12): an
// admin edits a database's policy and sees, before saving, what it would keep and expire (the verifier's
// retentionDecision run in Chromium over GET /v1/databases/:id/retention), saves it and sees it in words;
// the Worker's cron tick (`/__scheduled`) queues the prune, which the test claims and reports through the
// runner protocol, and the deleted backups are listed with their date. Each backup's projected expiry is
// the verifier's projectExpiry over the very answer the page got, at the schedule's cadence. Refusals land
// at their field with nothing saved; a viewer reads the policy and the list. Desktop 1440×900 and phone 390×844, no sideways
// scrolling. The backups are made a few seconds apart (each one's instant is its backup.completed entry's,
// logged by the Worker now), so what each expectation says is computed by the same decision over the
// Worker's own answer, not assumed from the calendar.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { projectExpiry, type RetentionPolicy, retentionDecision } from "@walwarden/verifier";
import type { ClaimedPruneJob, SchedulePage } from "@walwarden/verifier/wire";
import { apiCall } from "@walwarden/testing/api";
import {
  backupsOf,
  countsWords,
  previewCounts,
  projectionNote,
  protectedIdsOf,
  reasonsWords,
  type RetentionPolicyView,
  type RetentionState,
  scheduleCadence,
} from "../src/lib/retention.js";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const BACKUPS = 6;

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let dbId: string;
/** Every PUT and DELETE the admin's page sent, as "METHOD path". */
const writes: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  ({ page, errors } = await newPage(browser, stack.dev.url));
  await page.setViewportSize(DESKTOP);
  page.on("request", (r) => {
    if (r.method() === "PUT" || r.method() === "DELETE") writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  dbId = await stack.addDatabase("ledger-db", 60);
  for (let i = 0; i < BACKUPS; i++) await stack.backUp(dbId);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(p: Page, who: { email: string; password: string }) {
  await p.goto("/");
  await p.getByLabel("Email").fill(who.email);
  await p.getByLabel("Password").fill(who.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Databases" }).waitFor();
}

const panel = (p: Page = page) => p.locator("[data-retention-panel]");
const counts = () => panel().locator("[data-preview-counts]");
const field = (label: string) => panel().getByLabel(label, { exact: true });
const fact = (name: string, p: Page = page) => panel(p).locator(`[data-fact="${name}"]`);
const problem = (at: string) => panel().locator(`[data-problem="${at}"]`);

/** The Worker's retention of the database now. */
const retention = () =>
  apiCall<RetentionState>(stack.dev, "GET", `/v1/databases/${dbId}/retention`, { cookie: stack.cookie });
/** The stored policy, or null (404). */
async function storedPolicy(): Promise<RetentionPolicy | null> {
  try {
    return (
      await apiCall<RetentionPolicyView>(stack.dev, "GET", `/v1/databases/${dbId}/retention-policy`, {
        cookie: stack.cookie,
      })
    ).policy;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}

/** What the dashboard must say for a policy: the decision over the Worker's backups, in its words. */
async function expected(policy: RetentionPolicy) {
  const state = await retention();
  const decided = retentionDecision(backupsOf(state), policy, Date.parse(state.decidedAt), protectedIdsOf(state));
  if (!decided.ok) throw new Error(decided.message);
  return {
    counts: countsWords(previewCounts(decided.value, state.expired.length)),
    newest: reasonsWords(decided.value[0]!.reasons, policy),
  };
}
const newestReasons = () => panel().locator("table[data-fates] tbody tr").first().locator("[data-reasons]");

/** The document is no wider than the viewport. */
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe("the retention policy editor", () => {
  it("shows every backup kept without a policy; the preview follows {daily: 7, weekly: 4} as it is typed, before saving; saved, it is the policy in words after a reload", async () => {
    await signIn(page, ADMIN);
    await page.goto(`/databases/${dbId}`);
    await fact("policy").filter({ hasText: "None: every backup is kept" }).waitFor();
    await counts()
      .filter({ hasText: `${BACKUPS} backups are kept, none expires.` })
      .waitFor();
    expect(await panel().locator("table[data-fates] tbody tr").count()).toBe(BACKUPS);
    expect(await newestReasons().textContent()).toBe("no policy: every backup is kept");

    const daily = await expected({ daily: 7, timezone: "UTC" });
    await field("Daily").fill("7");
    await counts().filter({ hasText: daily.counts }).waitFor();
    expect(daily.counts).not.toBe(`${BACKUPS} backups are kept, none expires.`);
    expect(await newestReasons().textContent()).toBe(daily.newest);
    expect(await panel().locator('[data-fate="expires"]').count()).toBeGreaterThan(0);

    const both = await expected({ daily: 7, weekly: 4, timezone: "UTC" });
    await field("Weekly").fill("4");
    await counts().filter({ hasText: both.counts }).waitFor();
    expect(await newestReasons().textContent()).toBe(both.newest);
    expect(both.newest).toMatch(/^the newest, daily \d{4}-\d\d-\d\d, weekly \d{4}-W\d\d$/);
    await panel().getByRole("heading", { name: "Preview of the policy being edited" }).waitFor();
    expect(writes).toEqual([]);
    expect(await storedPolicy()).toBeNull();
    await screenshot(page, "retention-01-preview-desktop");

    await panel().getByRole("button", { name: "Set policy" }).click();
    await panel().locator("[data-retention-said]").filter({ hasText: "Saved: 7 daily, 4 weekly (UTC)." }).waitFor();
    expect(writes).toEqual([`PUT /v1/databases/${dbId}/retention-policy`]);
    expect(await storedPolicy()).toEqual({ daily: 7, weekly: 4, timezone: "UTC" });

    await page.reload();
    await fact("policy").filter({ hasText: "7 daily, 4 weekly (UTC)" }).waitFor();
    expect(await fact("lock").textContent()).toBe("28 days for each new backup");
    await panel().getByRole("heading", { name: "What the saved policy keeps now" }).waitFor();
    const worker = await retention();
    const now = countsWords(previewCounts(worker.verdicts, worker.expired.length));
    expect(await fact("now").textContent()).toBe(now);
    await counts().filter({ hasText: now }).waitFor();
    expect(await field("Daily").inputValue()).toBe("7");
    expect(await field("Weekly").inputValue()).toBe("4");
    await screenshot(page, "retention-02-saved-desktop");
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it("shows each backup's projected expiry: the verifier's projection over the Worker's own answer at the schedule's cadence, labelled as one, on desktop and phone", async () => {
    const policy: RetentionPolicy = { daily: 7, weekly: 4, timezone: "UTC" };
    const path = `/v1/databases/${dbId}/retention`;
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === "GET");
    await page.reload();
    const state = (await (await answer).json()) as RetentionState;
    const { items } = await apiCall<SchedulePage>(stack.dev, "GET", `/v1/schedules?databaseId=${dbId}`, {
      cookie: stack.cookie,
    });
    const cadence = scheduleCadence(items);
    expect(cadence).toEqual({ ms: 86_400_000, from: "schedule", cron: "0 3 * * *" });
    if (cadence === "unreadable") throw new Error("the stack's schedule is readable");
    const now = Date.parse(state.decidedAt);
    const projected = projectExpiry(backupsOf(state), policy, now, protectedIdsOf(state), cadence.ms);
    if (!projected.ok) throw new Error(projected.message);
    const { expiries } = projected.value;
    expect(expiries).toHaveLength(BACKUPS);

    const table = panel().locator("table[data-fates]");
    await table.locator("[data-expires]").first().waitFor();
    expect(await table.locator("thead th").last().textContent()).toBe("Expires (projected)");
    const dated = expiries.filter((e) => e.expiresAt !== null && e.expiresAt !== now);
    expect(dated.length).toBeGreaterThan(0);
    for (const e of expiries) {
      const cell = table.locator(`tr[data-retention-backup="${e.backupId}"] [data-expires]`);
      if (e.expiresAt === now) expect(await cell.textContent(), e.backupId).toBe("at the next prune");
      else if (e.expiresAt === null) expect(await cell.textContent(), e.backupId).toBe("not within 2 years");
      else {
        expect(await cell.textContent(), e.backupId).toMatch(/^around \d/);
        expect(await cell.locator("time").getAttribute("datetime"), e.backupId).toBe(
          new Date(e.expiresAt).toISOString(),
        );
      }
    }
    // The calendar, not the function, says when the newest goes. Made on a Sunday it is the weekly of its
    // ISO week until the 4th newer week has a backup, 22 days on; any other day the next backup takes its
    // week, and it stays as a daily until the 7th newer day has one, 7 days on.
    const newest = expiries[0]!;
    if (new Date(newest.at).getUTCDate() === new Date(now).getUTCDate()) {
      const sunday = new Date(now).getUTCDay() === 0;
      expect(newest.lastKeptBy).toEqual([expect.stringMatching(sunday ? /^weekly:/ : /^daily:/)]);
      expect(newest.expiresAt).toBe(now + (sunday ? 22 : 7) * 86_400_000);
    }
    expect(await panel().locator("[data-expiry-note]").textContent()).toBe(projectionNote(cadence));
    expect(projectionNote(cadence)).toContain("a backup every day, as the schedule says (0 3 * * *)");
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "retention-02b-expires-desktop");

    await page.setViewportSize(PHONE);
    const cell = table.locator(`tr[data-retention-backup="${newest.backupId}"] [data-expires]`);
    expect(await cell.isVisible()).toBe(true);
    expect(await cell.locator("time").getAttribute("datetime")).toBe(new Date(newest.expiresAt!).toISOString());
    expect(await panel().locator("[data-expiry-note]").isVisible()).toBe(true);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "retention-02c-expires-phone");
    await page.setViewportSize(DESKTOP);
  });

  it("shows each other field's effect in the preview before saving, and saves nothing", async () => {
    const base = { daily: 7, weekly: 4, timezone: "UTC" };
    const tries: [string, string, RetentionPolicy][] = [
      ["Keep the last", "3", { ...base, keepLast: 3 }],
      ["Hourly", "2", { ...base, hourly: 2 }],
      ["Monthly", "12", { ...base, monthly: 12 }],
      ["Yearly", "5", { ...base, yearly: 5 }],
      ["Minimum age (days)", "1", { ...base, minAgeDays: 1 }],
    ];
    for (const [label, value, policy] of tries) {
      const want = await expected(policy);
      await field(label).fill(value);
      await counts().filter({ hasText: want.counts }).waitFor();
      expect(await newestReasons().textContent(), label).toBe(want.newest);
      await field(label).fill("");
    }
    // Specific effects, whatever the calendar: the last 3 keep 3, a day's minimum age keeps these minutes-old backups.
    await field("Keep the last").fill("3");
    expect(await panel().locator('table[data-fates] [data-fate="kept"]').count()).toBeGreaterThanOrEqual(3);
    expect(await newestReasons().textContent()).toContain("one of the last 3");
    await field("Keep the last").fill("");
    await field("Minimum age (days)").fill("1");
    await counts()
      .filter({ hasText: `${BACKUPS} backups are kept, none expires.` })
      .waitFor();
    expect(await newestReasons().textContent()).toContain("younger than 1 day");
    await field("Minimum age (days)").fill("");

    // The zone moves the calendar: the newest's day is its date in that zone.
    const zone = "Pacific/Kiritimati";
    const want = await expected({ ...base, timezone: zone });
    await field("Time zone").fill(zone);
    await counts().filter({ hasText: want.counts }).waitFor();
    expect(await newestReasons().textContent()).toBe(want.newest);
    const newestAt = (await retention()).verdicts[0]!.at;
    const localDay = new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(newestAt));
    expect(want.newest).toContain(`daily ${localDay}`);
    await field("Time zone").fill("UTC");
    expect(writes).toHaveLength(1);
    expect(await storedPolicy()).toEqual(base);
  });

  it("refuses an unknown zone, a count out of range and a policy that keeps nothing at the field, saving nothing; the API's own refusal lands at the field", async () => {
    await page.reload();
    await field("Daily").waitFor();
    await field("Time zone").fill("Mars/Olympus");
    await field("Time zone").blur();
    await problem("timezone").filter({ hasText: "not a known IANA time zone" }).waitFor();
    expect(await field("Time zone").getAttribute("aria-invalid")).toBe("true");
    await counts().filter({ hasText: "No preview until the time zone is corrected." }).waitFor();
    await panel().getByRole("button", { name: "Save policy" }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("retention-timezone");
    await field("Time zone").fill("UTC");
    expect(await problem("timezone").count()).toBe(0);

    await field("Daily").fill("1001");
    await problem("daily").filter({ hasText: "a whole number from 0 to 1,000" }).waitFor();
    expect(await field("Daily").getAttribute("aria-invalid")).toBe("true");
    await field("Daily").fill("");
    await field("Weekly").fill("");
    await panel().getByRole("button", { name: "Save policy" }).click();
    await problem("rules").filter({ hasText: "Turn on a rule" }).waitFor();
    await counts().filter({ hasText: "turn on a rule" }).waitFor();
    await screenshot(page, "retention-03-refused-desktop");
    expect(writes).toHaveLength(1);
    expect(await storedPolicy()).toEqual({ daily: 7, weekly: 4, timezone: "UTC" });

    // A zone Chromium knows but the API refuses (here: the request changed on its way), shown at the zone.
    const path = `**/v1/databases/${dbId}/retention-policy`;
    await page.route(path, (route) =>
      route.request().method() === "PUT"
        ? route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), timezone: "Mars/Olympus" }) })
        : route.continue(),
    );
    await field("Daily").fill("6");
    await panel().getByRole("button", { name: "Save policy" }).click();
    await problem("timezone").filter({ hasText: "not a known IANA time zone" }).waitFor();
    await page.unroute(path);
    expect(await storedPolicy()).toEqual({ daily: 7, weekly: 4, timezone: "UTC" });
  });

  it("lists the backups the runner deleted with their date, once the Worker's tick queued the prune", async () => {
    const before = await retention();
    const expiring = before.verdicts.filter((v) => !v.keep).map((v) => v.backupId);
    expect(expiring.length).toBeGreaterThan(0);
    await apiCall(stack.dev, "POST", "/v1/runner/claim", {
      bearer: stack.runner.token,
      body: { version: "0.1.0", databases: [dbId], kinds: ["prune"] },
    });
    const ticks = (out: string) => out.match(/^\{"event":"cron\.tick".*\}$/gm) ?? [];
    const seen = ticks(stack.dev.stdout).length;
    expect((await fetch(`${stack.dev.url}/__scheduled?cron=*+*+*+*+*`)).status).toBe(200);
    await stack.dev.waitFor((out) => ticks(out)[seen], 60_000, "the tick's cron.tick line");
    const { job } = await apiCall<{ job: ClaimedPruneJob | null }>(stack.dev, "POST", "/v1/runner/claim", {
      bearer: stack.runner.token,
      body: { version: "0.1.0", databases: [dbId], kinds: ["prune"] },
    });
    if (job?.kind !== "prune") throw new Error(`the runner claimed ${JSON.stringify(job)}, not a prune`);
    expect(job.targets.map((t) => t.backupId).sort()).toEqual([...expiring].sort());
    await apiCall(stack.dev, "POST", `/v1/runner/jobs/${job.jobId}/prune`, {
      bearer: stack.runner.token,
      body: {
        leaseId: job.leaseId,
        results: job.targets.map((t) => ({
          backupId: t.backupId,
          outcome: "deleted",
          retainUntil: null,
          deletedKeys: [t.artifact.key, `${t.artifact.key}.manifest.dsse.json`],
        })),
      },
    });

    await page.reload();
    const deleted = panel().locator("table[data-deleted] tbody tr");
    await deleted.first().waitFor();
    expect(await deleted.count()).toBe(expiring.length);
    for (const id of expiring) {
      const row = panel().locator(`tr[data-expired][data-retention-backup="${id}"]`);
      expect(await row.locator('[data-fate="deleted"]').textContent()).toContain("Deleted");
      expect(await row.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const kept = before.verdicts.length - expiring.length;
    await fact("now")
      .filter({ hasText: countsWords({ kept, expiring: 0, deleted: expiring.length }) })
      .waitFor();
    await screenshot(page, "retention-04-deleted-desktop");
    // The backups table marks them deleted, and a deleted backup's screen offers no restore: its bytes are gone.
    for (const id of expiring)
      expect(await page.locator(`table.backups tr[data-backup="${id}"] [data-deleted-backup]`).count()).toBe(1);
    const keptId = before.verdicts.find((v) => v.keep)!.backupId;
    expect(await page.locator(`table.backups tr[data-backup="${keptId}"] [data-deleted-backup]`).count()).toBe(0);
    await page.goto(`${stack.dev.url}/backups/${expiring[0]}`);
    await page.locator("[data-expired]").waitFor();
    expect(await page.locator("[data-expired]").textContent()).toMatch(
      /Deleted by the retention policy at .*cannot be restored/,
    );
    expect(await page.getByRole("button", { name: /Restore this backup/ }).count()).toBe(0);
    await page.goto(`${stack.dev.url}/backups/${keptId}`);
    await page.getByText("Manifest hash").waitFor();
    expect(await page.locator("[data-expired]").count()).toBe(0);
    await page.goto(`${stack.dev.url}/databases/${dbId}`);
  });

  it("has no sideways scrolling on a phone, editor and list included", async () => {
    await page.setViewportSize(PHONE);
    await page.reload();
    await field("Daily").waitFor();
    await field("Keep the last").fill("2");
    await panel().getByRole("heading", { name: "Preview of the policy being edited" }).waitFor();
    await panel().locator("table[data-fates] [data-expires]").first().waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "retention-05-editor-phone");
    await page.setViewportSize(DESKTOP);
    await page.reload();
  });

  it("removes the policy only after the confirmation", async () => {
    await panel().getByRole("button", { name: "Remove policy" }).click();
    await panel().getByRole("alertdialog").waitFor();
    await panel().getByRole("button", { name: "Cancel" }).click();
    expect(await storedPolicy()).toEqual({ daily: 7, weekly: 4, timezone: "UTC" });
    await panel().getByRole("button", { name: "Remove policy" }).click();
    await panel().getByRole("button", { name: "Remove the policy" }).click();
    await fact("policy").filter({ hasText: "None: every backup is kept" }).waitFor();
    expect(await storedPolicy()).toBeNull();
    expect(writes.at(-1)).toBe(`DELETE /v1/databases/${dbId}/retention-policy`);
    // Set again for the viewer, through the API.
    await apiCall(stack.dev, "PUT", `/v1/databases/${dbId}/retention-policy`, {
      cookie: stack.cookie,
      body: { daily: 7, weekly: 4 },
    });
  });

  it("lets a viewer read the policy and every backup's fate, with nothing to edit, on desktop and phone", async () => {
    const viewer = { email: "retention-viewer@example.com", password: "a long viewer password" };
    await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...viewer, role: "viewer" } });
    const { page: asViewer, errors: viewerErrors } = await newPage(browser, stack.dev.url);
    await asViewer.setViewportSize(DESKTOP);
    await signIn(asViewer, viewer);
    await asViewer.goto(`/databases/${dbId}`);
    await fact("policy", asViewer).filter({ hasText: "7 daily, 4 weekly (UTC)" }).waitFor();
    expect(await fact("lock", asViewer).textContent()).toBe("28 days for each new backup");
    const state = await retention();
    const rows = panel(asViewer).locator("table[data-fates] tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(state.verdicts.length);
    expect(await rows.first().locator("[data-reasons]").textContent()).toBe(
      reasonsWords(state.verdicts[0]!.reasons, state.policy),
    );
    expect(await panel(asViewer).locator("table[data-deleted] tbody tr").count()).toBe(state.expired.length);
    // The projection for viewers too, with what it assumes.
    await rows.first().locator("[data-expires]").waitFor();
    expect(await rows.locator("[data-expires]").count()).toBe(state.verdicts.length);
    expect(await panel(asViewer).locator("[data-expiry-note]").textContent()).toMatch(/^Expires is a projection/);
    expect(await panel(asViewer).locator("input, [data-retention-form]").count()).toBe(0);
    expect(
      await panel(asViewer)
        .getByRole("button", { name: /policy/i })
        .count(),
    ).toBe(0);
    await screenshot(asViewer, "retention-06-viewer-desktop");
    await asViewer.setViewportSize(PHONE);
    await asViewer.reload();
    await fact("policy", asViewer).filter({ hasText: "7 daily, 4 weekly (UTC)" }).waitFor();
    await panel(asViewer).locator("table[data-fates] tbody tr [data-expires]").first().waitFor();
    expect(await overflow(asViewer)).toBeLessThanOrEqual(0);
    await screenshot(asViewer, "retention-07-viewer-phone");
    expect(viewerErrors).toEqual([]);
    expect(errors).toEqual([]);
  });
});
