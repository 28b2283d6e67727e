// bench/cron-tick: one cron tick with 10,000 due schedules, run by the real scheduled handler in local
// workerd, against ticks with nothing due in the same run (target: within the Workers CPU limit for a Cron
// Trigger, with O(n/100) D1 statements). Procedure, checks and caveats: docs/benchmarks.md#cron-tick.
// Run: npm run bench:cron-tick [-- --schedules N --orgs M --cpu-limit-ms MS --baseline-ticks K]
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_CONFIG, benchFlags, callJson, describeSource, runBench } from "@walwarden/testing/bench";
import {
  CPU_TICK_MS,
  applyMigrations,
  d1Execute,
  removeAtCleanup,
  startDev,
  tail,
  tempDir,
  writeKeysEnvFile,
} from "@walwarden/testing/local-worker";
import { parseVkey, verifyCheckpoint } from "@walwarden/verifier";

const HELP = `usage: npm run bench:cron-tick [-- options]
  --schedules N       due schedules in the measured tick (default 10000)
  --orgs M            orgs they are spread over, round robin (default 100, or --schedules if fewer)
  --cpu-limit-ms MS   the Workers CPU limit to compare with (default 30000: the Paid plan's default CPU
                      time per invocation, a Cron Trigger's included; limits.cpu_ms may raise it to 300000)
  --baseline-ticks K  ticks with nothing due, averaged for the baseline (default 20)
  --tick-timeout-s S  how long to wait for a tick's cron.tick line (default 300)
  -h, --help          this text`;

const { values, intFlag } = benchFlags(
  {
    schedules: { type: "string", default: "10000" },
    orgs: { type: "string" },
    "cpu-limit-ms": { type: "string", default: "30000" },
    "baseline-ticks": { type: "string", default: "20" },
    "tick-timeout-s": { type: "string", default: "300" },
  },
  HELP,
);
const N = intFlag("schedules", 1, 1_000_000);
/** worker/src/log/outbox.ts MAX_LEDGER_CALLS: Ledger calls one tick may make. */
const MAX_LEDGER_CALLS_PER_TICK = 900;
if (values.orgs === undefined) values.orgs = String(Math.min(100, N));
const M = intFlag("orgs", 1, N);
const CPU_LIMIT_MS = intFlag("cpu-limit-ms", 1);
const BASELINE_TICKS = intFlag("baseline-ticks", 1, 1000);
const TICK_TIMEOUT_MS = intFlag("tick-timeout-s", 1, 3600) * 1000;

