import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { toHex } from "../src/bytes/hex.js";
import { signDrillReceipt } from "../src/drill/build-receipt.js";
import type { DrillPredicate } from "../src/drill/predicate.js";
import { sha256 } from "../src/hash/sha256.js";
import { canonicalBytes } from "../src/jcs/canonicalize.js";
import { formatVkey } from "../src/note/index.js";
import { SAMPLE_DRILL_ARTIFACT, sampleDrillPredicate } from "../src/test-support/drill.js";
import { buildFixtureLog, fixtureBundle } from "../src/test-support/fixture-log.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER, RUNNER_SIGNER, testSigner } from "../src/test-support/keys.js";

// `walwarden-verify drill` and `bundle --runner-key`, run as a user runs them: the built bin, through node.
const BIN = fileURLToPath(new URL("../bin/walwarden-verify.js", import.meta.url));
const run = promisify(execFile);
const vkey = (s: { name: string; publicKey: Uint8Array }) => formatVkey(s.name, s.publicKey);
const RUNNER_KEY = vkey(RUNNER_SIGNER);
const OTHER_RUNNER = testSigner("test.walwarden.dev/runner/rn_99", 9);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

let dir: string;
const path = (name: string) => join(dir, name);
const receiptBytes = (p: DrillPredicate, signer = RUNNER_SIGNER) =>
  canonicalBytes(signDrillReceipt(p, SAMPLE_DRILL_ARTIFACT, signer));
const failedDrill = sampleDrillPredicate({
  outcome: "failed",
  failure: { phase: "checks", reason: 'assertion "orders are fresh" failed' },
  assertions: [{ ...sampleDrillPredicate().assertions[0]!, actual: "f", passed: false }],
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "walwarden-verify-drill-"));
  writeFileSync(path("passed.json"), receiptBytes(sampleDrillPredicate()));
  writeFileSync(path("failed.json"), receiptBytes(failedDrill));
  writeFileSync(path("other-runner.json"), receiptBytes(sampleDrillPredicate(), OTHER_RUNNER));
  const good = receiptBytes(sampleDrillPredicate());
  const text = new TextDecoder().decode(good);
  const env = JSON.parse(text) as { payload: string };
  env.payload = btoa(atob(env.payload).replace('"actualRows":42', '"actualRows":41'));
  writeFileSync(path("tampered.json"), JSON.stringify(env));
  writeFileSync(path("not-json.json"), "{ this is not json");
  // The artifact whose SHA-256 the sample receipt names is not at hand, so a file that differs stands for it.
  writeFileSync(path("other.dump"), "not the dump the drill restored");
  const log = buildFixtureLog(90, 5, { drills: true });
  writeFileSync(path("drills.zip"), fixtureBundle(log, 0, 90));
});

const checks = (stdout: string) => stdout.split("\n").filter((l) => /^(ok {2}|FAIL|skip)/.test(l));

