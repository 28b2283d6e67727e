// bench/verify-bundle: verify an evidence bundle of 1,000,000 log entries the way `walwarden-verify bundle`
// does, against plain SHA-256 of the same bytes in the same run (target: ≥ 500,000 entries/s).
// Procedure and caveats: docs/benchmarks.md#verify-bundle.
// Run: npm run bench:verify-bundle [-- --entries N --runs N --no-manifests]
import { createPrivateKey, sign as nodeSign, hash } from "node:crypto";
import { parseArgs } from "node:util";
import { unzipSync } from "fflate";
import {
  MemoryLog,
  canonicalBytes,
  formatVkey,
  pae,
  policyFromVkeys,
  publicKeyOf,
  signCheckpoint,
  toBase64,
  toHex,
  verifyBundle,
  writeBundle,
  buildStatement,
  dsseKeyId,
  INTOTO_PAYLOAD_TYPE,
  BundlePaths,
} from "@walwarden/verifier";
import { nativeEd25519Verify, nativeSha256, parallelRangeHasher } from "@walwarden/verifier/node";

const { values } = parseArgs({
  options: {
    entries: { type: "string", default: "1000000" },
    runs: { type: "string", default: "3" },
    "no-manifests": { type: "boolean", default: false },
  },
});
const N = Number(values.entries);
const RUNS = Number(values.runs);
if (!Number.isSafeInteger(N) || N < 1 || !Number.isSafeInteger(RUNS) || RUNS < 1)
  throw new Error("--entries and --runs take positive integers");

const seed = (b) => new Uint8Array(32).fill(b);
const signer = (name, b) => ({ name, secretKey: seed(b), publicKey: publicKeyOf(seed(b)) });
const CP = signer("bench.walwarden.dev/checkpoint", 1);
const MF = signer("bench.walwarden.dev/manifest", 2);
// Signing 300k+ manifests with the portable signer would dominate set-up; sign them natively (same bytes).
const mfKey = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), MF.secretKey]),
  format: "der",
  type: "pkcs8",
});
const ORIGIN = "bench.walwarden.dev/log/org_bench";
const sha = (b) => new Uint8Array(hash("sha256", b, "buffer"));
const ms = (t) => performance.now() - t;

console.log(`building a log of ${N.toLocaleString()} entries (+1,010 outside the window)…`);
const t0 = performance.now();
const log = new MemoryLog(nativeSha256);
const manifests = new Map();
const WINDOW_START = 1000;
const total = N + WINDOW_START + 10;
let at = Date.UTC(2024, 0, 1);
let job = 0;
const dbs = Array.from({ length: 10 }, (_, i) => `db_${i}`);
const pending = [];
function nextEvents() {
  const db = dbs[job % dbs.length];
  const jobId = `job_${++job}`;
  const subject = `database:${db}`;
  const slot = new Date(at).toISOString();
  pending.push({
    type: "backup.scheduled",
    actor: "system:cron",
    subject,
    data: { jobId, scheduleId: `sc_${db}`, databaseId: db, slot },
  });
  pending.push({
    type: "backup.started",
    actor: "runner:rn_1",
    subject,
    data: { jobId, databaseId: db, runnerId: "rn_1", attempt: 1 },
  });
  if (job % 50 === 0 || values["no-manifests"]) {
    pending.push({
      type: "backup.failed",
      actor: "runner:rn_1",
      subject,
      data: {
        jobId,
        databaseId: db,
        runnerId: "rn_1",
        attempt: 1,
        reason: "pg_dump: server closed the connection unexpectedly",
        willRetry: false,
      },
    });
  } else {
    const backupId = `bk_${job}`;
    const key = `walwarden/${db}/${slot.slice(0, 10).replaceAll("-", "/")}/${backupId}.dump.zst`;
    const sizeBytes = 50_000_000 + ((job * 7919) % 10_000_000);
    const artifactSha = toHex(sha(Buffer.from(backupId)));
    const predicate = {
      backupId,
      orgId: "org_bench",
      databaseId: db,
      jobId,
      startedAt: slot,
      completedAt: new Date(at + 95_000).toISOString(),
      sizeBytes,
      compression: "zstd",
      dumpFormat: "custom",
      serverVersion: "16.4",
      pgDumpVersion: "17.2",
      s3: {
        bucket: "bench-backups",
        key,
        versionId: null,
        etag: `"${toHex(sha(Buffer.from(key))).slice(0, 32)}-4"`,
        objectLock: null,
      },
      tables: [
        { schema: "public", name: "orders", rows: job * 3 },
        { schema: "public", name: "users", rows: job },
      ],
      schemaFingerprint: toHex(sha(Buffer.from(db))),
      runner: { id: "rn_1", version: "0.1.0" },
    };
    const payload = canonicalBytes(buildStatement(predicate, artifactSha));
    const envelope = canonicalBytes({
      payload: toBase64(payload),
      payloadType: INTOTO_PAYLOAD_TYPE,
      signatures: [
        {
          keyid: dsseKeyId(MF.name, MF.publicKey),
          sig: toBase64(nodeSign(null, pae(INTOTO_PAYLOAD_TYPE, payload), mfKey)),
        },
      ],
    });
    manifests.set(backupId, envelope);
    pending.push({
      type: "backup.completed",
      actor: "runner:rn_1",
      subject,
      data: {
        jobId,
        backupId,
        databaseId: db,
        runnerId: "rn_1",
        artifact: { uri: `s3://bench-backups/${key}`, sha256: artifactSha, sizeBytes },
        manifestSha256: toHex(sha(envelope)),
      },
    });
  }
}
while (log.size < total) {
  if (pending.length === 0) nextEvents();
  at += 1200;
  log.append({ v: 1, seq: log.size, at: new Date(at).toISOString(), ...pending.shift() });
}
const end = WINDOW_START + N;
const checkpoint = (size) => {
  const c = signCheckpoint({ origin: ORIGIN, size, rootHash: log.root(size) }, CP);
  if (!c.ok) throw new Error(c.message);
  return c.value;
};
const decoder = new TextDecoder();
const zip = writeBundle(
  {
    orgId: "org_bench",
    origin: ORIGIN,
    period: { from: "2024-01-01T00:00:00.000Z", to: new Date(at).toISOString() },
    createdAt: new Date(at).toISOString(),
    start: WINDOW_START,
    entries: log.entries.slice(WINDOW_START, end),
    frontier: log.frontier(WINDOW_START),
    headCheckpoint: checkpoint(total),
    headSize: total,
    consistency: log.consistencyProof(end, total),
    checkpoints: [checkpoint(WINDOW_START + 12345), checkpoint(end - 777)],
    manifests,
    reportHtml: "<!doctype html><title>bench</title>",
    indexSigner: MF,
  },
  nativeSha256,
);
if (!zip.ok) throw new Error(zip.message);
const bundle = zip.value;
const unzipped = unzipSync(bundle);
const inflated = unzipped[BundlePaths.entries];
// The window's manifests, as the bundle holds them (the writer picks them by the window's entries).
const windowManifests = decoder.decode(unzipped[BundlePaths.manifests]).split("\n").slice(0, -1);
console.log(
  `set-up ${(ms(t0) / 1000).toFixed(1)} s: bundle ${(bundle.length / 2 ** 20).toFixed(1)} MiB zipped, entries ${(inflated.length / 2 ** 20).toFixed(1)} MiB, ${windowManifests.length.toLocaleString()} manifests`,
);

