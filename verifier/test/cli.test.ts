import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { kitOf, sampleKit } from "../src/test-support/kit.js";
import { KIT_FILES, kitObjectKey, type KitFile } from "../src/manifest/kit-layout.js";
import type { BackupKit } from "../src/manifest/kit-report.js";
import { testSigner } from "../src/test-support/keys.js";
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
  writeFileSync(
    path("manifest.json"),
    canonicalBytes(signManifest(samplePredicate(), toHex(sha256(artifact)), MANIFEST_SIGNER)),
  );
  writeFileSync(path("other.dump"), "not the same bytes");

  // Walk-away kits, laid out as the runner writes them next to the dump.
  const s = sampleKit();
  const artifactName = s.predicate.s3.key.split("/").at(-1)!;
  const writeKit = (name: string, kit: BackupKit, artifact?: Uint8Array) => {
    mkdirSync(path(name));
    const file = (f: KitFile) => path(`${name}/${kitObjectKey(artifactName, f)}`);
    writeFileSync(file("manifest"), canonicalBytes(kit.envelope));
    writeFileSync(file("entry"), kit.entry);
    writeFileSync(file("proof"), canonicalBytes(kit.proof));
    writeFileSync(file("checkpoint"), kit.checkpoint);
    if (artifact) writeFileSync(path(`${name}/${artifactName}`), artifact);
  };
  writeKit("kit", s.kit, s.artifact);
  writeKit("kit-tampered", s.kit, new TextEncoder().encode("not the dump"));
  writeKit("kit-no-artifact", s.kit);
  writeKit(
    "kit-rogue-checkpoint",
    kitOf(s.log, s.envelope, s.seq, { checkpointSigner: testSigner("test.walwarden.dev/checkpoint", 5) }),
    s.artifact,
  );
  writeKit("kit-no-proof", s.kit, s.artifact);
  rmSync(path(`kit-no-proof/bk_01.${KIT_FILES.proof}`));
});

describe("walwarden-verify", () => {
  test("--help exits 0 and explains usage", async () => {
    const r = await cli("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("walwarden-verify bundle <file.zip> --key");
    expect(r.stdout).toContain("walwarden-verify kit <dir/backupId.manifest.json> --key");
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
    const r = await cli(
      "bundle",
      path("good.zip"),
      "--key",
      CP_KEY,
      "--key",
      MF_KEY,
      "--previous",
      path("newer-checkpoint.txt"),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("rolled back");
  });

  test("manifest: verified with the artifact; 1 for another artifact or key", async () => {
    expect(
      (await cli("manifest", path("manifest.json"), "--key", MF_KEY, "--artifact", path("backup.dump"))).code,
    ).toBe(0);
    const wrong = await cli("manifest", path("manifest.json"), "--key", MF_KEY, "--artifact", path("other.dump"));
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("digest-mismatch");
    expect((await cli("manifest", path("manifest.json"), "--key", CP_KEY)).code).toBe(1);
  });

  test("kit: a kit next to its dump verifies, every check listed; --json prints the report", async () => {
    const r = await cli("kit", path("kit/bk_01.manifest.json"), "--key", CP_KEY, "--key", MF_KEY);
    expect(r.stdout).toMatch(/^ok\s+Artifact matches the signed SHA-256/m);
    expect(r.stdout).toMatch(
      /^ok\s+Checkpoint is signed by a pinned key for the org's log: origin test\.walwarden\.dev\/log\/org_acme \(no origin pinned/m,
    );
    expect(r.stdout).toMatch(/^ok\s+Log entry is in the signed log/m);
    expect(r.stdout).toContain("VERIFIED");
    expect(r.code).toBe(0);
    const json = await cli(
      "kit",
      path("kit/bk_01.manifest.json"),
      "--key",
      CP_KEY,
      "--key",
      MF_KEY,
      "--origin",
      "test.walwarden.dev/log/org_acme",
      "--json",
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).checks.map((c: { id: string }) => c.id)).toEqual([
      "manifest.signature",
      "manifest.predicate",
      "manifest.artifact",
      "kit.checkpoint",
      "kit.entry",
      "kit.inclusion",
    ]);
  });

  test("kit: 1 for a tampered dump, an unpinned checkpoint key, another deployment's origin or a missing key role", async () => {
    const tampered = await cli("kit", path("kit-tampered/bk_01.manifest.json"), "--key", CP_KEY, "--key", MF_KEY);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain("NOT VERIFIED: check manifest.digest-mismatch failed");
    const rogue = await cli("kit", path("kit-rogue-checkpoint/bk_01.manifest.json"), "--key", CP_KEY, "--key", MF_KEY);
    expect(rogue.code).toBe(1);
    expect(rogue.stdout).toContain("NOT VERIFIED: check kit.checkpoint failed");
    const origin = await cli(
      "kit",
      path("kit/bk_01.manifest.json"),
      "--key",
      CP_KEY,
      "--key",
      MF_KEY,
      "--origin",
      "elsewhere.example/log/org_acme",
    );
    expect(origin.code).toBe(1);
    expect(origin.stdout).toContain("wrong-origin");
    expect((await cli("kit", path("kit/bk_01.manifest.json"), "--key", MF_KEY)).code).toBe(1);
  });

  test("kit: a missing dump exits 2 unless --no-artifact, which skips the artifact check", async () => {
    const missing = await cli("kit", path("kit-no-artifact/bk_01.manifest.json"), "--key", CP_KEY, "--key", MF_KEY);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/artifact .*bk_01\.dump\.zst .* is missing.*--no-artifact/);
    const skipped = await cli(
      "kit",
      path("kit-no-artifact/bk_01.manifest.json"),
      "--key",
      CP_KEY,
      "--key",
      MF_KEY,
      "--no-artifact",
    );
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/^skip\s+Artifact matches the signed SHA-256: no artifact digest given/m);
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
      [["kit", path("manifest.json"), "--key", MF_KEY], /kit needs the kit's <backupId>\.manifest\.json/],
      [
        ["kit", path("kit-no-proof/bk_01.manifest.json"), "--key", CP_KEY, "--key", MF_KEY],
        /cannot read .*bk_01\.proof\.json: ENOENT/,
      ],
      [
        ["kit", path("kit/bk_01.manifest.json"), "--key", MF_KEY, "--artifact", path("backup.dump")],
        /--artifact goes with the manifest and drill commands/,
      ],
      [
        ["kit", path("kit/bk_01.manifest.json"), "--key", MF_KEY, "--previous", path("newer-checkpoint.txt")],
        /--previous goes with the bundle command/,
      ],
      [
        ["manifest", path("manifest.json"), "--key", MF_KEY, "--no-artifact"],
        /--no-artifact goes with the kit command/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
