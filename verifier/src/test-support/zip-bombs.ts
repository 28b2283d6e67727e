import { Deflate, zipSync } from "fflate";

// Zip bombs of several shapes, built cheaply (no gigabyte is ever deflated: a sync-flushed block of 1 MiB
// of zeros is repeated), for the tests and bench/zip-bomb.mjs. CRC-32 fields are left 0: no reader here
// checks them (the bundle's signed index holds each file's SHA-256), and computing them would cost the
// inflated size.

const MiB = 1024 * 1024;
let zeroBlock: Uint8Array | undefined;

/** A raw deflate stream of `bytes` zeros (a multiple of 1 MiB), about 1/1,000 of that long. */
export function zeroDeflate(bytes: number): Uint8Array {
  if (bytes % MiB !== 0) throw new Error("zeroDeflate takes whole MiB");
  if (!zeroBlock) {
    const parts: Uint8Array[] = [];
    const d = new Deflate({ level: 9 }, (chunk) => parts.push(chunk));
    d.push(new Uint8Array(MiB));
    d.flush(true); // byte-aligned and not final: the block can be repeated
    zeroBlock = concat(parts);
  }
  const blocks = bytes / MiB;
  const out = new Uint8Array(blocks * zeroBlock.length + 2);
  for (let i = 0; i < blocks; i++) out.set(zeroBlock, i * zeroBlock.length);
  out.set([0x03, 0x00], blocks * zeroBlock.length); // an empty final block
  return out;
}

/** One record of a hand-built zip: the bytes as stored, and the sizes its directory declares. */
export interface RawEntry {
  name: string;
  method: 0 | 8;
  data: Uint8Array;
  /** Declared inflated size (a bomb may lie). */
  size: number;
}

/** A zip of the given records, each a local header then its data, then the central directory. */
export function rawZip(entries: RawEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const local = localHeader(name, e.method, e.data.length, e.size);
    locals.push(local, e.data);
    central.push(centralRecord(name, e.method, e.data.length, e.size, offset));
    offset += local.length + e.data.length;
  }
  return concat([...locals, ...central, endRecord(entries.length, sum(central), offset)]);
}

/** One file of `bytes` zeros, honestly declared: a ratio of about 1,000. */
export function oneHugeEntry(bytes: number, name = "log/entries.jsonl"): Uint8Array {
  return rawZip([{ name, method: 8, data: zeroDeflate(bytes), size: bytes }]);
}

/** `count` files of `bytesEach` zeros (a multiple of 1 MiB), honestly declared. */
export function manyEntries(count: number, bytesEach: number): Uint8Array {
  const data = zeroDeflate(bytesEach);
  return rawZip(
    Array.from({ length: count }, (_, i) => ({ name: `f/${i}`, method: 8 as const, data, size: bytesEach })),
  );
}

/** `count` empty files: many entries, nothing to inflate. */
export function manyEmptyFiles(count: number): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) files[`log/checkpoints/${i}.txt`] = new Uint8Array();
  return zipSync(files, { level: 0 });
}

/** One file whose directory declares `declared` bytes while its data inflates to `bytes` zeros. */
export function lyingSizes(bytes: number, declared: number): Uint8Array {
  return rawZip([{ name: "log/entries.jsonl", method: 8, data: zeroDeflate(bytes), size: declared }]);
}

/** A zip that holds, stored, another zip of `bytes` zeros (the reader never opens zips inside a zip). */
export function nestedZip(bytes: number): Uint8Array {
  const inner = oneHugeEntry(bytes, "inner.txt");
  return rawZip([{ name: "report.zip", method: 0, data: inner, size: inner.length }]);
}

/**
 * David Fifield's overlapping-files bomb (https://www.bamsoftware.com/hacks/zipbomb/): every file's
 * deflate stream quotes the next file's local header in a stored block and then runs on into it, so all
 * `count` files end in one shared kernel of `bytes` zeros and each inflates to all of it.
 */
export function overlappingEntries(count: number, bytes: number): Uint8Array {
  const kernel = zeroDeflate(bytes);
  const names = Array.from({ length: count }, (_, i) => new TextEncoder().encode(`f/${i}`));
  // From the last file back: file i's data is [stored block: local header i+1] + file i+1's header and data.
  const headers: Uint8Array[] = new Array(count);
  const dataLength: number[] = new Array(count);
  const size: number[] = new Array(count);
  dataLength[count - 1] = kernel.length;
  size[count - 1] = bytes;
  headers[count - 1] = localHeader(names[count - 1]!, 8, kernel.length, bytes);
  for (let i = count - 2; i >= 0; i--) {
    const next = headers[i + 1]!;
    dataLength[i] = 5 + next.length + dataLength[i + 1]!;
    size[i] = next.length + size[i + 1]!;
    headers[i] = localHeader(names[i]!, 8, dataLength[i]!, size[i]!);
  }
  const body: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    central.push(centralRecord(names[i]!, 8, dataLength[i]!, size[i]!, offset));
    body.push(headers[i]!);
    offset += headers[i]!.length;
    if (i < count - 1) {
      const n = headers[i + 1]!.length;
      body.push(Uint8Array.of(0x00, n & 0xff, n >> 8, ~n & 0xff, (~n >> 8) & 0xff)); // stored, not final
      offset += 5;
    }
  }
  body.push(kernel);
  offset += kernel.length;
  return concat([...body, ...central, endRecord(count, sum(central), offset)]);
}

function localHeader(name: Uint8Array, method: number, compressedSize: number, size: number): Uint8Array {
  const h = new Uint8Array(30 + name.length);
  const v = new DataView(h.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(8, method, true);
  v.setUint32(18, compressedSize, true);
  v.setUint32(22, size, true);
  v.setUint16(26, name.length, true);
  h.set(name, 30);
  return h;
}

function centralRecord(name: Uint8Array, method: number, compressedSize: number, size: number, offset: number) {
  const h = new Uint8Array(46 + name.length);
  const v = new DataView(h.buffer);
  v.setUint32(0, 0x02014b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(6, 20, true);
  v.setUint16(10, method, true);
  v.setUint32(20, compressedSize, true);
  v.setUint32(24, size, true);
  v.setUint16(28, name.length, true);
  v.setUint32(42, offset, true);
  h.set(name, 46);
  return h;
}

function endRecord(count: number, size: number, offset: number): Uint8Array {
  const h = new Uint8Array(22);
  const v = new DataView(h.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, count, true);
  v.setUint16(10, count, true);
  v.setUint32(12, size, true);
  v.setUint32(16, offset, true);
  return h;
}

function sum(parts: Uint8Array[]): number {
  return parts.reduce((n, p) => n + p.length, 0);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(sum(parts));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