describe("walwarden-verify drill", () => {
  test("an authentic receipt of a passed drill exits 0 and prints its SHA-256, phases and checks", async () => {
    const r = await cli("drill", path("passed.json"), "--key", RUNNER_KEY);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const sha = toHex(sha256(receiptBytes(sampleDrillPredicate())));
    expect(r.stdout).toContain(`receipt SHA-256 ${sha}`);
    expect(checks(r.stdout).map((l) => l.slice(0, 4))).toEqual([
      "ok  ",
      "skip",
      "ok  ",
      "ok  ",
      "ok  ",
      "ok  ",
      "ok  ",
      "ok  ",
      "ok  ",
      "ok  ",
    ]);
    expect(r.stdout).toMatch(
      /RTO within its target: 6\.7 s against 900\.0 s: download and verify 1\.3 s, restore 5\.1 s, checks 0\.4 s/,
    );
    expect(r.stdout).toMatch(/VERIFIED\n$/);
  });

  test("--artifact: the matching digest passes drill.artifact; another file fails it (exit 1)", async () => {
    const other = await cli("drill", path("passed.json"), "--key", RUNNER_KEY, "--artifact", path("other.dump"));
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(
      /FAIL {2}Artifact is the one the drill restored: the file hashes to [0-9a-f]{64}, the receipt is about 5891b5/,
    );
    expect(other.stdout).toMatch(/NOT VERIFIED: check drill.artifact failed/);
  });

  test("an authentic receipt of a failed drill exits 1 with drill.outcome failed and drill.receipt passed", async () => {
    const r = await cli("drill", path("failed.json"), "--key", RUNNER_KEY, "--json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { failed: string; checks: { id: string; status: string; detail: string }[] };
    expect(report.failed).toBe("drill.outcome");
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get("drill.receipt")?.status).toBe("pass");
    expect(byId.get("drill.outcome")?.detail).toMatch(/failed in checks: assertion "orders are fresh" failed/);
    expect(byId.get("drill.assertions")).toMatchObject({ status: "fail", detail: '0 of 1; "orders are fresh" got f' });
    expect(byId.get("drill.tables")?.status).toBe("pass");
  });

  test("a forgery fails drill.receipt: a changed byte, or a key nobody pinned (exit 1)", async () => {
    const tampered = await cli("drill", path("tampered.json"), "--key", RUNNER_KEY);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(
      /FAIL {2}Drill receipt is signed by a pinned runner key and consistent: bad-signature/,
    );
    const other = await cli("drill", path("other-runner.json"), "--key", RUNNER_KEY);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/NOT VERIFIED: check drill.receipt failed/);
    const pinned = await cli("drill", path("other-runner.json"), "--key", vkey(OTHER_RUNNER));
    expect(pinned.code).toBe(0);
    const notJson = await cli("drill", path("not-json.json"), "--key", RUNNER_KEY);
    expect(notJson.code).toBe(1);
  });

  test("usage errors exit 2 and say what is wrong", async () => {
    const cases: [string[], RegExp][] = [
      [["drill", path("passed.json")], /at least one --key is required/],
      [["drill", path("passed.json"), "--key", vkey(MANIFEST_SIGNER)], /not a runner's key/],
      [["drill", path("passed.json"), "--key", vkey(CHECKPOINT_SIGNER)], /not a runner's key/],
      [["drill", path("passed.json"), "--key", RUNNER_KEY, "--origin", "x/log/org"], /--origin goes with/],
      [
        ["drill", path("passed.json"), "--key", RUNNER_KEY, "--runner-key", RUNNER_KEY],
        /drill takes the runner's key as --key/,
      ],
      [["drill", path("missing.json"), "--key", RUNNER_KEY], /cannot read .*missing\.json: ENOENT/],
      [
        ["drill", path("passed.json"), "--key", RUNNER_KEY, "--artifact", path("missing.dump")],
        /cannot read .*missing\.dump/,
      ],
      [["drill", dir, "--key", RUNNER_KEY], /not a regular file|EISDIR/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
  });
});

describe("walwarden-verify bundle --runner-key", () => {
  const keys = ["--key", vkey(CHECKPOINT_SIGNER), "--key", vkey(MANIFEST_SIGNER)];

  test("the bundle's drills verify against the pinned runner key; another pinned runner key fails check drills", async () => {
    expect((await cli("bundle", path("drills.zip"), ...keys)).code).toBe(0);
    const pinned = await cli("bundle", path("drills.zip"), ...keys, "--runner-key", RUNNER_KEY);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toMatch(/ok {2}.*drill receipt\(s\) verified/);
    const other = await cli("bundle", path("drills.zip"), ...keys, "--runner-key", vkey(OTHER_RUNNER));
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/NOT VERIFIED: check drills failed/);
  });

  test("a --runner-key that is not a runner's key is a usage error (exit 2); it goes with bundle only", async () => {
    const wrong = await cli("bundle", path("drills.zip"), ...keys, "--runner-key", vkey(MANIFEST_SIGNER));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--runner-key: key .* is not a runner's key/);
    const onManifest = await cli(
      "manifest",
      path("passed.json"),
      "--key",
      vkey(MANIFEST_SIGNER),
      "--runner-key",
      RUNNER_KEY,
    );
    expect(onManifest.code).toBe(2);
    expect(onManifest.stderr).toMatch(/--runner-key goes with the bundle command/);
  });
});
