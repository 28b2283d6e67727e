// bench/ledger-append: appends per second to the Ledger Durable Object, each signing a checkpoint, against
// bare RPC round trips to the same objects in the same run (target: ≥ 1,000 appends/s).
// Procedure, checks and caveats: docs/benchmarks.md#ledger-append.
// Run: npm run bench:ledger [-- --appends N --concurrency C]
import { join } from "node:path";
import { BENCH_CONFIG, benchFlags, callJson, describeSource, runBench } from "@walwarden/testing/bench";
import {
  applyMigrations,
  d1Execute,
  removeAtCleanup,
  startDev,
  tempDir,
  writeKeysEnvFile,
} from "@walwarden/testing/local-worker";
import { parseVkey, verifyCheckpoint } from "@walwarden/verifier";

const HELP = `usage: npm run bench:ledger [-- options]
  --appends N       appends in each run (default 5000)
  --concurrency C   requests at once in the concurrent runs, each to its own org in the aggregate run
                    (default 4)
  --warmup W        appends to a warm-up org before timing (default 300)
  --batch B         events per append in the batched run (4) (default 100)
  -h, --help        this text`;

const { intFlag } = benchFlags(
  {
    appends: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "4" },
    warmup: { type: "string", default: "300" },
    batch: { type: "string", default: "100" },
  },
  HELP,
);
const N = intFlag("appends", 10, 1_000_000);
const C = intFlag("concurrency", 1, 64);
if (C > N) {
  console.error(`--concurrency (${C}) cannot exceed --appends (${N})`);
  process.exit(2);
}
const WARMUP = intFlag("warmup", 0, 100_000);
const BATCH = intFlag("batch", 1, 1000);
const TARGET = 1000;
const REQUEST_TIMEOUT_MS = 3_600_000;
const CHUNKS = Math.min(5, N);

const fmt = (n, d = 0) => n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const rate = (n, ms) => (n * 1000) / ms;
/** n split into k near-equal positive parts. */
const split = (n, k) => Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));

