import { parseArgs } from "node:util";
import { formatCheckTable, runChecks } from "../check/check.js";
import { loadConfig } from "../config/load-config.js";
import { createContext } from "../context.js";
import { startHealthServer } from "../health/health-server.js";
import { knownSecrets } from "../log/known-secrets.js";
import { createLogger } from "../log/logger.js";
import { JobLoop } from "../loop/job-loop.js";
import { RUNNER_VERSION } from "../version.js";

const HELP = `walwarden-runner ${RUNNER_VERSION}: runs Walwarden backup jobs in your network.

Usage:
  walwarden-runner run   [--config FILE] [--once]   claim and run backup and restore-drill jobs until SIGTERM
  walwarden-runner check [--config FILE] [--json]   test each database (and what its backup will read), the bucket, zstd and the API
  walwarden-runner --version | --help

--config FILE  JSON configuration (also WALWARDEN_RUNNER_CONFIG); environment variables override it
--once         run the jobs that are queued now, then exit (exit 1 if any failed or is left pending)
--json         print the check results as JSON

Settings (file key / environment variable): api / WALWARDEN_API, token / WALWARDEN_RUNNER_TOKEN,
databases / WALWARDEN_DATABASES ({"<database id>": "postgres://…"}; or WALWARDEN_DATABASE_ID with
libpq's PG* variables), bucket.bucket / WALWARDEN_S3_BUCKET, bucket.region / WALWARDEN_S3_REGION,
bucket.endpoint / WALWARDEN_S3_ENDPOINT, bucket.forcePathStyle / WALWARDEN_S3_FORCE_PATH_STYLE,
bucket.prefix / WALWARDEN_S3_PREFIX. Bucket credentials come from the AWS default chain unless
bucket.accessKeyId and bucket.secretAccessKey are set. runner/README.md lists every setting.

Exit status: 0 ok, 1 a check or job failed, 2 bad usage or configuration.
`;

/** Runs the runner with arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (typeof parsed === "string") return usage(parsed);
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${RUNNER_VERSION}\n`);
    return 0;
  }
  const [command = "run", ...rest] = positionals;
  if (command !== "run" && command !== "check") return usage(`unknown command ${command}`);
  if (rest.length) return usage(`unexpected arguments: ${rest.join(" ")}`);
  if (command === "check" && values.once) return usage("--once goes with run");
  if (command === "run" && values.json) return usage("--json goes with check");

  const config = await loadConfig(values.config ?? env.WALWARDEN_RUNNER_CONFIG, env);
  if (!config.ok) {
    process.stderr.write(`walwarden-runner: ${config.message}\n`);
    return 2;
  }
  if (command === "check") {
    const rows = await runChecks(config.value, env);
    process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatCheckTable(rows));
    return rows.every((r) => r.ok) ? 0 : 1;
  }

  const log = createLogger(undefined, undefined, knownSecrets(config.value, env));
  const ctx = await createContext(config.value, env, log);
  const loop = new JobLoop(ctx);
  let failed = 0;
  loop.onOutcome = (o) => {
    if (o.status === "failed" || (o.status === "drilled" && o.outcome === "failed")) failed++;
  };
  let health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  if (config.value.healthPort >= 0) {
    try {
      health = await startHealthServer(loop.state, config.value.healthHost, config.value.healthPort);
    } catch (e) {
      process.stderr.write(
        `walwarden-runner: cannot serve /healthz on ${config.value.healthHost}:${config.value.healthPort}: ${(e as Error).message} (set healthPort, -1 turns it off)\n`,
      );
      return 2;
    }
  }
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn({ event: "runner.exit_now", signal: sig }, "second signal: exiting now");
      process.exit(130);
    }
    log.info(
      { event: "runner.stopping", signal: sig },
      "stopping: no new claims; cancelling running jobs (their uploads are aborted and they are re-queued)",
    );
    loop.stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  log.info(
    {
      event: "runner.started",
      api: config.value.api,
      databases: Object.keys(config.value.databases),
      bucket: config.value.bucket.bucket,
      prefix: config.value.bucket.prefix,
      concurrency: config.value.concurrency,
      drills: config.value.drills.enabled,
      healthPort: health?.port ?? null,
    },
    "runner started",
  );
  try {
    await loop.cleanUpAfterCrash();
    await loop.cleanUpDrills();
    await loop.run({ once: values.once });
  } catch (e) {
    log.error({ event: "runner.failed", reason: (e as Error).message }, "runner stopped on an error");
    return 1;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    health?.server.close();
    ctx.s3.destroy();
  }
  log.info({ event: "runner.stopped", ...loop.state }, "runner stopped");
  // --once fails when a job failed, or when an uploaded backup's completion is still pending (the next run finishes it).
  return values.once && (failed > 0 || ctx.completions.size > 0) ? 1 : 0;
}

/** The parsed command line, or parseArgs' complaint. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        once: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    return (e as Error).message;
  }
}

function usage(message: string): number {
  process.stderr.write(`walwarden-runner: ${message}\nRun walwarden-runner --help for usage.\n`);
  return 2;
}
