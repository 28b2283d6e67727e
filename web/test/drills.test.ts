// Restore drills in the real dashboard, served by the real Worker: a database's restorability and policy,
// "Drill now" followed live, the drill history and a drill's page with each receipt verified in Chromium.
// The drills' receipts are posted through the runner protocol by the test (register a runner key, claim
// the drill job, heartbeat, sign the receipt with signDrillReceipt, POST it): the Worker checks and logs
// them exactly as it does a real runner's.
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
  type NamedSigner,
} from "@walwarden/verifier";
import type { ClaimedDrillJob, DrillPolicyRequest } from "@walwarden/verifier/wire";
import { apiCall, syntheticBackupResult } from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let dbId: string;
let signer: NamedSigner;
let passedDrillId: string;

const POLICY: DrillPolicyRequest = {
  cron: "0 4 * * 0",
  timezone: "Europe/Berlin",
  target: "local",
  maxRtoSeconds: 900,
  assertions: [{ name: "orders are there", sql: "select count(*) from orders", expect: { op: "ge", value: 1000 } }],
};

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  ({ page, errors } = await newPage(browser, stack.dev.url));
  // The runner's own key, registered with its proof of possession (SPEC §11).
  const key = generateKeyPair();
  const publicKey = toBase64(key.publicKey);
  const registered = await apiCall<{ vkey: string }>(stack.dev, "POST", "/v1/runner/key", {
    bearer: stack.runner.token,
    body: { publicKey, proof: toBase64(sign(runnerKeyProofMessage(publicKey), key.secretKey)) },
  });
  signer = { name: registered.vkey.split("+")[0]!, ...key };
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

/** Claims the waiting drill job as the stack's runner. */
async function claimDrill(): Promise<ClaimedDrillJob> {
  const { job } = await apiCall<{ job: ClaimedDrillJob | null }>(stack.dev, "POST", "/v1/runner/claim", {
    bearer: stack.runner.token,
    body: { version: "0.1.0", databases: [dbId], kinds: ["drill"] },
  });
  if (job?.kind !== "drill") throw new Error(`the runner claimed ${JSON.stringify(job)}, not a drill`);
  return job;
}

/** What a runner measured for a claimed drill of a synthetic backup: passed, unless `failed`. */
function measured(job: ClaimedDrillJob, failed: boolean): DrillPredicate {
  const backup = syntheticBackupResult(stack.runner.id);
  const completedAt = new Date(Date.now() - 500);
  const orders = failed ? "12" : "1200";
  return {
    drillId: job.drillId,
    orgId: job.orgId,
    databaseId: job.databaseId,
    backupId: job.backupId,
    jobId: job.jobId,
    manifestSha256: job.manifestSha256,
    startedAt: new Date(completedAt.getTime() - 9000).toISOString(),
    completedAt: completedAt.toISOString(),
    outcome: failed ? "failed" : "passed",
    failure: failed ? { phase: "checks", reason: "1 of 2 tables differ from the manifest" } : null,
    downloadedSha256: job.artifact.sha256,
    target: { kind: job.target, serverVersion: "16.4" },
    pgRestore: { version: "17.2", jobs: 2, exitCode: 0, errors: [] },
    tables: backup.tables.map((t, i) => ({
      schema: t.schema,
      name: t.name,
      expectedRows: t.rows,
      actualRows: failed && i === 1 ? t.rows - 1 : t.rows,
    })),
    schemaFingerprint: { expected: backup.schemaFingerprint, actual: backup.schemaFingerprint },
    assertions: job.assertions.map((a) => ({
      ...a,
      actual: orders,
      passed: !failed,
      error: null,
    })),
    phases: { downloadVerifyMs: 1250, restoreMs: 5100, checksMs: 380 },
    targetSetupMs: 1610,
    rto: { ms: 6730, targetMs: job.maxRtoSeconds === null ? null : job.maxRtoSeconds * 1000 },
    runner: { id: job.runnerId, version: "0.1.0" },
  };
}

