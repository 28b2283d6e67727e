// bench/backup: one backup of realistic data by the real walwarden-runner against `pg_dump -Fc -f file` and
// against the pipeline alone (`pg_dump -Fc -Z0 | zstd -T0 -2 | sha256sum`, no upload) on the same database, in
// the same run (targets: ≤ 0.35 of pg_dump -Fc's time, ≤ 1.3× the pipeline's, artifact ≤ 1.1× pg_dump -Fc's
// file, runner peak RSS ≤ 150 MB at 250 MiB and at 1 GiB). Procedure, checks and caveats: docs/benchmarks.md#backup.
// Run: npm run bench:backup [-- --mb 250 --large-mb 1024 --skip-large]   (build first: npm run build)
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { verifyManifest } from "@walwarden/verifier";
import { listBackups } from "@walwarden/testing/api";
import { RUNNER_BIN, runnerBackup, spawnChecked, startBackupStack } from "@walwarden/testing/backup-stack";
import { benchFlags, describeSource, runBench } from "@walwarden/testing/bench";
import { ROOT, removeAtCleanup, tail, tempDir } from "@walwarden/testing/local-worker";
import { machineCpu, procStat } from "@walwarden/testing/proc";
import { localS3Client } from "@walwarden/testing/s3";
import { describeData, loadRealisticData } from "@walwarden/testing/sample-data";

const HELP = `usage: npm run bench:backup [-- options]
  --mb N          size of the database for the first measurement, in MiB of pg_database_size (default 250)
  --large-mb N    size it is then grown to for the second measurement (default 1024; at least --mb)
  --skip-large    measure at --mb only
  --timeout-s S   how long one backup (or one pg_dump) may take (default 1800)
  -h, --help      this text`;

const { values, intFlag } = benchFlags(
  {
    mb: { type: "string", default: "250" },
    "large-mb": { type: "string", default: "1024" },
    "skip-large": { type: "boolean", default: false },
    "timeout-s": { type: "string", default: "1800" },
  },
  HELP,
);
const MB = intFlag("mb", 1, 1_000_000);
const LARGE_MB = values["skip-large"] ? undefined : intFlag("large-mb", MB, 1_000_000);
const TIMEOUT_MS = intFlag("timeout-s", 10, 86_400) * 1000;

const TARGET = { ratio: 0.35, pipelineRatio: 1.3, artifactRatio: 1.1, peakRssMB: 150, rssGrowth: 1.1 };
// The runner's default compression (runner/src/pipeline/compressor.ts ZSTD_DEFAULT_LEVEL, threads 0 = one per core).
const ZSTD_ARGS = ["-T0", "-2"];
const PG_DUMP = "/usr/lib/postgresql/15/bin/pg_dump";
const BUCKET = "acme-backups";
const DB_NAME = "shop";
const SAMPLE_MS = 100;
const MiB = 1024 * 1024;

const fmt = (n, d = 0) =>
  n === undefined || n === null || Number.isNaN(n)
    ? "–"
    : n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const round = (n, d = 3) => (n === undefined || n === null ? null : +n.toFixed(d));

// ---------------------------------------------------------------------------------------------------------
// /proc sampling

/** CPU ms of each thread of `pid`, by thread id (node names every thread "node": the main thread's id is the pid; the others are V8's GC and compiler helpers and libuv's pool). */
function threadCpuOf(pid) {
  const out = {};
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const t of tasks) {
    const st = procStat(`/proc/${pid}/task/${t}/stat`);
    if (st) out[t] = st.cpuMs;
  }
  return out;
}

/** VmRSS and VmHWM (KiB) of a process; undefined if gone (or a zombie, which has no memory lines). */
function memOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(s);
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(s);
    if (!rss || !hwm) return undefined;
    return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
  } catch {
    return undefined;
  }
}

const commOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
};

/** Children of every thread of `pid` (a child is listed under the thread that forked it). */
function childrenOf(pid) {
  const out = new Set();
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const t of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(/\s+/))
        if (c) out.add(Number(c));
    } catch {
      // thread gone
    }
  }
  return [...out];
}

/**
 * Samples every SAMPLE_MS: `root` (its memory, CPU and its reaped children's CPU), its live children
 * (memory, CPU, when seen), and the postmaster's children that were not there at the start (CPU).
 * stop() takes a last sample and returns the last readings (those of exited processes are their last).
 */
