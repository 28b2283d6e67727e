// The drill policy editor in the real dashboard, served by the real Worker: an admin sets a database's drill
// policy (PUT /v1/databases/:id/drill-policy) from the database screen, every field checked in Chromium with
// the wire's DrillPolicyRequestSchema and the Worker's cron module before anything is sent, and each field's
// effect read back from the API's own answer; the next drills previewed in the browser are the Worker's
// slots (its restorability's nextDrillAt); the API's refusal lands at its field; removal after a
// confirmation (DELETE); the welcome checklist's drill step is done and links to it; a viewer reads the policy
// with nothing to edit. Desktop 1440×900 and phone 390×844, no sideways scrolling.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { nextSlotAfter, parseCron } from "@walwarden/verifier/schedule";
import type { DrillPolicy, Restorability } from "@walwarden/verifier/wire";
import { apiCall } from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

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

const panel = (p: Page = page) => p.locator("[data-restorability-panel]");
const form = () => panel().locator("[data-drill-policy-form]");
const field = (label: string) => form().getByLabel(label, { exact: true });
const assertion = (i: number) => form().locator(`[data-assertion="${i}"]`);
const problem = (at: string) => form().locator(`[data-problem="${at}"]`);
const fact = (name: string, p: Page = page) => panel(p).locator(`[data-policy] [data-fact="${name}"]`);
const said = () => panel().locator("[data-drill-policy-said]");
const policyPath = () => `/v1/databases/${dbId}/drill-policy`;
const puts = () => writes.filter((w) => w === `PUT ${policyPath()}`).length;

