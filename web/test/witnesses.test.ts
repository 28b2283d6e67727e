// Witnesses in Debian's Chromium against the real Worker (wrangler dev, serving web/dist), at 1440×900 and
// 390×844 (no sideways scrolling, light and dark): the stack's runner registers its key and witnesses the log
// through the runner protocol (claim with its accepted size, the verifier's witness step, its cosignature/v1
// line posted), and the witnesses screen shows it at the head ("N of N", up to date) with its cosigner vkey,
// then behind once the log grows. An admin adds an external witness: a URL the API refuses is said at its
// field with nothing added, then a good one is listed with its lag, then removed after a confirmation (Cancel
// keeps it); a viewer sees both tables without Add or Remove. The offline verify page, opened from disk,
// verifies an evidence bundle with the runner's vkey as a required witness (log.witnesses passed), fails it
// with a random witness key (log.witnesses failed), and refuses a malformed key at its field, verifying nothing.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import {
  cosignCheckpoint,
  formatCosignerVkey,
  generateKeyPair,
  type NoteVerifier,
  parseSignedNote,
  parseVkey,
  runnerKeyProofMessage,
  sign,
  toBase64,
  witnessStep,
} from "@walwarden/verifier";
import type { WitnessList, WitnessView } from "@walwarden/verifier/wire";
import { apiCall, publishedKeys } from "@walwarden/testing/api";
import { launchBrowser, newPage, screenshot } from "./support/browser.js";
import { ADMIN, startStack, type Stack } from "./support/stack.js";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const WITNESS_NAME = "witness.example.com/w1";

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let runnerVkey: string;
let cosignedSize: number;
let bundlePath: string;

/** The stack's runner registers its key and witnesses the log from size 0; its signer and the size it cosigned. */
const runnerKey = generateKeyPair();
async function runnerCosigns(): Promise<{ name: string; secretKey: Uint8Array; size: number }> {
  const key = runnerKey; // the same key every time: registering it again changes (and logs) nothing
  const publicKey = toBase64(key.publicKey);
  const { vkey } = await apiCall<{ vkey: string }>(stack.dev, "POST", "/v1/runner/key", {
    bearer: stack.runner.token,
    body: { publicKey, proof: toBase64(sign(runnerKeyProofMessage(publicKey), key.secretKey)) },
  });
  const claim = await apiCall<{ witness?: WitnessView }>(stack.dev, "POST", "/v1/runner/claim", {
    bearer: stack.runner.token,
    body: { version: "0.1.0", databases: [], kinds: ["backup"], witness: { size: "0" } },
  });
  if (!claim.witness) throw new Error("the claim handed nothing to witness");
  const keys = await publishedKeys(stack.dev);
  const checkpointKeys = keys.checkpoint.map((v) => {
    const k = parseVkey(v);
    if (!k.ok) throw new Error(k.message);
    return k.value as NoteVerifier;
  });
  const step = witnessStep(null, claim.witness.checkpoint, checkpointKeys, `${keys.origin}/${stack.orgId}`, []);
  if (!step.ok) throw new Error(step.message);
  const body = parseSignedNote(claim.witness.checkpoint);
  if (!body.ok) throw new Error(body.message);
  const signer = { name: vkey.split("+")[0]!, secretKey: key.secretKey };
  const line = cosignCheckpoint(body.value.text, signer, Math.floor(Date.now() / 1000));
  if (!line.ok) throw new Error(line.message);
  await apiCall(stack.dev, "POST", "/v1/runner/witness", {
    bearer: stack.runner.token,
    body: { size: step.value.next.size.toString(), cosignature: line.value },
  });
  return { ...signer, size: Number(step.value.next.size) };
}

async function signIn(p: Page, user: { email: string; password: string }) {
  await p.goto("/");
  await p.getByLabel("Email").fill(user.email);
  await p.getByLabel("Password").fill(user.password);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Databases" }).waitFor();
}

