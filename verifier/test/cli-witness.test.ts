// `walwarden-verify bundle --witness` and `kit --witness`, run as a user runs it (the built bin, through
// node): a bundle whose head the customer's runner cosigned verifies with its key required; a forked
// history signed with the real checkpoint key verifies without the flag and fails with it; a kit whose
// checkpoint the runner cosigned verifies with its key required, one it did not fails; the flags are
// checked (SPEC §10, §13).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { BundlePaths } from "../src/bundle/layout.js";
import { canonicalize } from "../src/jcs/canonicalize.js";
import { kitObjectKey, type KitFile } from "../src/manifest/kit-layout.js";
import type { BackupKit } from "../src/manifest/kit-report.js";
import { cosigned } from "../src/test-support/bucket.js";
import { sampleKit } from "../src/test-support/kit.js";
import { fromUtf8, utf8 } from "../src/bytes/utf8.js";
import { cosignCheckpoint, formatVkey, parseSignedNote } from "../src/note/index.js";
import { buildFixtureLog, fixtureBundle, rezip, unzipBundle } from "../src/test-support/fixture-log.js";
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

let dir: string;
const path = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "walwarden-verify-witness-"));
  const files = unzipBundle(fixtureBundle(buildFixtureLog(80, 5), 0, 80));
  const note = fromUtf8(files.get(BundlePaths.checkpoint)!)!;
  const body = parseSignedNote(note);
  if (!body.ok) throw new Error(body.message);
  const line = cosignCheckpoint(body.value.text, RUNNER_SIGNER, 1_765_000_000);
  if (!line.ok) throw new Error(line.message);
  files.set(BundlePaths.checkpoint, utf8(note + line.value));
  writeFileSync(path("witnessed.zip"), rezip(files, { resignIndex: true }));
  writeFileSync(path("forked.zip"), fixtureBundle(buildFixtureLog(80, 6), 0, 80));

  // Kits as the runner writes them: one whose checkpoint it cosigned, one without its line.
  const s = sampleKit();
  const artifactName = s.predicate.s3.key.split("/").at(-1)!;
  const writeKit = (name: string, kit: BackupKit) => {
    mkdirSync(path(name));
    const file = (f: KitFile) => path(`${name}/${kitObjectKey(artifactName, f)}`);
    writeFileSync(file("manifest"), canonicalize(kit.envelope));
    writeFileSync(file("entry"), kit.entry);
    writeFileSync(file("proof"), canonicalize(kit.proof));
    writeFileSync(file("checkpoint"), kit.checkpoint);
    writeFileSync(path(`${name}/${artifactName}`), s.artifact);
  };
  writeKit("kit-witnessed", { ...s.kit, checkpoint: cosigned(s.kit.checkpoint, RUNNER_SIGNER) });
  writeKit("kit-unwitnessed", s.kit);
});

describe("walwarden-verify bundle --witness", () => {
  test("the runner's cosignature required: its history verifies, a fork signed with the real key does not", async () => {
    const ok = await cli("bundle", path("witnessed.zip"), ...KEYS, "--witness", RUNNER);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/ok +Head checkpoint is cosigned by 1 of the 1 pinned witness/);
    expect((await cli("bundle", path("forked.zip"), ...KEYS)).code).toBe(0);
    const forked = await cli("bundle", path("forked.zip"), ...KEYS, "--witness", RUNNER, "--json");
    expect(forked.code).toBe(1);
    const report = JSON.parse(forked.stdout) as { checks: { id: string; status: string }[] };
    expect(report.checks.find((c) => c.id === "log.witnesses")?.status).toBe("fail");
  });

  test("flags are checked: a bad key, a quorum above the keys or not a number, and --witness elsewhere", async () => {
    for (const args of [
      ["bundle", path("witnessed.zip"), ...KEYS, "--witness", "garbage"],
      ["bundle", path("witnessed.zip"), ...KEYS, "--witness", RUNNER, "--witness-quorum", "2"],
      ["bundle", path("witnessed.zip"), ...KEYS, "--witness", RUNNER, "--witness-quorum", "0"],
      ["bundle", path("witnessed.zip"), ...KEYS, "--witness-quorum", "1"],
      ["kit", path("kit-witnessed/bk_01.manifest.json"), ...KEYS, "--witness", "garbage"],
      ["kit", path("kit-witnessed/bk_01.manifest.json"), ...KEYS, "--witness", RUNNER, "--witness-quorum", "2"],
      ["manifest", path("kit-witnessed/bk_01.manifest.json"), ...KEYS, "--witness", RUNNER],
      ["drill", path("kit-witnessed/bk_01.manifest.json"), "--key", RUNNER, "--witness", RUNNER],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
    }
  });
});

describe("walwarden-verify kit --witness", () => {
  test("a kit whose checkpoint the runner cosigned verifies with its key required; without the line it fails", async () => {
    const kit = path("kit-witnessed/bk_01.manifest.json");
    const ok = await cli("kit", kit, ...KEYS, "--witness", RUNNER);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /ok +Checkpoint is cosigned by 1 of the 1 pinned witness\(es\): test\.walwarden\.dev\/runner\/rn_01 at /,
    );
    const bare = path("kit-unwitnessed/bk_01.manifest.json");
    expect((await cli("kit", bare, ...KEYS)).code).toBe(0);
    const refused = await cli("kit", bare, ...KEYS, "--witness", RUNNER, "--json");
    expect(refused.code).toBe(1);
    const report = JSON.parse(refused.stdout) as { failed: string; checks: { id: string; detail: string }[] };
    expect(report.failed).toBe("kit.witnesses");
    expect(report.checks.find((c) => c.id === "kit.witnesses")?.detail).toMatch(/^quorum: 0 pinned witness/);
  });
});
