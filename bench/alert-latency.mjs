// bench/alert-latency: from a condition arising (a cron tick that finds K runners silent) to a webhook
// receiver on loopback getting each signed notice, p50/p90/p99/max, against the tick's own time in the same
// run (the notices go out from it). Procedure, checks and caveats: docs/benchmarks.md#alert-latency.
// Run: npm run bench:alert-latency [-- --conditions K --timeout-s S --settle-s S]
import { createServer } from "node:http";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { apiCall, bootstrapOrg, createRunnerToken } from "@walwarden/testing/api";
import { benchFlags, describeSource, runBench } from "@walwarden/testing/bench";
import {
  applyMigrations,
  removeAtCleanup,
  startDev,
  tail,
  tempDir,
  writeKeysEnvFile,
} from "@walwarden/testing/local-worker";

const HELP = `usage: npm run bench:alert-latency [-- options]
  --conditions K  runners created that never poll: K runner.silent incidents, K notices (default 200)
  --timeout-s S   how long to wait for every notice after the tick is triggered (default 120)
  --settle-s S    how long to keep listening after the last one, for duplicates (default 3)
  -h, --help      this text`;

const { intFlag } = benchFlags(
  {
    conditions: { type: "string", default: "200" },
    "timeout-s": { type: "string", default: "120" },
    "settle-s": { type: "string", default: "3" },
  },
  HELP,
);
const K = intFlag("conditions", 1, 5000);
const TIMEOUT_MS = intFlag("timeout-s", 1, 3600) * 1000;
const SETTLE_MS = intFlag("settle-s", 0, 600) * 1000;
/** worker/src/alerts/find-conditions.ts: a runner is silent after ALERT_RUNNER_SILENT_MINUTES (10) without a poll. */
const SILENT_AFTER_MS = 10 * 60_000;

const fmt = (n, d = 0) => n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
/** Nearest-rank percentile of sorted numbers. */
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const TICK_LINE = /^\{"event":"cron\.tick".*\}$/gm;
const tickLines = (stdout) => stdout.match(TICK_LINE) ?? [];

