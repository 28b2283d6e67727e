// bench/verify-page: the standalone verify page (web/dist/verify.html, opened from disk) verifying an evidence
// bundle of 100,000 log entries in Chromium, against `walwarden-verify`'s own code verifying the same file in
// Node in the same run (bench/verify-bundle-child.mjs: native SHA-256 and Ed25519 on worker threads). Prints
// the page's time from Verify to its verdict, the renderer's peak RSS and peak JS heap, and the ratio to Node.
// Procedure and caveats: docs/benchmarks.md#verify-page.
// Run: npm run bench:verify-page [-- --entries N]   (npm run build first: it loads web/dist/verify.html)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values } = parseArgs({ options: { entries: { type: "string", default: "100000" } } });
const N = Number(values.entries);
if (!Number.isSafeInteger(N) || N < 13_000) throw new Error("--entries takes an integer of at least 13000");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const here = import.meta.dirname;
const page = resolve(here, "../web/dist/verify.html");
statSync(page); // built? (npm run build)

const dir = mkdtempSync(join(tmpdir(), "walwarden-bench-verify-page-"));
const profile = join(dir, "profile");
const fmt = (n, d = 0) => n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });

/** Busy CPU ms of the whole machine (/proc/stat), to tell what other processes took meanwhile. */
function machineBusyMs() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) * 10;
}

/** VmRSS (bytes) of every Chromium renderer of this bench's profile (its command line names the profile dir). */
function rendererRss() {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes("--type=renderer")) continue;
      // Renderers do not carry --user-data-dir; their parent (the browser) does.
      const ppid = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      const parent = ppid ? readFileSync(`/proc/${ppid}/cmdline`, "utf8") : "";
      const grand = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${ppid}/status`, "utf8"))?.[1];
      const grandCmd = grand ? readFileSync(`/proc/${grand}/cmdline`, "utf8") : "";
      if (!parent.includes(profile) && !grandCmd.includes(profile)) continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      total += Number(kb ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

try {
  console.log(`building a bundle of ${fmt(N)} entries (bench/verify-bundle.mjs --bundle-out)…`);
  const out = join(dir, "bundle");
  execFileSync(process.execPath, [join(here, "verify-bundle.mjs"), "--entries", String(N), "--bundle-out", out], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const zipPath = join(out, "bundle.zip");
  const keys = JSON.parse(readFileSync(join(out, "keys.json"), "utf8"));
  const zipBytes = statSync(zipPath).size;

  // Baseline: the same file verified by walwarden-verify's code in Node, in a fresh process.
  const b0 = machineBusyMs();
  const node = JSON.parse(
    execFileSync(process.execPath, [join(here, "verify-bundle-child.mjs"), zipPath, ...keys.vkeys], {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    })
      .trim()
      .split("\n")
      .pop(),
  );
  const nodeBusy = machineBusyMs() - b0;
  if (node.verdict !== "verified") throw new Error(`the bundle did not verify in Node: ${JSON.stringify(node.failed)}`);
  console.log(
    `Node (walwarden-verify's code): ${fmt(node.verifyMs)} ms, peak RSS ${fmt(node.peakRssBytes / 2 ** 20)} MiB`,
  );

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  try {
    const p = await context.newPage();
    const errors = [];
    p.on("pageerror", (e) => errors.push(e.message));
    const requests = [];
    p.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url());
    });
    await p.goto(pathToFileURL(page).href);
    await p.getByRole("heading", { name: "Verify an evidence bundle" }).waitFor();
    await p.getByLabel(/Pinned verifier keys/).fill(keys.vkeys.join("\n"));
    await p.getByLabel("Log origin (optional)").fill(keys.origin);
    await p.locator("#bundle").setInputFiles(zipPath);
    const cdp = await context.newCDPSession(p);
    await cdp.send("Performance.enable");
    let peakHeap = 0;
    let peakRss = rendererRss();
    const rssBefore = peakRss;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { metrics } = await cdp.send("Performance.getMetrics").catch(() => ({ metrics: [] }));
        const used = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
        peakHeap = Math.max(peakHeap, used);
        peakRss = Math.max(peakRss, rendererRss());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const c0 = machineBusyMs();
    const t0 = performance.now();
    await p.getByRole("button", { name: "Verify" }).click();
    const verdict = p.locator("#verdict");
    await verdict.waitFor({ timeout: 600_000 });
    const pageMs = performance.now() - t0;
    const pageBusy = machineBusyMs() - c0;
    sampling = false;
    await sampler;
    const word = await verdict.getAttribute("data-verdict");
    if (word !== "verified") throw new Error(`the page says ${word}: ${await verdict.textContent()}`);
    if (requests.length) throw new Error(`the page made network requests: ${requests.join(", ")}`);
    if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);

    console.log(`
bundle: ${fmt(keys.entries)} entries, ${fmt(keys.manifests)} manifests, ${fmt(zipBytes / 2 ** 20, 1)} MiB zipped
verify page (Chromium, one thread, portable SHA-256 and Ed25519): ${fmt(pageMs)} ms from Verify to "verified" (${fmt(keys.entries / (pageMs / 1000))} entries/s)
  renderer peak RSS ${fmt(peakRss / 2 ** 20)} MiB (${fmt(rssBefore / 2 ** 20)} MiB before Verify); peak JS heap used ${fmt(peakHeap / 2 ** 20)} MiB; no network request
baseline, Node (walwarden-verify's code, native crypto, worker threads): ${fmt(node.verifyMs)} ms, peak RSS ${fmt(node.peakRssBytes / 2 ** 20)} MiB
machine busy while each ran: page ${fmt(pageBusy / 1000, 1)} CPU s over ${fmt(pageMs / 1000, 1)} s, Node ${fmt(nodeBusy / 1000, 1)} CPU s (2 cores: what is not ours is other processes')

RATIO page time ÷ Node: ${fmt(pageMs / node.verifyMs, 2)}; page peak RSS ÷ Node's: ${fmt(peakRss / node.peakRssBytes, 2)}`);
  } finally {
    await context.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
