// `walwarden-verify bucket`, run as a user runs it (the built bin, through node) over a directory laid out as
// `aws s3 sync s3://<bucket>/<prefix> <dir>` leaves it (SPEC §13 "The walk-away audit"): the honest copy
// verifies (0), with the runner's key required too; a forked anchored checkpoint and a dump without its kit
// are not verified (1), naming the check; a copy that is not a directory, or bad flags, are usage errors (2).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { utf8 } from "../src/bytes/utf8.js";
import { formatVkey } from "../src/note/index.js";
import { bucketFixture, type CopyFiles, grownLog, writeAnchors } from "../src/test-support/bucket.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER, RUNNER_SIGNER } from "../src/test-support/keys.js";

const BIN = fileURLToPath(new URL("../bin/walwarden-verify.js", import.meta.url));
const run = promisify(execFile);
const KEYS = [
  "--key",
  formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey),
  "--key",
  formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey),
];
const RUNNER = formatVkey(RUNNER_SIGNER.name, RUNNER_SIGNER.publicKey);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

let root: string;
const copy = (name: string) => join(root, name);

/** Writes a copy of a prefix into `<root>/<name>`. */
function writeCopy(name: string, files: CopyFiles): void {
  for (const [p, bytes] of files) {
    const file = join(copy(name), p);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "walwarden-verify-bucket-"));
  writeCopy("honest", bucketFixture().files);
  const forked = bucketFixture();
  writeAnchors(forked.files, "rn_01", forked.log, [8], { from: 6, logs: { 8: grownLog(2, "b", 3) } });
  writeCopy("forked", forked.files);
  const orphan = bucketFixture();
  orphan.files.set("db_main/2026/11/25/bk_03.dump.zst", utf8("a dump nobody signed"));
  writeCopy("orphan", orphan.files);
  // A symbolic link to a dump elsewhere is not the bucket's: it is not followed (the copy stays honest).
  writeCopy("linked", bucketFixture().files);
  writeFileSync(copy("elsewhere.dump.zst"), "not in the bucket");
  symlinkSync(copy("elsewhere.dump.zst"), join(copy("linked"), "db_main/2026/11/24/bk_09.dump.zst"));
  writeFileSync(copy("file"), "not a directory");
});

describe("walwarden-verify bucket", () => {
  test("the honest copy verifies (0), every kit listed; with the runner's cosignature required too", async () => {
    const r = await cli("bucket", copy("honest"), ...KEYS);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}kit db_main\/2026\/11\/24\/bk_01\.manifest\.json \(checkpoint 6\)$/m);
    expect(r.stdout).toMatch(
      /^ok {4}Runner rn_01's anchored checkpoints are signed and form one consistent chain: 3 anchored/m,
    );
    expect(r.stdout).toContain("VERIFIED");
    expect(r.stderr).toContain("hashing db_main/2026/11/24/bk_01.dump.zst");
    const witnessed = await cli("bucket", copy("honest"), ...KEYS, "--witness", RUNNER, "--no-artifact");
    expect(witnessed.code, witnessed.stdout).toBe(0);
    expect(witnessed.stderr).not.toContain("hashing");
    const json = await cli("bucket", copy("honest"), ...KEYS, "--json");
    const report = JSON.parse(json.stdout) as { verdict: string; chains: { anchored: string[] }[]; kits: unknown[] };
    expect(report.verdict).toBe("verified");
    expect(report.chains[0]!.anchored).toEqual(["5", "6", "8"]);
    expect(report.kits).toHaveLength(2);
    expect((await cli("bucket", copy("linked"), ...KEYS)).code).toBe(0);
  });

  test("a forked anchored checkpoint is not verified (1): the chain and the kit proven in the other branch fail", async () => {
    const r = await cli("bucket", copy("forked"), ...KEYS, "--json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { failed: string; checks: { id: string; status: string }[] };
    expect(report.failed).toBe("bucket.chain.rn_01");
    expect(report.checks.find((c) => c.id === "bucket.kit-checkpoints")?.status).toBe("fail");
    const text = await cli("bucket", copy("forked"), ...KEYS);
    expect(text.stdout).toMatch(/^FAIL {2}Runner rn_01's anchored checkpoints .*a fork or a split view/m);
    expect(text.stdout).toContain("NOT VERIFIED: check bucket.chain.rn_01 failed");
  });

  test("a dump without its kit is not verified (1): bucket.objects names it", async () => {
    const r = await cli("bucket", copy("orphan"), ...KEYS);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^FAIL {2}Every backup object has a kit whose signed manifest names it: db_main\/2026\/11\/25\/bk_03\.dump\.zst: no kit/m,
    );
  });

  test("usage and I/O errors exit 2: no keys, not a directory, a missing one, flags of other commands", async () => {
    for (const args of [
      ["bucket", copy("honest")],
      ["bucket", copy("file"), ...KEYS],
      ["bucket", copy("missing"), ...KEYS],
      ["bucket", copy("honest"), ...KEYS, "--previous", copy("file")],
      ["bucket", copy("honest"), ...KEYS, "--artifact", copy("file")],
      ["bucket", copy("honest"), ...KEYS, "--witness", "garbage"],
      ["bucket"],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(2);
    }
    const help = await cli("--help");
    expect(help.stdout).toContain("aws s3 sync s3://<bucket>/<prefix> <dir>");
    expect(help.stdout).toContain("walwarden-verify bucket <dir> --key <vkey>");
  });
});
