// The walwarden program's usage errors: every bad flag exits 2 with `--flag: what is wrong` before
// anything runs (no request, no connection), and never echoes a value that may be a secret.
import { describe, expect, it } from "vitest";
import { main } from "../src/bin/walwarden.js";
import { bufferIo } from "../src/io.js";

const TOKEN = `wwo_${"a".repeat(43)}`;
const OK = ["--token", TOKEN, "--org", "org_acme", "--api", "https://api.walwarden.example"];

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = bufferIo();
  // No fetch: a usage error must come before any request.
  const code = await main(args, {
    io,
    env: { PATH: process.env.PATH, WALWARDEN_CONFIG_DIR: "/nonexistent/walwarden-test", ...env },
    fetch: () => Promise.reject(new Error("no request expected")),
  });
  return { code, out: io.out, err: io.err };
}

describe("walwarden restore flags", () => {
  const cases: [string, string[], string][] = [
    [
      "missing token, org and api",
      ["restore"],
      "--token: is required (the one-time token shown when the restore was issued)\n  --org: is required",
    ],
    [
      "a token that is not one",
      ["restore", ...OK.slice(2), "--token", "hunter2-secret"],
      "--token: not a restore token (wwo_ and 43 more characters",
    ],
    [
      "a progress credential as token",
      ["restore", ...OK.slice(2), "--token", `wwp_${"a".repeat(43)}`],
      "--token: not a restore token",
    ],
    ["a bad org id", ["restore", ...OK, "--org", "org acme"], "--org: ids use letters, digits, _ . : -"],
    ["an API that is not a URL", ["restore", ...OK, "--api", "api.walwarden.example"], "--api: not a URL"],
    [
      "plain http to a remote API",
      ["restore", ...OK, "--api", "http://api.walwarden.example"],
      "--api: must be an https:// URL (plain http only for localhost)",
    ],
    [
      "credentials in the API URL",
      ["restore", ...OK, "--api", "https://u:p@api.walwarden.example"],
      "--api: must not carry credentials, a query or a fragment",
    ],
    ["zero jobs", ["restore", ...OK, "--jobs", "0"], "--jobs: at least 1"],
    [
      "jobs that are not a number",
      ["restore", ...OK, "--jobs", "many"],
      "--jobs: a whole number of parallel pg_restore jobs",
    ],
    [
      "a schema pattern",
      ["restore", ...OK, "--schema", "app*"],
      "--schema: an exact name (no quotes, wildcards or control characters)",
    ],
    ["a table name too long", ["restore", ...OK, "--table", "t".repeat(64)], "--table: names are at most 63 bytes"],
    ["a key that is not a vkey", ["restore", ...OK, "--key", "nonsense"], "--key: not a verifier key: nonsense"],
    [
      "only a checkpoint key",
      ["restore", ...OK, "--key", "walwarden.test/checkpoint+3498aab4+AWa+fjMsekUzMr2dCn99sFX1xe8aBq2mbZizn7aBDEc6"],
      "--key: pin a manifest key too",
    ],
    [
      "two keep-file directories",
      ["restore", ...OK, "--keep-file", "/tmp/a", "--download-dir", "/tmp/b"],
      "--keep-file: give the directory once",
    ],
    [
      "a target that is not a connection string",
      ["restore", ...OK, "--target", "this is not; a conninfo"],
      "--target: the connection string is neither a postgres:// URI nor libpq keyword=value pairs",
    ],
    [
      "a target with a bad port",
      ["restore", ...OK, "--target", "postgres://u:pw@db.example:99999/x"],
      "--target: the connection URL is not a valid postgres:// URI",
    ],
  ];
  for (const [name, args, message] of cases) {
    it(`exit 2: ${name}`, async () => {
      const r = await run(args);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).toContain("Run walwarden restore --help for usage.");
      expect(r.err).not.toMatch(/hunter2|u:p@|pw@/);
      expect(r.out).toBe("");
    });
  }

  it("exit 2: a libpq service that does not exist, when the target comes from the environment", async () => {
    const r = await run(["restore", ...OK], {
      PGSERVICE: "nosuch",
      PGSERVICEFILE: "/nonexistent/pg_service.conf",
      HOME: "/nonexistent",
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'the target (libpq environment: PGHOST, PGSERVICE, …): the libpq service "nosuch" is in none of',
    );
  });

  it("exit 2: an unknown flag or command, with commander's message", async () => {
    const flag = await run(["restore", ...OK, "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("error: unknown option '--bogus'");
    const command = await run(["backup"]);
    expect(command.code).toBe(2);
    expect(command.err).toContain("error: unknown command 'backup'");
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("Usage: walwarden [options] [command]");
  });

  it("--help and --version exit 0", async () => {
    const help = await run(["restore", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("--dry-run");
    expect(help.out).toContain("Exit status: 0 restored");
    const version = await run(["--version"]);
    expect(version).toMatchObject({ code: 0, out: "0.1.0\n" });
  });
});

describe("walwarden keys and verify flags", () => {
  it("keys needs --api and a known action", async () => {
    expect(await run(["keys"])).toMatchObject({ code: 2, err: expect.stringContaining("--api: is required") });
    expect(await run(["keys", "rotate", "--api", "https://api.walwarden.example"])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown action "rotate": use show (the default), pin or forget'),
    });
  });

  it("verify passes its arguments to walwarden-verify, and --api needs pinned keys", async () => {
    expect(await run(["verify"])).toMatchObject({
      code: 2,
      err: expect.stringContaining("walwarden-verify: no command given"),
    });
    expect(await run(["verify", "kit", "x.manifest.json", "--api", "https://api.walwarden.example"])).toMatchObject({
      code: 2,
      err: expect.stringContaining("--api: no keys are pinned for https://api.walwarden.example"),
    });
  });
});