const policy = policyFromVkeys([formatVkey(CP.name, CP.publicKey), formatVkey(MF.name, MF.publicKey)]);
if (!policy.ok) throw new Error(policy.message);
const options = { sha256: nativeSha256, rangeHasher: parallelRangeHasher(), ed25519: nativeEd25519Verify };

function best(fn) {
  let b = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    b = Math.min(b, ms(t));
  }
  return b;
}
async function bestAsync(fn) {
  let b = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    b = Math.min(b, ms(t));
  }
  return b;
}

let report;
const tVerify = await bestAsync(async () => {
  report = await verifyBundle(bundle, policy.value, options);
});
if (report.verdict !== "verified")
  throw new Error(`bench bundle did not verify: ${JSON.stringify(report.checks.filter((c) => c.status === "fail"))}`);
const tShaZip = best(() => sha(bundle));
const tShaInflated = best(() => sha(inflated));
// The manifest signatures alone (same native verifier), to show what share of the time they take.
const pub = MF.publicKey;
const sigs = windowManifests.map((line) => {
  const env = JSON.parse(line);
  return [Buffer.from(env.signatures[0].sig, "base64"), pae(env.payloadType, Buffer.from(env.payload, "base64"))];
});
const tSigs =
  sigs.length === 0
    ? 0
    : best(() => {
        for (const [s, m] of sigs) if (!nativeEd25519Verify(s, m, pub)) throw new Error("bad signature");
      });

const rate = N / (tVerify / 1000);
const logOnlyRate = N / ((tVerify - tSigs) / 1000);
const result = {
  entries: N,
  manifests: windowManifests.length,
  zipBytes: bundle.length,
  entryBytes: inflated.length,
  runs: RUNS,
  verifyMs: +tVerify.toFixed(1),
  entriesPerSecond: Math.round(rate),
  manifestSignaturesMs: +tSigs.toFixed(1),
  entriesPerSecondExcludingManifestSignatures: Math.round(logOnlyRate),
  sha256ZipMs: +tShaZip.toFixed(1),
  sha256EntriesMs: +tShaInflated.toFixed(1),
  ratioToSha256OfZip: +(tVerify / tShaZip).toFixed(1),
  ratioToSha256OfEntries: +(tVerify / tShaInflated).toFixed(1),
  target: 500_000,
};
console.log(`
verify (best of ${RUNS}): ${tVerify.toFixed(0)} ms → ${Math.round(rate).toLocaleString()} entries/s (target ≥ 500,000: ${rate >= 500_000 ? "met" : "NOT met"})
  of which ${windowManifests.length.toLocaleString()} manifest signatures (native Ed25519): ${tSigs.toFixed(0)} ms
  without them (root recomputation, entry checks, checkpoint and index signatures): ${Math.round(logOnlyRate).toLocaleString()} entries/s
plain SHA-256 of the zip (${(bundle.length / 2 ** 20).toFixed(1)} MiB): ${tShaZip.toFixed(0)} ms → verify is ${result.ratioToSha256OfZip}× that
plain SHA-256 of the entries (${(inflated.length / 2 ** 20).toFixed(1)} MiB): ${tShaInflated.toFixed(0)} ms → verify is ${result.ratioToSha256OfEntries}× that`);
console.log(JSON.stringify(result));
