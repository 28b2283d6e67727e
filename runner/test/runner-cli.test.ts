// The walwarden-runner program as an operator meets it: `check` against real parts, configuration
// errors, /healthz, and a clean exit on SIGTERM when idle.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedPgBinDir, startCluster, type Cluster } from "@walwarden/testing/postgres";
import {
  addDatabase,
  runRunner,
  runnerConfig,
  startParts,
  startRunner,
  type Parts,
} from "@walwarden/testing/runner-parts";

let parts: Parts;
let newer: Cluster;

beforeAll(async () => {
  parts = await startParts();
  await parts.pg.createDatabase("app");
  newer = await startCluster({ binDir: embeddedPgBinDir(), name: "pg18-check" });
}, 240_000);
afterAll(async () => {
  await newer?.stop();
  await parts?.stop();
});

describe("walwarden-runner check", () => {
  it("prints a table of what works and exits 0 when everything does", async () => {
    const id = await addDatabase(parts, "app");
    const { path } = runnerConfig(parts, { [id]: { url: parts.pg.url("app") } });
    const r = await runRunner(["check", "--config", path]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^CHECK\s+RESULT\s+DETAIL$/);
    expect(rows.find((l) => l.startsWith(`database ${id}`))).toMatch(
      /ok\s+PostgreSQL 15\.\d+ at postgres@127\.0\.0\.1:\d+\/app; pg_dump 15\.\d+ \(.*pg_dump\) can dump it/,
    );
    expect(rows.find((l) => l.startsWith("bucket acme-backups"))).toMatch(
      /ok\s+wrote and deleted walwarden\/\.walwarden-check\//,
    );
    expect(rows.find((l) => l.startsWith("compressor zstd"))).toMatch(/ok\s+\*\*\* Zstandard|ok\s+.*zstd/i);
    expect(rows.find((l) => l.startsWith("api"))).toMatch(/ok\s+http:\/\/127\.0\.0\.1:\d+ publishes 2 keys/);
    expect(r.stdout).not.toContain(parts.pg.password);
  });

  it("marks each broken part FAIL with the reason, and exits 1", async () => {
    const { path } = runnerConfig(
      parts,
      {
        db_badpw: { url: parts.pg.url("app", "postgres", "wrong-password") },
        db_newer: { url: newer.url("postgres") },
        db_nodb: { url: parts.pg.url("no_such_db") },
      },
      {},
    );
    // Same config but a bucket that does not exist.
    const cfg = JSON.parse(await import("node:fs/promises").then((fs) => fs.readFile(path, "utf8")));
    cfg.bucket.bucket = "no-such-bucket";
    writeFileSync(path, JSON.stringify(cfg));
    const r = await runRunner(["check", "--json", "--config", path]);
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout) as { check: string; ok: boolean; detail: string }[];
    const row = (name: string) => rows.find((x) => x.check === name)!;
    expect(row("database db_badpw")).toMatchObject({ ok: false });
    expect(row("database db_badpw").detail).toMatch(/password authentication failed/);
    expect(row("database db_newer").detail).toMatch(
      /the server runs PostgreSQL 18\.\d+ but the newest pg_dump here is 15\.\d+/,
    );
    expect(row("database db_nodb").detail).toMatch(/database "no_such_db" does not exist/);
    expect(row("bucket no-such-bucket")).toMatchObject({ ok: false });
    expect(row("bucket no-such-bucket").detail).toMatch(/NoSuchBucket/);
    expect(row("api").ok).toBe(true);
    expect(r.stdout).not.toContain("wrong-password");
  });
});

describe("configuration errors", () => {
  it("exit 2 with every problem named by its setting and variable, before anything runs", async () => {
    const r = await runRunner(["run", "--once"], {
      WALWARDEN_API: "not a url",
      WALWARDEN_RUNNER_TOKEN: "tooshort",
      WALWARDEN_S3_BUCKET: "b",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid runner configuration (environment)");
    expect(r.stderr).toContain("api (env WALWARDEN_API)");
    expect(r.stderr).toContain("token (env WALWARDEN_RUNNER_TOKEN): the runner token is at least 32 characters");
    expect(r.stderr).toContain("databases (env WALWARDEN_DATABASES): is required but not set");
    expect(r.stderr).toContain("bucket.bucket (env WALWARDEN_S3_BUCKET)");
    expect(r.stderr).not.toContain("tooshort");
    expect(r.stdout).toBe("");
  });

  it("rejects unknown commands and flags with usage", async () => {
    expect((await runRunner(["backup"])).code).toBe(2);
    const r = await runRunner(["run", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--bogus'/);
    const help = await runRunner(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("walwarden-runner check");
  });
});

describe("run --once when it cannot ask for work", () => {
  it("exits 1 with the API's refusal (here a revoked-looking token), instead of reporting success", async () => {
    const id = await addDatabase(parts, "refused");
    const { path } = runnerConfig(parts, { [id]: { url: parts.pg.url("app") } }, { token: `wwr_${"x".repeat(43)}` });
    const r = await runRunner(["run", "--once", "--config", path]);
    expect(r.code).toBe(1);
    const failed = r.lines.find((l) => l.event === "runner.failed");
    expect(String(failed?.reason)).toMatch(/\/v1\/runner\/claim → 401/);
  });
});

describe("a running runner", () => {
  it("serves /healthz while it polls, and exits 0 on SIGTERM", async () => {
    const id = await addDatabase(parts, "idle");
    const { path } = runnerConfig(
      parts,
      { [id]: { url: parts.pg.url("app") } },
      { healthPort: 0, healthHost: "127.0.0.1" },
    );
    const runner = startRunner(["run", "--config", path]);
    const started = await runner.waitForLine((l) => l.event === "runner.started");
    const res = await fetch(`http://127.0.0.1:${started.healthPort}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", running: 0, completed: 0, failed: 0, stopping: false });
    expect((await fetch(`http://127.0.0.1:${started.healthPort}/other`)).status).toBe(404);
    // Every log line is one JSON object with a level and an ISO time.
    for (const l of runner.lines)
      expect(l).toMatchObject({
        level: expect.any(String),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        service: "walwarden-runner",
      });
    runner.child.kill("SIGTERM");
    const ended = await runner.exit;
    expect(ended.code).toBe(0);
    expect(runner.lines.some((l) => l.event === "runner.stopped")).toBe(true);
  });
});