/** A webhook receiver on loopback: stamps each request with performance.now() when its body is in, answers 200. */
function startReceiver() {
  const received = [];
  const waiters = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ at: performance.now(), headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end();
      for (const w of waiters) w();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        received,
        port: server.address().port,
        /** Resolves once `pred(received)` holds; rejects after `timeoutMs`. */
        until: (pred, timeoutMs, what) =>
          new Promise((done, fail) => {
            const check = () => {
              if (!pred(received)) return;
              waiters.delete(check);
              clearTimeout(timer);
              done();
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(
                new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${received.length} requests received`),
              );
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        stop: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

/** Fires the scheduled handler at `time`; resolves with the stats and performance.now() when its cron.tick line came. */
async function tick(dev, time) {
  const before = tickLines(dev.stdout).length;
  const res = await fetch(`${dev.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${time}`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const answer = await res.text();
  if (res.status !== 200)
    throw new Error(`GET /cdn-cgi/handler/scheduled → ${res.status}: ${answer}\n${tail(dev.stderr)}`);
  const line = await dev.waitFor((out) => tickLines(out)[before], TIMEOUT_MS, "the tick's cron.tick line");
  return { stats: JSON.parse(line), lineAt: performance.now() };
}

const headersOf = (r) => ({
  "webhook-id": String(r.headers["webhook-id"]),
  "webhook-timestamp": String(r.headers["webhook-timestamp"]),
  "webhook-signature": String(r.headers["webhook-signature"]),
});

await runBench(async () => {
  const dir = removeAtCleanup(tempDir("walwarden-bench-alerts-"));
  const persist = join(dir, "state");
  console.log(`measuring ${describeSource()}`);
  await applyMigrations(persist);
  const receiver = await startReceiver();
  console.log(
    `receiver on http://127.0.0.1:${receiver.port}; starting the Worker (wrangler's dev server, local queues)…`,
  );
  const dev = await startDev({
    persist,
    envFile: writeKeysEnvFile(dir),
    apiOnly: true,
    vars: { ALERTS_ALLOW_LOOPBACK: "true" },
  });
  try {
    const { cookie } = await bootstrapOrg(dev);
    const channel = await apiCall(dev, "POST", "/v1/alert-channels", {
      cookie,
      body: {
        name: "bench receiver",
        target: { kind: "webhook", url: `http://127.0.0.1:${receiver.port}/hooks/walwarden` },
        conditions: ["runner.silent"],
        minSeverity: "info",
        repeatMinutes: null,
      },
    });
    const wh = new Webhook(channel.webhookSecret);

    // Warm-up, not measured: a tick with nothing holding, and one test notice through the queue.
    const warm = await tick(dev, Date.now());
    if (warm.stats.alerts.findings !== 0)
      throw new Error(`the warm-up tick found ${warm.stats.alerts.findings} conditions`);
    const testAt = performance.now();
    await apiCall(dev, "POST", `/v1/alert-channels/${channel.id}/test`, { cookie });
    await receiver.until((r) => r.length >= 1, TIMEOUT_MS, "the test notice");
    const testMs = receiver.received[0].at - testAt;
    const warmCount = receiver.received.length;

    console.log(`creating ${fmt(K)} runners (they never poll)…`);
    const runners = new Map();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = next++; i < K; i = next++) {
          const r = await createRunnerToken(dev, cookie, `bench runner ${i + 1}`);
          runners.set(`runner:${r.id}`, r.name);
        }
      }),
    );

    // The measured tick: eleven minutes on, every runner is silent. T0 is just before the trigger request.
    const at = Date.now() + SILENT_AFTER_MS + 60_000;
    console.log(`tick at now + 11 min: ${fmt(K)} runner.silent incidents to open, one notice each…`);
    const t0 = performance.now();
    const tickDone = tick(dev, at);
    const notices = (r) => r.slice(warmCount);
    const allIn = receiver.until((r) => notices(r).length >= K, TIMEOUT_MS, `${K} notices`);
    const { stats, lineAt } = await tickDone;
    await allIn;
    const lastAt = notices(receiver.received).at(-1).at;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const got = notices(receiver.received);

    // Checks: each notice verifies (Standard Webhooks), is alert.opened for one of the runners, arrives once.
    const problems = [];
    const ids = new Map();
    const subjects = new Set();
    for (const r of got) {
      let payload;
      try {
        payload = wh.verify(r.body, headersOf(r));
      } catch (e) {
        problems.push(`a notice does not verify: ${e.message}`);
        continue;
      }
      const id = headersOf(r)["webhook-id"];
      ids.set(id, (ids.get(id) ?? 0) + 1);
      const d = payload.data;
      if (payload.type !== "alert.opened" || d.condition !== "runner.silent" || !runners.has(d.subject))
        problems.push(`unexpected notice ${payload.type} ${d.condition} ${d.subject}`);
      else if (d.subjectName !== runners.get(d.subject))
        problems.push(`${d.subject}'s notice names ${d.subjectName}, expected ${runners.get(d.subject)}`);
      subjects.add(d.subject);
    }
    const dupes = [...ids.values()].filter((n) => n > 1).length;
    if (got.length !== K) problems.push(`${got.length} notices received, expected ${K}`);
    if (dupes > 0) problems.push(`${dupes} webhook-ids arrived more than once`);
    if (subjects.size !== K) problems.push(`notices for ${subjects.size} distinct runners, expected ${K}`);
    if (stats.alerts.opened !== K) problems.push(`the tick opened ${stats.alerts.opened} incidents, expected ${K}`);
    if (stats.alerts.deliveriesQueued !== K)
      problems.push(`the tick queued ${stats.alerts.deliveriesQueued} deliveries, expected ${K}`);
    if (problems.length > 0) throw new Error(`the notices are wrong:\n  ${problems.slice(0, 20).join("\n  ")}`);

    const lat = got.map((r) => r.at - t0).sort((a, b) => a - b);
    const tickMs = lineAt - t0;
    const afterTick = got.map((r) => r.at - lineAt).sort((a, b) => a - b);
    const q = (xs) => ({
      p50: Math.round(pct(xs, 50)),
      p90: Math.round(pct(xs, 90)),
      p99: Math.round(pct(xs, 99)),
      max: Math.round(xs.at(-1)),
      min: Math.round(xs[0]),
    });
    const result = {
      conditions: K,
      arrived: got.length,
      latencyMs: q(lat),
      afterTickLineMs: q(afterTick),
      tickMs: Math.round(tickMs),
      ratioP99ToTick: +(pct(lat, 99) / tickMs).toFixed(1),
      spreadMs: Math.round(lastAt - got[0].at),
      noticesPerSecond: +(K / ((lastAt - got[0].at) / 1000 || 1)).toFixed(1),
      testNoticeMs: Math.round(testMs),
      tickStatements: stats.statements,
      alertStatements: stats.alerts.statements,
      queueMaxBatchTimeoutS: 1,
      queueMaxBatchSize: 10,
    };
    const l = result.latencyMs;
    console.log(`
notices: ${fmt(got.length)} of ${fmt(K)} arrived, each once (by webhook-id), each verified (Standard Webhooks, the channel's secret)
latency, trigger → receiver: p50 ${fmt(l.p50)} ms, p90 ${fmt(l.p90)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms (first ${fmt(l.min)} ms)
baseline, the tick alone (trigger → its cron.tick line): ${fmt(tickMs)} ms (${stats.statements} statements, ${stats.alerts.statements} of them alerts) → p99 is ${result.ratioP99ToTick}× that
  after the tick's line: p50 ${fmt(result.afterTickLineMs.p50)} ms, p99 ${fmt(result.afterTickLineMs.p99)} ms; first to last notice ${fmt(result.spreadMs)} ms (${fmt(result.noticesPerSecond, 1)} notices/s)
  one test notice alone (POST …/test → receiver, warm-up): ${fmt(testMs)} ms: the local queue's max_batch_timeout (1 s) and batches of 10`);
    console.log(JSON.stringify(result));
  } finally {
    await receiver.stop();
  }
});
