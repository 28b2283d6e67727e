// ArchiveIndexer against real pg_dump output (PostgreSQL 15): a custom-format dump written to a pipe,
// patched with the indexer's offsets, is byte for byte the dump pg_dump writes to a file (which can seek
// back and fill in the offsets), apart from the creation time in the header; however the bytes are cut.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "@walwarden/testing/postgres";
import { createRestoreSampleDb as createSampleDb } from "@walwarden/testing/sample-data";
import { ArchiveIndexer, type ArchivePatch } from "./archive-index.js";

let pg: Cluster;
let dir: string;

beforeAll(async () => {
  pg = await startCluster({ name: "postgres-archive-index" });
  await createSampleDb(pg, "shop");
  // Large objects too: their data items are framed differently (an oid, then blocks, per object).
  await pg.query(
    "SELECT lo_from_bytea(0, convert_to(repeat('large object ', 5000), 'UTF8')), lo_from_bytea(0, '\\x00ff'::bytea)",
    [],
    { db: "shop" },
  );
  dir = mkdtempSync(join(tmpdir(), "ww-pg-archive-index-"));
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** pg_dump -Fc of the sample database, to stdout (a pipe) or to a file. */
function dump(extra: string[], file?: string): Buffer {
  const args = ["--format=custom", "--no-owner", ...extra, `--dbname=${pg.url("shop")}`];
  if (file) {
    execFileSync(`${pg.binDir}/pg_dump`, [...args, `--file=${file}`]);
    return readFileSync(file);
  }
  return execFileSync(`${pg.binDir}/pg_dump`, args, { maxBuffer: 1 << 28 });
}

function patched(archive: Buffer, patches: ArchivePatch[]): Buffer {
  const out = Buffer.from(archive);
  for (const p of patches) p.bytes.copy(out, p.position);
  return out;
}

/** Feeds the archive in pieces of random sizes (1 byte to 8 KiB). */
function index(archive: Buffer, seed = 1): ReturnType<ArchiveIndexer["finish"]> {
  const ix = new ArchiveIndexer();
  let s = seed;
  for (let i = 0; i < archive.length; ) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (s % 8192);
    ix.feed(archive.subarray(i, i + n));
    i += n;
  }
  return ix.finish();
}

/** Where two equally long archives differ. */
function differences(a: Buffer, b: Buffer): number[] {
  const at: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) at.push(i);
  return at;
}

// PostgreSQL 15's header: "PGDMP", 3 version bytes, int size, offset size, format, the compression as an
// int (5 bytes), then the creation time (7 ints of 5 bytes): bytes 16 to 50.
const CREATION_TIME_END = 51;

describe("ArchiveIndexer", () => {
  for (const [what, extra] of [
    ["uncompressed (-Z0, as the runner dumps)", ["--compress=0"]],
    ["gzip-compressed (pg_dump's default)", []],
  ] as const) {
    it(`sets the offsets of a piped ${what} dump to the ones pg_dump writes into a file`, () => {
      const piped = dump([...extra]);
      const file = dump([...extra], join(dir, `file-${extra.length}.dump`));
      expect(piped.length).toBe(file.length);
      const before = differences(piped, file);
      expect(before.some((i) => i >= CREATION_TIME_END)).toBe(true); // the offsets differ

      for (const seed of [1, 2, 3]) {
        const r = index(piped, seed);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.patches.length).toBe(5); // customers, orders, the two partitions of events, the large objects
        expect(differences(patched(piped, r.patches), file).filter((i) => i >= CREATION_TIME_END)).toEqual([]);
      }
      // An archive whose offsets are set needs nothing.
      expect(index(file)).toEqual({ ok: true, patches: [] });
    });
  }

  it("declines what it does not understand, so the archive is used as it is", () => {
    const piped = dump(["--compress=0"]);
    expect(index(Buffer.from("not an archive at all"))).toMatchObject({ ok: false });
    expect(index(piped.subarray(0, 100))).toMatchObject({ ok: false, why: "the archive ends inside its TOC" });
    expect(index(piped.subarray(0, piped.length - 3))).toMatchObject({
      ok: false,
      why: "the archive ends inside a data item",
    });
    const corrupt = Buffer.from(piped);
    corrupt[piped.length - 1] = 7; // the last data item's end marker is no longer a zero int
    expect(index(corrupt)).toMatchObject({ ok: false });
    const future = Buffer.from(piped);
    future[6] = 99; // archive version 1.99
    expect(index(future)).toMatchObject({ ok: false, why: expect.stringContaining("archive version") });
  });
});
