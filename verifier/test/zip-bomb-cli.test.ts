// walwarden-verify bundle against zip bombs and inputs that are not files, as real processes: each is
// refused quickly, and the process's peak RSS (its own getrusage, written at exit by a preload) stays
// within a few tens of MiB of the same CLI verifying a good bundle, measured in the same run. Before,
// a 1.5 MB zip peaked at 1.6 GB and /dev/zero grew until it was stopped.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { formatVkey } from "../src/note/index.js";
import { buildFixtureLog, fixtureBundle } from "../src/test-support/fixture-log.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER } from "../src/test-support/keys.js";
import {
  lyingSizes,
  manyEmptyFiles,
  manyEntries,
  nestedZip,
  oneHugeEntry,
  overlappingEntries,
} from "../src/test-support/zip-bombs.js";

const BIN = fileURLToPath(new URL("../bin/walwarden-verify.js", import.meta.url));
const KEYS = [
  "--key",
  formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey),
  "--key",
  formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey),
];
const MiB = 1024 * 1024;
// Headroom over the good bundle's peak: the bombs may cost the zip plus a few MiB of inflating.
const RSS_HEADROOM = 64 * MiB;
// Wall-clock bound, generous for a loaded 2-core machine; a bomb that inflated would take far longer.
const QUICK_MS = 20_000;

let dir: string;
const path = (name: string) => join(dir, name);