function startSampler(root, postmasterPid, dev, onSample = () => {}) {
  const t0 = performance.now();
  const before = new Set(childrenOf(postmasterPid));
  const machine0 = machineCpu();
  const workerd0 = dev.cpu().total;
  const bench0 = process.cpuUsage();
  const rootSeen = {
    rssMaxKb: 0,
    hwmKb: 0,
    cpuMs: 0,
    userMs: 0,
    systemMs: 0,
    childCpuMs: 0,
    threadsMs: {},
    samples: 0,
  };
  const children = new Map(); // pid → { comm, hwmKb, rssMaxKb, cpuMs, firstMs, lastMs } (first and last seen alive, epoch ms)
  const backends = new Map(); // pid → { cpuMs }
  // CPU totals at the first and the last sample that saw pg_dump or zstd alive: the streaming window.
  let streamFirst;
  let streamLast;
  const sample = () => {
    const now = Date.now();
    const m = memOf(root);
    const s = procStat(root);
    if (m) {
      rootSeen.rssMaxKb = Math.max(rootSeen.rssMaxKb, m.rssKb);
      rootSeen.hwmKb = Math.max(rootSeen.hwmKb, m.hwmKb);
      rootSeen.samples++;
    }
    if (s && s.state !== "Z") {
      rootSeen.cpuMs = s.cpuMs;
      rootSeen.userMs = s.userMs;
      rootSeen.systemMs = s.systemMs;
      rootSeen.childCpuMs = s.childCpuMs;
      const threads = threadCpuOf(root);
      // Threads that exit keep their last reading (their CPU stays in the process total).
      if (threads)
        for (const [tid, ms] of Object.entries(threads))
          rootSeen.threadsMs[tid] = Math.max(rootSeen.threadsMs[tid] ?? 0, ms);
    }
    for (const pid of childrenOf(root)) {
      const cm = memOf(pid);
      const cs = procStat(pid);
      if (!cs || cs.state === "Z") continue;
      let c = children.get(pid);
      if (!c)
        children.set(pid, (c = { comm: commOf(pid), hwmKb: 0, rssMaxKb: 0, cpuMs: 0, firstMs: now, lastMs: now }));
      if (cm) {
        c.hwmKb = Math.max(c.hwmKb, cm.hwmKb);
        c.rssMaxKb = Math.max(c.rssMaxKb, cm.rssKb);
      }
      c.cpuMs = cs.cpuMs;
      c.lastMs = now;
    }
    for (const pid of childrenOf(postmasterPid)) {
      if (before.has(pid)) continue;
      const cs = procStat(pid);
      if (!cs || cs.state === "Z") continue;
      backends.set(pid, { cpuMs: cs.cpuMs });
    }
    let streaming = false;
    let liveChildrenMs = 0;
    for (const c of children.values()) {
      if (c.lastMs !== now) continue;
      liveChildrenMs += c.cpuMs;
      if (c.comm === "pg_dump" || c.comm === "zstd") streaming = true;
    }
    if (streaming) {
      const bench = process.cpuUsage();
      streamLast = {
        at: now,
        machineBusyMs: machineCpu().busyMs,
        node: rootSeen.cpuMs,
        pgDumpZstd: rootSeen.childCpuMs + liveChildrenMs,
        backends: [...backends.values()].reduce((sum, b) => sum + b.cpuMs, 0),
        s3rverAndBench: (bench.user + bench.system) / 1000,
      };
      streamFirst ??= streamLast;
    }
    onSample(now);
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      const wallMs = performance.now() - t0;
      const machine1 = machineCpu();
      const bench = process.cpuUsage(bench0);
      const byComm = {};
      for (const c of children.values()) {
        const k = c.comm;
        byComm[k] ??= { count: 0, peakRssKb: 0, cpuMs: 0, firstMs: c.firstMs, lastMs: c.lastMs };
        byComm[k].count++;
        byComm[k].peakRssKb = Math.max(byComm[k].peakRssKb, c.hwmKb);
        byComm[k].cpuMs += c.cpuMs;
        byComm[k].firstMs = Math.min(byComm[k].firstMs, c.firstMs);
        byComm[k].lastMs = Math.max(byComm[k].lastMs, c.lastMs);
      }
      const backendCpuMs = [...backends.values()].reduce((s, b) => s + b.cpuMs, 0);
      const workerdCpuMs = dev.cpu().total - workerd0;
      const benchCpuMs = (bench.user + bench.system) / 1000;
      const machineBusyMs = machine1.busyMs - machine0.busyMs;
      const oursMs = rootSeen.cpuMs + rootSeen.childCpuMs + backendCpuMs + workerdCpuMs + benchCpuMs;
      const streamWindow =
        streamFirst && streamLast && streamLast.at > streamFirst.at
          ? Object.fromEntries(
              Object.keys(streamLast).map((k) => [k === "at" ? "wallMs" : k, streamLast[k] - streamFirst[k]]),
            )
          : undefined;
      return {
        wallMs,
        streamWindow,
        root: rootSeen,
        byComm,
        backendCpuMs,
        backends: backends.size,
        workerdCpuMs,
        benchCpuMs,
        machineBusyMs,
        otherCpuMs: Math.max(0, machineBusyMs - oursMs),
        oursCpuMs: oursMs,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// s3rver's multipart requests, timed where s3rver serves them (it runs in this process): Node's http server
// publishes every request's start (headers parsed) and its response's finish on diagnostics channels.

const s3Requests = { parts: [], completes: [] };
const partOrComplete = (req) => {
  const url = req.url ?? "";
  if (!url.includes("uploadId=")) return undefined;
  if (req.method === "PUT" && url.includes("partNumber=")) return "part";
  if (req.method === "POST") return "complete";
  return undefined;
};
const inFlight = new WeakMap();
subscribe("http.server.request.start", ({ request }) => {
  const kind = partOrComplete(request);
  if (!kind) return;
  const cpu = process.cpuUsage();
  inFlight.set(request, { kind, url: request.url, startMs: Date.now(), startCpuMs: (cpu.user + cpu.system) / 1000 });
});
subscribe("http.server.response.finish", ({ request, response }) => {
  const r = inFlight.get(request);
  if (!r) return;
  inFlight.delete(request);
  const cpu = process.cpuUsage();
  const done = { ...r, endMs: Date.now(), endCpuMs: (cpu.user + cpu.system) / 1000, status: response.statusCode };
  (r.kind === "part" ? s3Requests.parts : s3Requests.completes).push(done);
});

// ---------------------------------------------------------------------------------------------------------
// The sides

/** a. pg_dump -Fc -f <file>: wall time, file size, CPU of pg_dump and its backend. */
async function baseline(ctx, label) {
  const file = join(ctx.dir, `baseline-${label}.dump`);
  const t0 = performance.now();
  const { child, exit } = spawnChecked(PG_DUMP, ["-Fc", "-f", file, ctx.pg.url(DB_NAME)], { timeoutMs: TIMEOUT_MS });
  const sampler = startSampler(child.pid, ctx.pg.pid, ctx.dev);
  const r = await exit;
  const seconds = (performance.now() - t0) / 1000;
  const s = sampler.stop();
  if (r.code !== 0) throw new Error(`pg_dump -Fc failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr}`);
  const bytes = statSync(file).size;
  return {
    seconds,
    bytes,
    file,
    sample: s,
    pgDumpCpuMs: s.root.cpuMs,
    pgDumpPeakRssKb: s.root.hwmKb,
    backendCpuMs: s.backendCpuMs,
  };
}

/**
 * p. The pipeline alone, as a shell runs it: `pg_dump -Fc -Z0 <url> | zstd -T0 -2 | sha256sum` (pipefail),
 * wall time from spawn to exit, no upload; CPU of pg_dump, zstd, sha256sum and the backend.
 */
async function pipelineBaseline(ctx) {
  const script = `set -o pipefail; "$1" -Fc -Z0 "$2" | zstd -v -c ${ZSTD_ARGS.join(" ")} | sha256sum`;
  const t0 = performance.now();
  const { child, exit } = spawnChecked("bash", ["-c", script, "pipeline", PG_DUMP, ctx.pg.url(DB_NAME)], {
    timeoutMs: TIMEOUT_MS,
  });
  const sampler = startSampler(child.pid, ctx.pg.pid, ctx.dev);
  const r = await exit;
  const seconds = (performance.now() - t0) / 1000;
  const s = sampler.stop();
  if (r.code !== 0) throw new Error(`the pipeline failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr}`);
  const sha256 = /^[0-9a-f]{64}/.exec(r.stdout)?.[0];
  // zstd -v ends with "(stdin) : 30.00% (  a MiB =>  b MiB, /*stdout*\)" (sizes rounded): the runner's byte count is exact.
  const cpu = (k) => s.byComm[k]?.cpuMs ?? 0;
  return {
    seconds,
    sha256,
    zstdSummary: r.stderr.trim().split("\n").at(-1),
    sample: s,
    cpuMs: {
      pgDump: cpu("pg_dump"),
      zstd: cpu("zstd"),
      sha256sum: cpu("sha256sum"),
      // the three, as last sampled alive (up to 100 ms each lost at exit)
      tree: cpu("pg_dump") + cpu("zstd") + cpu("sha256sum"),
      backend: s.backendCpuMs,
      s3rverAndBench: s.benchCpuMs,
      workerd: s.workerdCpuMs,
    },
  };
}

/** b + c. A backup by the runner, timed and sampled, then checked against S3, the Worker and the manifest. */
async function walwarden(ctx, label) {
  const reloadsBefore = workerReloads(ctx.dev);
  // s3rver's files show when CompleteMultipartUpload runs: it creates <name>._S3rver_object and streams the
  // parts into it, then writes <name>._S3rver_object.md5. The key is in the runner's backup.started line.
  const s3 = { objectPath: undefined, cmuStartMs: undefined, cmuEndMs: undefined };
  s3Requests.parts.length = 0;
  s3Requests.completes.length = 0;
  const {
    jobId,
    backupId,
    job,
    child,
    started,
    done,
    processSeconds,
    measured: s,
  } = await runnerBackup(ctx, {
    timeoutMs: TIMEOUT_MS,
    onSpawn: (runner, stdout) => {
      const watchS3 = (now) => {
        if (!s3.objectPath) {
          const m = /"event":"backup\.started".*?"key":"([^"]+)"/.exec(stdout());
          if (m)
            s3.objectPath = join(
              ctx.s3Dir,
              BUCKET,
              ...m[1].split("/").slice(0, -1),
              `${m[1].split("/").at(-1)}._S3rver_object`,
            );
        }
        if (!s3.objectPath) return;
        if (s3.cmuStartMs === undefined && existsSync(s3.objectPath)) s3.cmuStartMs = now;
        if (s3.cmuEndMs === undefined && existsSync(`${s3.objectPath}.md5`)) s3.cmuEndMs = now;
      };
      const sampler = startSampler(runner.pid, ctx.pg.pid, ctx.dev, watchS3);
      return () => sampler.stop();
    },
  });
  const backup = (await listBackups(ctx.dev, ctx.cookie, { databaseId: ctx.databaseId, limit: 50 })).items.find(
    (b) => b.id === backupId,
  );
  if (!backup) throw new Error(`backup ${backupId} is not in GET /v1/backups`);
  const claimToCompletedSeconds = (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;

  // c. Correctness: the stored bytes are what the log line, the Worker's record and the signed manifest say.
  const tv = performance.now();
  const object = await ctx.s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: done.key }));
  const hash = createHash("sha256");
  let storedBytes = 0;
  // The raw dump's size: zstd reads pg_dump's output through an OS pipe, so the runner cannot count it;
  // decompressing the stored object (outside the measured window) gives it exactly.
  const unzstd = spawn("zstd", ["-q", "-d", "-c"], { stdio: ["pipe", "pipe", "inherit"] });
  let rawBytes = 0;
  unzstd.stdout.on("data", (c) => (rawBytes += c.length));
  const unzstdDone = new Promise((res, rej) =>
    unzstd.on("close", (code) => (code === 0 ? res() : rej(new Error(`zstd -d exited ${code}`)))),
  );
  for await (const chunk of object.Body) {
    hash.update(chunk);
    storedBytes += chunk.length;
    if (!unzstd.stdin.write(chunk)) await new Promise((r) => unzstd.stdin.once("drain", r));
  }
  unzstd.stdin.end();
  await unzstdDone;
  const sha256 = hash.digest("hex");
  const manifestKey = done.key.replace(/\.dump\.zst$/, ".manifest.json");
  const manifestObject = await ctx.s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: manifestKey }));
  const envelope = JSON.parse(await manifestObject.Body.transformToString("utf8"));
  const verified = verifyManifest(envelope, ctx.manifestKeys, sha256);
  const problems = [];
  if (!verified.ok)
    problems.push(`the manifest does not verify against the stored object: ${verified.code}: ${verified.message}`);
  else if (verified.value.predicate.sizeBytes !== storedBytes)
    problems.push(`the manifest says ${verified.value.predicate.sizeBytes} bytes, the object has ${storedBytes}`);
  if (done.sha256 !== sha256) problems.push(`the runner logged SHA-256 ${done.sha256}, the object's is ${sha256}`);
  if (done.sizeBytes !== storedBytes)
    problems.push(`the runner logged ${done.sizeBytes} bytes, the object has ${storedBytes}`);
  if (backup.sha256 !== sha256 || backup.sizeBytes !== storedBytes)
    problems.push(
      `the Worker's record (${backup.sha256}, ${backup.sizeBytes} bytes) does not match the object (${sha256}, ${storedBytes} bytes)`,
    );
  if (problems.length > 0) throw new Error(`the ${label} backup is not what was signed:\n  ${problems.join("\n  ")}`);
  const verifySeconds = (performance.now() - tv) / 1000;

  const dump = s.byComm.pg_dump;
  const zstd = s.byComm.zstd;
  // Where claim → completed goes (epoch ms: the Worker's clock for claim and complete, the runner's log, our samples).
  const claimAt = Date.parse(job.startedAt);
  const completeAt = Date.parse(job.finishedAt);
  const startedAt = started ? Date.parse(started.time) : undefined;
  const streamEnd = zstd || dump ? Math.max(zstd?.lastMs ?? 0, dump?.lastMs ?? 0) : undefined;
  const sec = (from, to) => (from === undefined || to === undefined ? undefined : (to - from) / 1000);
  const cmuStart = s3.cmuStartMs;
  const cmuEnd = s3.cmuEndMs;
  // s3rver's requests for this object (timed at the server): its last part answered, CompleteMultipartUpload
  // received and answered (s3rver copies every part into the object and MD5s it before it answers).
  const mine = (r) => {
    try {
      return decodeURIComponent(r.url.split("?")[0]) === `/${BUCKET}/${done.key}`;
    } catch {
      return false;
    }
  };
  const parts = s3Requests.parts.filter(mine);
  const complete = s3Requests.completes.filter(mine).at(-1);
  const lastPartEnd = parts.length ? Math.max(...parts.map((p) => p.endMs)) : undefined;
  const s3rverTiming = {
    parts: parts.length,
    lastPartAnsweredMs: lastPartEnd,
    completeReceivedMs: complete?.startMs,
    completeAnsweredMs: complete?.endMs,
    // the completion's time at the server: request received → answered
    completeSeconds: complete ? (complete.endMs - complete.startMs) / 1000 : undefined,
    // the bench's process CPU (s3rver's) over those, s
    completeCpuSeconds: complete ? (complete.endCpuMs - complete.startCpuMs) / 1000 : undefined,
    // the last part's answer → CompleteMultipartUpload received: the runner (the SDK) sending it
    lastPartToCompleteSeconds: complete && lastPartEnd ? (complete.startMs - lastPartEnd) / 1000 : undefined,
    // the last part's answer → CompleteMultipartUpload answered
    lastPartToCompleteAnsweredSeconds: complete && lastPartEnd ? (complete.endMs - lastPartEnd) / 1000 : undefined,
  };
  const phases = {
    claimToDumpStart: sec(claimAt, startedAt),
    streaming: sec(startedAt, streamEnd),
    // zstd has exited; the last parts (up to 4 in flight) are still uploading.
    uploadTail: sec(streamEnd, cmuStart),
    // s3rver concatenates the parts into the object and MD5s it (S3 itself would not copy the bytes).
    completeMultipartUpload: sec(cmuStart, cmuEnd),
    // row counts and schema fingerprint in the snapshot, then POST complete reaches the Worker.
    rowCountsAndComplete: sec(cmuEnd, completeAt),
  };
  return {
    phases,
    s3rverTiming,
    claimToCompletedLessCompleteSeconds:
      s3rverTiming.completeSeconds === undefined ? undefined : claimToCompletedSeconds - s3rverTiming.completeSeconds,
    jobId,
    backupId,
    key: done.key,
    sha256,
    storedBytes,
    rawBytes: done.rawBytes ?? rawBytes,
    claimToCompletedSeconds,
    backupDurationSeconds: backup.durationMs / 1000,
    processSeconds,
    // From the runner's log: backup.started (snapshot open, pg_dump chosen) to backup.completed (after complete and the kit).
    logStartedToCompletedSeconds:
      started && done.time ? (Date.parse(done.time) - Date.parse(started.time)) / 1000 : undefined,
    runnerPeakRssKb: s.root.hwmKb,
    runnerMaxSampledRssKb: s.root.rssMaxKb,
    rssSamples: s.root.samples,
    pgDumpPeakRssKb: dump?.peakRssKb,
    zstdPeakRssKb: zstd?.peakRssKb,
    runnerCpu: {
      userMs: s.root.userMs,
      systemMs: s.root.systemMs,
      mainThreadMs: s.root.threadsMs[String(child.pid)] ?? 0,
      otherThreadsMs: Object.entries(s.root.threadsMs).reduce(
        (sum, [tid, ms]) => sum + (tid === String(child.pid) ? 0 : ms),
        0,
      ),
    },
    cpuMs: {
      runnerNode: s.root.cpuMs,
      pgDump: dump?.cpuMs,
      zstd: zstd?.cpuMs,
      pgDumpAndZstdReaped: s.root.childCpuMs,
      postgresBackends: s.backendCpuMs,
      s3rverAndBench: s.benchCpuMs,
      workerd: s.workerdCpuMs,
    },
    machineBusyMs: s.machineBusyMs,
    stream: s.streamWindow,
    workerReloadedDuring: workerReloads(ctx.dev) > reloadsBefore,
    otherCpuMs: s.otherCpuMs,
    verifySeconds,
  };
}