const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const runnerRow = (p: Page) => p.locator(`tr[data-witness-runner="${stack.runner.id}"]`);
const witnessRow = (p: Page) => p.locator(`tr[data-witness="${WITNESS_NAME}"]`);
const listed = () => apiCall<WitnessList>(stack.dev, "GET", "/v1/witnesses", { cookie: stack.cookie });

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  const from = new Date(Date.now() - 60_000).toISOString();
  await stack.addDatabase("orders", 60);
  cosignedSize = (await runnerCosigns()).size;
  // The evidence of the period up to now: proven against the checkpoint the runner cosigned (SPEC §13).
  const to = new Date().toISOString();
  const exported = await fetch(`${stack.dev.url}/v1/evidence`, {
    method: "POST",
    headers: { cookie: stack.cookie, "content-type": "application/json" },
    body: JSON.stringify({ from, to }),
  });
  if (exported.status !== 200) throw new Error(await exported.text());
  bundlePath = join(mkdtempSync(join(tmpdir(), "ww-web-witness-")), "evidence.zip");
  writeFileSync(bundlePath, new Uint8Array(await exported.arrayBuffer()));
  ({ page, errors } = await newPage(browser, stack.dev.url));
  await page.setViewportSize(DESKTOP);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the witnesses screen", () => {
  it("shows the runner that cosigned at the head with its cosigner vkey, then behind once the log grows", async () => {
    const api = await listed();
    const r = api.runners.find((x) => x.runnerId === stack.runner.id)!;
    runnerVkey = r.vkey;
    await signIn(page, ADMIN);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Witnesses" }).click();
    await page.getByRole("heading", { name: "Witnesses", level: 1 }).waitFor();
    await expect.poll(() => page.title()).toBe("Witnesses · Walwarden");
    const row = runnerRow(page);
    await row.waitFor();
    // The evidence export was logged after the cosignature: the runner may already be one behind.
    const size = (await row.locator("[data-cosigned]").textContent()) ?? "";
    expect(size).toMatch(new RegExp(`^${cosignedSize.toLocaleString("en-US")} of [0-9,]+$`));
    expect(r.cosignedSize).toBe(cosignedSize);
    await expect(row.locator("[data-vkey]").textContent()).resolves.toBe(runnerVkey);
    expect(runnerVkey.split("+")[0]).toBe(`walwarden.local/runner/${stack.runner.id}`);
    await expect(row.getByRole("button", { name: "Copy key" }).count()).resolves.toBe(1);
    // Its last cosignature in the dashboard's one date style ("8 Dec 2026, 01:02").
    await expect(row.locator("time").first().textContent()).resolves.toMatch(
      /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/,
    );
    await page.getByRole("heading", { name: "External witnesses" }).waitFor();
    await page.getByText("No external witnesses").waitFor();
    await screenshot(page, "witnesses-01-runner-desktop");

    // The head moves on: a database made through the API is logged; within a refresh the row says it waits.
    await stack.addDatabase("more", 60);
    await page.reload();
    await expect
      .poll(async () => runnerRow(page).locator("[data-waited]").textContent(), { timeout: 20_000 })
      .toMatch(/^waiting /);
    const behind = (await listed()).runners.find((x) => x.runnerId === stack.runner.id)!;
    expect(behind.headSize).toBeGreaterThan(cosignedSize);
    await expect(runnerRow(page).locator("[data-cosigned]").textContent()).resolves.toBe(
      `${cosignedSize.toLocaleString("en-US")} of ${behind.headSize.toLocaleString("en-US")}`,
    );
    expect(errors).toEqual([]);
  });

  it("an admin adds an external witness: a refused URL at its field and nothing added, then a good one listed with its lag, then removed after a confirmation", async () => {
    const vkey = formatCosignerVkey(WITNESS_NAME, generateKeyPair().publicKey);
    const puts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "PUT" && r.url().includes("/v1/witnesses/")) puts.push(r.url());
    });
    await page.getByRole("button", { name: "Add a witness" }).click();
    // A malformed key is the form's own check: nothing is sent.
    await page.getByLabel("Witness key (cosigner vkey)").fill("not a key");
    await page.getByLabel("Submission URL").fill("https://witness.example.com/w1");
    await page.getByRole("button", { name: "Add witness" }).click();
    await page.locator('[data-problem="new-witness-vkey"]').waitFor();
    expect(puts).toEqual([]);

    // Plain http: the API refuses it, at the URL field, and nothing is added.
    await page.getByLabel("Witness key (cosigner vkey)").fill(vkey);
    await page.getByText(`It will be named ${WITNESS_NAME}`).waitFor();
    await page.getByLabel("Submission URL").fill("http://witness.example.com/w1");
    await page.getByRole("button", { name: "Add witness" }).click();
    const problem = page.locator('[data-problem="new-witness-url"]');
    await problem.waitFor();
    await expect(problem.textContent()).resolves.toMatch(/https/);
    await expect(page.getByLabel("Submission URL").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("new-witness-url");
    expect(puts).toHaveLength(1);
    expect((await listed()).items).toEqual([]);
    await screenshot(page, "witnesses-02-refused-url-desktop");

    await page.getByLabel("Submission URL").fill("https://witness.example.com/w1");
    await page.getByRole("button", { name: "Add witness" }).click();
    const row = witnessRow(page);
    await row.waitFor();
    await page.locator("[data-said]", { hasText: `Added ${WITNESS_NAME}` }).waitFor();
    const api = (await listed()).items;
    expect(api.map((w) => [w.name, w.url, w.vkey])).toEqual([[WITNESS_NAME, "https://witness.example.com/w1", vkey]]);
    await expect(row.locator("[data-cosigned]").textContent()).resolves.toBe(
      `0 of ${api[0]!.headSize.toLocaleString("en-US")}`,
    );
    await expect(row.locator("[data-waited]").textContent()).resolves.toMatch(/^waiting /);
    await expect(row.locator("[data-push]").textContent()).resolves.toMatch(/not pushed yet/);
    await expect(row.locator("[data-vkey]").textContent()).resolves.toBe(vkey);
    await screenshot(page, "witnesses-03-external-desktop");

    await page.setViewportSize(PHONE);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.reload();
      await witnessRow(page).waitFor();
      await runnerRow(page).waitFor();
      expect(await overflow(page), scheme).toBeLessThanOrEqual(0);
      await screenshot(page, `witnesses-04-phone-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(DESKTOP);

    // Cancel keeps it; Remove witness removes it.
    await witnessRow(page)
      .getByRole("button", { name: `Remove ${WITNESS_NAME}` })
      .click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
    expect((await listed()).items).toHaveLength(1);
    await witnessRow(page)
      .getByRole("button", { name: `Remove ${WITNESS_NAME}` })
      .click();
    await page.getByRole("alertdialog").getByText("stops pushing checkpoints").waitFor();
    await page.getByRole("alertdialog").getByRole("button", { name: "Remove witness" }).click();
    await page.locator("[data-said]", { hasText: `Removed ${WITNESS_NAME}` }).waitFor();
    await page.getByText("No external witnesses").waitFor();
    expect((await listed()).items).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("shows a viewer both tables without Add or Remove", async () => {
    await apiCall(stack.dev, "PUT", `/v1/witnesses/${encodeURIComponent(WITNESS_NAME)}`, {
      cookie: stack.cookie,
      body: {
        url: "https://witness.example.com/w1",
        vkey: formatCosignerVkey(WITNESS_NAME, generateKeyPair().publicKey),
      },
    });
    const viewer = { email: "witness-viewer@example.com", password: "a long viewer password" };
    await apiCall(stack.dev, "POST", "/v1/users", { cookie: stack.cookie, body: { ...viewer, role: "viewer" } });
    const { page: asViewer, errors: viewerErrors } = await newPage(browser, stack.dev.url);
    await asViewer.setViewportSize(PHONE);
    await signIn(asViewer, viewer);
    await asViewer.goto("/witnesses");
    await witnessRow(asViewer).waitFor();
    await runnerRow(asViewer).waitFor();
    expect(await asViewer.getByRole("button", { name: "Add a witness" }).count()).toBe(0);
    expect(await asViewer.getByRole("button", { name: /^Remove/ }).count()).toBe(0);
    expect(await overflow(asViewer)).toBeLessThanOrEqual(0);
    await screenshot(asViewer, "witnesses-05-viewer-phone");
    expect(viewerErrors).toEqual([]);
  });
});

describe("the backup screen's Verify in browser with witness keys", () => {
  it("verifies a backup with the runner's vkey as witness once it cosigned the head, fails it with a random one, and refuses a malformed key at its field", async () => {
    const databaseId = await stack.addDatabase("kitted", 60);
    const backupId = await stack.backUp(databaseId);
    // The runner witnesses the head, the backup's entry in it; the backup's checkpoint (the head) carries its line.
    await runnerCosigns();
    await page.setViewportSize(DESKTOP);
    await page.goto(`/backups/${backupId}`);
    await page.getByRole("heading", { name: "Manifest" }).waitFor();
    await page.locator("[data-keys]").first().waitFor();
    const field = page.getByLabel(/Witness keys/);
    const report = page.locator(".report");
    const witnessCheck = report.locator('tr[data-check="kit.witnesses"] .check-status');

    await field.fill(runnerVkey);
    await page.getByRole("button", { name: "Verify in browser" }).click();
    await report.waitFor();
    expect(await report.getAttribute("data-verdict")).toBe("verified");
    await expect(witnessCheck.textContent()).resolves.toBe("passed");
    await screenshot(page, "witnesses-09-backup-verified-with-witness");

    await field.fill(formatCosignerVkey("witness.example.org/other", generateKeyPair().publicKey));
    await page.getByRole("button", { name: "Verify in browser" }).click();
    await page.locator('.report[data-verdict="not-verified"]').waitFor();
    await expect(witnessCheck.textContent()).resolves.toBe("failed");

    await field.fill("not-a-witness-key");
    await page.getByRole("button", { name: "Verify in browser" }).click();
    const problem = page.locator('[data-problem="verify-witnesses"]');
    await problem.waitFor();
    await expect(problem.textContent()).resolves.toContain("Not a witness key: not-a-witness-key");
    await expect(field.getAttribute("aria-invalid")).resolves.toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("verify-witnesses");
    expect(await report.count()).toBe(0);
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.setViewportSize(DESKTOP);
    expect(errors).toEqual([]);
  });
});

describe("the offline verify page with witness keys", () => {
  it("verifies the bundle with the runner's vkey as witness, fails it with a random one, and refuses a malformed key at its field", async () => {
    const keys = await publishedKeys(stack.dev);
    const { page: offline, errors: offlineErrors } = await newPage(browser);
    await offline.setViewportSize(DESKTOP);
    const requests: string[] = [];
    offline.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url());
    });
    await offline.goto(pathToFileURL(resolve(import.meta.dirname, "../dist/verify.html")).href);
    await offline.getByLabel(/Pinned verifier keys/).fill([...keys.checkpoint, ...keys.manifest].join("\n"));
    await offline.getByLabel("Log origin (optional)").fill(`${keys.origin}/${stack.orgId}`);
    await offline.locator("#bundle").setInputFiles(bundlePath);
    const witnesses = offline.getByLabel(/Witness keys/);
    const check = offline.locator('tr:has(code:text-is("log.witnesses")) .status');

    // The runner's key as the dashboard shows it: verified, log.witnesses passed.
    await witnesses.fill(runnerVkey);
    await offline.getByRole("button", { name: "Verify" }).click();
    await offline.locator('#verdict[data-verdict="verified"]').waitFor();
    await expect(check.textContent()).resolves.toBe("passed");
    await expect(offline.locator(".summary").textContent()).resolves.toContain("Witness keys required: 1");
    await screenshot(offline, "witnesses-06-verify-page-witnessed");

    // A witness that never cosigned: not verified, log.witnesses the check that failed.
    await witnesses.fill(formatCosignerVkey("witness.example.org/other", generateKeyPair().publicKey));
    await offline.getByRole("button", { name: "Verify" }).click();
    await offline.locator('#verdict[data-verdict="not-verified"]').waitFor();
    await expect(check.textContent()).resolves.toBe("FAILED");
    await expect(offline.locator(".summary").textContent()).resolves.toContain("first failure: log.witnesses");
    await screenshot(offline, "witnesses-07-verify-page-random-witness");

    // Quorum 1 of the runner and the random one: verified again.
    await witnesses.fill(
      `${runnerVkey}\n${formatCosignerVkey("witness.example.org/other", generateKeyPair().publicKey)}`,
    );
    await offline.getByLabel("Witness quorum (optional)").fill("1");
    await offline.getByRole("button", { name: "Verify" }).click();
    await offline.locator('#verdict[data-verdict="verified"]').waitFor();
    await offline.getByLabel("Witness quorum (optional)").fill("");

    // A malformed key: its problem at the field, the field invalid and focused, and no report.
    await witnesses.fill(`${runnerVkey}\nnot-a-witness-key`);
    await offline.getByRole("button", { name: "Verify" }).click();
    const problem = offline.locator("#witnesses-problem");
    await problem.waitFor();
    await expect(problem.textContent()).resolves.toContain("Not a witness key: not-a-witness-key");
    await expect(witnesses.getAttribute("aria-invalid")).resolves.toBe("true");
    await expect.poll(() => offline.evaluate(() => document.activeElement?.id)).toBe("witnesses");
    expect(await offline.locator("#verdict").count()).toBe(0);
    await expect(offline.getByRole("alert").textContent()).resolves.toContain("Nothing was verified");
    await offline.setViewportSize(PHONE);
    expect(await overflow(offline)).toBeLessThanOrEqual(0);
    await screenshot(offline, "witnesses-08-verify-page-malformed-phone");
    expect(requests).toEqual([]);
    expect(offlineErrors).toEqual([]);
  });
});
