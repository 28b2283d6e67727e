import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";

const TOKEN = `wwr_${"a".repeat(40)}`;
const dir = mkdtempSync(join(tmpdir(), "ww-config-"));
const file = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === "string" ? value : JSON.stringify(value));
  return p;
};
const minimal = {
  api: "https://api.example",
  token: TOKEN,
  databases: { db_main: { url: "postgres://u:p@h/app" } },
  bucket: { bucket: "acme-backups" },
};

describe("loadConfig", () => {
  it("reads a file and fills defaults", async () => {
    const r = await loadConfig(file("ok.json", minimal), {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.bucket).toMatchObject({
      bucket: "acme-backups",
      region: "us-east-1",
      prefix: "walwarden",
      forcePathStyle: false,
    });
    expect(r.value.compression).toEqual({ algorithm: "zstd", threads: 0 });
    expect(r.value.databases.db_main).toMatchObject({
      noOwner: true,
      noPrivileges: true,
      schemas: [],
      excludeSchemas: [],
    });
    expect(r.value.concurrency).toBe(1);
  });

  it("takes everything from the environment, which overrides the file", async () => {
    const r = await loadConfig(file("base.json", { ...minimal, concurrency: 3 }), {
      WALWARDEN_API: "http://127.0.0.1:8787",
      WALWARDEN_DATABASES: '{"db_a":"postgres://x@y/z","db_b":{"url":"host=h dbname=d","schemas":["app"]}}',
      WALWARDEN_S3_ENDPOINT: "http://127.0.0.1:9000",
      WALWARDEN_S3_FORCE_PATH_STYLE: "true",
      WALWARDEN_CONCURRENCY: "2",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.api).toBe("http://127.0.0.1:8787");
    expect(Object.keys(r.value.databases)).toEqual(["db_a", "db_b"]);
    expect(r.value.databases.db_b?.schemas).toEqual(["app"]);
    expect(r.value.bucket).toMatchObject({
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      bucket: "acme-backups",
    });
    expect(r.value.concurrency).toBe(2);
  });

  it("names every missing setting with its environment variable", async () => {
    const r = await loadConfig(undefined, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("invalid");
    expect(r.message).toContain("api (env WALWARDEN_API): is required but not set");
    expect(r.message).toContain("token (env WALWARDEN_RUNNER_TOKEN): is required but not set");
    expect(r.message).toContain("bucket: is required but not set");
  });

  it("says what is wrong with a bad value, and never echoes a secret", async () => {
    const r = await loadConfig(
      file("bad.json", {
        ...minimal,
        token: "short-secret-value",
        bucket: { bucket: "b", prefix: "../escape" },
        concurrency: 0,
      }),
      {},
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/token \(env WALWARDEN_RUNNER_TOKEN\): the runner token is at least 32 characters/);
    expect(r.message).toMatch(/bucket\.bucket \(env WALWARDEN_S3_BUCKET\)/);
    expect(r.message).toMatch(/bucket\.prefix .*no \. or \.\. segments/);
    expect(r.message).toMatch(/concurrency/);
    expect(r.message).not.toContain("short-secret-value");
  });

  it("rejects unknown settings (a typo must not be silently ignored)", async () => {
    const r = await loadConfig(file("typo.json", { ...minimal, concurency: 2 }), {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/concurency/);
  });

  it("rejects bad environment values and unreadable or non-JSON files", async () => {
    const env = await loadConfig(file("ok2.json", minimal), {
      WALWARDEN_S3_FORCE_PATH_STYLE: "yes",
      WALWARDEN_CONCURRENCY: "two",
      WALWARDEN_DATABASES: "db=postgres://x",
    });
    expect(env.ok).toBe(false);
    if (!env.ok) {
      expect(env.message).toContain("WALWARDEN_S3_FORCE_PATH_STYLE (bucket.forcePathStyle): expected true or false");
      expect(env.message).toContain("WALWARDEN_CONCURRENCY (concurrency): expected a number");
      expect(env.message).toContain("WALWARDEN_DATABASES: expected a JSON object");
    }
    expect(await loadConfig(join(dir, "missing.json"), {})).toMatchObject({ ok: false, code: "unreadable" });
    expect(await loadConfig(file("notjson.json", "{ api: "), {})).toMatchObject({ ok: false, code: "invalid" });
  });

  it("a database's provider is one of the dashboard's provider names (it only changes check's advice)", async () => {
    const r = await loadConfig(
      file("provider.json", { ...minimal, databases: { db_main: { url: "postgres://u:p@h/app", provider: "neon" } } }),
      {},
    );
    expect(r.ok && r.value.databases.db_main?.provider).toBe("neon");
    const bad = await loadConfig(
      file("badprovider.json", {
        ...minimal,
        databases: { db_main: { url: "postgres://u:p@h/app", provider: "heroku" } },
      }),
      {},
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/databases\.db_main\.provider: .*"neon"/);
  });

  it("WALWARDEN_DATABASE_ID names one database reached through libpq's environment", async () => {
    const { databases: _, ...rest } = minimal;
    const r = await loadConfig(file("libpq.json", rest), { WALWARDEN_DATABASE_ID: "db_env" });
    expect(r.ok && Object.keys(r.value.databases)).toEqual(["db_env"]);
    expect(r.ok && r.value.databases.db_env?.url).toBeUndefined();
  });

  it("drills: on by default (2 pg_restore jobs, local binaries searched, no scratch server, keys pinned on first use); the env overrides them", async () => {
    const r = await loadConfig(file("drills.json", minimal), {});
    expect(r.ok && r.value.drills).toEqual({ enabled: true, jobs: 2, local: { binDirs: [] }, trustedKeys: [] });
    const env = await loadConfig(
      file("drills-env.json", { ...minimal, drills: { local: { scratchDir: "/scratch" } } }),
      {
        WALWARDEN_DRILLS_ENABLED: "false",
        WALWARDEN_DRILL_JOBS: "4",
        WALWARDEN_DRILL_SERVER: "postgres://drill@scratch/postgres",
      },
    );
    expect(env.ok && env.value.drills).toMatchObject({
      enabled: false,
      jobs: 4,
      server: "postgres://drill@scratch/postgres",
      local: { scratchDir: "/scratch", binDirs: [] },
    });
    const bad = await loadConfig(file("drills-bad.json", { ...minimal, drills: { jobs: 0, target: "x" } }), {});
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/drills\.jobs \(env WALWARDEN_DRILL_JOBS\): /);
  });

  it("prune: on by default (the runner claims prune jobs); WALWARDEN_PRUNE_ENABLED=false turns it off", async () => {
    const r = await loadConfig(file("prune.json", minimal), {});
    expect(r.ok && r.value.prune).toEqual({ enabled: true });
    const off = await loadConfig(file("prune-env.json", minimal), { WALWARDEN_PRUNE_ENABLED: "false" });
    expect(off.ok && off.value.prune).toEqual({ enabled: false });
    const bad = await loadConfig(file("prune-bad.json", minimal), { WALWARDEN_PRUNE_ENABLED: "maybe" });
    expect(bad.ok).toBe(false);
  });
});
