import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENV_SETTINGS, loadConfig } from "@walwarden/runner";
import type { DatabaseRpo, Runner } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import {
  BUCKET_PLACEHOLDER,
  DATABASE_ID_PLACEHOLDER,
  DATABASE_URL_PLACEHOLDER,
  hasNoBackup,
  jobWords,
  onboardingSteps,
  type OnboardingState,
  problemsAt,
  refusalAt,
  runnerFiles,
  SCHEDULE_CHOICES,
  shellQuote,
} from "./onboarding.js";
import { checkDatabase, checkRunnerName, checkSetup } from "./onboarding-checks.js";

const TOKEN = `wwr_${"A1b2_C3-d4".repeat(4)}xyz`;
const API = "https://walwarden.example.com";
const DB_URL = "postgres://backup:s3cret@db.internal:5432/shop";

const rpo = (over: Partial<DatabaseRpo> = {}): DatabaseRpo => ({
  databaseId: "db_shop",
  name: "shop",
  provider: "neon",
  targetRpoMinutes: null,
  lastBackup: null,
  ageSeconds: null,
  status: "no-target",
  ...over,
});
const runner = (over: Partial<Runner> = {}): Runner => ({
  id: "rnr_1",
  name: "prod-eu",
  createdAt: "2026-12-01T10:00:00.000Z",
  lastSeenAt: null,
  version: null,
  revokedAt: null,
  vkey: null,
  keyRegisteredAt: null,
  ...over,
});
const empty: OnboardingState = {
  databases: [],
  runners: [],
  bucketCredentials: 0,
  channels: 0,
  drilledDatabaseIds: [],
};
const doneOf = (s: OnboardingState) => Object.fromEntries(onboardingSteps(s).map((x) => [x.id, x.done]));

describe("the checklist", () => {
  it("has every step to do in an empty org, in the order a new team takes them", () => {
    const steps = onboardingSteps(empty);
    expect(steps.map((s) => s.id)).toEqual(["database", "runner", "connected", "backup", "bucket", "channel", "drill"]);
    expect(steps.every((s) => !s.done)).toBe(true);
    expect(steps.find((s) => s.id === "connected")!.detail).toBe("Register a runner first.");
  });

  it("ticks each step from the API's state only", () => {
    const scheduled = rpo({ targetRpoMinutes: 1560, status: "at-risk" });
    expect(doneOf({ ...empty, databases: [rpo()] }).database).toBe(false); // a database without a schedule
    expect(onboardingSteps({ ...empty, databases: [rpo()] })[0]!.detail).toContain("shop has no schedule yet");
    expect(doneOf({ ...empty, databases: [scheduled] }).database).toBe(true);
    expect(onboardingSteps({ ...empty, databases: [scheduled] })[0]!.detail).toBe("shop: target RPO 26 h.");

    const registered = { ...empty, runners: [runner()] };
    expect(doneOf(registered)).toMatchObject({ runner: true, connected: false });
    expect(onboardingSteps(registered)[2]!.detail).toContain("Waiting for prod-eu to poll the API");
    // A revoked runner counts for neither step.
    expect(
      doneOf({ ...empty, runners: [runner({ revokedAt: "2026-12-02T00:00:00.000Z", lastSeenAt: "x" })] }),
    ).toMatchObject({ runner: false, connected: false });
    const seen = { ...empty, runners: [runner({ lastSeenAt: "2026-12-01T10:01:00.000Z", version: "0.1.0" })] };
    expect(doneOf(seen).connected).toBe(true);
    expect(onboardingSteps(seen)[2]!.detail).toBe("prod-eu polled the API (version 0.1.0).");

    const backup = {
      id: "bkp_1",
      completedAt: "2026-12-01T10:05:00.000Z",
      sizeBytes: 1,
      sha256: "a".repeat(64),
      manifestSha256: "b".repeat(64),
    };
    expect(doneOf({ ...empty, databases: [rpo({ lastBackup: backup })] }).backup).toBe(true);
    expect(doneOf({ ...empty, bucketCredentials: 1 }).bucket).toBe(true);
    expect(doneOf({ ...empty, channels: 2 }).channel).toBe(true);
    expect(doneOf({ ...empty, databases: [rpo()], drilledDatabaseIds: ["db_shop"] }).drill).toBe(true);
    // A drill policy of a database that is gone does not count.
    expect(doneOf({ ...empty, databases: [rpo()], drilledDatabaseIds: ["db_gone"] }).drill).toBe(false);
  });

  it("links from the databases screen while no database has a backup", () => {
    expect(hasNoBackup([])).toBe(true);
    expect(hasNoBackup([rpo(), rpo({ databaseId: "db_2" })])).toBe(true);
    expect(
      hasNoBackup([
        rpo(),
        rpo({
          lastBackup: {
            id: "b",
            completedAt: "2026-12-01T10:05:00.000Z",
            sizeBytes: 1,
            sha256: "a",
            manifestSha256: "b",
          },
        }),
      ]),
    ).toBe(false);
  });

  it("words the first backup's job as it goes", () => {
    const bytes = (n: number) => `${n} B`;
    const job = { attempt: 0, maxAttempts: 3, lastError: null, progress: null };
    expect(jobWords({ ...job, status: "queued" }, bytes)).toMatch(/^Queued: waiting for the runner/);
    expect(
      jobWords({ ...job, status: "leased", attempt: 1, progress: { phase: "uploading", bytes: 512 } }, bytes),
    ).toBe("Running: uploading, 512 B so far.");
    expect(jobWords({ ...job, status: "queued", attempt: 1, lastError: "pg_dump: refused" }, bytes)).toBe(
      "Queued again for attempt 2 of 3. Last attempt failed: pg_dump: refused",
    );
    expect(jobWords({ ...job, status: "failed", attempt: 3, lastError: "pg_dump: refused" }, bytes)).toBe(
      "Failed after 3 of 3 attempt(s): pg_dump: refused",
    );
    expect(jobWords({ ...job, status: "succeeded", attempt: 1 }, bytes)).toMatch(/^Completed/);
  });
});