/** Runs the CLI as a user would, killed after `timeoutMs`; returns its exit, output, peak RSS (bytes) and time. */
function cli(args: string[], timeoutMs = 60_000) {
  const rssFile = path(`rss-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  return new Promise<{ code: number | null; stdout: string; stderr: string; maxRss: number; ms: number }>((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NODE_OPTIONS: `--import=${path("max-rss.mjs")}`, WW_MAX_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      let maxRss = Number.POSITIVE_INFINITY; // killed before it could say: unbounded as far as we know
      try {
        maxRss = Number(readFileSync(rssFile, "utf8")) * 1024;
      } catch {}
      done({ code, stdout, stderr, maxRss, ms: performance.now() - started });
    });
  });
}

let baseline: { maxRss: number; ms: number };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "walwarden-bombs-"));
  // The child's own peak RSS, written as it exits (ru_maxrss, KiB on Linux).
  writeFileSync(
    path("max-rss.mjs"),
    `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(process.env.WW_MAX_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`,
  );
  writeFileSync(path("good.zip"), fixtureBundle(buildFixtureLog(400, 5), 20, 380));
  writeFileSync(path("huge.zip"), oneHugeEntry(1000 * MiB)); // 1 MB → 1,000 MiB
  writeFileSync(path("lying.zip"), lyingSizes(1536 * MiB, 1000));
  writeFileSync(path("many.zip"), manyEntries(2_000, MiB)); // 2 MB → 2,000 MiB in files of 1 MiB
  writeFileSync(path("overlap.zip"), overlappingEntries(1_500, MiB)); // 140 KB → 1.5 GiB
  writeFileSync(path("files.zip"), manyEmptyFiles(60_001));
  writeFileSync(path("nested.zip"), nestedZip(1536 * MiB));
  writeFileSync(path("sparse.zip"), "");
  truncateSync(path("sparse.zip"), 1024 ** 3 + 1); // one byte over the default --max-zip-size, no disk used
  mkdirSync(path("a-directory.zip"));
  execFileSync("mkfifo", [path("fifo.zip")]);

  const good = await cli(["bundle", path("good.zip"), ...KEYS]);
  expect(good.code, good.stderr).toBe(0);
  expect(good.maxRss).toBeLessThan(Number.POSITIVE_INFINITY);
  baseline = good;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("walwarden-verify bundle refuses zip bombs with bounded memory", () => {
  test.each([
    ["one file of 1,000 MiB of zeros (ratio ~1,000)", "huge.zip", /FAIL {2}Bundle is a readable zip: bundle-ratio: /],
    ["a directory declaring 1,000 bytes for 1.5 GiB", "lying.zip", /bundle-size-mismatch: .*more than the 1000 bytes/],
    ["2,000 files of 1 MiB from 2 MB", "many.zip", /bundle-ratio: the files inflate to/],
    ["1,500 overlapping files sharing one kernel", "overlap.zip", /bundle-overlap: /],
    ["60,001 empty files", "files.zip", /bundle-too-many-files: /],
  ])("%s", async (_, file, failure) => {
    const r = await cli(["bundle", path(file), ...KEYS]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(failure);
    expect(r.stdout).toMatch(/NOT VERIFIED: check bundle\.zip failed/);
    expect(r.ms).toBeLessThan(QUICK_MS);
    expect(r.maxRss).toBeLessThan(baseline.maxRss + RSS_HEADROOM);
  });

  test("a zip inside the zip is read as one file and never opened (not verified: no index)", async () => {
    const r = await cli(["bundle", path("nested.zip"), ...KEYS]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ok {4}Bundle is a readable zip: 1 files\n/);
    expect(r.stdout).toMatch(/FAIL {2}Index is signed by a pinned key: index\.dsse\.json is missing/);
    expect(r.maxRss).toBeLessThan(baseline.maxRss + RSS_HEADROOM);
  });
});

describe("walwarden-verify bundle reads only regular files within --max-zip-size", () => {
  test.each([
    ["/dev/zero", () => "/dev/zero", /not a regular file \(a character device\)/],
    ["a FIFO (nobody writes to it: reading would block)", () => path("fifo.zip"), /not a regular file \(a FIFO\)/],
    ["a directory", () => path("a-directory.zip"), /not a regular file \(a directory\)/],
    [
      "a file one byte over the default 1 GiB",
      () => path("sparse.zip"),
      /it has 1073741825 bytes, more than --max-zip-size \(1073741824 bytes\)/,
    ],
  ])("%s is refused before it is read", async (_, file, why) => {
    const r = await cli(["bundle", file(), ...KEYS], 30_000);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.ms).toBeLessThan(QUICK_MS);
    expect(r.maxRss).toBeLessThan(baseline.maxRss + RSS_HEADROOM);
  });

  test("a kit or manifest path that is not a regular file is refused too", async () => {
    const r = await cli(["manifest", "/dev/zero", ...KEYS], 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read \/dev\/zero: not a regular file/);
  });
});

describe("walwarden-verify bundle's limit flags", () => {
  test("--max-zip-size: a smaller value refuses the good bundle before reading it", async () => {
    const r = await cli(["bundle", path("good.zip"), ...KEYS, "--max-zip-size", "1KiB"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/more than --max-zip-size \(1024 bytes\)/);
  });

  test("--max-inflated-size and --max-file-size: values below the good bundle's sizes refuse it, values above pass it", async () => {
    const total = await cli(["bundle", path("good.zip"), ...KEYS, "--max-inflated-size", "64KiB"]);
    expect(total.code).toBe(1);
    expect(total.stdout).toMatch(
      /FAIL {2}Bundle is a readable zip: bundle-too-large: the files inflate to more than 65536 bytes/,
    );
    const file = await cli(["bundle", path("good.zip"), ...KEYS, "--max-file-size", "4096"]);
    expect(file.code).toBe(1);
    expect(file.stdout).toMatch(/bundle-entry-too-large: .* more than 4096/);
    const enough = await cli([
      "bundle",
      path("good.zip"),
      ...KEYS,
      "--max-inflated-size",
      "16MiB",
      "--max-file-size",
      "8MiB",
    ]);
    expect(enough.code, enough.stdout).toBe(0);
  });

  test("a size that is not one, or a limit flag with another command, is a usage error", async () => {
    const bad = await cli(["bundle", path("good.zip"), ...KEYS, "--max-zip-size", "12XB"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-zip-size: "12XB" is not a size/);
    const zero = await cli(["bundle", path("good.zip"), ...KEYS, "--max-file-size", "0"]);
    expect(zero.code).toBe(2);
    const other = await cli(["manifest", path("good.zip"), ...KEYS, "--max-inflated-size", "1GiB"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--max-inflated-size goes with the bundle command/);
  });
});