/** The runner with nothing to do (`run --once`, one empty claim): its peak RSS is what node and its modules take. */
async function idleRunner(ctx) {
  const t0 = performance.now();
  const { child, exit } = spawnChecked(RUNNER_BIN, ["run", "--once", "--config", ctx.configPath], {
    timeoutMs: TIMEOUT_MS,
    env: { ...process.env },
  });
  const sampler = startSampler(child.pid, ctx.pg.pid, ctx.dev);
  const r = await exit;
  const seconds = (performance.now() - t0) / 1000;
  const s = sampler.stop();
  if (r.code !== 0)
    throw new Error(`walwarden-runner run --once with no job exited ${r.signal ?? r.code}:\n${tail(r.stderr)}`);
  return { seconds, peakRssKb: s.root.hwmKb, cpuMs: s.root.cpuMs };
}

/** One measurement at the database's current size: a, b, c. */
async function measure(ctx, label) {
  const data = await describeData(ctx.pg, DB_NAME);
  console.log(
    `\n[${label}] database ${fmt(data.databaseBytes / MiB)} MiB (tables ${fmt(data.tableBytes / MiB)} MiB without indexes); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(`[${label}] a. baseline: pg_dump -Fc -f <file>…`);
  const a = await baseline(ctx, label);
  console.log(`[${label}]    ${fmt(a.seconds, 2)} s, ${fmt(a.bytes / MiB, 1)} MiB`);
  console.log(`[${label}] p. baseline: pg_dump -Fc -Z0 | zstd ${ZSTD_ARGS.join(" ")} | sha256sum (no upload)…`);
  const p = await pipelineBaseline(ctx);
  console.log(
    `[${label}]    ${fmt(p.seconds, 2)} s (zstd: ${p.zstdSummary}); other processes ${fmt(p.sample.otherCpuMs / 1000, 1)} CPU s`,
  );
  console.log(`[${label}] b. Walwarden: request a backup, run walwarden-runner run --once…`);
  const b = await walwarden(ctx, label);
  console.log(
    `[${label}]    claim → completed ${fmt(b.claimToCompletedSeconds, 2)} s (runner process ${fmt(b.processSeconds, 2)} s), ${fmt(b.storedBytes / MiB, 1)} MiB stored, ${fmt(b.rawBytes / MiB, 1)} MiB raw dump; peak RSS ${fmt(b.runnerPeakRssKb / 1024, 1)} MiB`,
  );
  console.log(
    `[${label}]    phases (s): ${Object.entries(b.phases)
      .map(([k, v]) => `${k} ${fmt(v, 2)}`)
      .join(", ")}; CPU s: ${Object.entries(b.cpuMs)
      .map(([k, v]) => `${k} ${fmt((v ?? 0) / 1000, 2)}`)
      .join(", ")}`,
  );
  if (b.workerReloadedDuring)
    console.log(
      `[${label}]    NOTE: wrangler reloaded the Worker during this backup (a file it bundles changed): claim → completed may include the reload`,
    );
  console.log(
    `[${label}] c. checked: job succeeded; the object's SHA-256 (downloaded and hashed, ${fmt(b.verifySeconds, 1)} s) = runner log = Worker record = signed manifest (verified with the published key)`,
  );
  const ratio = b.claimToCompletedSeconds / a.seconds;
  const pipelineRatio = b.claimToCompletedSeconds / p.seconds;
  const pipelineRatioLessComplete =
    b.claimToCompletedLessCompleteSeconds === undefined ? undefined : b.claimToCompletedLessCompleteSeconds / p.seconds;
  const artifactRatio = b.storedBytes / a.bytes;
  console.log(
    `[${label}]    claim → completed ÷ pipeline ${fmt(pipelineRatio, 3)} (≤ ${TARGET.pipelineRatio}); less s3rver's CompleteMultipartUpload (${fmt(b.s3rverTiming.completeSeconds, 2)} s) ${fmt(pipelineRatioLessComplete, 3)}`,
  );
  return { label, data, a, p, b, ratio, pipelineRatio, pipelineRatioLessComplete, artifactRatio };
}

