// `walwarden verify bundle` (walwarden-verify inside the operator's CLI) as a real process: /dev/zero, a
// FIFO and a zip bomb are refused quickly, and the process's own peak RSS (getrusage, written at exit by a
// preload) stays near that of a run that only prints its usage. Before, /dev/zero grew to 5 GB and a 1.5 MB
// zip to 1.6 GB.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lyingSizes, oneHugeEntry } from "@walwarden/verifier/testing";
import { publishedKeysOf } from "./support/kit.js";

const BIN = fileURLToPath(new URL("../bin/walwarden.js", import.meta.url));
const MiB = 1024 * 1024;

let dir: string;
const path = (name: string) => join(dir, name);
const keyArgs = () => {
  const k = publishedKeysOf();
  return [...k.checkpoint, ...k.manifest].flatMap((v) => ["--key", v]);
};

/** Runs walwarden, killed after 60 s; its exit code, output, peak RSS in bytes (Infinity if killed) and time. */
function walwarden(args: string[]) {
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
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      let maxRss = Number.POSITIVE_INFINITY;
      try {
        maxRss = Number(readFileSync(rssFile, "utf8")) * 1024;
      } catch {}
      done({ code, stdout, stderr, maxRss, ms: performance.now() - started });
    });
  });
}

let idleRss: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ww-cli-bombs-"));
  writeFileSync(
    path("max-rss.mjs"),
    `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(process.env.WW_MAX_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`,
  );
  writeFileSync(path("huge.zip"), oneHugeEntry(1000 * MiB));
  writeFileSync(path("lying.zip"), lyingSizes(1000 * MiB, 1000));
  execFileSync("mkfifo", [path("fifo.zip")]);
  const idle = await walwarden(["verify", "bundle", path("missing.zip"), ...keyArgs()]);
  expect(idle.code).toBe(2);
  idleRss = idle.maxRss;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("walwarden verify bundle", () => {
  it.each([
    ["/dev/zero", () => "/dev/zero", /not a regular file \(a character device\)/],
    ["a FIFO", () => path("fifo.zip"), /not a regular file \(a FIFO\)/],
  ])("refuses %s before reading it (exit 2)", async (_, file, why) => {
    const r = await walwarden(["verify", "bundle", file(), ...keyArgs()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.maxRss).toBeLessThan(idleRss + 32 * MiB);
  });

  it.each([
    ["1,000 MiB of zeros in a 1 MB zip", "huge.zip", /bundle-ratio/],
    ["a directory that declares 1,000 bytes for 1,000 MiB", "lying.zip", /bundle-size-mismatch/],
  ])("refuses %s as a zip bomb with bounded memory (exit 1)", async (_, file, code) => {
    const r = await walwarden(["verify", "bundle", path(file), ...keyArgs()]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(code);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.maxRss).toBeLessThan(idleRss + 64 * MiB);
  });
});
