// `walwarden restore` when something is wrong, against the same real parts as restore.test.ts: each
// failure is reported with its stage, the target stays untouched unless pg_restore had started, and
// the message says what failed and what to do.
import { mkdtempSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatVkey } from "@walwarden/verifier";
import { main } from "../src/bin/walwarden.js";
import { bufferIo } from "../src/io.js";
import { signer } from "./support/kit.js";
import { startFixture, type Fixture } from "./support/fixture.js";
import { rowCounts, zstdDump } from "./support/sample-db.js";

let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
}, 120_000);
afterAll(async () => f?.stop());

const gets = () => f.proxy.requestsOf("GetObject").length;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

describe("walwarden restore refuses what does not verify, before touching the target (stand-in Worker: support/contract-worker.ts)", () => {
  it("a downloaded object that is not the signed one fails at verifying (not at decompressing), and its decompressed part is removed", async () => {
    const t = await f.target("tampered");
    const tampered = Buffer.from(f.dump);
    tampered[tampered.length >> 1]! ^= 0xff;
    const r = await f.offer({ bytes: tampered, signedBytes: f.dump });
    const dir = mkdtempSync(join(tmpdir(), "ww-cli-tampered-"));
    const run = await f.run(f.restoreArgs(r, ["--target", t.url, "--download-dir", dir]));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /failed \(verify, restore rs_\d+\): the backup is not verified against the pinned keys: manifest\.digest-mismatch: .*The target was not touched\./,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(r.transitions.map((x) => x.state)).toEqual(["downloading", "verifying", "failed"]);
    expect(r.transitions[2]).toMatchObject({ stage: "verify", reason: expect.stringContaining("digest-mismatch") });
    expect(await f.tables("tampered")).toEqual([]);
  });

  it("a manifest signed by a key that is not trusted fails before anything is downloaded", async () => {
    const t = await f.target("untrusted");
    const other = signer("walwarden.test/manifest", 77);
    const keys = [...f.worker.published.checkpoint, formatVkey(other.name, other.publicKey)].flatMap((k) => [
      "--key",
      k,
    ]);
    const r = await f.offer();
    const before = gets();
    const run = await f.run(f.restoreArgs(r, ["--target", t.url, ...keys]));
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      "the backup is not verified against the --key keys: manifest.unknown-key: no signature by a pinned key",
    );
    expect(r.transitions).toEqual([
      { state: "failed", stage: "verify", reason: expect.stringContaining("unknown-key") },
    ]);
    expect(gets()).toBe(before);
    expect(await f.tables("untrusted")).toEqual([]);
  });

  it("a kit for another org's log fails (the checkpoint is not the claimed org's)", async () => {
    const r = await f.offer({ predicate: { orgId: "org_other" }, orgId: "org_acme" });
    const run = await f.run(f.restoreArgs(r, ["--dry-run"]));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/kit\.checkpoint: wrong-origin/);
    expect(r.transitions.at(-1)).toMatchObject({ state: "failed", stage: "verify" });
  });

  it("a backup made by a newer pg_dump than the local pg_restore fails at preflight, naming both versions and the package", async () => {
    const t = await f.target("too_new");
    const r = await f.offer({ predicate: { pgDumpVersion: "17.2" } });
    const run = await f.run(f.restoreArgs(r, ["--target", t.url, "--json"]));
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({
      ok: false,
      stage: "preflight",
      restoreId: r.restoreId,
      reported: true,
      message: expect.stringContaining("pg_dump 17.2"),
    });
    expect(run.err).toMatch(
      /this backup was made by pg_dump 17\.2, but the newest pg_restore here is 15\.\d+ \(.*pg_restore\), which cannot read it: install the PostgreSQL 17 client tools \(e\.g\. apt-get install postgresql-client-17/,
    );
    expect(r.transitions.map((x) => x.state)).toEqual(["downloading", "verifying", "failed"]);
    expect(r.transitions.at(-1)).toMatchObject({ stage: "preflight" });
    expect(await f.tables("too_new")).toEqual([]);
  });

  it("a --schema the backup does not have fails before restoring", async () => {
    const t = await f.target("no_schema");
    const r = await f.offer();
    const run = await f.run(f.restoreArgs(r, ["--target", t.url, "--schema", "billing", "--table", "nope"]));
    expect(run.code).toBe(1);
    expect(run.err).toContain("the backup has no schema billing, table nope in billing");
    expect(r.transitions.map((x) => x.state)).toEqual(["downloading", "verifying", "failed"]);
    expect(await f.tables("no_schema")).toEqual([]);
  });
});

