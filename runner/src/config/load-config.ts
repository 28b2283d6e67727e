import { readFile } from "node:fs/promises";
import { err, ok, type Result } from "@walwarden/verifier";
import type { z } from "zod";
import { RunnerConfigSchema, type RunnerConfig } from "./schema.js";

/** Environment variables the runner reads, each naming the setting it overrides. */
export const ENV_SETTINGS = {
  WALWARDEN_API: "api",
  WALWARDEN_RUNNER_TOKEN: "token",
  WALWARDEN_DATABASES: "databases",
  WALWARDEN_S3_BUCKET: "bucket.bucket",
  WALWARDEN_S3_REGION: "bucket.region",
  WALWARDEN_S3_ENDPOINT: "bucket.endpoint",
  WALWARDEN_S3_FORCE_PATH_STYLE: "bucket.forcePathStyle",
  WALWARDEN_S3_PREFIX: "bucket.prefix",
  WALWARDEN_S3_OBJECT_LOCK_MODE: "bucket.objectLock.mode",
  WALWARDEN_S3_OBJECT_LOCK_DAYS: "bucket.objectLock.retainDays",
  WALWARDEN_COMPRESSION: "compression.algorithm",
  WALWARDEN_COMPRESSION_LEVEL: "compression.level",
  WALWARDEN_CONCURRENCY: "concurrency",
  WALWARDEN_POLL_SECONDS: "pollSeconds",
  WALWARDEN_HEARTBEAT_SECONDS: "heartbeatSeconds",
  WALWARDEN_PG_BIN_DIRS: "pgBinDirs",
  WALWARDEN_STATE_DIR: "stateDir",
  WALWARDEN_HEALTH_PORT: "healthPort",
  WALWARDEN_DRILLS_ENABLED: "drills.enabled",
  WALWARDEN_DRILL_JOBS: "drills.jobs",
  WALWARDEN_DRILL_SERVER: "drills.server",
  WALWARDEN_PRUNE_ENABLED: "prune.enabled",
} as const;

const NUMERIC = new Set([
  "bucket.objectLock.retainDays",
  "compression.level",
  "concurrency",
  "pollSeconds",
  "heartbeatSeconds",
  "healthPort",
  "drills.jobs",
]);
const BOOLEAN = new Set(["bucket.forcePathStyle", "drills.enabled", "prune.enabled"]);

/** Why the configuration could not be loaded. */
export type ConfigErrorCode = "unreadable" | "invalid";

/**
 * Loads the configuration: the JSON file at `path` (if any), then environment overrides, validated as a
 * whole. Every problem is listed with the setting's path and, where one exists, its environment variable.
 */
export async function loadConfig(
  path: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Result<RunnerConfig, ConfigErrorCode>> {
  let file: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      return err(
        "unreadable",
        `cannot read the config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        return err("invalid", `${path}: the config file must hold a JSON object`);
      file = parsed as Record<string, unknown>;
    } catch (e) {
      return err("invalid", `${path} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const value = envValue(name, setting, raw, problems);
    if (value !== undefined) setPath(file, setting.split("."), value);
  }
  // One database from libpq's own environment (PGHOST, PGUSER, PGSERVICE…): WALWARDEN_DATABASE_ID names it.
  if (env.WALWARDEN_DATABASE_ID) setPath(file, ["databases", env.WALWARDEN_DATABASE_ID], {});
  if (problems.length) return err("invalid", problems.join("\n"));
  const parsed = RunnerConfigSchema.safeParse(file);
  if (!parsed.success) return err("invalid", describeProblems(parsed.error, path));
  return ok(parsed.data);
}

function envValue(name: string, setting: string, raw: string, problems: string[]): unknown {
  if (setting === "databases") {
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
      // Shorthand: {"db_id": "postgres://…"} means {"db_id": {"url": "postgres://…"}}.
      return Object.fromEntries(Object.entries(v).map(([id, d]) => [id, typeof d === "string" ? { url: d } : d]));
    } catch {
      problems.push(
        `${name}: expected a JSON object of database id → connection string or settings, e.g. {"db_main":"postgres://backup@db.example/app"}`,
      );
      return undefined;
    }
  }
  if (setting === "pgBinDirs") return raw.split(":").filter(Boolean);
  if (NUMERIC.has(setting)) {
    const n = Number(raw);
    if (!Number.isFinite(n)) problems.push(`${name} (${setting}): expected a number, got ${JSON.stringify(raw)}`);
    return n;
  }
  if (BOOLEAN.has(setting)) {
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    problems.push(`${name} (${setting}): expected true or false, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return raw;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = node[key] =
      typeof next === "object" && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
  }
  node[path[path.length - 1]!] = value;
}

const ENV_OF = Object.fromEntries(Object.entries(ENV_SETTINGS).map(([name, setting]) => [setting, name]));

/** One line per problem: `setting (ENV_VAR): what is wrong`. Never echoes a value (it may be a secret). */
function describeProblems(error: z.ZodError, path: string | undefined): string {
  const lines = error.issues.map((issue) => {
    const setting = issue.path.map(String).join(".") || "(config)";
    const envName = ENV_OF[setting];
    const missing = issue.code === "invalid_type" && issue.message.includes("received undefined");
    const what = missing ? "is required but not set" : issue.message;
    return `  ${setting}${envName ? ` (env ${envName})` : ""}: ${what}`;
  });
  return `invalid runner configuration${path ? ` (${path} and environment)` : " (environment)"}:\n${lines.join("\n")}`;
}
