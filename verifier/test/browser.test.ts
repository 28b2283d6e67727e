import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fileURLToPath } from "node:url";
import type { BrowserResult } from "./browser/entry.js";

// The third runtime: the verifier bundled for the browser and run in Debian's Chromium (installed by
// .ci/run), in a page whose CSP forbids every connection, so nothing it does can touch the network.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

test("the verifier runs in Chromium with no Node globals and no network, with the same verdicts", async () => {
  const out = await build({
    entryPoints: [fileURLToPath(new URL("./browser/entry.ts", import.meta.url))],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
  });
  const code = out.outputFiles[0]!.text;
  expect(code).not.toMatch(/require\(["']node:/);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.setContent(
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'"></head><body><script>${code.replaceAll("</script", "<\\/script")}</script></body></html>`,
  );
  const result = (await page.evaluate("runVerifier()")) as BrowserResult;
  expect(errors).toEqual([]);
  expect(result.userAgent).toContain("Chrome");
  expect(result.nodeGlobals).toBe(false);
  expect(result.good).toBe("verified");
  expect(result.reordered).toBe("not-verified");
  expect(result.reorderedFailedAt).toMatch(/^log\./);
  expect(result.manifest).toBe(true);
  expect(result.manifestWrongDigest).toBe("digest-mismatch");
  expect(result.checkpoint).toBe(true);
  expect(result.jcs).toBe('{"a":"é\\n","b":[1e+21,0,0.1]}');
}, 120_000);