// Ids shaped like the app's (lib/ids.ts newId): <prefix>_<10 chars of time><16 random chars>, base32.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
function newId(prefix, now) {
  let time = "";
  for (let i = 0, t = now; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  let tail = "";
  for (const b of crypto.getRandomValues(new Uint8Array(16))) tail += ALPHABET[b % 32];
  return `${prefix}_${time}${tail}`;
}

/** The seed: M orgs, N databases and N schedules all due at `slot`, as multi-row INSERTs. */
function seedSql(orgIds, slot, createdAt) {
  const out = [];
  const rows = (table, cols, values) => {
    for (let i = 0; i < values.length; i += 500)
      out.push(`INSERT INTO ${table} (${cols}) VALUES\n${values.slice(i, i + 500).join(",\n")};`);
  };
  rows(
    "orgs",
    "id, name, created_at",
    orgIds.map((id, i) => `('${id}', 'Bench org ${i + 1}', ${createdAt})`),
  );
  const dbs = [];
  const schedules = [];
  const perOrg = new Map(orgIds.map((id) => [id, 0]));
  for (let i = 0; i < N; i++) {
    const org = orgIds[i % M];
    perOrg.set(org, perOrg.get(org) + 1);
    const db = newId("db", createdAt + i);
    dbs.push(`('${db}', '${org}', 'bench-db-${i + 1}', 'neon', ${createdAt}, ${createdAt}, NULL)`);
    schedules.push(
      `('${newId("sch", createdAt + i)}', '${org}', '${db}', '0 * * * *', 'UTC', 60, 30, 1, ${slot}, ${createdAt}, ${createdAt})`,
    );
  }
  rows("databases", "id, org_id, name, provider, created_at, updated_at, deleted_at", dbs);
  rows(
    "schedules",
    "id, org_id, database_id, cron, timezone, target_rpo_minutes, retention_days, enabled, next_run_at, created_at, updated_at",
    schedules,
  );
  return { sql: `${out.join("\n")}\n`, perOrg };
}

const TICK_LINE = /^\{"event":"cron\.tick".*\}$/gm;
const tickLines = (stdout) => stdout.match(TICK_LINE) ?? [];

/** Fires one tick at `time` and measures it: CPU of the workerd processes and wall time until its cron.tick line. */
async function tick(dev, time) {
  const before = tickLines(dev.stdout).length;
  const cpu0 = dev.cpu();
  const t0 = performance.now();
  const res = await fetch(`${dev.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${time}`, {
    signal: AbortSignal.timeout(TICK_TIMEOUT_MS),
  });
  const answer = await res.text();
  const answeredMs = performance.now() - t0;
  if (res.status !== 200)
    throw new Error(`GET /cdn-cgi/handler/scheduled → ${res.status}: ${answer}\n${tail(dev.stderr)}`);
  const line = await dev.waitFor((out) => tickLines(out)[before], TICK_TIMEOUT_MS, "the tick's cron.tick line");
  const wallMs = performance.now() - t0;
  const cpu1 = dev.cpu();
  const byRole = {};
  for (const [pid, { role, ms }] of Object.entries(cpu1.byPid))
    byRole[role] = (byRole[role] ?? 0) + ms - (cpu0.byPid[pid]?.ms ?? 0);
  return { stats: JSON.parse(line), cpuMs: cpu1.total - cpu0.total, byRole, wallMs, answeredMs };
}

const fmt = (n, d = 0) => n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });

