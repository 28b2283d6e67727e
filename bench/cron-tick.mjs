// bench/cron-tick: one cron tick with 10,000 due schedules whose databases also meet alert conditions (about
// 21,000 incidents to open), with drills due, retention to decide and external witnesses to push to in the same
// tick, run by the real scheduled handler in local workerd, against ticks with nothing due and nothing holding in
// the same run (target: within the Workers CPU limit for a Cron Trigger, with O(n/100) D1 statements); then a
// second tick with every incident already open. Procedure, checks and caveats:
// docs/benchmarks.md#cron-tick. Run: npm run bench:cron-tick [-- --schedules N --orgs M --cpu-limit-ms MS --baseline-ticks K]
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import {
  SYNTHETIC_ARTIFACT_SHA256,
  apiCall,
  claimJob,
  completeJob,
  syntheticBackupResult,
} from "@walwarden/testing/api";
import { BENCH_CONFIG, benchFlags, callJson, describeSource, runBench } from "@walwarden/testing/bench";
import {
  CPU_TICK_MS,
  applyMigrations,
  d1Execute,
  removeAtCleanup,
  startDev,
  tail,
  tempDir,
  trackWorker,
  writeKeysEnvFile,
} from "@walwarden/testing/local-worker";
import { TlogWitness } from "@walwarden/testing/tlog-witness";
import { parseVkey, verifyCheckpoint } from "@walwarden/verifier";

