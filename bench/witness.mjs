// bench/witness: Ledger appends per second while a runner witnesses the log as fast as it can (claim with
// its accepted size, check the checkpoint and its consistency proof, cosign, send the line), against
// appends with no witness, in one run; and the cosignature lag (from the append that made a size to the
// Worker accepting the witness's line for it), p50 and p99. SPEC §13.
// Procedure and caveats: docs/benchmarks.md#witness.
// Run: npm run bench:witness [-- --appends N --warmup W]
import { join } from "node:path";
import { BENCH_CONFIG, benchFlags, callJson, describeSource, runBench } from "@walwarden/testing/bench";
import { apiCall, bootstrapOrg, createRunnerToken } from "@walwarden/testing/api";
import { applyMigrations, removeAtCleanup, startDev, tempDir, writeKeysEnvFile } from "@walwarden/testing/local-worker";
import {
  cosignCheckpoint,
  fromBase64,
  parseSignedNote,
  policyFromVkeys,
  publicKeyOf,
  runnerKeyProofMessage,
  sign,
  toBase64,
  witnessStep,
} from "@walwarden/verifier";

const HELP = `usage: npm run bench:witness [-- options]
  --appends N   appends in each of the two runs, one HTTP request each (default 2000)
  --warmup W    appends before timing (default 200)
  -h, --help    this text`;
const { intFlag } = benchFlags(
  { appends: { type: "string", default: "2000" }, warmup: { type: "string", default: "200" } },
  HELP,
);
const N = intFlag("appends", 10, 1_000_000);
const WARMUP = intFlag("warmup", 0, 100_000);

const fmt = (n, d = 0) => n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

await runBench(async () => {
  const dir = removeAtCleanup(tempDir("walwarden-bench-witness-"));
  const persist = join(dir, "state");
  const envFile = writeKeysEnvFile(dir);
  console.log(`measuring ${describeSource()}`);
  await applyMigrations(persist, { config: BENCH_CONFIG });
  console.log("starting the Worker locally (wrangler's dev server)…");
  const dev = await startDev({ persist, envFile, config: BENCH_CONFIG });

  const { cookie, org } = await bootstrapOrg(dev);
  const runner = await createRunnerToken(dev, cookie, "bench witness");
  const secretKey = new Uint8Array(32).fill(7);
  const publicKey = toBase64(publicKeyOf(secretKey));
  const registered = await apiCall(dev, "POST", "/v1/runner/key", {
    bearer: runner.token,
    body: { publicKey, proof: toBase64(sign(runnerKeyProofMessage(publicKey), secretKey)) },
  });
  const signer = { name: registered.vkey.split("+")[0], secretKey };
  const keys = await apiCall(dev, "GET", "/.well-known/walwarden/keys");
  const policy = policyFromVkeys([...keys.checkpoint, ...keys.manifest]);
  if (!policy.ok) throw new Error(policy.message);
  const origin = `${keys.origin}/${org.id}`;

  /** The time each size was reached by an append (ms, performance.now()). */
  const reachedAt = new Map();
  let tag = 0;
  async function appendOnce() {
    const r = await callJson(dev, "POST", `/__bench/append?org=${org.id}&n=1&mode=append&tag=a${++tag}`);
    reachedAt.set(r.treeSize, performance.now());
    return r.treeSize;
  }
  async function appendRun(n) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await appendOnce();
    return performance.now() - t0;
  }

  /** The witness loop, as the runner's: claim with its size, step, cosign, report; until stopped. */
  let state = null;
  const lags = [];
  let cosigned = 0;
  let refused = 0;
  async function witnessLoop(stop) {
    while (!stop.done) {
      const size = state ? state.size.toString() : "0";
      const claim = await apiCall(dev, "POST", "/v1/runner/claim", {
        bearer: runner.token,
        body: { version: "bench", databases: [], kinds: ["backup"], witness: { size } },
      });
      if (!claim.witness) continue;
      const proof = claim.witness.proof.map((h) => fromBase64(h));
      const step = witnessStep(state, claim.witness.checkpoint, policy.value.checkpointKeys, origin, proof);
      if (!step.ok) {
        refused++;
        throw new Error(`the witness refused the log: ${step.code}: ${step.message}`);
      }
      state = step.value.next;
      const body = parseSignedNote(claim.witness.checkpoint);
      const line = cosignCheckpoint(body.value.text, signer, Math.floor(Date.now() / 1000));
      await apiCall(dev, "POST", "/v1/runner/witness", {
        bearer: runner.token,
        body: { size: state.size.toString(), cosignature: line.value },
      });
      cosigned++;
      const at = reachedAt.get(Number(state.size));
      if (at !== undefined) lags.push(performance.now() - at);
    }
  }

  if (WARMUP > 0) {
    console.log(`warm-up: ${fmt(WARMUP)} appends…`);
    await appendRun(WARMUP);
  }
  const cpu0 = dev.cpu().total;
  console.log(`(1) baseline: ${fmt(N)} appends, no witness…`);
  const baseMs = await appendRun(N);
  const baseCpu = dev.cpu().total - cpu0;
  const baseRate = (N * 1000) / baseMs;
  console.log(`    ${fmt(baseRate)} appends/s (${fmt(baseCpu / N, 2)} ms workerd CPU per append)`);

  console.log(`(2) ${fmt(N)} appends while the runner witnesses continuously…`);
  reachedAt.clear();
  const stop = { done: false };
  const witness = witnessLoop(stop);
  const cpu1 = dev.cpu().total;
  const withMs = await appendRun(N);
  const withCpu = dev.cpu().total - cpu1;
  stop.done = true;
  await witness;
  const withRate = (N * 1000) / withMs;
  lags.sort((a, b) => a - b);
  console.log(`    ${fmt(withRate)} appends/s (${fmt(withCpu / N, 2)} ms workerd CPU per append, witness included)`);
  console.log(
    `    ${fmt(cosigned)} checkpoints cosigned (one in ${fmt(N / Math.max(1, cosigned), 1)} sizes), ${refused} refused`,
  );
  if (lags.length)
    console.log(
      `    cosignature lag: p50 ${fmt(pct(lags, 50))} ms, p99 ${fmt(pct(lags, 99))} ms, max ${fmt(lags.at(-1))} ms (${lags.length} samples)`,
    );
  console.log("");
  console.log(`RATIO appends/s with a witness ÷ without: ${fmt(withRate / baseRate, 2)}`);
  // The checkpoint the Worker serves now carries the witness's line when the witness caught up with it.
  const head = await apiCall(dev, "GET", "/v1/log/checkpoint", { cookie });
  console.log(`head ${head.treeSize}: ${head.checkpoint.includes(signer.name) ? "cosigned" : "not cosigned yet"}`);
});