// ---------------------------------------------------------------------------------------------------------

/** Warns if runner/dist is older than runner/src (the bench runs the built runner). */
function checkBuilt() {
  if (!existsSync(join(ROOT, "runner/dist/bin/walwarden-runner.js")))
    throw new Error("runner/dist is missing: run `npm run build` first");
  const newest = (dir, ext) => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile() && e.name.endsWith(ext) && !e.name.endsWith(".test.ts"))
        t = Math.max(t, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs);
    }
    return t;
  };
  if (newest(join(ROOT, "runner/src"), ".ts") > newest(join(ROOT, "runner/dist"), ".js"))
    console.warn("warning: runner/src is newer than runner/dist: run `npm run build` to measure the current code");
}

const mibOf = (kb) => (kb === undefined ? undefined : kb / 1024);
const mbOf = (kb) => (kb === undefined ? undefined : (kb * 1024) / 1e6);

await runBench(async () => {
  checkBuilt();
  const started = performance.now();
  const dir = removeAtCleanup(tempDir("walwarden-bench-backup-"));
  const cpuCount = availableParallelism();
  console.log(`measuring ${describeSource()}`);
  console.log(
    `machine: ${cpuCount} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );

  console.log("starting the Worker (wrangler.toml, local D1), s3rver and PostgreSQL 15…");
  const stack = await startBackupStack({ dir, bucket: BUCKET, dbName: DB_NAME, clusterName: "bench-backup" });
  const { dev, s3, pg, cookie, databaseId, configPath, manifestKeys } = stack;
  try {
    const s3Client = localS3Client(s3);
    const ctx = { dir, dev, pg, cookie, databaseId, configPath, s3Client, manifestKeys, s3Dir: s3.dir };
    const idle = await idleRunner(ctx);
    console.log(
      `the runner with no job (run --once, one empty claim): ${fmt(idle.seconds, 2)} s, peak RSS ${fmt(mibOf(idle.peakRssKb), 1)} MiB, CPU ${fmt(idle.cpuMs / 1000, 2)} s`,
    );

    const loads = [];
    const rounds = [];
    for (const target of [MB, ...(LARGE_MB === undefined ? [] : [LARGE_MB])]) {
      console.log(`\nloading realistic data until the database is ${fmt(target)} MiB…`);
      const load = await loadRealisticData(pg, DB_NAME, target, { log: console.log });
      loads.push(load);
      console.log(
        `  loaded in ${fmt(load.loadSeconds, 1)} s: ${Object.entries(load.tables)
          .map(([t, v]) => `${t} ${fmt(v.rows)} rows ${fmt(v.bytes / MiB)} MiB`)
          .join(", ")}`,
      );
      rounds.push(await measure(ctx, `${fmt(target)} MiB`));
    }
    // Another edit in the repository can make wrangler rebuild the Worker (see testing/src/local-worker/dev-server.ts). Only
    // the Worker's claim and complete are on the measured path: we say when it reloaded rather than give up.
    const reloads = workerReloads(dev);
    if (reloads > 0)
      console.log(
        `\nNOTE: wrangler reloaded the Worker ${reloads} time(s) during the bench${rounds.some((r) => r.b.workerReloadedDuring) ? ", during a measured backup" : ", never during a measured backup"}`,
      );
    s3Client.destroy();
    printReport(rounds, loads, idle, cpuCount, (performance.now() - started) / 1000);
  } finally {
    await stack.stop();
  }
});

function printReport(rounds, loads, idle, cpuCount, benchSeconds) {
  const col = (f) => rounds.map((r) => String(f(r) ?? "–").padStart(22)).join("");
  const row = (name, f) => console.log(`${name.padEnd(54)}${col(f)}`);
  const pf = (ok) => (ok ? "pass" : "FAIL");
  console.log(`\n${"".padEnd(54)}${rounds.map((r) => `db ${r.label}`.padStart(22)).join("")}`);
  row("database (pg_database_size), MiB", (r) => fmt(r.data.databaseBytes / MiB, 1));
  row("  tables without indexes (pg_table_size), MiB", (r) => fmt(r.data.tableBytes / MiB, 1));
  row("raw dump (pg_dump custom, uncompressed), MiB", (r) => fmt(r.b.rawBytes / MiB, 1));
  row("a. pg_dump -Fc -f file: wall, s", (r) => fmt(r.a.seconds, 2));
  row("   file, MiB (÷ raw dump)", (r) => `${fmt(r.a.bytes / MiB, 1)} (${fmt(r.a.bytes / r.b.rawBytes, 3)})`);
  row("   raw dump MiB/s", (r) => fmt(r.b.rawBytes / MiB / r.a.seconds, 1));
  row(
    "   CPU s: pg_dump / postgres backend",
    (r) => `${fmt(r.a.pgDumpCpuMs / 1000, 1)} / ${fmt(r.a.backendCpuMs / 1000, 1)}`,
  );
  row(`p. pg_dump -Fc -Z0 | zstd ${ZSTD_ARGS.join(" ")} | sha256sum: wall, s`, (r) => fmt(r.p.seconds, 2));
  row(
    "   CPU s: pg_dump / zstd / sha256sum / backend",
    (r) =>
      `${fmt(r.p.cpuMs.pgDump / 1000, 1)} / ${fmt(r.p.cpuMs.zstd / 1000, 1)} / ${fmt(r.p.cpuMs.sha256sum / 1000, 1)} / ${fmt(r.p.cpuMs.backend / 1000, 1)}`,
  );
  row("   other processes during p, CPU s", (r) => fmt(r.p.sample.otherCpuMs / 1000, 1));
  row("b. Walwarden claim → completed (job), s", (r) => fmt(r.b.claimToCompletedSeconds, 2));
  row("   backup record durationMs (dump start → done), s", (r) => fmt(r.b.backupDurationSeconds, 2));
  row("   runner log backup.started → .completed, s", (r) => fmt(r.b.logStartedToCompletedSeconds, 2));
  row("   phases (±0.1 s): claim → backup.started, s", (r) => fmt(r.b.phases.claimToDumpStart, 2));
  row("   → pg_dump, zstd exit (streaming), s", (r) => fmt(r.b.phases.streaming, 2));
  row("   → last parts uploaded (s3rver's CMU starts), s", (r) => fmt(r.b.phases.uploadTail, 2));
  row("   → s3rver CompleteMultipartUpload done, s", (r) => fmt(r.b.phases.completeMultipartUpload, 2));
  row("   → row counts, fingerprint, complete arrives, s", (r) => fmt(r.b.phases.rowCountsAndComplete, 2));
  row(
    "   s3rver: parts; last part answered → CMU received, s",
    (r) => `${r.b.s3rverTiming.parts}; ${fmt(r.b.s3rverTiming.lastPartToCompleteSeconds, 3)}`,
  );
  row(
    "   s3rver: CMU received → answered, s (its CPU s)",
    (r) => `${fmt(r.b.s3rverTiming.completeSeconds, 2)} (${fmt(r.b.s3rverTiming.completeCpuSeconds, 2)})`,
  );
  row("   claim → completed less s3rver's CMU, s", (r) => fmt(r.b.claimToCompletedLessCompleteSeconds, 2));
  row("   runner process wall (start → exit), s", (r) => fmt(r.b.processSeconds, 2));
  row("   raw dump MiB/s (claim → completed)", (r) => fmt(r.b.rawBytes / MiB / r.b.claimToCompletedSeconds, 1));
  row(
    "   stored artifact (zstd), MiB (÷ raw dump)",
    (r) => `${fmt(r.b.storedBytes / MiB, 1)} (${fmt(r.b.storedBytes / r.b.rawBytes, 3)})`,
  );
  row(
    `ratio claim→completed ÷ pg_dump -Fc (≤ ${TARGET.ratio})`,
    (r) => `${fmt(r.ratio, 3)} ${pf(r.ratio <= TARGET.ratio)}`,
  );
  row(
    `ratio claim→completed ÷ pipeline p (≤ ${TARGET.pipelineRatio})`,
    (r) => `${fmt(r.pipelineRatio, 3)} ${pf(r.pipelineRatio <= TARGET.pipelineRatio)}`,
  );
  row("   less s3rver's CMU ÷ pipeline p", (r) => fmt(r.pipelineRatioLessComplete, 3));
  row(
    `artifact ÷ pg_dump -Fc file (≤ ${TARGET.artifactRatio})`,
    (r) => `${fmt(r.artifactRatio, 3)} ${pf(r.artifactRatio <= TARGET.artifactRatio)}`,
  );
  row(
    `runner peak RSS (VmHWM), MB (≤ ${TARGET.peakRssMB})`,
    (r) => `${fmt(mbOf(r.b.runnerPeakRssKb), 1)} ${pf(mbOf(r.b.runnerPeakRssKb) <= TARGET.peakRssMB)}`,
  );
  row(
    "   the same in MiB; max sampled VmRSS, MiB",
    (r) => `${fmt(mibOf(r.b.runnerPeakRssKb), 1)}; ${fmt(mibOf(r.b.runnerMaxSampledRssKb), 1)}`,
  );
  row("   with no job (run --once, empty claim), MiB", () => fmt(mibOf(idle.peakRssKb), 1));
  row(
    "peak RSS pg_dump / zstd (separate processes), MiB",
    (r) => `${fmt(mibOf(r.b.pgDumpPeakRssKb), 1)} / ${fmt(mibOf(r.b.zstdPeakRssKb), 1)}`,
  );
  row("CPU s during b: postgres backends", (r) => fmt(r.b.cpuMs.postgresBackends / 1000, 1));
  row("   pg_dump / zstd", (r) => `${fmt(r.b.cpuMs.pgDump / 1000, 1)} / ${fmt(r.b.cpuMs.zstd / 1000, 1)}`);
  row(
    "   runner (node) / s3rver (+ this bench) / workerd",
    (r) =>
      `${fmt(r.b.cpuMs.runnerNode / 1000, 1)} / ${fmt(r.b.cpuMs.s3rverAndBench / 1000, 1)} / ${fmt(r.b.cpuMs.workerd / 1000, 1)}`,
  );
  row("   shares: runner tree / backends / s3rver / workerd", (r) => {
    const c = r.b.cpuMs;
    const all = sumCpu(r.b);
    const tree = (c.runnerNode ?? 0) + (c.pgDumpAndZstdReaped ?? 0);
    return (
      [tree, c.postgresBackends, c.s3rverAndBench, c.workerd].map((v) => fmt((100 * (v ?? 0)) / all, 0)).join("/") +
      " %"
    );
  });
  row("   runner: user / system; main thread / other threads", (r) => {
    const c = r.b.runnerCpu;
    return `${fmt(c.userMs / 1000, 1)} / ${fmt(c.systemMs / 1000, 1)}; ${fmt(c.mainThreadMs / 1000, 1)} / ${fmt(c.otherThreadsMs / 1000, 1)}`;
  });
  row(`   all ours ÷ (${cpuCount} cores × process wall)`, (r) =>
    fmt(sumCpu(r.b) / (cpuCount * r.b.processSeconds * 1000), 2),
  );
  row("   other processes on the machine, CPU s", (r) => fmt(r.b.otherCpuMs / 1000, 1));
  row("while streaming (sampled window), s", (r) => fmt(r.b.stream?.wallMs / 1000, 2));
  row("   machine busy ÷ all cores (1.0 = CPU-bound)", (r) =>
    fmt(r.b.stream && r.b.stream.machineBusyMs / (cpuCount * r.b.stream.wallMs), 2),
  );
  row("   cores used: backends/pg_dump+zstd/node/s3rver", (r) =>
    r.b.stream
      ? ["backends", "pgDumpZstd", "node", "s3rverAndBench"]
          .map((k) => fmt(r.b.stream[k] / r.b.stream.wallMs, 2))
          .join("/")
      : "–",
  );
  row("other processes during a (pg_dump -Fc), CPU s", (r) => fmt(r.a.sample.otherCpuMs / 1000, 1));
  const [small, large] = rounds;
  const growth = large ? large.b.runnerPeakRssKb / small.b.runnerPeakRssKb : undefined;
  if (large)
    console.log(
      `runner peak RSS at ${large.label} ÷ at ${small.label}: ${fmt(growth, 3)} (does not grow: ≤ ${TARGET.rssGrowth}) ${pf(growth <= TARGET.rssGrowth)}`,
    );
  console.log(
    `bench wall time ${fmt(benchSeconds, 0)} s (data load ${fmt(
      loads.reduce((s, l) => s + l.loadSeconds, 0),
      0,
    )} s)`,
  );

  const result = {
    cpus: cpuCount,
    sizes: rounds.map((r, i) => ({
      label: r.label,
      databaseMiB: round(r.data.databaseBytes / MiB, 1),
      tablesMiB: round(r.data.tableBytes / MiB, 1),
      rows: Object.fromEntries(Object.entries(r.data.tables).map(([t, v]) => [t, v.rows])),
      loadSeconds: round(loads[i].loadSeconds, 1),
      rawDumpMiB: round(r.b.rawBytes / MiB, 1),
      pgDumpFc: {
        seconds: round(r.a.seconds, 3),
        fileMiB: round(r.a.bytes / MiB, 2),
        fileBytes: r.a.bytes,
        rawMiBPerSecond: round(r.b.rawBytes / MiB / r.a.seconds, 1),
        cpuSeconds: { pgDump: round(r.a.pgDumpCpuMs / 1000, 2), postgresBackend: round(r.a.backendCpuMs / 1000, 2) },
        peakRssMiB: round(mibOf(r.a.pgDumpPeakRssKb), 1),
        otherCpuSeconds: round(r.a.sample.otherCpuMs / 1000, 1),
      },
      pipeline: {
        command: `pg_dump -Fc -Z0 | zstd ${ZSTD_ARGS.join(" ")} | sha256sum`,
        seconds: round(r.p.seconds, 3),
        zstd: r.p.zstdSummary,
        cpuSeconds: Object.fromEntries(Object.entries(r.p.cpuMs).map(([k, v]) => [k, round(v / 1000, 2)])),
        otherCpuSeconds: round(r.p.sample.otherCpuMs / 1000, 1),
      },
      walwarden: {
        claimToCompletedSeconds: round(r.b.claimToCompletedSeconds, 3),
        claimToCompletedLessCompleteSeconds: round(r.b.claimToCompletedLessCompleteSeconds, 3),
        s3rver: Object.fromEntries(
          [
            "parts",
            "completeSeconds",
            "completeCpuSeconds",
            "lastPartToCompleteSeconds",
            "lastPartToCompleteAnsweredSeconds",
          ].map((k) => [k, k === "parts" ? r.b.s3rverTiming.parts : round(r.b.s3rverTiming[k], 3)]),
        ),
        backupDurationSeconds: round(r.b.backupDurationSeconds, 3),
        logStartedToCompletedSeconds: round(r.b.logStartedToCompletedSeconds, 3),
        phasesSeconds: Object.fromEntries(Object.entries(r.b.phases).map(([k, v]) => [k, round(v, 2)])),
        processSeconds: round(r.b.processSeconds, 3),
        rawMiBPerSecond: round(r.b.rawBytes / MiB / r.b.claimToCompletedSeconds, 1),
        storedMiB: round(r.b.storedBytes / MiB, 2),
        storedBytes: r.b.storedBytes,
        rawBytes: r.b.rawBytes,
        sha256: r.b.sha256,
        runnerPeakRssMB: round(mbOf(r.b.runnerPeakRssKb), 1),
        runnerPeakRssMiB: round(mibOf(r.b.runnerPeakRssKb), 1),
        runnerMaxSampledRssMiB: round(mibOf(r.b.runnerMaxSampledRssKb), 1),
        pgDumpPeakRssMiB: round(mibOf(r.b.pgDumpPeakRssKb), 1),
        zstdPeakRssMiB: round(mibOf(r.b.zstdPeakRssKb), 1),
        cpuSeconds: Object.fromEntries(Object.entries(r.b.cpuMs).map(([k, v]) => [k, round((v ?? 0) / 1000, 2)])),
        runnerCpuSeconds: {
          user: round(r.b.runnerCpu.userMs / 1000, 2),
          system: round(r.b.runnerCpu.systemMs / 1000, 2),
          mainThread: round(r.b.runnerCpu.mainThreadMs / 1000, 2),
          otherThreads: round(r.b.runnerCpu.otherThreadsMs / 1000, 2),
        },
        otherCpuSeconds: round(r.b.otherCpuMs / 1000, 1),
        streamingWindow: r.b.stream && {
          seconds: round(r.b.stream.wallMs / 1000, 2),
          machineBusyFraction: round(r.b.stream.machineBusyMs / (cpuCount * r.b.stream.wallMs), 2),
          coresUsed: Object.fromEntries(
            ["backends", "pgDumpZstd", "node", "s3rverAndBench"].map((k) => [
              k,
              round(r.b.stream[k] / r.b.stream.wallMs, 2),
            ]),
          ),
        },
        workerReloadedDuring: r.b.workerReloadedDuring,
        checked: "job succeeded; object SHA-256 = runner log = Worker record = signed manifest",
      },
      ratio: round(r.ratio, 3),
      pipelineRatio: round(r.pipelineRatio, 3),
      pipelineRatioLessComplete: round(r.pipelineRatioLessComplete, 3),
      artifactRatio: round(r.artifactRatio, 3),
      pass: {
        ratio: r.ratio <= TARGET.ratio,
        pipelineRatio: r.pipelineRatio <= TARGET.pipelineRatio,
        artifactRatio: r.artifactRatio <= TARGET.artifactRatio,
        peakRss: mbOf(r.b.runnerPeakRssKb) <= TARGET.peakRssMB,
      },
    })),
    rssGrowth: round(growth, 3),
    runnerIdle: {
      peakRssMiB: round(mibOf(idle.peakRssKb), 1),
      seconds: round(idle.seconds, 2),
      cpuSeconds: round(idle.cpuMs / 1000, 2),
    },
    targets: TARGET,
    pass: {
      ratio: rounds.every((r) => r.ratio <= TARGET.ratio),
      pipelineRatio: rounds.every((r) => r.pipelineRatio <= TARGET.pipelineRatio),
      artifactRatio: rounds.every((r) => r.artifactRatio <= TARGET.artifactRatio),
      peakRss: rounds.every((r) => mbOf(r.b.runnerPeakRssKb) <= TARGET.peakRssMB),
      rssDoesNotGrow: growth === undefined ? null : growth <= TARGET.rssGrowth,
      sizeCovered:
        rounds[0].data.databaseBytes >= 250 * MiB && (large ? large.data.databaseBytes >= 1024 * MiB : false),
    },
    benchSeconds: round(benchSeconds, 0),
  };
  console.log(JSON.stringify(result));
}

/** How many times wrangler reloaded the Worker so far. */
function workerReloads(dev) {
  return dev.stdout.split("Reloading local server").length - 1;
}

function sumCpu(b) {
  const c = b.cpuMs;
  return (
    (c.runnerNode ?? 0) +
    (c.pgDumpAndZstdReaped ?? 0) +
    (c.postgresBackends ?? 0) +
    (c.s3rverAndBench ?? 0) +
    (c.workerd ?? 0)
  );
}