const HELP = `usage: npm run bench:cron-tick [-- options]
  --schedules N       due schedules (and databases) in the measured tick (default 10000)
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
/** worker/src/jobs/expire-leases.ts LIMIT: expired leases one tick handles (the backup.failed share is capped to it). */
const EXPIRE_LIMIT = 1000;
/** D1's limit on a string (a bound parameter included): developers.cloudflare.com/d1/platform/limits. */
const D1_MAX_STRING = 2_000_000;
/** worker/src/alerts/incidents.ts ROWS_PER_STATEMENT: incident and delivery rows per statement. */
const ROWS_PER_STATEMENT = 500;
if (values.orgs === undefined) values.orgs = String(Math.min(100, N));
const M = intFlag("orgs", 1, N);
const CPU_LIMIT_MS = intFlag("cpu-limit-ms", 1);
const BASELINE_TICKS = intFlag("baseline-ticks", 1, 1000);
const TICK_TIMEOUT_MS = intFlag("tick-timeout-s", 1, 3600) * 1000;
const RUNNERS_PER_ORG = 2;
/** worker/src/retention/queue-prunes.ts DECIDED_PER_TICK: databases one tick decides (the rest wait). */
const RETENTION_DECIDED_PER_TICK = 500;
/** Completed backups each database with a retention policy has; its policy (keepLast 1) expires all but one. */
const BACKUPS_PER_RETAINED = 3;
/** worker/src/witness/external-tick.ts MAX_WITNESS_PUSHES_PER_TICK: external witnesses one tick pushes to. */
const WITNESS_PUSHES_PER_TICK = 16;

// Ids shaped like the app's (lib/ids.ts newId): <prefix>_<10 chars of time><16 random chars>, base32.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
function newId(prefix, now) {
  let time = "";
  for (let i = 0, t = now; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  let tail = "";
  for (const b of crypto.getRandomValues(new Uint8Array(16))) tail += ALPHABET[b % 32];
  return `${prefix}_${time}${tail}`;
}
const sha256Hex = (text) => createHash("sha256").update(text).digest("hex");
/** scheduling/schedule-due.ts scheduledJobId: a schedule's job for one slot. */
const scheduledJobId = (scheduleId, slot) =>
  `job.${scheduleId}.${new Date(slot)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z")}`;

/**
 * The seed, as multi-row INSERTs: M orgs (an admin API token each), N databases with one schedule each, all
 * due at `slot`, and what makes alert conditions hold at the measured tick `t` but not at the baseline ticks
 * `b`: each time below is `t - limit - (t - b) / 2`, past the condition's limit at t and not yet at b.
 *  - every database: its schedule was created 60 min + before (rpo.breached: no backup, target 60 min) and
 *    its job for an earlier slot is still queued 30 min + after it (backup.missed: no runner took it);
 *  - every 10th (at most EXPIRE_LIMIT): a manual backup on its last attempt whose lease runs out between b and
 *    t, so the tick's lease sweep fails it and logs backup.failed, and the same tick finds backup.failed;
 *  - every 100th (from the 6th): a manual backup leased (heartbeating) for 360 min + (job.stuck);
 *  - every 10th (from the 4th): a daily drill policy created two days + ago, never passed (drill.overdue);
 *  - RUNNERS_PER_ORG runners per org created 10 min + before t that never polled (runner.silent);
 *  - every 10th (from the 8th, at most RETENTION_DECIDED_PER_TICK): "retained", with a retention policy
 *    (keepLast 1) to decide at the slot and a daily drill policy due at the slot; the bench gives each
 *    BACKUPS_PER_RETAINED completed backups through the runner protocol before the ticks, so these have no
 *    queued job of an earlier slot and a fresh backup (no backup.missed, no rpo.breached);
 *  - the drill.overdue policies are due at the slot too, on databases with no backup (nothing to drill).
 */
function seedSql(orgIds, slot, t, b, createdAt) {
  const out = [];
  const rows = (table, cols, values) => {
    // D1 takes statements up to 100,000 bytes: as many rows as fit in 90,000.
    for (let i = 0; i < values.length; ) {
      let j = i;
      for (let size = 0; j < values.length && size + values[j].length < 90_000; j++) size += values[j].length + 2;
      out.push(`INSERT INTO ${table} (${cols}) VALUES\n${values.slice(i, j).join(",\n")};`);
      i = j;
    }
  };
  const half = Math.floor((t - b) / 2);
  const crossing = (limitMs) => t - limitMs - half;
  const minute = 60_000;
  rows(
    "orgs",
    "id, name, created_at",
    orgIds.map((id, i) => `('${id}', 'Bench org ${i + 1}', ${createdAt})`),
  );
  const tokens = new Map();
  rows(
    "api_tokens",
    "id, org_id, name, role, token_sha256, created_by, created_at",
    orgIds.map((org) => {
      const token = `wwbench_${newId("tok", createdAt).slice(4)}${newId("x", createdAt).slice(2)}`;
      tokens.set(org, token);
      return `('${newId("tok", createdAt)}', '${org}', 'bench admin', 'admin', '${sha256Hex(token)}', 'bench', ${createdAt})`;
    }),
  );
  const runnerOf = new Map();
  const runners = [];
  for (const org of orgIds)
    for (let r = 0; r < RUNNERS_PER_ORG; r++) {
      const id = newId("run", createdAt);
      if (r === 0) runnerOf.set(org, id);
      runners.push(`('${id}', '${org}', 'bench runner ${r + 1}', '${sha256Hex(id)}', ${crossing(10 * minute)}, NULL)`);
    }
  rows("runners", "id, org_id, name, token_sha256, created_at, last_seen_at", runners);
  const dbs = [];
  const schedules = [];
  const jobs = [];
  const policies = [];
  const perOrg = new Map(orgIds.map((id) => [id, 0]));
  const counts = { missed: N, rpo: N, failed: 0, stuck: 0, silent: RUNNERS_PER_ORG * M, overdue: 0 };
  const retained = [];
  const retention = [];
  const since = crossing(60 * minute);
  const earlierSlot = crossing(30 * minute);
  const job = (v) =>
    `('${v.id}', '${v.org}', '${v.db}', ${v.schedule ? `'${v.schedule}'` : "NULL"}, ${v.slot}, '${v.trigger}', '${v.status}', ${v.attempt}, 3, ${v.lease ? `'${newId("lse", createdAt)}'` : "NULL"}, ${v.lease ?? "NULL"}, ${v.runner ? `'${v.runner}'` : "NULL"}, ${v.heartbeat ?? "NULL"}, '${newId("bak", createdAt)}', ${v.created}, ${v.started ?? "NULL"}, 'backup')`;
  for (let i = 0; i < N; i++) {
    const org = orgIds[i % M];
    perOrg.set(org, perOrg.get(org) + 1);
    const db = newId("db", createdAt + i);
    const sch = newId("sch", createdAt + i);
    dbs.push(`('${db}', '${org}', 'bench-db-${i + 1}', 'neon', ${createdAt}, ${createdAt}, NULL)`);
    schedules.push(`('${sch}', '${org}', '${db}', '0 * * * *', 'UTC', 60, 1, ${slot}, ${since}, ${since})`);
    if (i % 10 === 7 && retained.length < RETENTION_DECIDED_PER_TICK) {
      retained.push({ org, db });
      counts.missed--;
      counts.rpo--;
      const made = slot - 2 * 3_600_000; // under two daily intervals: not drill.overdue
      retention.push(`('${db}', '${org}', '{"keepLast":1,"timezone":"UTC"}', ${slot}, ${made}, ${made})`);
      policies.push(
        `('${db}', '${org}', '0 3 * * *', 'UTC', '{"pick":"latest"}', 'local', NULL, '[]', 1, ${slot}, ${made}, ${made})`,
      );
    } else
      jobs.push(
        job({
          id: scheduledJobId(sch, earlierSlot),
          org,
          db,
          schedule: sch,
          slot: earlierSlot,
          trigger: "schedule",
          status: "queued",
          attempt: 0,
          created: earlierSlot,
        }),
      );
    if (i % 10 === 0 && counts.failed < EXPIRE_LIMIT) {
      counts.failed++;
      const started = t - 10 * minute;
      jobs.push(
        job({
          id: newId("job", createdAt + i),
          org,
          db,
          slot: started,
          trigger: "manual",
          status: "leased",
          attempt: 3,
          lease: t - half,
          runner: runnerOf.get(org),
          heartbeat: t - half - 2 * minute,
          created: started,
          started,
        }),
      );
    }
    if (i % 100 === 5) {
      counts.stuck++;
      const started = crossing(360 * minute);
      jobs.push(
        job({
          id: newId("job", createdAt + i),
          org,
          db,
          slot: started,
          trigger: "manual",
          status: "leased",
          attempt: 1,
          lease: t + 10 * minute,
          runner: runnerOf.get(org),
          heartbeat: t - minute,
          created: started,
          started,
        }),
      );
    }
    if (i % 10 === 3) {
      counts.overdue++;
      const made = crossing(2 * 86_400_000);
      policies.push(
        `('${db}', '${org}', '0 3 * * *', 'UTC', '{"pick":"latest"}', 'local', NULL, '[]', 1, ${slot}, ${made}, ${made})`,
      );
    }
  }
  rows("databases", "id, org_id, name, provider, created_at, updated_at, deleted_at", dbs);
  rows(
    "schedules",
    "id, org_id, database_id, cron, timezone, target_rpo_minutes, enabled, next_run_at, created_at, updated_at",
    schedules,
  );
  rows(
    "jobs",
    'id, org_id, database_id, schedule_id, slot_at, "trigger", status, attempt, max_attempts, lease_id, lease_expires_at, runner_id, heartbeat_at, backup_id, created_at, started_at, kind',
    jobs,
  );
  rows(
    "drill_policies",
    "database_id, org_id, cron, timezone, backup, target, max_rto_seconds, assertions, enabled, next_run_at, created_at, updated_at",
    policies,
  );
  rows("retention_policies", "database_id, org_id, policy, decide_after, created_at, updated_at", retention);
  const incidents = Object.values(counts).reduce((a, c) => a + c, 0);
  return { sql: `${out.join("\n")}\n`, perOrg, tokens, counts, incidents, seededJobs: jobs.length, retained };
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
  }).catch((e) => {
    throw new Error(
      `${e.message} (the tick at ${new Date(time).toISOString()})\n${tail(dev.stdout)}\n${tail(dev.stderr)}`,
    );
  });
  const answer = await res.text();
  const answeredMs = performance.now() - t0;
  if (res.status !== 200) {
    await new Promise((r) => setTimeout(r, 2000)); // workerd may log the exception after its answer
    throw new Error(
      `GET /cdn-cgi/handler/scheduled → ${res.status}: ${answer}\n${tail(dev.stdout)}\n${tail(dev.stderr)}`,
    );
  }
  const line = await dev.waitFor((out) => tickLines(out)[before], TICK_TIMEOUT_MS, "the tick's cron.tick line");
  const wallMs = performance.now() - t0;
  const cpu1 = dev.cpu();
  const byRole = {};
  for (const [pid, { role, ms }] of Object.entries(cpu1.byPid))
    byRole[role] = (byRole[role] ?? 0) + ms - (cpu0.byPid[pid]?.ms ?? 0);
  const stats = JSON.parse(line);
  if (stats.error) throw new Error(`the tick at ${new Date(time).toISOString()} threw: ${stats.error}`);
  // On this machine's one clock: how long the runtime took to start the handler after the request went out.
  const startWaitMs = Math.max(0, stats.startedAt - (performance.timeOrigin + t0));
  return { stats, startWaitMs, cpuMs: cpu1.total - cpu0.total, byRole, wallMs, answeredMs };
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
  // The measured tick's scheduledTime, a while ahead: the retained databases' backups are made through the
  // API during set-up, in real time, and are to be older than the tick and younger than their target RPO.
  const tickAt = Date.now() + 30 * 60_000;
  const slot = Math.floor(tickAt / 3_600_000) * 3_600_000; // the top of this hour: "0 * * * *" was due then
  const idleAt = slot - 60_000; // the baseline ticks': nothing due yet, no condition holding yet
  const orgIds = Array.from({ length: M }, (_, i) => newId("org", createdAt + i));
  const seed = seedSql(orgIds, slot, tickAt, idleAt, createdAt);
  const { perOrg, counts, incidents, retained } = seed;
  const seedFile = join(dir, "seed.sql");
  writeFileSync(seedFile, seed.sql);
  console.log(
    `seeding ${fmt(M)} orgs, ${fmt(N)} databases and ${fmt(N)} schedules (next_run_at ${new Date(slot).toISOString()}), ${fmt(seed.seededJobs)} jobs, ${fmt(counts.overdue)} drill policies and ${fmt(counts.silent)} runners…`,
  );
  await d1Execute(persist, { file: seedFile, config: BENCH_CONFIG });

  console.log("starting the Worker locally (wrangler's dev server, as wrangler dev --local)…");
  // The channels' webhooks go to a receiver on loopback (a development setting allows it): a public host
  // would cost each delivery a DNS lookup that fails slowly on this offline machine.
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  receiver.unref(); // it ends with the bench
  const hooks = `http://127.0.0.1:${receiver.address().port}`;
  const dev = await startDev({ persist, envFile, config: BENCH_CONFIG, vars: { ALERTS_ALLOW_LOOPBACK: "true" } });
  console.log(
    `  ${dev.url}; workerd: ${dev
      .workerds()
      .map((w) => `${w.pid} (${w.role})`)
      .join(", ")}`,
  );

  console.log(
    `starting ${fmt(M)} org logs (as creating an org does: the Ledger registers the signing keys) and a webhook channel each…`,
  );
  const queue = [...orgIds];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let org = queue.shift(); org; org = queue.shift()) {
        const r = await callJson(dev, "POST", `/__bench/start-log?org=${org}`);
        if (r.treeSize !== 2)
          throw new Error(`org ${org}'s new log has ${r.treeSize} entries, expected 2 (key.registered ×2)`);
        // Through the API: the target is sealed for the channel. Every condition, from info up: one delivery
        // per incident. Nothing is sent: the bench Worker has no queue binding, so deliveries wait in D1.
        await apiCall(dev, "POST", "/v1/alert-channels", {
          bearer: seed.tokens.get(org),
          body: {
            name: "on-call",
            target: { kind: "webhook", url: `${hooks}/walwarden/${org}` },
            conditions: [],
            minSeverity: "info",
            repeatMinutes: 240,
          },
        });
      }
    }),
  );
  // The retained databases' backups, through the runner protocol as a runner makes them (the Worker signs each
  // manifest and logs backup.completed): one runner per org, revoked afterwards so it is not silent at t.
  console.log(
    `making ${fmt(retained.length * BACKUPS_PER_RETAINED)} backups of the ${fmt(retained.length)} databases with a retention policy (through the runner protocol)…`,
  );
  const byOrg = new Map();
  for (const r of retained) byOrg.set(r.org, [...(byOrg.get(r.org) ?? []), r.db]);
  const orgQueue = [...byOrg.keys()];
  let backupsMade = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let org = orgQueue.shift(); org; org = orgQueue.shift()) {
        const bearer = seed.tokens.get(org);
        const runner = await apiCall(dev, "POST", "/v1/runners", { bearer, body: { name: "bench backups" } });
        for (const db of byOrg.get(org))
          for (let n = 0; n < BACKUPS_PER_RETAINED; n++) {
            const { jobId, backupId } = await apiCall(dev, "POST", `/v1/databases/${db}/backups`, { bearer });
            const { job } = await claimJob(dev, runner.token, { databases: [db] });
            if (!job || job.jobId !== jobId) throw new Error(`claimed ${JSON.stringify(job)}, not ${jobId}`);
            await completeJob(dev, runner.token, jobId, {
              leaseId: job.leaseId,
              artifactSha256: SYNTHETIC_ARTIFACT_SHA256,
              result: syntheticBackupResult(runner.id, {
                startedAt: new Date(Date.now() - 60_000).toISOString(),
                completedAt: new Date().toISOString(),
                s3: {
                  bucket: "acme-backups",
                  key: `walwarden/${db}/${backupId}.dump.zst`,
                  versionId: null,
                  etag: '"9b2cf535f27731c974343645a3985328-3"',
                  objectLock: null,
                },
              }),
            });
            backupsMade++;
          }
        await apiCall(dev, "DELETE", `/v1/runners/${runner.id}`, { bearer });
      }
    }),
  );

  // External witnesses: a C2SP tlog-witness on loopback (written from the spec, as the e2e tests use),
  // configured through the API in the first orgs, as many as one tick pushes to.
  const witness = new TlogWitness({ name: "witness.bench/w1", secretKey: new Uint8Array(32).fill(0x2b) });
  await witness.start();
  trackWorker(witness); // stopped however the bench ends
  const witnessed = orgIds.slice(0, Math.min(WITNESS_PUSHES_PER_TICK, M));
  for (const org of witnessed) {
    witness.addLog(`${dev.keys.origin}/${org}`, dev.keys.checkpoint);
    await apiCall(dev, "PUT", `/v1/witnesses/${encodeURIComponent("witness.bench/w1")}`, {
      bearer: seed.tokens.get(org),
      body: { url: `http://127.0.0.1:${witness.port}/`, vkey: witness.vkey },
    });
  }
  console.log(
    `  ${fmt(backupsMade)} backups made; ${witnessed.length} orgs witnessed by a tlog-witness on port ${witness.port}`,
  );
  console.log(`set-up ${fmt((performance.now() - setupStart) / 1000, 1)} s`);

  // Baseline: nothing due and nothing holding (one minute before the slot). The first tick warms the code path.
  const idleOk = (t, what) => {
    const a = t.stats.alerts;
    if (
      t.stats.due !== 0 ||
      t.stats.expired !== 0 ||
      a.findings !== 0 ||
      a.opened !== 0 ||
      t.stats.drillsDue !== 0 ||
      t.stats.retentionDecided !== 0
    )
      throw new Error(
        `${what} found ${t.stats.due} due schedules, ${t.stats.expired} expired leases, ${a.findings} conditions, ${t.stats.drillsDue} due drills, ${t.stats.retentionDecided} retention decisions; expected none`,
      );
  };
  idleOk(await tick(dev, idleAt), "the warm-up tick");
  const idle = [];
  for (let i = 0; i < BASELINE_TICKS; i++) {
    const t = await tick(dev, idleAt);
    idleOk(t, "a baseline tick");
    idle.push(t);
  }
  const baseCpu = idle.reduce((s, t) => s + t.cpuMs, 0) / idle.length;
  const baseWall = idle.reduce((s, t) => s + t.wallMs, 0) / idle.length;
  const baseStatements = idle[0].stats.statements;
  const baseAlertStatements = idle[0].stats.alerts.statements;
  console.log(
    `baseline: ${BASELINE_TICKS} ticks with nothing due: ${fmt(baseCpu, 1)} ms CPU, ${fmt(baseWall, 1)} ms wall, ${baseStatements} statements each (${baseAlertStatements} of them alerts)`,
  );

  // The witnessed logs grow by one entry each (a database added, no schedule: no condition), so the measured
  // tick finds its witnesses behind, as a busy org's are every tick.
  for (const org of witnessed)
    await apiCall(dev, "POST", "/v1/databases", {
      bearer: seed.tokens.get(org),
      body: { name: "witnessed", provider: "other" },
    });
  await new Promise((r) => setTimeout(r, 500)); // the Ledgers copy the entries to D1, which the witness step reads
  // What the logs hold before the measured tick (set-up's entries included), for the check of D1's copy.
  let entriesBefore = 0;
  for (const org of orgIds) entriesBefore += (await callJson(dev, "GET", `/__bench/checkpoint?org=${org}`)).treeSize;
  console.log(
    `measured tick: ${fmt(N)} due schedules, ${fmt(incidents)} incidents to open, ${fmt(retained.length + counts.overdue)} drills due (${fmt(retained.length)} with a backup), ${fmt(retained.length)} retention decisions, ${witnessed.length} witnesses behind…`,
  );
  const m = await tick(dev, tickAt).catch(async (e) => {
    // Say how far the tick got: what D1 holds once wrangler is stopped, and what the Worker printed.
    const printed = `--- wrangler stdout (tail) ---\n${tail(dev.stdout)}\n--- wrangler stderr (tail) ---\n${tail(dev.stderr)}`;
    await dev.stop();
    const [left] = await d1Execute(persist, {
      config: BENCH_CONFIG,
      command: `SELECT (SELECT count(*) FROM jobs WHERE slot_at = ${slot}) AS queued, (SELECT count(*) FROM outbox) AS outbox,
        (SELECT count(*) FROM alert_incidents) AS incidents, (SELECT count(*) FROM alert_deliveries) AS deliveries`,
    });
    throw new Error(
      `the measured tick threw (${e.message.split("\n")[0]}); afterwards D1 holds ${left.queued} jobs of the slot, ${left.incidents} incidents, ${left.deliveries} deliveries and ${left.outbox} outbox rows never logged\n${printed}`,
    );
  });
  const s = m.stats;
  // A tick makes at most 900 Ledger calls (the Workers subrequest limit is 1,000): with more orgs than that,
  // the next ticks (nothing due; they only sweep the outbox) log the rest. Not part of the measured tick.
  // backup.scheduled per schedule, backup.failed per expired lease, alert.opened per incident, drill.scheduled
  // per drill queued (queuing a prune logs nothing).
  const expectLogged = N + counts.failed + incidents + retained.length;
  const followUps = [];
  let logged = s.logged;
  while (logged < expectLogged && followUps.length < 20) {
    const t = await tick(dev, tickAt + 1000 * (followUps.length + 1));
    followUps.push(t);
    logged += t.stats.logged;
  }
  // Steady state: a minute later every condition still holds and its incident is open.
  // The local queue first delivers the measured tick's messages to the receiver (wrangler logs each batch:
  // "QUEUE walwarden-alerts <acked>/<size>"). While it does, the local runtime started the next scheduled
  // event only after a minute or more, idle meanwhile: the wait was wrangler's local dispatch, not the tick
  // (whose own steps took under a second). So we let the queue drain, and say how long that took.
  const drainStart = performance.now();
  const acked = (out) => [...out.matchAll(/QUEUE walwarden-alerts (\d+)\/\d+/g)].reduce((n, m) => n + Number(m[1]), 0);
  await dev.waitFor(
    (out) => acked(out) >= m.stats.alerts.deliveriesQueued,
    TICK_TIMEOUT_MS,
    "the measured tick's deliveries",
  );
  const drainMs = performance.now() - drainStart;
  console.log(
    `  the queue delivered the measured tick's ${fmt(m.stats.alerts.deliveriesQueued)} notices to the receiver in ${fmt(drainMs / 1000, 1)} s`,
  );
  const steadyAt = tickAt + 60_000;
  console.log("second tick (a minute later, every incident open)…");
  const st = await tick(dev, steadyAt);

  // The log: one org's newest checkpoint verifies with the published key and counts every event of it.
  const checkOrg = orgIds[0];
  const cp = await callJson(dev, "GET", `/__bench/checkpoint?org=${checkOrg}`);
  const pinned = dev.keys.checkpoint.map((v) => {
    const k = parseVkey(v);
    if (!k.ok) throw new Error(`published checkpoint key does not parse: ${k.message}`);
    return k.value;
  });
  const verified = verifyCheckpoint(cp.checkpoint, pinned, `${dev.keys.origin}/${checkOrg}`);
  if (!verified.ok) throw new Error(`${checkOrg}'s checkpoint does not verify: ${verified.code}: ${verified.message}`);

  dev.assertNoReload();
  await dev.stop();
  const [db] = await d1Execute(persist, {
    config: BENCH_CONFIG,
    command: `SELECT (SELECT count(*) FROM jobs) AS jobs,
      (SELECT count(*) FROM jobs WHERE status = 'queued' AND "trigger" = 'schedule' AND kind = 'backup' AND slot_at = ${slot}) AS queued,
      (SELECT count(*) FROM jobs WHERE status = 'failed') AS failed_jobs,
      (SELECT count(*) FROM outbox) AS outbox,
      (SELECT count(*) FROM schedules WHERE enabled = 1 AND next_run_at <= ${steadyAt}) AS still_due,
      (SELECT count(*) FROM log_entries WHERE type = 'backup.scheduled') AS scheduled_entries,
      (SELECT count(*) FROM log_entries WHERE type = 'backup.failed') AS failed_entries,
      (SELECT count(*) FROM jobs WHERE kind = 'drill' AND status = 'queued') AS drill_jobs,
      (SELECT count(*) FROM jobs WHERE kind = 'prune' AND status = 'queued') AS prune_jobs,
      (SELECT count(*) FROM drill_policies WHERE next_run_at <= ${steadyAt}) AS drills_still_due,
      (SELECT count(*) FROM witnesses w WHERE w.cosigned_size > 0 AND w.last_error IS NULL) AS witnesses_cosigned,
      (SELECT count(*) FROM log_entries WHERE type = 'alert.opened') AS opened_entries,
      (SELECT count(DISTINCT json_extract(entry, '$.data.incidentId')) FROM log_entries WHERE type = 'alert.opened') AS opened_incidents,
      (SELECT count(*) FROM log_entries WHERE org_id = '${checkOrg}') AS check_org_entries,
      (SELECT count(*) FROM log_entries) AS log_entries,
      (SELECT count(*) FROM alert_incidents WHERE open_key IS NOT NULL) AS open_incidents,
      (SELECT count(*) FROM alert_incidents) AS all_incidents,
      (SELECT count(*) FROM alert_deliveries) AS deliveries,
      (SELECT count(*) FROM alert_channels) AS channels,
      (SELECT sum(length(json_object('id', id, 'orgId', org_id, 'condition', condition, 'subject', subject,
          'openKey', condition || ' ' || subject, 'severity', severity, 'summary', summary, 'detail', detail,
          'data', json_object('incidentId', id, 'condition', condition, 'subject', subject, 'severity', severity,
                              'openedAt', '2026-01-01T00:00:00.000Z')))) + count(*) + 1 FROM alert_incidents) AS opened_param,
      (SELECT sum(length(json_object('id', id, 'summary', summary, 'detail', detail))) + count(*) + 1 FROM alert_incidents) AS refresh_param,
      (SELECT sum(length(json_object('id', id, 'orgId', org_id, 'channelId', channel_id, 'incidentId', incident_id,
          'kind', kind))) + count(*) + 1 FROM alert_deliveries) AS deliveries_param`,
  });
  const a = s.alerts;
  const a2 = st.stats.alerts;
  const followOpened = followUps.reduce((n, t) => n + t.stats.alerts.opened, 0);
  const problems = [];
  const expect = (what, got, want) => got !== want && problems.push(`${what}: ${got}, expected ${want}`);
  expect("tick: due", s.due, N);
  expect("tick: queued", s.queued, N);
  expect("tick: invalid", s.invalid, 0);
  expect("tick: expired leases (backup.failed share)", s.expired, counts.failed);
  expect("tick: orgs whose logs were appended to", s.orgsLogged, Math.min(M, MAX_LEDGER_CALLS_PER_TICK));
  expect("tick: alert findings", a.findings, incidents);
  expect("tick: incidents opened", a.opened, incidents);
  expect("tick: incidents open", a.open, incidents);
  expect("tick: incidents resolved", a.resolved, 0);
  expect("tick: deliveries written", a.deliveriesQueued + a.deliveriesDeferred, incidents);
  expect("follow-up ticks: incidents opened", followOpened, 0);
  expect("second tick: findings", a2.findings, incidents);
  expect("second tick: incidents opened", a2.opened, 0);
  expect("second tick: incidents resolved", a2.resolved, 0);
  expect("second tick: incidents open", a2.open, incidents);
  expect("second tick: deliveries written (repeat every 240 min)", a2.deliveriesQueued + a2.deliveriesDeferred, 0);
  expect("events logged by the tick and its follow-ups", logged, expectLogged);
  expect("second tick: events logged", st.stats.logged, 0);
  expect("tick: drills due", s.drillsDue, retained.length + counts.overdue);
  expect("tick: drills queued", s.drillsQueued, retained.length);
  expect("tick: drills due without a backup", s.drillsWithoutBackup, counts.overdue);
  expect("tick: retention decided", s.retentionDecided, retained.length);
  expect("tick: prunes queued", s.prunesQueued, retained.length);
  expect("tick: prune targets", s.pruneTargets, retained.length * (BACKUPS_PER_RETAINED - 1));
  expect("tick: witnesses pushed to", s.witnesses.due, witnessed.length);
  expect("tick: witnesses that cosigned", s.witnesses.cosigned, witnessed.length);
  expect("tick: witness pushes failed or deferred", s.witnesses.failed + s.witnesses.deferred, 0);
  expect("second tick: drills due", st.stats.drillsDue, 0);
  expect("second tick: retention decided (a prune waits for each)", st.stats.retentionDecided, 0);
  expect("D1: jobs", db.jobs, N + seed.seededJobs + backupsMade + retained.length * 2);
  expect("D1: queued drill jobs", db.drill_jobs, retained.length);
  expect("D1: queued prune jobs", db.prune_jobs, retained.length);
  expect("D1: drill policies still due", db.drills_still_due, 0);
  expect("D1: witnesses with a kept cosignature", db.witnesses_cosigned, witnessed.length);
  expect("D1: queued jobs of the slot", db.queued, N);
  expect("D1: failed jobs", db.failed_jobs, counts.failed);
  expect("D1: outbox rows left", db.outbox, 0);
  expect("D1: schedules still due", db.still_due, 0);
  expect(
    "D1: backup.scheduled entries in the log copy (the set-up's backups' too)",
    db.scheduled_entries,
    N + backupsMade,
  );
  expect("D1: backup.failed entries in the log copy", db.failed_entries, counts.failed);
  expect("D1: alert.opened entries in the log copy", db.opened_entries, incidents);
  expect("D1: distinct incidents in alert.opened entries", db.opened_incidents, incidents);
  expect("D1: incidents (all open)", `${db.open_incidents}/${db.all_incidents}`, `${incidents}/${incidents}`);
  expect("D1: deliveries", db.deliveries, incidents);
  expect("D1: channels", db.channels, M);
  expect("D1: log copy entries", db.log_entries, entriesBefore + expectLogged);
  expect(
    `D1: ${checkOrg}'s log copy entries = its checkpoint's size`,
    BigInt(db.check_org_entries),
    verified.value.size,
  );
  if (problems.length > 0) throw new Error(`the ticks' result is wrong:\n  ${problems.join("\n  ")}`);

  // The Ledgers mirror each append to D1 (ledger/mirror.ts: one statement per 100 entries); the tick's
  // counter does not see those statements. Each org's outbox is appended in chunks of 500 (log/outbox.ts).
  // Each org's share of the events is about its share of the databases.
  const checkSize = Number(verified.value.size);
  let mirrorStatements = 0;
  for (const k of perOrg.values())
    for (let left = Math.round((k * expectLogged) / N); left > 0; left -= 500)
      mirrorStatements += Math.ceil(Math.min(left, 500) / 100);

  const per100 = s.statements / (N / 100);
  const alertsPer100 = a.statements / (N / 100);
  const params = { opened: db.opened_param, refreshed: db.refresh_param, deliveries: db.deliveries_param };
  const overD1 = Object.entries(params).filter(([, v]) => v > D1_MAX_STRING);
  // What one chunked statement carries: the unchunked estimate over the number of chunks.
  const rowsOf = { opened: a.opened, refreshed: a2.open, deliveries: a.deliveriesQueued + a.deliveriesDeferred };
  const chunkMax = Math.max(
    ...Object.entries(params).map(([k, v]) => (rowsOf[k] > 0 ? v / Math.ceil(rowsOf[k] / ROWS_PER_STATEMENT) : 0)),
  );
  const result = {
    schedules: N,
    orgs: M,
    due: s.due,
    queued: s.queued,
    expired: s.expired,
    statements: s.statements,
    statementsPer100Schedules: +per100.toFixed(2),
    alerts: {
      ...a,
      statementsPer100Databases: +alertsPer100.toFixed(2),
      byCondition: counts,
      largestJsonParamBytes: params,
    },
    drills: { due: s.drillsDue, queued: s.drillsQueued, withoutBackup: s.drillsWithoutBackup },
    retention: { decided: s.retentionDecided, prunesQueued: s.prunesQueued, targets: s.pruneTargets },
    witnesses: s.witnesses,
    ledgerMirrorStatements: mirrorStatements,
    baselineStatements: baseStatements,
    baselineAlertStatements: baseAlertStatements,
    cpuMs: Math.round(m.cpuMs),
    cpuMsByProcess: Object.fromEntries(Object.entries(m.byRole).map(([k, v]) => [k, Math.round(v)])),
    wallMs: Math.round(m.wallMs),
    scheduledAnsweredMs: Math.round(m.answeredMs),
    startWaitMs: Math.round(m.startWaitMs),
    phaseMs: s.phaseMs,
    steady: {
      statements: st.stats.statements,
      alerts: a2,
      cpuMs: Math.round(st.cpuMs),
      wallMs: Math.round(st.wallMs),
      startWaitMs: Math.round(st.startWaitMs),
      queueDrainedBeforeMs: Math.round(drainMs),
      phaseMs: st.stats.phaseMs,
      ratioToCpuLimit: +(st.cpuMs / CPU_LIMIT_MS).toFixed(3),
      ratioToBaselineCpu: baseCpu > 0 ? +(st.cpuMs / baseCpu).toFixed(1) : null,
    },
    baselineCpuMs: +baseCpu.toFixed(1),
    baselineWallMs: +baseWall.toFixed(1),
    baselineTicks: BASELINE_TICKS,
    cpuResolutionMs: CPU_TICK_MS,
    cpuLimitMs: CPU_LIMIT_MS,
    ratioToCpuLimit: +(m.cpuMs / CPU_LIMIT_MS).toFixed(3),
    ratioToBaselineCpu: baseCpu > 0 ? +(m.cpuMs / baseCpu).toFixed(1) : null,
    ratioToBaselineStatements: +(s.statements / baseStatements).toFixed(1),
    checkpointVerified: { org: checkOrg, size: checkSize },
  };
  const within = (ms) => (ms <= CPU_LIMIT_MS ? "within the limit" : "NOT within the limit");
  const byCondition = `backup.missed ${fmt(counts.missed)}, rpo.breached ${fmt(counts.rpo)}, backup.failed ${fmt(counts.failed)}, drill.overdue ${fmt(counts.overdue)}, runner.silent ${fmt(counts.silent)}, job.stuck ${fmt(counts.stuck)}`;
  const kb = (n) => `${fmt(n / 1000)} kB`;
  const phases = (t) =>
    `${Object.entries(t.phaseMs ?? {})
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(", ")} ms (alerts: ${Object.entries(t.alerts.phaseMs ?? {})
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(", ")} ms)`;
  console.log(`
due schedules: ${fmt(s.due)} across ${fmt(M)} orgs → ${fmt(s.queued)} jobs queued; ${fmt(s.expired)} leases expired (failed for good); ${fmt(s.logged)} events appended to ${fmt(s.orgsLogged)} org logs${followUps.length ? `; ${followUps.length} follow-up tick(s) logged the other ${fmt(expectLogged - s.logged)} (at most ${MAX_LEDGER_CALLS_PER_TICK} Ledger calls a tick)` : ""}
drills: ${fmt(s.drillsDue)} due → ${fmt(s.drillsQueued)} queued, ${fmt(s.drillsWithoutBackup)} on databases with no backup yet; retention: ${fmt(s.retentionDecided)} databases decided → ${fmt(s.prunesQueued)} prunes queued (${fmt(s.pruneTargets)} backups to delete); external witnesses: ${s.witnesses.due} pushed to, ${s.witnesses.cosigned} cosigned
alerts: ${fmt(a.findings)} findings → ${fmt(a.opened)} incidents opened (${byCondition}), ${fmt(a.deliveriesQueued + a.deliveriesDeferred)} deliveries written (${fmt(a.deliveriesQueued)} sent to the queue this tick, ${fmt(a.deliveriesDeferred)} left for the next ticks: at most 1,000 a tick)
D1 statements (the tick's count): ${fmt(s.statements)} = ${per100.toFixed(2)} per 100 schedules (baseline tick: ${baseStatements}; ratio ${result.ratioToBaselineStatements}×)
  of which alerts: ${fmt(a.statements)} = ${alertsPer100.toFixed(2)} per 100 databases (baseline: ${baseAlertStatements})
  plus ≈${fmt(mirrorStatements)} statements the Ledgers send when they copy the new entries to D1 (not in the tick's count)
  JSON parameters (≈): unchunked, opened incidents ${kb(params.opened)}, refreshed incidents (second tick) ${kb(params.refreshed)}, deliveries ${kb(params.deliveries)}${overD1.length ? ` (${overD1.map(([k]) => k).join(", ")} over D1's ${fmt(D1_MAX_STRING)}-byte limit on a string as one parameter)` : ""}; sent ${ROWS_PER_STATEMENT} rows a statement: at most ${kb(chunkMax)} each (${chunkMax <= D1_MAX_STRING ? "within" : "NOT within"} the limit)
CPU of the tick: ${fmt(m.cpuMs)} ms (workerd runtime ${fmt(m.byRole.runtime ?? 0)} ms, wrangler's proxy workerd ${fmt(m.byRole.proxy ?? 0)} ms; /proc resolution ${CPU_TICK_MS} ms)
  an upper bound on the Worker's own CPU: it includes local D1's SQLite and the Ledger Durable Objects' work
  wall ${fmt(m.wallMs)} ms (the scheduled request answered after ${fmt(m.answeredMs)} ms)
CPU limit used: ${fmt(CPU_LIMIT_MS)} ms → the tick uses ${(100 * result.ratioToCpuLimit).toFixed(1)}% of it (ratio ${result.ratioToCpuLimit}): ${within(m.cpuMs)}
baseline tick (nothing due or holding, mean of ${BASELINE_TICKS}): ${fmt(baseCpu, 1)} ms CPU → the measured tick is ${result.ratioToBaselineCpu ?? "∞"}× that
  wall by step: ${phases(s)}; the handler started ${fmt(m.startWaitMs)} ms after the request
second tick (steady state, ${fmt(a2.open)} incidents open, none opened): ${fmt(st.cpuMs)} ms CPU (${(100 * result.steady.ratioToCpuLimit).toFixed(1)}% of the limit: ${within(st.cpuMs)}; ${result.steady.ratioToBaselineCpu ?? "∞"}× the baseline), ${fmt(st.wallMs)} ms wall, ${fmt(st.stats.statements)} statements (alerts ${fmt(a2.statements)})
  wall by step: ${phases(st.stats)}; the handler started ${fmt(st.startWaitMs)} ms after the request
checked: ${fmt(db.jobs)} jobs in D1, outbox empty, no schedule still due, ${fmt(db.log_entries)} entries in D1's log copy, ${fmt(db.opened_entries)} alert.opened entries = incidents (each once), none opened by a later tick, ${checkOrg}'s checkpoint (size ${checkSize}) verifies with the published key and matches its log copy`);
  console.log(JSON.stringify(result));
});