/** The -e NAME=value and -e NAME (from the host) of a docker run line, as a POSIX shell reads them. */
function dockerEnv(line: string, host: Record<string, string>): Record<string, string> {
  const words: string[] = [];
  let word: string | undefined;
  const text = line.replaceAll("\\\n", " ");
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (c === "\\") {
      word = (word ?? "") + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  const env: Record<string, string> = {};
  words.forEach((w, i) => {
    if (words[i - 1] !== "-e") return;
    const eq = w.indexOf("=");
    if (eq < 0) env[w] = host[w] ?? "";
    else env[w.slice(0, eq)] = w.slice(eq + 1);
  });
  return env;
}

/** The environment: block of the compose file (each value single-quoted, or ${HOST} interpolated). */
function composeEnv(yaml: string, host: Record<string, string>): Record<string, string> {
  const block = yaml.split("    environment:\n")[1]!.split("    volumes:")[0]!;
  return Object.fromEntries(
    block
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const m = /^ {6}([A-Z0-9_]+): (.*)$/.exec(l)!;
        const v = m[2]!;
        const value = v.startsWith("'")
          ? v.slice(1, -1).replaceAll("''", "'")
          : (host[/^\$\{(\w+)\}$/.exec(v)![1]!] ?? "");
        return [m[1]!, value];
      }),
  );
}

const dir = mkdtempSync(join(tmpdir(), "ww-onboarding-"));
const withUrl = (text: string) => text.replaceAll(DATABASE_URL_PLACEHOLDER, DB_URL);