describe("walwarden restore after the target was written (stand-in Worker: support/contract-worker.ts)", () => {
  it("rows that differ from the manifest's counts fail at check, naming the table", async () => {
    const t = await f.target("wrong_counts");
    const tables = f.predicate.tables.map((x) => (x.name === "orders" ? { ...x, rows: x.rows + 1 } : x));
    const r = await f.offer({ predicate: { tables } });
    const run = await f.run(f.restoreArgs(r, ["--target", t.url]));
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      "row counts differ from the signed manifest in 1 of 4 tables: app.orders has 4000 rows, the backup 4001",
    );
    expect(run.err).toContain("The target may hold part of the backup");
    expect(r.transitions.at(-1)).toMatchObject({ state: "failed", stage: "check" });
  });

  it("a pg_restore error quoting credentials from the backup (a schema comment) is printed and reported with them redacted", async () => {
    // People paste credentials into comments; pg_restore quotes the statement that failed.
    const secrets = ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "cfg-pw-1", `wwr_${"Q".repeat(43)}`];
    await f.pg.createDatabase("leaky");
    await f.pg.query(
      `CREATE TABLE public.config (k text PRIMARY KEY); INSERT INTO public.config VALUES ('a');
       COMMENT ON SCHEMA public IS 'ops: AWS_SECRET_ACCESS_KEY=${secrets[0]} {"password": "${secrets[1]}"} Bearer ${secrets[2]}'`,
      [],
      { db: "leaky" },
    );
    const r = await f.offer({
      bytes: await zstdDump(f.pg, "leaky"),
      predicate: { tables: await rowCounts(f.pg, "leaky") },
    });
    const t = await f.target("leaky_target");
    await f.pg.query("ALTER SCHEMA public OWNER TO postgres", [], { db: "leaky_target" });
    const run = await f.run(f.restoreArgs(r, ["--target", t.url]));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /must be owner of schema public\nCommand was: COMMENT ON SCHEMA public IS 'ops: AWS_SECRET_ACCESS_KEY=\[redacted\]/,
    );
    expect(r.transitions.at(-1)).toMatchObject({
      state: "failed",
      stage: "restore",
      reason: expect.stringContaining('"password": "[redacted]"'),
    });
    for (const secret of secrets) expect(run.err + JSON.stringify(r.transitions)).not.toContain(secret);
  });

  it("a pg_restore error fails at restore with pg_restore's own message, without the password", async () => {
    const t = await f.target("denied");
    await f.pg.query(`ALTER DATABASE denied OWNER TO postgres; ALTER SCHEMA public OWNER TO postgres`, [], {
      db: "denied",
    });
    const r = await f.offer();
    const run = await f.run(f.restoreArgs(r, ["--target", t.url]));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /pg_restore failed \(exit 1\):\n(.*\n)*pg_restore: error: could not execute query: ERROR: {2}permission denied for (database|schema)/,
    );
    expect(run.err + JSON.stringify(r.transitions)).not.toContain(t.password);
    expect(r.transitions.at(-1)).toMatchObject({
      state: "failed",
      stage: "restore",
      reason: expect.stringMatching(/permission denied/),
    });
  });
});