await runBench(async () => {
  const dir = removeAtCleanup(tempDir("walwarden-bench-cron-"));
  const persist = join(dir, "state");
  const envFile = writeKeysEnvFile(dir);
  console.log(`measuring ${describeSource()}`);
  const setupStart = performance.now();

  console.log(`applying migrations to a local D1 in ${dir}…`);
  await applyMigrations(persist, { config: BENCH_CONFIG });

  const createdAt = Date.now() - 86_400_000;
  const slot = Math.floor(Date.now() / 3_600_000) * 3_600_000; // the top of this hour: "0 * * * *" was due then
  const orgIds = Array.from({ length: M }, (_, i) => newId("org", createdAt + i));
  const { sql, perOrg } = seedSql(orgIds, slot, createdAt);
  const seedFile = join(dir, "seed.sql");
  writeFileSync(seedFile, sql);
  console.log(
    `seeding ${fmt(M)} orgs, ${fmt(N)} databases and ${fmt(N)} schedules (next_run_at ${new Date(slot).toISOString()})…`,
  );
  await d1Execute(persist, { file: seedFile, config: BENCH_CONFIG });

  console.log("starting the Worker locally (wrangler's dev server, as wrangler dev --local)…");
  const dev = await startDev({ persist, envFile, config: BENCH_CONFIG });
  console.log(
    `  ${dev.url}; workerd: ${dev
      .workerds()
      .map((w) => `${w.pid} (${w.role})`)
      .join(", ")}`,
  );

  console.log(`starting ${fmt(M)} org logs (as creating an org does: the Ledger registers the signing keys)…`);
  const queue = [...orgIds];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let org = queue.shift(); org; org = queue.shift()) {
        const r = await callJson(dev, "POST", `/__bench/start-log?org=${org}`);
        if (r.treeSize !== 2)
          throw new Error(`org ${org}'s new log has ${r.treeSize} entries, expected 2 (key.registered ×2)`);
      }
    }),
  );
  console.log(`set-up ${fmt((performance.now() - setupStart) / 1000, 1)} s`);

  // Baseline: nothing due (the tick runs one minute before the slot). The first tick warms the code path.
  const idleAt = slot - 60_000;
  const warm = await tick(dev, idleAt);
  if (warm.stats.due !== 0) throw new Error(`the warm-up tick found ${warm.stats.due} due schedules, expected 0`);
  const idle = [];
  for (let i = 0; i < BASELINE_TICKS; i++) {
    const t = await tick(dev, idleAt);
    if (t.stats.due !== 0) throw new Error(`a baseline tick found ${t.stats.due} due schedules, expected 0`);
    idle.push(t);
  }
  const baseCpu = idle.reduce((s, t) => s + t.cpuMs, 0) / idle.length;
  const baseWall = idle.reduce((s, t) => s + t.wallMs, 0) / idle.length;
  const baseStatements = idle[0].stats.statements;
  console.log(
    `baseline: ${BASELINE_TICKS} ticks with nothing due: ${fmt(baseCpu, 1)} ms CPU, ${fmt(baseWall, 1)} ms wall, ${baseStatements} statements each`,
  );

  const tickAt = Date.now();
  console.log(`measured tick: ${fmt(N)} due schedules…`);
  const m = await tick(dev, tickAt);
  const s = m.stats;
  // A tick makes at most 900 Ledger calls (the Workers subrequest limit is 1,000): with more orgs than that,
  // the next ticks (nothing due; they only sweep the outbox) log the rest. Not part of the measured tick.
  const followUps = [];
  let logged = s.logged;
  while (logged < N && followUps.length < 20) {
    const t = await tick(dev, tickAt + 1000 * (followUps.length + 1));
    followUps.push(t);
    logged += t.stats.logged;
  }

  // The log: one org's newest checkpoint verifies with the published key and counts 2 key events + its schedules.
  const checkOrg = orgIds[0];
  const cp = await callJson(dev, "GET", `/__bench/checkpoint?org=${checkOrg}`);
  const pinned = dev.keys.checkpoint.map((v) => {
    const k = parseVkey(v);
    if (!k.ok) throw new Error(`published checkpoint key does not parse: ${k.message}`);
    return k.value;
  });
  const verified = verifyCheckpoint(cp.checkpoint, pinned, `${dev.keys.origin}/${checkOrg}`);
  if (!verified.ok) throw new Error(`${checkOrg}'s checkpoint does not verify: ${verified.code}: ${verified.message}`);
  const expectedSize = 2 + perOrg.get(checkOrg);
  if (verified.value.size !== BigInt(expectedSize))
    throw new Error(`${checkOrg}'s checkpoint is at size ${verified.value.size}, expected ${expectedSize}`);

  dev.assertNoReload();
  await dev.stop();
  const [db] = await d1Execute(persist, {
    config: BENCH_CONFIG,
    command: `SELECT (SELECT count(*) FROM jobs) AS jobs,
      (SELECT count(*) FROM jobs WHERE status = 'queued' AND "trigger" = 'schedule') AS queued,
      (SELECT count(*) FROM outbox) AS outbox,
      (SELECT count(*) FROM schedules WHERE enabled = 1 AND next_run_at <= ${tickAt}) AS still_due,
      (SELECT count(*) FROM log_entries WHERE type = 'backup.scheduled') AS scheduled_entries,
      (SELECT count(*) FROM log_entries) AS log_entries`,
  });
  const problems = [];
  const expect = (what, got, want) => got !== want && problems.push(`${what}: ${got}, expected ${want}`);
  expect("tick: due", s.due, N);
  expect("tick: queued", s.queued, N);
  expect("tick: invalid", s.invalid, 0);
  expect("tick: orgs whose logs were appended to", s.orgsLogged, Math.min(M, MAX_LEDGER_CALLS_PER_TICK));
  expect("events logged by the tick and its follow-ups", logged, N);
  expect("D1: jobs", db.jobs, N);
  expect("D1: queued scheduled jobs", db.queued, N);
  expect("D1: outbox rows left", db.outbox, 0);
  expect("D1: schedules still due", db.still_due, 0);
  expect("D1: backup.scheduled entries in the log copy", db.scheduled_entries, N);
  expect("D1: log copy entries", db.log_entries, N + 2 * M);
  if (problems.length > 0) throw new Error(`the tick's result is wrong:\n  ${problems.join("\n  ")}`);

  // The Ledgers mirror each append to D1 (ledger/mirror.ts: one statement per 100 entries); the tick's
  // counter does not see those statements. Each org's outbox is appended in chunks of 500 (log/outbox.ts).
  let mirrorStatements = 0;
  for (const k of perOrg.values())
    for (let left = k; left > 0; left -= 500) mirrorStatements += Math.ceil(Math.min(left, 500) / 100);

  const per100 = s.statements / (N / 100);
  const result = {
    schedules: N,
    orgs: M,
    due: s.due,
    queued: s.queued,
    statements: s.statements,
    statementsPer100Schedules: +per100.toFixed(2),
    ledgerMirrorStatements: mirrorStatements,
    baselineStatements: baseStatements,
    cpuMs: Math.round(m.cpuMs),
    cpuMsByProcess: Object.fromEntries(Object.entries(m.byRole).map(([k, v]) => [k, Math.round(v)])),
    wallMs: Math.round(m.wallMs),
    scheduledAnsweredMs: Math.round(m.answeredMs),
    baselineCpuMs: +baseCpu.toFixed(1),
    baselineWallMs: +baseWall.toFixed(1),
    baselineTicks: BASELINE_TICKS,
    cpuResolutionMs: CPU_TICK_MS,
    cpuLimitMs: CPU_LIMIT_MS,
    ratioToCpuLimit: +(m.cpuMs / CPU_LIMIT_MS).toFixed(3),
    ratioToBaselineCpu: baseCpu > 0 ? +(m.cpuMs / baseCpu).toFixed(1) : null,
    ratioToBaselineStatements: +(s.statements / baseStatements).toFixed(1),
    checkpointVerified: { org: checkOrg, size: expectedSize },
  };
  const within = m.cpuMs <= CPU_LIMIT_MS;
  console.log(`
due schedules: ${fmt(s.due)} across ${fmt(M)} orgs → ${fmt(s.queued)} jobs queued, ${fmt(s.logged)} events appended to ${fmt(s.orgsLogged)} org logs${followUps.length ? `; ${followUps.length} follow-up tick(s) logged the other ${fmt(N - s.logged)} (at most ${MAX_LEDGER_CALLS_PER_TICK} Ledger calls a tick)` : ""}
D1 statements (the tick's count): ${fmt(s.statements)} = ${per100.toFixed(2)} per 100 schedules (baseline tick: ${baseStatements}; ratio ${result.ratioToBaselineStatements}×)
  plus ≈${fmt(mirrorStatements)} statements the Ledgers send when they copy the new entries to D1 (not in the tick's count)
CPU of the tick: ${fmt(m.cpuMs)} ms (workerd runtime ${fmt(m.byRole.runtime ?? 0)} ms, wrangler's proxy workerd ${fmt(m.byRole.proxy ?? 0)} ms; /proc resolution ${CPU_TICK_MS} ms)
  an upper bound on the Worker's own CPU: it includes local D1's SQLite and the Ledger Durable Objects' work
  wall ${fmt(m.wallMs)} ms (the scheduled request answered after ${fmt(m.answeredMs)} ms)
CPU limit used: ${fmt(CPU_LIMIT_MS)} ms → the tick uses ${(100 * result.ratioToCpuLimit).toFixed(1)}% of it (ratio ${result.ratioToCpuLimit}): ${within ? "within the limit" : "NOT within the limit"}
baseline tick (nothing due, mean of ${BASELINE_TICKS}): ${fmt(baseCpu, 1)} ms CPU → the measured tick is ${result.ratioToBaselineCpu ?? "∞"}× that
checked: ${fmt(db.jobs)} jobs in D1, outbox empty, no schedule still due, ${fmt(db.log_entries)} entries in D1's log copy, ${checkOrg}'s checkpoint (size ${expectedSize}) verifies with the published key`);
  console.log(JSON.stringify(result));
});