describe("the runner's files", () => {
  const inputs = {
    api: API,
    token: TOKEN,
    databases: [{ id: "db_shop", provider: "neon" as const }],
    bucket: { bucket: "acme-backups", region: "eu-west-1", endpoint: "" },
  };
  const host = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret-example" };

  it("runner.json is the runner's own configuration: the API, the token, the database ids and the bucket", async () => {
    const files = runnerFiles(inputs);
    const config = JSON.parse(files.runnerJson);
    expect(config).toEqual({
      api: API,
      token: TOKEN,
      databases: { db_shop: { url: DATABASE_URL_PLACEHOLDER, provider: "neon" } },
      bucket: { bucket: "acme-backups", region: "eu-west-1", prefix: "walwarden" },
    });
    const path = join(dir, "runner.json");
    writeFileSync(path, withUrl(files.runnerJson));
    const loaded = await loadConfig(path, {});
    expect(loaded.ok, loaded.ok ? "" : loaded.message).toBe(true);
    if (loaded.ok) {
      expect(loaded.value.api).toBe(API);
      expect(loaded.value.databases.db_shop?.url).toBe(DB_URL);
      expect(loaded.value.bucket).toMatchObject({ bucket: "acme-backups", region: "eu-west-1", forcePathStyle: false });
    }
  });

  it("the docker run line and compose file set the runner's documented variables, and load as the same configuration", async () => {
    const files = runnerFiles({ ...inputs, bucket: { ...inputs.bucket, endpoint: "https://r2.example.com" } });
    const known = new Set([...Object.keys(ENV_SETTINGS), "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    for (const env of [dockerEnv(withUrl(files.dockerRun), host), composeEnv(withUrl(files.compose), host)]) {
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      expect(env).toMatchObject({
        WALWARDEN_API: API,
        WALWARDEN_RUNNER_TOKEN: TOKEN,
        WALWARDEN_S3_ENDPOINT: "https://r2.example.com",
        WALWARDEN_S3_FORCE_PATH_STYLE: "true",
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
      });
      const loaded = await loadConfig(undefined, env);
      expect(loaded.ok, loaded.ok ? "" : loaded.message).toBe(true);
      if (loaded.ok) {
        expect(loaded.value.databases.db_shop?.url).toBe(DB_URL);
        expect(loaded.value.bucket).toMatchObject({
          bucket: "acme-backups",
          endpoint: "https://r2.example.com",
          forcePathStyle: true,
        });
      }
    }
    expect(files.dockerRun).toMatch(/^docker run -d --name walwarden-runner /);
    expect(files.dockerRun).toMatch(/ walwarden-runner$/);
    // The bucket's keys are never written into a file: they come from the host's environment.
    expect(files.dockerRun).toContain("-e AWS_SECRET_ACCESS_KEY \\\n");
    expect(files.compose).toContain(`AWS_SECRET_ACCESS_KEY: ${"$"}{AWS_SECRET_ACCESS_KEY}`);
  });

  it("with no database yet the files hold a placeholder the runner refuses, and an empty bucket a placeholder name", async () => {
    const files = runnerFiles({ ...inputs, databases: [], bucket: { bucket: "", region: "", endpoint: "" } });
    const config = JSON.parse(files.runnerJson);
    expect(Object.keys(config.databases)).toEqual([DATABASE_ID_PLACEHOLDER]);
    expect(config.bucket).toEqual({ bucket: BUCKET_PLACEHOLDER, region: "us-east-1", prefix: "walwarden" });
    const path = join(dir, "placeholder.json");
    writeFileSync(path, withUrl(files.runnerJson));
    const loaded = await loadConfig(path, {});
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.message).toContain("databases");
  });

  it("quotes for the shell only what needs it", () => {
    expect(shellQuote("https://a.example/x")).toBe("https://a.example/x");
    expect(shellQuote('{"db":"postgres://u:p@h/d"}')).toBe(`'{"db":"postgres://u:p@h/d"}'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe("the forms, checked with the API's schemas", () => {
  it("first run: each problem at its field, the repeated password too, and the exact body when it passes", () => {
    const bad = checkSetup({ orgName: " ", email: "not-an-email", password: "short", repeat: "short" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.problems).sort()).toEqual(["email", "orgName", "password"]);
      expect(bad.problems.password).toBe("use at least 12 characters");
    }
    const differ = checkSetup({
      orgName: "Acme",
      email: "ada@acme.test",
      password: "correct horse battery",
      repeat: "correct horse batery",
    });
    expect(differ).toEqual({ ok: false, problems: { repeat: "the two passwords differ: type the same one twice" } });
    expect(
      checkSetup({
        orgName: "Acme",
        email: " ada@acme.test ",
        password: "correct horse battery",
        repeat: "correct horse battery",
      }),
    ).toEqual({ ok: true, body: { orgName: "Acme", email: "ada@acme.test", password: "correct horse battery" } });
  });

  it("a runner's name", () => {
    expect(checkRunnerName("prod-eu")).toEqual({ ok: true, body: { name: "prod-eu" } });
    const bad = checkRunnerName("   ");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.problems)).toEqual(["name"]);
  });

  it("a database and its schedule: the zone, the target and the name at their fields", () => {
    const daily = SCHEDULE_CHOICES.find((c) => c.id === "daily")!;
    const form = {
      name: "shop",
      provider: "neon" as const,
      schedule: daily,
      timezone: "Europe/Oslo",
      targetRpoMinutes: "1560",
    };
    expect(checkDatabase(form)).toEqual({
      ok: true,
      body: {
        database: { name: "shop", provider: "neon" },
        schedule: { cron: "0 3 * * *", timezone: "Europe/Oslo", targetRpoMinutes: 1560, enabled: true },
      },
    });
    const bad = checkDatabase({ ...form, name: "", timezone: "Mars/Olympus", targetRpoMinutes: "2" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(Object.keys(bad.problems).sort()).toEqual(["name", "targetRpoMinutes", "timezone"]);
      expect(bad.problems.timezone).toBe("not a known IANA time zone");
    }
    const words = checkDatabase({ ...form, targetRpoMinutes: "a day" });
    expect(!words.ok && words.problems.targetRpoMinutes).toBe("a whole number of minutes, e.g. 1560");
    // The schedule alone, for a database that exists: its name is not checked again.
    expect(checkDatabase({ ...form, name: "" }, false).ok).toBe(true);
    // Every choice's target leaves room for one late run.
    for (const c of SCHEDULE_CHOICES)
      expect(checkDatabase({ ...form, schedule: c, targetRpoMinutes: String(c.targetRpoMinutes) }).ok).toBe(true);
  });

  it("places the API's refusals and schema issues at their fields, anything else on the form", () => {
    expect(refusalAt("invalid body: password: use at least 12 characters", ["password"])).toEqual({
      password: "use at least 12 characters",
    });
    expect(refusalAt("invalid body: cron: not a cron expression", ["schedule"], { cron: "schedule" })).toEqual({
      schedule: "not a cron expression",
    });
    expect(refusalAt("invalid body: other: nope", ["name"])).toEqual({ form: "invalid body: other: nope" });
    expect(refusalAt("an admin exists", ["name"])).toEqual({ form: "an admin exists" });
    expect(
      problemsAt(
        [
          { path: ["x"], message: "m" },
          { path: ["name"], message: "first" },
          { path: ["name"], message: "second" },
        ],
        ["name"],
      ),
    ).toEqual({ form: "x: m", name: "first" });
  });
});