/** The stored policy, or null (404). */
async function storedPolicy(): Promise<DrillPolicy | null> {
  try {
    return await apiCall<DrillPolicy>(stack.dev, "GET", policyPath(), { cookie: stack.cookie });
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}
const restorability = () =>
  apiCall<Restorability>(stack.dev, "GET", `/v1/databases/${dbId}/restorability`, { cookie: stack.cookie });

/** The Worker's next slot of a cron in its zone after `now`, as an ISO instant. */
function workerSlot(cron: string, timezone: string, now: number): string {
  const parsed = parseCron(cron, timezone);
  if (!parsed.ok) throw new Error(parsed.message);
  return new Date(nextSlotAfter(parsed.value, now)!).toISOString();
}

/** The next drills the page previews, as ISO instants. */
const previewed = () =>
  form()
    .locator("[data-preview-runs] li")
    .evaluateAll((li) => li.map((l) => l.getAttribute("data-run")));

/** The document is no wider than the viewport. */
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Saves the open editor and waits until the panel shows the saved policy (the editor closed). */
async function save(button = "Save policy") {
  await form().getByRole("button", { name: button }).click();
  await said().filter({ hasText: "Drill policy saved" }).waitFor();
  await form().waitFor({ state: "detached" });
  await panel().locator("[data-policy]").waitFor();
}

describe("the drill policy editor", () => {
  it("offers an admin the editor in place of the curl hint; a bad cron is refused at its field with no request, and the API's own 400 lands there too; nothing is saved", async () => {
    await signIn(page, ADMIN);
    await page.goto(`/databases/${dbId}`);
    await panel().locator('[data-restorability="no-policy"]').waitFor();
    await form().waitFor();
    expect(await panel().textContent()).not.toContain("PUT /v1");
    await panel().getByRole("heading", { name: "Set a drill policy" }).waitFor();
    // The API's defaults: Sundays at 04:00 UTC, previewed by the Worker's cron module in this browser.
    expect(await field("Runs").inputValue()).toBe("weekly");
    expect(await field("On").inputValue()).toBe("0");
    expect(await field("At").inputValue()).toBe("4");
    await form().locator("[data-preview-runs] li").nth(4).waitFor();
    const runs = await previewed();
    expect(runs).toHaveLength(5);
    expect(runs[0]).toBe(workerSlot("0 4 * * 0", "UTC", Date.now()));
    for (const r of runs) expect(new Date(r!).getUTCDay(), r!).toBe(0);
    await screenshot(page, "drill-policy-01-empty");

    await field("Runs").selectOption("custom");
    await field("Cron expression").fill("61 * * * *");
    await form().locator("[data-preview-problem]").filter({ hasText: "Invalid value for minute: 61" }).waitFor();
    await form().getByRole("button", { name: "Set policy" }).click();
    await problem("cron").filter({ hasText: 'cron "61 * * * *": Invalid value for minute: 61' }).waitFor();
    expect(await field("Cron expression").getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("drill-policy-cron");
    expect(writes).toEqual([]);
    expect(await storedPolicy()).toBeNull();
    await screenshot(page, "drill-policy-02-bad-cron");

    // A cron this browser accepts but the API refuses (here: the request changed on its way), at the cron.
    await field("Cron expression").fill("0 3 * * *");
    expect(await problem("cron").count()).toBe(0);
    const route = `**${policyPath()}`;
    await page.route(route, (r) =>
      r.request().method() === "PUT"
        ? r.continue({ postData: JSON.stringify({ ...r.request().postDataJSON(), cron: "61 * * * *" }) })
        : r.continue(),
    );
    await form().getByRole("button", { name: "Set policy" }).click();
    await problem("cron").filter({ hasText: 'cron "61 * * * *": Invalid value for minute: 61' }).waitFor();
    await page.unroute(route);
    expect(writes).toEqual([`PUT ${policyPath()}`]);
    expect(await storedPolicy()).toBeNull();
    await panel().locator('[data-restorability="no-policy"]').waitFor();

    // An assertion the schema refuses, at its own field: a boolean compared with ">".
    await form().getByRole("button", { name: "Add an assertion" }).click();
    await assertion(0).getByLabel("Name", { exact: true }).fill("totals are positive");
    await assertion(0).getByLabel("SQL", { exact: true }).fill("select bool_and(total > 0) from orders");
    await assertion(0).getByLabel("Compared as", { exact: true }).selectOption("boolean");
    await assertion(0).getByLabel("Expect the value", { exact: true }).selectOption("gt");
    await form().getByRole("button", { name: "Set policy" }).click();
    await problem("assertions.0.op").filter({ hasText: "compared with eq or ne only" }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("drill-policy-assertion-0-op");
    await form().getByRole("button", { name: "Remove assertion 1" }).click();
    expect(await assertion(0).count()).toBe(0);
    expect(puts()).toBe(1);
    expect(await storedPolicy()).toBeNull();
    expect(errors).toEqual([]);
  });

  it("sets a policy with every field: the API stores each as typed, and the panel shows it with the next drill the Worker worked out, the one previewed", async () => {
    await field("Runs").selectOption("weekly");
    await field("On").selectOption("1");
    await field("At").selectOption("5");
    await field("Time zone").fill("Europe/Berlin");
    await field("Backup drilled").selectOption("random");
    await field("From the last (days)").fill("14");
    await field("Target").selectOption("server");
    await field("Max RTO").fill("15");
    await field("Max RTO unit").selectOption("minutes");
    await form().getByRole("button", { name: "Add an assertion" }).click();
    await assertion(0).getByLabel("Name", { exact: true }).fill("orders are there");
    await assertion(0).getByLabel("SQL", { exact: true }).fill("select count(*) from orders");
    await assertion(0).getByLabel("Expect the value", { exact: true }).selectOption("ge");
    await assertion(0).getByLabel("Value", { exact: true }).fill("1000");
    await form().getByRole("button", { name: "Add an assertion" }).click();
    await assertion(1).getByLabel("Name", { exact: true }).fill("currency is set");
    await assertion(1).getByLabel("SQL", { exact: true }).fill("select max(currency) from orders");
    await assertion(1).getByLabel("Compared as", { exact: true }).selectOption("text");
    await assertion(1).getByLabel("Expect the value", { exact: true }).selectOption("ne");
    await assertion(1).getByLabel("Value", { exact: true }).fill("XXX");
    expect(await field("Enabled").isChecked()).toBe(true);
    await form().locator('[data-preview-runs][data-cron="0 5 * * 1"][data-timezone="Europe/Berlin"]').waitFor();
    const runs = await previewed();
    // Mondays at 05:00 on Berlin's wall clock, the first one the Worker's own next slot.
    expect(runs[0]).toBe(workerSlot("0 5 * * 1", "Europe/Berlin", Date.now()));
    for (const r of runs) {
      const wall = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin",
        weekday: "short",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(new Date(r!));
      expect(wall, r!).toBe("Mon 05:00");
    }
    expect(writes).toHaveLength(1);
    await screenshot(page, "drill-policy-03-filled");

    await save("Set policy");
    expect(puts()).toBe(2);
    const stored = await storedPolicy();
    expect(stored).toMatchObject({
      cron: "0 5 * * 1",
      timezone: "Europe/Berlin",
      backup: { pick: "random", withinDays: 14 },
      target: "server",
      maxRtoSeconds: 900,
      assertions: [
        { name: "orders are there", sql: "select count(*) from orders", expect: { op: "ge", value: 1000 } },
        { name: "currency is set", sql: "select max(currency) from orders", expect: { op: "ne", value: "XXX" } },
      ],
      enabled: true,
    });
    const r = await restorability();
    expect(r.status).toBe("never-proven");
    expect(r.nextDrillAt).toBe(runs[0]);
    // At once, without a reload: the policy and the Worker's next drill.
    await panel().locator('[data-restorability="never-proven"]').waitFor();
    expect(await fact("next-drill").locator("time").getAttribute("datetime")).toBe(r.nextDrillAt);
    expect(await fact("schedule").textContent()).toContain("0 5 * * 1 in Europe/Berlin");
    expect(await fact("schedule").textContent()).toContain("Weekly on Monday at 05:00");
    expect(await fact("backup").textContent()).toBe("a random backup from the last 14 days");
    expect(await fact("target").textContent()).toBe("a scratch database on the runner's configured server");
    expect(await fact("max-rto").textContent()).toBe("15 min");
    expect(await fact("checks").textContent()).toContain("2 SQL assertions");
    expect(await fact("checks").locator('[data-assertion-name="orders are there"]').textContent()).toContain("≥ 1000");
    expect(await fact("checks").locator('[data-assertion-name="currency is set"]').textContent()).toContain('≠ "XXX"');
    await screenshot(page, "drill-policy-04-saved");

    // The welcome checklist counts the drill step done, and its link leads back to the policy.
    await page.goto("/welcome");
    const step = page.locator('li[data-step="drill"]');
    await page.locator('li[data-step="drill"][data-done="true"]').waitFor();
    const link = step.getByRole("link");
    expect(await link.getAttribute("href")).toBe(`/databases/${dbId}#drill-policy`);
    await link.click();
    await panel().locator("[data-policy]").waitFor();
    await page.waitForFunction(() => document.activeElement?.closest("#drill-policy") !== null);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Edit policy");
    expect(errors).toEqual([]);
  });

  it("edits one field at a time, and each field's change is in the API's answer (the next drill moving with the timing)", async () => {
    /** Opens the editor, makes one change, saves, and returns the stored policy. */
    async function edit(change: () => Promise<void>): Promise<DrillPolicy> {
      await panel().getByRole("button", { name: "Edit policy" }).click();
      await form().waitFor();
      await change();
      await save();
      return (await storedPolicy())!;
    }
    const nextShown = () => fact("next-drill").locator("time").getAttribute("datetime");

    let p = await edit(() =>
      field("Runs")
        .selectOption("daily")
        .then(() => field("At").selectOption("2"))
        .then(() => {}),
    );
    expect(p.cron).toBe("0 2 * * *");
    let r = await restorability();
    expect(r.nextDrillAt).toBe(workerSlot("0 2 * * *", "Europe/Berlin", Date.parse(p.updatedAt)));
    expect(await nextShown()).toBe(r.nextDrillAt);

    p = await edit(() => field("Time zone").fill("Asia/Tokyo"));
    expect(p.timezone).toBe("Asia/Tokyo");
    r = await restorability();
    expect(r.nextDrillAt).toBe(workerSlot("0 2 * * *", "Asia/Tokyo", Date.parse(p.updatedAt)));
    expect(await nextShown()).toBe(r.nextDrillAt);
    expect(await fact("schedule").textContent()).toContain("in Asia/Tokyo");

    p = await edit(() => field("From the last (days)").fill("30"));
    expect(p.backup).toEqual({ pick: "random", withinDays: 30 });
    expect(await fact("backup").textContent()).toBe("a random backup from the last 30 days");
    p = await edit(async () => void (await field("Backup drilled").selectOption("latest")));
    expect(p.backup).toEqual({ pick: "latest" });
    expect(await fact("backup").textContent()).toBe("the latest completed backup");

    p = await edit(async () => void (await field("Target").selectOption("local")));
    expect(p.target).toBe("local");
    expect(await fact("target").textContent()).toBe("a throwaway PostgreSQL cluster the runner starts");

    p = await edit(async () => {
      await field("Max RTO").fill("2");
      await field("Max RTO unit").selectOption("hours");
    });
    expect(p.maxRtoSeconds).toBe(7200);
    expect(await fact("max-rto").textContent()).toBe("2 h");
    p = await edit(() => field("Max RTO").fill(""));
    expect(p.maxRtoSeconds).toBeNull();
    expect(await fact("max-rto").textContent()).toBe("no target");

    p = await edit(async () => {
      await assertion(0).getByLabel("Name", { exact: true }).fill("enough orders");
      await assertion(0).getByLabel("Expect the value", { exact: true }).selectOption("gt");
      await assertion(0).getByLabel("Value", { exact: true }).fill("500");
    });
    expect(p.assertions[0]).toEqual({
      name: "enough orders",
      sql: "select count(*) from orders",
      expect: { op: "gt", value: 500 },
    });
    p = await edit(() => assertion(0).getByLabel("SQL", { exact: true }).fill("select count(*) from public.orders"));
    expect(p.assertions[0]!.sql).toBe("select count(*) from public.orders");
    p = await edit(async () => {
      await assertion(1).getByLabel("Compared as", { exact: true }).selectOption("boolean");
      await assertion(1).getByLabel("Expect the value", { exact: true }).selectOption("eq");
      await assertion(1).getByLabel("Value", { exact: true }).selectOption("false");
    });
    expect(p.assertions[1]!.expect).toEqual({ op: "eq", value: false });
    p = await edit(() => form().getByRole("button", { name: "Remove assertion 1" }).click());
    expect(p.assertions.map((a) => a.name)).toEqual(["currency is set"]);
    expect(await fact("checks").textContent()).toContain("1 SQL assertion");

    // Paused: no next drill, at the Worker and on the page; enabled again, the Worker's slot is back.
    p = await edit(() => field("Enabled").uncheck());
    expect(p.enabled).toBe(false);
    expect((await restorability()).nextDrillAt).toBeNull();
    await panel().getByRole("heading", { name: "Drill policy (paused)" }).waitFor();
    expect(await fact("next-drill").textContent()).toBe("None scheduled");
    p = await edit(() => field("Enabled").check());
    expect(p.enabled).toBe(true);
    r = await restorability();
    expect(r.nextDrillAt).toBe(workerSlot("0 2 * * *", "Asia/Tokyo", Date.parse(p.updatedAt)));
    expect(await nextShown()).toBe(r.nextDrillAt);

    // An edit that is cancelled sends nothing.
    const before = puts();
    await panel().getByRole("button", { name: "Edit policy" }).click();
    await field("Time zone").fill("America/New_York");
    await form().getByRole("button", { name: "Cancel" }).click();
    await form().waitFor({ state: "detached" });
    expect(puts()).toBe(before);
    expect((await storedPolicy())!.timezone).toBe("Asia/Tokyo");
    await screenshot(page, "drill-policy-05-edited");
    expect(errors).toEqual([]);
  });

  it("has no sideways scrolling on a phone, the editor with its assertions open and the policy read back", async () => {
    await page.setViewportSize(PHONE);
    await page.reload();
    await panel().locator("[data-policy]").waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, "drill-policy-06-saved-phone");
    await panel().getByRole("button", { name: "Edit policy" }).click();
    await form().getByRole("button", { name: "Add an assertion" }).click();
    await assertion(1)
      .getByLabel("SQL", { exact: true })
      .fill("select count(*) from a_rather_long_schema_name.a_rather_long_table_name");
    await field("Runs").selectOption("custom");
    await form().locator("[data-preview-runs] li").first().waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    // Every control of the editor, assertions included, has a label.
    const unlabelled = await form().evaluate((f) =>
      [...f.querySelectorAll<HTMLInputElement>("input, select, textarea")]
        .filter((el) => !el.labels?.length && !el.getAttribute("aria-label"))
        .map((el) => el.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    await screenshot(page, "drill-policy-07-editor-phone");
    await form().getByRole("button", { name: "Cancel" }).click();
    await page.setViewportSize(DESKTOP);
  });

  it("removes the policy only after the confirmation (DELETE), and the editor is offered again", async () => {
    await panel().getByRole("button", { name: "Remove policy…" }).click();
    await panel().getByRole("alertdialog").waitFor();
    await screenshot(page, "drill-policy-08-remove-confirm");
    await panel().getByRole("button", { name: "Cancel" }).click();
    expect(await storedPolicy()).not.toBeNull();
    expect(writes.filter((w) => w.startsWith("DELETE"))).toEqual([]);
    await panel().getByRole("button", { name: "Remove policy…" }).click();
    await panel().getByRole("button", { name: "Remove the drill policy" }).click();
    await said().filter({ hasText: "Drill policy removed" }).waitFor();
    await panel().locator('[data-restorability="no-policy"]').waitFor();
    await form().waitFor();
    expect(await storedPolicy()).toBeNull();
    expect(writes.at(-1)).toBe(`DELETE ${policyPath()}`);
    expect((await restorability()).status).toBe("no-policy");
    await screenshot(page, "drill-policy-09-removed");
    expect(errors).toEqual([]);
  });

  it("lets a viewer read the policy with nothing to edit, and says an admin sets it when there is none, on desktop and phone", async () => {
    await apiCall(stack.dev, "PUT", policyPath(), {
      cookie: stack.cookie,
      body: { cron: "0 4 * * 0", timezone: "Europe/Berlin", maxRtoSeconds: 900 },
    });
    const viewer = { email: "drill-viewer@example.com", password: "a long viewer password" };
    await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...viewer, role: "viewer" } });
    const { page: asViewer, errors: viewerErrors } = await newPage(browser, stack.dev.url);
    await asViewer.setViewportSize(DESKTOP);
    await signIn(asViewer, viewer);
    await asViewer.goto(`/databases/${dbId}`);
    await panel(asViewer).locator("[data-policy]").waitFor();
    expect(await fact("schedule", asViewer).textContent()).toContain("0 4 * * 0 in Europe/Berlin");
    expect(await fact("max-rto", asViewer).textContent()).toBe("15 min");
    expect(await panel(asViewer).locator("[data-drill-policy-form]").count()).toBe(0);
    expect(await panel(asViewer).getByRole("button", { name: "Edit policy" }).count()).toBe(0);
    expect(await panel(asViewer).getByRole("button", { name: "Remove policy…" }).count()).toBe(0);

    await apiCall(stack.dev, "DELETE", policyPath(), { cookie: stack.cookie });
    await asViewer.reload();
    await panel(asViewer).locator('[data-restorability="no-policy"]').waitFor();
    expect(await panel(asViewer).locator("[data-no-policy]").textContent()).toContain(
      "An admin sets this database's drill policy here",
    );
    expect(await panel(asViewer).textContent()).not.toContain("PUT /v1");
    expect(await panel(asViewer).locator("[data-drill-policy-form]").count()).toBe(0);
    await screenshot(asViewer, "drill-policy-10-viewer");
    await asViewer.setViewportSize(PHONE);
    expect(await overflow(asViewer)).toBeLessThanOrEqual(0);
    await screenshot(asViewer, "drill-policy-11-viewer-phone");
    expect(viewerErrors).toEqual([]);
    await asViewer.context().close();
  });
});