describe("walwarden restore and the Worker (stand-in Worker: support/contract-worker.ts)", () => {
  it("maps each refused claim to what to do, and downloads nothing", async () => {
    const before = gets();
    const used = await f.offer({ refuse: "already-claimed" });
    const expired = await f.offer({ refuse: "expired" });
    const cancelled = await f.offer({ refuse: "cancelled" });
    const otherOrg = await f.offer({ orgId: "org_other" });
    const unavailable = await f.offer({ refuse: "unavailable" });
    const cases: [string[], RegExp][] = [
      [
        f.restoreArgs(used, ["--dry-run"]),
        /this restore token was already used \(a token works once\)\. .*Issue a new restore/,
      ],
      [
        f.restoreArgs(expired, ["--dry-run"]),
        /this restore token has expired \(a token is valid for at most 15 minutes after it is issued, less if/,
      ],
      [
        f.restoreArgs(cancelled, ["--dry-run"]),
        /this restore was cancelled in the dashboard before it was claimed, so its token no longer works\. The target was not touched\. Ask an operator to issue a new restore/,
      ],
      [
        f.restoreArgs(unavailable, ["--dry-run"]),
        /could not serve the claim \(HTTP 503 unavailable: no read-only credential is set for bucket acme-backups\)\. The target was not touched\. Run the command again once that is fixed/,
      ],
      [
        ["restore", "--api", f.worker.url, "--org", "org_acme", "--token", otherOrg.token, "--dry-run"],
        /this restore token belongs to another organization, not org_acme: check --org/,
      ],
      [
        ["restore", "--api", f.worker.url, "--org", "org_acme", "--token", `wwo_${"A".repeat(43)}`, "--dry-run"],
        /does not know this restore token\. Check that you copied all of it/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await f.run(args);
      expect(run.code, run.err).toBe(1);
      expect(run.err).toMatch(message);
      expect(run.err).toContain("failed (claim)");
    }
    expect(gets()).toBe(before);
  });

  it("an unreachable API fails before the claim, and the token is not used", async () => {
    const r = await f.offer();
    const api = `http://127.0.0.1:${await closedPort()}`;
    const run = await f.run(["restore", "--api", api, "--org", "org_acme", "--token", r.token, "--dry-run"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `failed (keys): cannot fetch the published keys from ${api}/.well-known/walwarden/keys: no answer from ${api} (ECONNREFUSED). Check --api and your network; the token was not used.`,
    );
    expect(r.state).toBe("issued");
  });

  it("stops before touching the target when the Worker cannot be told about restoring, and says so", async () => {
    const t = await f.target("unreported");
    const r = await f.offer();
    let attempts = 0;
    f.worker.transitionFault = (x) => {
      if (x.state !== "restoring") return undefined;
      attempts++;
      return "drop";
    };
    try {
      const run = await f.run(f.restoreArgs(r, ["--target", t.url]));
      expect(run.code).toBe(1);
      expect(run.err).toMatch(
        /failed \(report, restore rs_\d+\): could not report the restoring transition to .* after 3 attempts \(no answer from .*\); the restore stopped there\. The target was not touched\./,
      );
      expect(attempts).toBe(3);
      expect(r.transitions.map((x) => x.state)).toEqual(["downloading", "verifying", "failed"]);
      expect(r.transitions.at(-1)).toMatchObject({ stage: "report" });
      expect(await f.tables("unreported")).toEqual([]);
    } finally {
      f.worker.transitionFault = undefined;
    }
  });

  it("a transition the Worker refuses (the restore was failed or expired meanwhile) stops the restore", async () => {
    const r = await f.offer();
    f.worker.transitionFault = (x) => (x.state === "downloading" ? 409 : undefined);
    try {
      const run = await f.run(f.restoreArgs(r, ["--dry-run"]));
      expect(run.code).toBe(1);
      expect(run.err).toContain("the API refused the downloading transition: HTTP 409 bad-transition: injected");
    } finally {
      f.worker.transitionFault = undefined;
    }
  });

  it("retries a transition after a network error and goes on", async () => {
    const r = await f.offer();
    let dropped = 0;
    f.worker.transitionFault = (x) => (x.state === "verifying" && dropped++ === 0 ? "drop" : undefined);
    try {
      const run = await f.run(f.restoreArgs(r, ["--dry-run"]));
      expect(run.code, run.err).toBe(0);
      expect(r.transitions.map((x) => x.state)).toEqual(["downloading", "verifying", "completed"]);
    } finally {
      f.worker.transitionFault = undefined;
    }
  });
});

describe("walwarden restore checks while the claim is in flight (stand-in Worker: support/contract-worker.ts)", () => {
  // The claim is sent as soon as the flags and keys are read; the preflight (tools, target) runs while the
  // Worker answers it. Here the Worker answers slowly, so each check's outcome is known before the claim's.
  const slowClaim = async <T>(run: () => Promise<T>): Promise<T> => {
    f.worker.claimDelayMs = 400;
    try {
      return await run();
    } finally {
      f.worker.claimDelayMs = 0;
    }
  };

  it("a preflight that fails while the claim is in flight leaves nothing half-done: failed at preflight, nothing downloaded, the target untouched, no file left, no password anywhere", async () => {
    const r = await f.offer();
    const port = await closedPort();
    const password = "Preflight-pw-never-sent";
    const dir = mkdtempSync(join(tmpdir(), "ww-cli-preflight-"));
    const before = gets();
    const requestsBefore = f.worker.requests.length;
    const run = await slowClaim(() =>
      f.run(
        f.restoreArgs(r, ["--target", `postgres://nobody@127.0.0.1:${port}/none`, "--download-dir", dir, "--json"]),
        {
          PGPASSWORD: password,
        },
      ),
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({
      ok: false,
      stage: "preflight",
      restoreId: r.restoreId,
      reported: true,
    });
    expect(run.err).toMatch(
      new RegExp(
        `failed \\(preflight, restore ${r.restoreId}\\): cannot connect to the restore target nobody@127\\.0\\.0\\.1:${port}/none: .* The token is used \\(the restore was claimed while this was checked\\): issue a new restore to try again\\. The target was not touched\\.`,
      ),
    );
    expect(r.state).toBe("failed");
    expect(r.transitions).toEqual([
      { state: "failed", stage: "preflight", reason: expect.stringContaining("cannot connect to the restore target") },
    ]);
    expect(gets()).toBe(before);
    expect(readdirSync(dir)).toEqual([]);
    const sent = f.worker.requests.slice(requestsBefore);
    expect(sent.map((q) => q.path)).toEqual([
      "/.well-known/walwarden/keys",
      "/v1/restores/claim",
      `/v1/restores/${r.restoreId}/transition`,
    ]);
    for (const q of sent) expect(`${q.body} ${JSON.stringify(q.headers)}`).not.toContain(password);
    expect(`${run.out}${run.err}`).not.toContain(password);
  });

  it("a preflight that fails after the download started stops the restore before verifying: failed at preflight, its files removed, the target untouched", async () => {
    // A "server" that takes the connection and closes it 700 ms later: the claim and the small download are done by then.
    const sockets = new Set<import("node:net").Socket>();
    const slow = createServer((socket) => {
      sockets.add(socket);
      setTimeout(() => socket.destroy(), 700);
    });
    await new Promise<void>((done) => slow.listen(0, "127.0.0.1", done));
    const { port } = slow.address() as AddressInfo;
    try {
      const r = await f.offer();
      const before = gets();
      const dir = mkdtempSync(join(tmpdir(), "ww-cli-slow-preflight-"));
      const run = await f.run(
        f.restoreArgs(r, ["--target", `postgres://nobody@127.0.0.1:${port}/none`, "--download-dir", dir]),
      );
      expect(run.code).toBe(1);
      expect(run.err).toMatch(
        /failed \(preflight, restore rs_\d+\): cannot connect to the restore target nobody@127\.0\.0\.1:\d+\/none: .* The token is used .* The target was not touched\./,
      );
      expect(r.transitions.map((x) => x.state)).toEqual(["downloading", "failed"]);
      expect(r.transitions.at(-1)).toMatchObject({ stage: "preflight" });
      expect(gets()).toBe(before + 1);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((done) => slow.close(done));
    }
  });

  it("a preflight that fails while a refused claim is in flight: the token was not used, and both are said", async () => {
    const r = await f.offer({ refuse: "expired" });
    const port = await closedPort();
    const run = await slowClaim(() =>
      f.run(f.restoreArgs(r, ["--target", `postgres://nobody@127.0.0.1:${port}/none`, "--json"])),
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({ ok: false, stage: "preflight", restoreId: null, reported: null });
    expect(run.err).toMatch(
      /failed \(preflight\): cannot connect to the restore target .* The claim, sent while this was checked, failed too: this restore token has expired/,
    );
    expect(r.transitions).toEqual([]);
  });

  it("interrupted while the claim is in flight: the restore is reported failed (interrupted) once claimed, nothing is downloaded, exit 130", async () => {
    const r = await f.offer();
    const before = gets();
    const ctrl = new AbortController();
    const io = bufferIo();
    // Interrupted once the claim reached the Worker (which answers it 400 ms later).
    const sawClaim = setInterval(() => {
      if (f.worker.requests.some((q) => q.path === "/v1/restores/claim" && q.body.includes(r.token))) {
        clearInterval(sawClaim);
        ctrl.abort("SIGINT");
      }
    }, 10);
    const code = await slowClaim(() =>
      main(f.restoreArgs(r, ["--dry-run"]), {
        io,
        env: { ...process.env, WALWARDEN_CONFIG_DIR: mkdtempSync(join(tmpdir(), "ww-cli-config-")) },
        signal: ctrl.signal,
        retry: { attempts: 3, baseMs: 20 },
      }),
    );
    expect(code, io.err).toBe(130);
    expect(io.err).toMatch(
      /failed \(interrupted, restore rs_\d+\): interrupted \(SIGINT\) while claiming: nothing was downloaded\./,
    );
    expect(r.transitions).toEqual([
      { state: "failed", stage: "interrupted", reason: expect.stringContaining("while claiming") },
    ]);
    expect(gets()).toBe(before);
  });
});

describe("walwarden restore interrupted (stand-in Worker: support/contract-worker.ts)", () => {
  it.each([
    ["a dry run", true],
    ["a restore (decompressing as it downloads)", false],
  ])(
    "SIGINT during the download of %s: the restore is reported failed (interrupted), its files are removed, exit 130",
    async (_what, dryRun) => {
      f.setFaults((_req, info) =>
        info.op === "GetObject" ? { action: "truncate", afterBytes: 10_000, then: "stall" } : undefined,
      );
      const r = await f.offer();
      const dir = mkdtempSync(join(tmpdir(), "ww-cli-dl-"));
      const args = dryRun ? ["--dry-run"] : ["--target", (await f.target("interrupted")).url];
      try {
        const run = await f.spawn(f.restoreArgs(r, [...args, "--download-dir", dir]), {}, (pid, stderr) => {
          const wait = setInterval(() => {
            if (/Claimed restore/.test(stderr())) {
              clearInterval(wait);
              setTimeout(() => process.kill(pid, "SIGINT"), 300);
            }
          }, 50);
        });
        expect(run.code, run.err).toBe(130);
        expect(run.err).toMatch(/SIGINT: stopping/);
        expect(run.err).toMatch(
          /failed \(interrupted, restore rs_\d+\): interrupted \(SIGINT\) while downloading The target was not touched\./,
        );
        expect(r.transitions).toEqual([
          { state: "downloading" },
          { state: "failed", stage: "interrupted", reason: "interrupted (SIGINT) while downloading" },
        ]);
        expect(readdirSync(dir)).toEqual([]); // the partial download is removed
      } finally {
        f.setFaults(undefined);
      }
    },
  );

  it("SIGTERM while pg_restore runs: pg_restore and its workers are stopped, the restore is reported failed (interrupted) with a warning about the partial target", async () => {
    // A table whose CHECK sleeps a second per row, but only outside the source database: a slow restore.
    await f.pg.createDatabase("slowsrc");
    await f.pg.query(
      `CREATE FUNCTION public.slow_ok(int) RETURNS boolean LANGUAGE sql AS $$ SELECT current_database() = 'slowsrc' OR pg_sleep(1) IS NOT NULL $$;
       CREATE TABLE public.slow (x int CHECK (public.slow_ok(x))); INSERT INTO public.slow SELECT generate_series(1, 60);
       CREATE TABLE public.quick (x int); INSERT INTO public.quick SELECT generate_series(1, 10);`,
      [],
      { db: "slowsrc" },
    );
    const bytes = await zstdDump(f.pg, "slowsrc");
    const r = await f.offer({ bytes, predicate: { tables: await rowCounts(f.pg, "slowsrc") } });
    const t = await f.target("slow_target");
    const started = Date.now();
    const run = await f.spawn(f.restoreArgs(r, ["--target", t.url, "--jobs", "2"]), {}, (pid, stderr) => {
      const wait = setInterval(() => {
        if (/pg_restore: \d+%/.test(stderr())) {
          clearInterval(wait);
          setTimeout(() => process.kill(pid, "SIGTERM"), 500);
        }
      }, 50);
    });
    expect(run.code, run.err).toBe(130);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.err).toMatch(
      /failed \(interrupted, restore rs_\d+\): interrupted \(SIGTERM\) while pg_restore was running The target may hold part of the backup: drop and re-create it/,
    );
    expect(r.transitions.map((x) => x.state)).toEqual(["downloading", "verifying", "restoring", "failed"]);
    expect(r.transitions.at(-1)).toMatchObject({ stage: "interrupted" });
    // pg_restore's connections are gone (it cancels its queries on SIGTERM), well before the 60 s the COPY would take.
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {
      left = Number(
        (
          await f.pg.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'slow_target' AND application_name = 'pg_restore'",
          )
        )[0]!.n,
      );
      if (left) await new Promise((done) => setTimeout(done, 100));
    }
    expect(left).toBe(0);
  });
});
