// decompressSink (shared by the CLI and the runner's drills) with real zstd, Node's gunzip and a real pg_dump archive (PostgreSQL 15): the file it
// writes is the archive pg_dump would have written to a file (offsets set), whatever the compression and
// however the bytes are cut; a decompressor that fails never fails the download, finish() says why; a
// download that starts over starts the archive over; abort() stops zstd.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "@walwarden/testing/postgres";
import { createRestoreSampleDb as createSampleDb } from "@walwarden/testing/sample-data";
import { decompressSink, type DecompressSink } from "./decompress-sink.js";

let pg: Cluster;
let dir: string;
/** pg_dump -Fc -Z0 to a pipe (no offsets), as the runner dumps. */
let piped: Buffer;
/** The same, written by pg_dump to a file (offsets set). */
let file: Buffer;

beforeAll(async () => {
  pg = await startCluster({ name: "postgres-decompress" });
  await createSampleDb(pg, "shop");
  dir = mkdtempSync(join(tmpdir(), "ww-pg-decompress-"));
  const args = ["--format=custom", "--compress=0", "--no-owner", `--dbname=${pg.url("shop")}`];
  piped = execFileSync(`${pg.binDir}/pg_dump`, args, { maxBuffer: 1 << 28 });
  execFileSync(`${pg.binDir}/pg_dump`, [...args, `--file=${join(dir, "file.dump")}`]);
  file = readFileSync(join(dir, "file.dump"));
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Bytes 16–50 of PostgreSQL 15's header are the creation time: the two dumps differ there only. */
function sameArchive(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.subarray(51).equals(b.subarray(51));
}

async function feed(sink: DecompressSink, bytes: Buffer, piece = 7_777): Promise<void> {
  for (let i = 0; i < bytes.length; i += piece) await sink.write(bytes.subarray(i, i + piece));
}

const zstd = (b: Buffer) => execFileSync("zstd", ["-q", "-c", "-3"], { input: b, maxBuffer: 1 << 28 });
/** Our zstd children that are alive (from /proc: "pid (comm) state ppid …"). */
function zstdChildren(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (stat.includes("(zstd)") && Number(ppid) === process.pid && state !== "Z") out.push(Number(pid));
  }
  return out;
}

describe("decompressSink", () => {
  for (const [compression, compress] of [
    ["zstd", zstd],
    ["gzip", gzipSync],
    ["none", (b: Buffer) => b],
  ] as const) {
    it(`${compression}: writes the archive with its data offsets set`, async () => {
      const out = join(dir, `${compression}.dump`);
      const sink = decompressSink(compression, out, { env: process.env, setOffsets: true });
      await feed(sink, compress(piped));
      const r = await sink.finish();
      expect(r).toMatchObject({ ok: true, value: { path: out, bytes: piped.length, offsetsSet: 4 } });
      expect(sameArchive(readFileSync(out), file)).toBe(true);
    });
  }

  it("without setOffsets (an uncompressed download kept as downloaded) the file is the bytes as they came", async () => {
    const out = join(dir, "kept.dump");
    const sink = decompressSink("none", out, { env: process.env, setOffsets: false });
    await feed(sink, piped);
    expect(await sink.finish()).toMatchObject({ ok: true, value: { offsetsSet: 0 } });
    expect(readFileSync(out).equals(piped)).toBe(true);
  });

  it("something that is not an archive is decompressed as it is, with no offsets set", async () => {
    const text = Buffer.from("not a pg_dump archive\n".repeat(10_000));
    const out = join(dir, "text");
    const sink = decompressSink("zstd", out, { env: process.env, setOffsets: true });
    await feed(sink, zstd(text));
    expect(await sink.finish()).toMatchObject({ ok: true, value: { bytes: text.length, offsetsSet: 0 } });
    expect(readFileSync(out).equals(text)).toBe(true);
  });

  it("a corrupt stream never fails a write (the download goes on, to be hashed); finish() says what zstd said", async () => {
    const bad = Buffer.from(zstd(piped));
    bad[bad.length >> 1]! ^= 0xff;
    const sink = decompressSink("zstd", join(dir, "corrupt"), { env: process.env, setOffsets: true });
    await feed(sink, bad, 1_000);
    const r = await sink.finish();
    expect(r).toMatchObject({ ok: false, code: "decompress" });
    expect(!r.ok && r.message).toMatch(/^zstd -d failed \(exit 1\): .+/);
    expect(zstdChildren()).toEqual([]);
  });

  it("gzip that is not gzip fails at finish() too", async () => {
    const sink = decompressSink("gzip", join(dir, "notgzip"), { env: process.env, setOffsets: true });
    await feed(sink, piped);
    const r = await sink.finish();
    expect(r).toMatchObject({ ok: false, code: "decompress", message: expect.stringMatching(/^gunzip failed: /) });
  });

  it("restart() (the server ignored Range) starts the decompression and the file over", async () => {
    const z = zstd(piped);
    const out = join(dir, "restarted.dump");
    const sink = decompressSink("zstd", out, { env: process.env, setOffsets: true });
    await feed(sink, z.subarray(0, z.length >> 1));
    await sink.restart();
    await feed(sink, z);
    expect(await sink.finish()).toMatchObject({ ok: true, value: { bytes: piped.length, offsetsSet: 4 } });
    expect(sameArchive(readFileSync(out), file)).toBe(true);
  });

  it("abort() stops zstd midway", async () => {
    const sink = decompressSink("zstd", join(dir, "aborted"), { env: process.env, setOffsets: true });
    const z = zstd(piped);
    await feed(sink, z.subarray(0, z.length >> 1));
    expect(zstdChildren()).toHaveLength(1);
    await sink.abort();
    expect(zstdChildren()).toEqual([]);
  });
});