/** Reports progress, then posts the signed receipt, as a runner does. */
async function finishDrill(job: ClaimedDrillJob, failed: boolean) {
  const receipt = signDrillReceipt(
    measured(job, failed),
    { uri: artifactUri(job.artifact.bucket, job.artifact.key), sha256: job.artifact.sha256 },
    signer,
  );
  await apiCall(stack.dev, "POST", `/v1/runner/jobs/${job.jobId}/drill`, {
    bearer: stack.runner.token,
    body: { leaseId: job.leaseId, receipt },
  });
}

const heartbeat = (job: ClaimedDrillJob, phase: string) =>
  apiCall(stack.dev, "POST", `/v1/runner/jobs/${job.jobId}/heartbeat`, {
    bearer: stack.runner.token,
    body: { leaseId: job.leaseId, progress: { phase, bytes: 0 } },
  });

const drillNowStatus = () => page.locator("[data-drill-now]");
const restorability = () => page.locator("[data-restorability-panel]");

describe("restore drills in the dashboard", () => {
  it("says a database has no drill policy and offers an admin the editor, then shows the policy; Drill now without a backup says there is none", async () => {
    dbId = await stack.addDatabase("orders-db", 60);
    await signIn(page, ADMIN);
    await page.goto(`/databases/${dbId}`);
    await restorability().locator('[data-restorability="no-policy"]').waitFor();
    const none = (await restorability().textContent()) ?? "";
    expect(none).toContain("No drill policy");
    // An admin gets the policy editor (web/test/drill-policy.test.ts drives it), no curl hint.
    expect(await restorability().locator("[data-drill-policy-form]").count()).toBe(1);
    await page.getByText("No drills yet").waitFor();

    await apiCall(stack.dev, "PUT", `/v1/databases/${dbId}/drill-policy`, { cookie: stack.cookie, body: POLICY });
    await page.reload();
    await restorability().locator('[data-restorability="never-proven"]').waitFor();
    const policy = (await page.locator("[data-policy]").textContent()) ?? "";
    expect(policy).toContain("0 4 * * 0");
    expect(policy).toContain("Europe/Berlin");
    expect(policy).toContain("1 SQL assertion");
    expect(policy).toContain("15 min");
    expect(policy).toContain("throwaway PostgreSQL cluster");

    await page.getByRole("button", { name: "Drill now" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "There is no completed backup of this database yet",
    );
    expect(errors).toEqual([]);
  });

  it("queues a drill with Drill now, follows it live, and shows it passed with its RTO, tables and a receipt verified in your browser (a receipt posted through the runner protocol by the test)", async () => {
    await stack.backUp(dbId);
    await page.getByRole("button", { name: "Drill now" }).click();
    // At once: queued.
    await drillNowStatus().filter({ hasText: "Drill queued" }).waitFor();
    await page.locator('tr[data-drill][data-status="queued"]').waitFor();

    const job = await claimDrill();
    passedDrillId = job.drillId;
    await heartbeat(job, "restoring");
    await drillNowStatus().filter({ hasText: "Drill running: restoring with pg_restore" }).waitFor();
    await screenshot(page, "drills-01-running");

    await finishDrill(job, false);
    await drillNowStatus().filter({ hasText: "Drill passed" }).waitFor();
    await expect(drillNowStatus().textContent()).resolves.toContain(
      "Drill passed: 6.7 s, within the 15 min target; 2 of 2 tables matched.",
    );

    const row = page.locator(`tr[data-drill="${job.drillId}"]`);
    await row.locator('[data-receipt="verified"]').waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("Passed");
    expect(text).toContain("6.7 s, within the 15 min target");
    expect(text).toContain("2 of 2 tables matched");
    expect(text).toContain(job.backupId);
    expect(text).toContain("Verified in your browser");
    expect(text).toContain(`signed by ${signer.name}`);
    expect(text).toContain("web test runner");

    await restorability().locator('[data-restorability="proven"]').waitFor();
    await expect(restorability().locator('[data-fact="rto"]').textContent()).resolves.toBe(
      "6.7 s, within the 15 min target",
    );
    await expect(restorability().locator('[data-fact="tables"]').textContent()).resolves.toBe("2 of 2 tables matched");
    await expect(restorability().locator('[data-fact="last-pass"]').textContent()).resolves.toMatch(/just now|ago/);
    await screenshot(page, "drills-02-passed");
    expect(errors).toEqual([]);
  });

  it("shows a drill's tables, assertions and receipt checks on its own page, and both pages fit a phone", async () => {
    await page.locator(`tr[data-drill="${passedDrillId}"] th a`).click();
    await page.getByRole("heading", { name: "Tables" }).waitFor();
    const verdict = page.locator('#receipt-h ~ [data-receipt="verified"]');
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain("Verified in your browser");
    for (const id of ["runner-key", "receipt-sha256", "receipt", "shown"])
      await expect(verdict.locator(`tr[data-check="${id}"]`).textContent()).resolves.toContain("passed");
    await expect(page.locator('tr[data-table="public.orders"]').textContent()).resolves.toMatch(/12001200matches/);
    await expect(page.locator('tr[data-table="public.customers"]').textContent()).resolves.toMatch(/8080matches/);
    const assertion = (await page.locator('tr[data-assertion="orders are there"]').textContent()) ?? "";
    expect(assertion).toContain("select count(*) from orders");
    expect(assertion).toContain("≥ 1000");
    expect(assertion).toContain("1200");
    expect(assertion).toContain("passed");

    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of [`/drills/${passedDrillId}`, `/databases/${dbId}`]) {
      await page.goto(path);
      await page.locator('[data-receipt="verified"]').first().waitFor();
      const fit = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - window.innerWidth,
        // Each drill table and every hash stays inside the screen: they wrap rather than scroll.
        drills: [...document.querySelectorAll(".stack-on-phone, .fits-phone")].map(
          (e) => e.scrollWidth - e.clientWidth,
        ),
        codes: [...document.querySelectorAll("code.wrap")].map(
          (e) => e.getBoundingClientRect().right - window.innerWidth,
        ),
      }));
      expect(fit.page, path).toBeLessThanOrEqual(0);
      for (const over of [...fit.drills, ...fit.codes]) expect(over, path).toBeLessThanOrEqual(0);
      await screenshot(page, path.startsWith("/drills") ? "drills-03-detail-phone" : "drills-04-database-phone");
    }
    await page.setViewportSize({ width: 1366, height: 900 });
    expect(errors).toEqual([]);
  });

  it("shows a failed drill's phase, reason and findings (a receipt posted through the runner protocol by the test), and offers a viewer no Drill now", async () => {
    await page.goto(`/databases/${dbId}`);
    await page.getByRole("button", { name: "Drill now" }).click();
    await drillNowStatus().filter({ hasText: "Drill queued" }).waitFor();
    const job = await claimDrill();
    await finishDrill(job, true);
    await drillNowStatus().filter({ hasText: "Drill failed" }).waitFor();

    const row = page.locator(`tr[data-drill="${job.drillId}"]`);
    await row.locator('[data-receipt="verified"]').waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("Failed at checking the restored data: 1 of 2 tables differ from the manifest");
    expect(text).toContain("1 of 2 tables matched");
    // The receipt verifies (it truthfully records a failure) and its findings say what failed.
    expect(text).toContain("Verified in your browser");
    expect(text).toContain("(first: public.customers, 80 rows expected, 79 found)");
    expect(text).toContain('assertion "orders are there" failed (got 12)');
    // Still proven by the earlier pass, and the latest drill's failure is said beside it.
    await restorability().locator('[data-restorability="proven"]').waitFor();
    await expect(restorability().locator('[data-fact="latest"]').textContent()).resolves.toContain("Failed");
    await screenshot(page, "drills-05-failed");
    expect(errors).toEqual([]);

    const viewer = { email: "drill-viewer@example.com", password: "a long viewer password" };
    await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...viewer, role: "viewer" } });
    const { page: asViewer } = await newPage(browser, stack.dev.url);
    await signIn(asViewer, viewer);
    await asViewer.goto(`/databases/${dbId}`);
    await asViewer.locator(`tr[data-drill="${job.drillId}"] [data-receipt="verified"]`).waitFor();
    expect(await asViewer.getByRole("button", { name: "Drill now" }).count()).toBe(0);
    expect(await asViewer.getByRole("button", { name: "Back up now" }).count()).toBe(0);
  });
});
