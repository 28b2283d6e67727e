import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { canonicalBytes } from "../src/jcs/canonicalize.js";
import { signManifest } from "../src/manifest/build-manifest.js";
import { formatVkey } from "../src/note/index.js";
import { buildFixtureLog, checkpointAt, fixtureBundle, rezip, unzipBundle } from "../src/test-support/fixture-log.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER } from "../src/test-support/keys.js";
import { samplePredicate } from "../src/test-support/predicate.js";
import { BundlePaths } from "../src/bundle/layout.js";
import { sha256 } from "../src/hash/sha256.js";
import { toHex } from "../src/bytes/hex.js";

// These tests run the built bin (npm test builds first) as a user would, through `node bin/...`.
const BIN = fileURLToPath(new URL("../bin/walwarden-verify.js", import.meta.url));
const run = promisify(execFile);
const CP_KEY = formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey);
const MF_KEY = formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey);

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

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "walwarden-verify-"));
  const log = buildFixtureLog(200, 3);
  const zip = fixtureBundle(log, 20, 180);
  writeFileSync(path("good.zip"), zip);
  const files = unzipBundle(zip);
  const lines = new TextDecoder().decode(files.get(BundlePaths.entries)!).split("\n");
  [lines[3], lines[4]] = [lines[4]!, lines[3]!];
  files.set(BundlePaths.entries, new TextEncoder().encode(lines.join("\n")));
  writeFileSync(path("reordered.zip"), rezip(files, { resignIndex: true }));
  writeFileSync(path("newer-checkpoint.txt"), checkpointAt(buildFixtureLog(220, 3).log, 215));
  const artifact = new TextEncoder().encode("PGDMP pretend dump bytes");
  writeFileSync(path("backup.dump"), artifact);
  writeFileSync(path("manifest.json"), canonicalBytes(signManifest(samplePredicate(), toHex(sha256(artifact)), MANIFEST_SIGNER)));
  writeFileSync(path("other.dump"), "not the same bytes");
});

describe("walwarden-verify", () => {
  test("--help exits 0 and explains usage", async () => {
    const r = await cli("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("walwarden-verify bundle <file.zip> --key");
  });

  test("a good bundle verifies: exit 0, every check listed", async () => {
    const r = await cli("bundle", path("good.zip"), "--key", CP_KEY, "--key", MF_KEY);
    expect(r.stdout).toContain("VERIFIED");
    expect(r.stdout).toMatch(/^ok\s+Frontier plus entries reproduce the signed log/m);
    expect(r.code).toBe(0);
  });

  test("--json prints the report", async () => {
    const r = await cli("bundle", path("good.zip"), "--key", CP_KEY, "--key", MF_KEY, "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.verdict).toBe("verified");
    expect(report.checks.length).toBeGreaterThan(10);
  });

  test("a tampered bundle exits 1 naming the failed check", async () => {
    const r = await cli("bundle", path("reordered.zip"), "--key", CP_KEY, "--key", MF_KEY);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT VERIFIED: check log\.\S+ failed/);
  });

  test("a pinned newer checkpoint makes the bundle rolled back: exit 1", async () => {
    const r = await cli("bundle", path("good.zip"), "--key", CP_KEY, "--key", MF_KEY, "--previous", path("newer-checkpoint.txt"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("rolled back");
  });

  test("manifest: verified with the artifact; 1 for another artifact or key", async () => {
    expect((await cli("manifest", path("manifest.json"), "--key", MF_KEY, "--artifact", path("backup.dump"))).code).toBe(0);
    const wrong = await cli("manifest", path("manifest.json"), "--key", MF_KEY, "--artifact", path("other.dump"));
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("digest-mismatch");
    expect((await cli("manifest", path("manifest.json"), "--key", CP_KEY)).code).toBe(1);
  });

  test("usage and I/O errors exit 2 with a message", async () => {
    const cases: [string[], RegExp][] = [
      [[], /no command/],
      [["frobnicate", "x"], /unknown command/],
      [["bundle"], /needs a file/],
      [["bundle", path("good.zip")], /at least one --key/],
      [["bundle", path("missing.zip"), "--key", CP_KEY], /cannot read .*missing\.zip: ENOENT/],
      [["bundle", path("good.zip"), "--key", "garbage"], /not a verifier key/],
      [["bundle", path("good.zip"), "--key", CP_KEY, "--bogus"], /Unknown option/],
      [["manifest", path("manifest.json"), "--key", MF_KEY, "--artifact", path("nope")], /cannot read/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