await runBench(async () => {
  const dir = removeAtCleanup(tempDir("walwarden-bench-ledger-"));
  const persist = join(dir, "state");
  const envFile = writeKeysEnvFile(dir);
  console.log(`measuring ${describeSource()}`);
  console.log(`applying migrations to a local D1 in ${dir}…`);
  await applyMigrations(persist, { config: BENCH_CONFIG });
  console.log("starting the Worker locally (wrangler's dev server, as wrangler dev --local)…");
  const dev = await startDev({ persist, envFile, config: BENCH_CONFIG });
  console.log(
    `  ${dev.url}; workerd: ${dev
      .workerds()
      .map((w) => `${w.pid} (${w.role})`)
      .join(", ")}`,
  );

  const stamp = Date.now().toString(36);
  const seqOrg = `org_bench_seq_${stamp}`;
  const sharedOrg = `org_bench_shared_${stamp}`;
  const warmOrg = `org_bench_warm_${stamp}`;
  const batchOrg = `org_bench_batch_${stamp}`;
  const aggOrgs = Array.from({ length: C }, (_, i) => `org_bench_agg${i}_${stamp}`);
  const appended = new Map(); // org → events appended (after its 2 key events)
  for (const org of [seqOrg, sharedOrg, warmOrg, batchOrg, ...aggOrgs]) {
    const r = await callJson(dev, "POST", `/__bench/start-log?org=${org}`);
    if (r.treeSize !== 2) throw new Error(`${org}'s new log has ${r.treeSize} entries, expected 2 (key.registered ×2)`);
    appended.set(org, 0);
  }

  let requests = 0;
  /** One bench request: n sequential RPCs of `mode` (appends of `events` events) to org's Ledger; returns server and client ms. */
  async function run(org, mode, n, events = 1) {
    const tag = `r${++requests}`;
    const t0 = performance.now();
    const r = await callJson(
      dev,
      "POST",
      `/__bench/append?org=${org}&n=${n}&mode=${mode}&tag=${tag}&events=${events}`,
      REQUEST_TIMEOUT_MS,
    );
    if (r.n !== n) throw new Error(`asked for ${n} ${mode} calls, the Worker made ${r.n}`);
    if (mode === "append") appended.set(org, appended.get(org) + n * events);
    if (r.treeSize !== 2 + appended.get(org) && mode === "append" && org !== sharedOrg) {
      throw new Error(`${org}'s log has ${r.treeSize} entries after the run, expected ${2 + appended.get(org)}`);
    }
    return { n, ms: r.ms, clientMs: performance.now() - t0 };
  }
  /** Runs `parts` at once (each [org, mode, n]) and times the whole from the client, with workerd CPU. */
  async function together(parts) {
    const cpu0 = dev.cpu().total;
    const t0 = performance.now();
    const results = await Promise.all(parts.map(([org, mode, n]) => run(org, mode, n)));
    const wallMs = performance.now() - t0;
    const n = results.reduce((s, r) => s + r.n, 0);
    return { n, wallMs, cpuMs: dev.cpu().total - cpu0, results };
  }

  if (WARMUP > 0) {
    console.log(`warm-up: ${fmt(WARMUP)} appends and ${fmt(WARMUP)} checkpoint calls to a separate org…`);
    await run(warmOrg, "append", WARMUP);
    await run(warmOrg, "checkpoint", WARMUP);
    await callJson(dev, "POST", `/__bench/sign?n=${Math.min(WARMUP, 200)}`);
  }

  // (1) One Ledger, sequential, in CHUNKS consecutive requests.
  console.log(`(1) one Ledger, sequential: ${fmt(N)} appends…`);
  const cpuSeq0 = dev.cpu().total;
  const chunks = [];
  for (const n of split(N, CHUNKS)) chunks.push(await run(seqOrg, "append", n));
  const seqCpuMs = dev.cpu().total - cpuSeq0;
  const seqMs = chunks.reduce((s, c) => s + c.ms, 0);
  const seqRate = rate(N, seqMs);
  let done = 2;
  for (const c of chunks) {
    console.log(`    log ${fmt(done)} → ${fmt(done + c.n)} entries: ${fmt(rate(c.n, c.ms))} appends/s`);
    done += c.n;
  }
  console.log(
    `    ${fmt(seqRate)} appends/s (${fmt(seqMs)} ms in the Worker's loop; ${fmt(seqCpuMs / N, 2)} ms workerd CPU per append)`,
  );

  console.log(`    baseline: ${fmt(N)} checkpoint() round trips to the same Ledger…`);
  const cpuBase0 = dev.cpu().total;
  const base = await run(seqOrg, "checkpoint", N);
  const baseCpuMs = dev.cpu().total - cpuBase0;
  const baseRate = rate(N, base.ms);
  console.log(
    `    ${fmt(baseRate)} round trips/s (${fmt(base.ms)} ms; ${fmt(baseCpuMs / N, 3)} ms workerd CPU per call)`,
  );

  // (2) Aggregate across C orgs, one request each, at once.
  console.log(`(2) ${C} Ledgers at once (one org each): ${fmt(N)} appends in total…`);
  const agg = await together(aggOrgs.map((org, i) => [org, "append", split(N, C)[i]]));
  const aggRate = rate(agg.n, agg.wallMs);
  console.log(
    `    ${fmt(aggRate)} appends/s (${fmt(agg.wallMs)} ms wall; ${fmt(agg.cpuMs / agg.n, 2)} ms workerd CPU per append)`,
  );
  const aggBase = await together(aggOrgs.map((org, i) => [org, "checkpoint", split(N, C)[i]]));
  const aggBaseRate = rate(aggBase.n, aggBase.wallMs);
  console.log(`    baseline: ${fmt(aggBaseRate)} checkpoint() round trips/s (${fmt(aggBase.wallMs)} ms wall)`);

  // (3) One Ledger, C requests at once.
  console.log(`(3) one Ledger, ${C} requests at once: ${fmt(N)} appends in total…`);
  const shared = await together(split(N, C).map((n) => [sharedOrg, "append", n]));
  const sharedRate = rate(shared.n, shared.wallMs);
  console.log(`    ${fmt(sharedRate)} appends/s (${fmt(shared.wallMs)} ms wall)`);

  // (4) Context, not the target: the same entries in appends of BATCH events (as the cron's outbox flush
  // appends): the per-append costs (RPC, signature, mirror round trip) are paid once per batch.
  const batchAppends = Math.max(1, Math.floor(N / BATCH));
  console.log(
    `(4) one Ledger, sequential, ${BATCH} events per append: ${fmt(batchAppends)} appends (${fmt(batchAppends * BATCH)} entries)…`,
  );
  const batch = await run(batchOrg, "append", batchAppends, BATCH);
  const batchEntryRate = rate(batchAppends * BATCH, batch.ms);
  console.log(`    ${fmt(rate(batchAppends, batch.ms), 1)} appends/s = ${fmt(batchEntryRate)} entries/s`);

  // Breakdown: the signature alone (CPU only: workerd's clock stands still, so the client times it, minus a
  // one-signature request for the HTTP overhead), and the D1 mirror write alone.
  const nSign = Math.min(N, 2000);
  const one = performance.now();
  await callJson(dev, "POST", `/__bench/sign?n=1`);
  const overheadMs = performance.now() - one;
  const signCpu0 = dev.cpu().total;
  const signT0 = performance.now();
  await callJson(dev, "POST", `/__bench/sign?n=${nSign}`);
  const signMs = Math.max(performance.now() - signT0 - overheadMs, 0.001);
  const signCpuMs = dev.cpu().total - signCpu0;
  const signRate = rate(nSign, signMs);
  const nMirror = Math.min(N, 2000);
  const mirrorCpu0 = dev.cpu().total;
  const mirror = await callJson(
    dev,
    "POST",
    `/__bench/mirror?org=org_bench_mirror_${stamp}&n=${nMirror}`,
    REQUEST_TIMEOUT_MS,
  );
  const mirrorCpuMs = dev.cpu().total - mirrorCpu0;
  const mirrorRate = rate(nMirror, mirror.ms);

  // Validation: every org's newest checkpoint verifies with the published key, at the size we appended to.
  const pinned = dev.keys.checkpoint.map((v) => {
    const k = parseVkey(v);
    if (!k.ok) throw new Error(`published checkpoint key does not parse: ${k.message}`);
    return k.value;
  });
  for (const [org, n] of appended) {
    const cp = await callJson(dev, "GET", `/__bench/checkpoint?org=${org}`);
    const verified = verifyCheckpoint(cp.checkpoint, pinned, `${dev.keys.origin}/${org}`);
    if (!verified.ok) throw new Error(`${org}'s checkpoint does not verify: ${verified.code}: ${verified.message}`);
    if (verified.value.size !== BigInt(2 + n))
      throw new Error(`${org}'s checkpoint is at size ${verified.value.size}, expected ${2 + n}`);
  }
  dev.assertNoReload();
  await dev.stop();
  const [copy] = await d1Execute(persist, {
    config: BENCH_CONFIG,
    command: `SELECT count(*) AS n FROM log_entries WHERE org_id = '${seqOrg}'`,
  });
  if (copy.n !== 2 + appended.get(seqOrg))
    throw new Error(`D1's copy of ${seqOrg}'s log has ${copy.n} entries, expected ${2 + appended.get(seqOrg)}`);

  const perAppendMs = 1000 / seqRate;
  const result = {
    appends: N,
    concurrency: C,
    oneLedgerAppendsPerSecond: Math.round(seqRate),
    oneLedgerChunkRates: chunks.map((c) => Math.round(rate(c.n, c.ms))),
    aggregateAppendsPerSecond: Math.round(aggRate),
    oneLedgerConcurrentAppendsPerSecond: Math.round(sharedRate),
    baselineRoundTripsPerSecond: Math.round(baseRate),
    aggregateBaselineRoundTripsPerSecond: Math.round(aggBaseRate),
    ratioToTarget: +(seqRate / TARGET).toFixed(3),
    aggregateRatioToTarget: +(aggRate / TARGET).toFixed(3),
    ratioToBaseline: +(seqRate / baseRate).toFixed(4),
    aggregateRatioToBaseline: +(aggRate / aggBaseRate).toFixed(4),
    workerdCpuMsPerAppend: +(seqCpuMs / N).toFixed(3),
    workerdCpuMsPerRoundTrip: +(baseCpuMs / N).toFixed(4),
    signaturesPerSecond: Math.round(signRate),
    workerdCpuMsPerSignature: +(signCpuMs / nSign).toFixed(3),
    mirrorWritesPerSecond: Math.round(mirrorRate),
    workerdCpuMsPerMirrorWrite: +(mirrorCpuMs / nMirror).toFixed(3),
    batchEventsPerAppend: BATCH,
    batchAppendsPerSecond: +rate(batchAppends, batch.ms).toFixed(1),
    batchEntriesPerSecond: Math.round(batchEntryRate),
    checkpointsVerified: appended.size,
    target: TARGET,
  };
  const verdict = (r) => (r >= TARGET ? "met" : "NOT met");
  console.log(`
one Ledger, sequential: ${fmt(seqRate)} appends/s → ${result.ratioToTarget}× the ${fmt(TARGET)}/s target: ${verdict(seqRate)}
${C} Ledgers at once (aggregate): ${fmt(aggRate)} appends/s → ${result.aggregateRatioToTarget}× the target: ${verdict(aggRate)}
one Ledger, ${C} requests at once: ${fmt(sharedRate)} appends/s
one Ledger, ${BATCH} events per append (context, not the target): ${fmt(batchEntryRate)} entries/s
baseline, bare RPC round trips (checkpoint(), no signing): ${fmt(baseRate)}/s sequential, ${fmt(aggBaseRate)}/s across ${C} Ledgers
  → an append costs ${fmt(baseRate / seqRate, 1)}× a bare round trip (appends/s ÷ round trips/s = ${result.ratioToBaseline})
where an append's ${fmt(perAppendMs, 2)} ms go (one Ledger, sequential):
  round trip ${fmt(1000 / baseRate, 2)} ms · Ed25519 checkpoint signature ${fmt(1000 / signRate, 2)} ms (${fmt(signRate)}/s alone) · one-entry D1 mirror write ${fmt(1000 / mirrorRate, 2)} ms (${fmt(mirrorRate)}/s alone)
  rest (entry and node writes, idempotency query, consistency check, inclusion proof, storage commit, the share of the batched D1 copy) ≈ ${fmt(Math.max(perAppendMs - 1000 / baseRate - 1000 / signRate, 0), 2)} ms
  (the D1 copy is batched in the background; a one-entry copy alone is shown above for scale)
  workerd CPU: ${result.workerdCpuMsPerAppend} ms per append, ${result.workerdCpuMsPerRoundTrip} ms per bare round trip, ${result.workerdCpuMsPerSignature} ms per signature, ${result.workerdCpuMsPerMirrorWrite} ms per mirror write
  → ${seqCpuMs / N >= 0.8 * perAppendMs ? "CPU-bound: workerd is busy for most of each append" : "not CPU-bound: much of each append is spent waiting"}; local workerd runs every Durable Object on one thread, so Ledgers at once cannot add up here as they would on Cloudflare
checked: ${appended.size} orgs' newest checkpoints verify with the published key at the expected sizes; D1's copy of ${seqOrg} holds all ${fmt(copy.n)} entries`);
  console.log(JSON.stringify(result));
});
