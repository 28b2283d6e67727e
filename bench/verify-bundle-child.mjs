// bench/verify-bundle-child: the verifying process of bench/verify-bundle.mjs. Verifies one bundle file the
// way `walwarden-verify bundle` does (the file read whole, native SHA-256 and Ed25519, parallelBatchChecker)
// and prints one JSON line: the verdict, the times of its phases, its CPU and its peak RSS (VmHWM).
// Run by the bench: node bench/verify-bundle-child.mjs <bundle.zip> <vkey>…
import { readFileSync } from "node:fs";
import { policyFromVkeys, verifyBundle } from "@walwarden/verifier";
import { nativeEd25519Verify, nativeSha256, parallelBatchChecker } from "@walwarden/verifier/node";

const [file, ...vkeys] = process.argv.slice(2);
const policy = policyFromVkeys(vkeys);
if (!policy.ok) throw new Error(policy.message);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const zip = new Uint8Array(readFileSync(file));
const tRead = performance.now();

// The CLI's checker, wrapped to time when the entry batches end and the manifest batches start and end.
const inner = parallelBatchChecker();
const phase = { lastEntryDone: 0, firstManifest: 0, lastManifestDone: 0, entryBatches: 0, manifestBatches: 0 };
const batches = {
  parallelism: inner.parallelism,
  async checkEntries(b) {
    phase.entryBatches++;
    const r = await inner.checkEntries(b);
    phase.lastEntryDone = performance.now();
    return r;
  },
  async checkManifests(b) {
    phase.manifestBatches++;
    if (!phase.firstManifest) phase.firstManifest = performance.now();
    const r = await inner.checkManifests(b);
    phase.lastManifestDone = performance.now();
    return r;
  },
};
const report = await verifyBundle(zip, policy.value, { sha256: nativeSha256, ed25519: nativeEd25519Verify, batches });
const tEnd = performance.now();
await inner.close();
const cpu = process.cpuUsage(cpu0);
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
console.log(
  JSON.stringify({
    verdict: report.verdict,
    failed: report.checks.filter((c) => c.status === "fail"),
    readMs: tRead - t0,
    verifyMs: tEnd - tRead,
    // The log path: reading the small files, the index, the head, streaming and checking every entry, the roots.
    logPathMs: (phase.firstManifest || tEnd) - tRead,
    manifestsMs: phase.firstManifest ? phase.lastManifestDone - phase.firstManifest : 0,
    afterManifestsMs: phase.firstManifest ? tEnd - phase.lastManifestDone : 0,
    entryBatches: phase.entryBatches,
    manifestBatches: phase.manifestBatches,
    threads: inner.parallelism,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssBytes: hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024,
  }),
);
