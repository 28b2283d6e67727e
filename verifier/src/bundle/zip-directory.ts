import { fromUtf8 } from "../bytes/utf8.js";
import { err, ok, type Result } from "../result.js";
import { type BundleLimits, RATIO_FLOOR_BYTES } from "./bundle-limits.js";

/** Why a zip's directory was refused before anything was inflated. */
export type ZipDirectoryErrorCode =
  | "not-a-zip"
  | "zip64"
  | "unsupported-zip"
  | "unsupported-compression"
  | "bad-path"
  | "duplicate-path"
  | "bundle-too-large"
  | "bundle-too-many-files"
  | "bundle-entry-too-large"
  | "bundle-ratio"
  | "bundle-overlap";

/** One entry of the central directory, checked against its local header. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: 0 | 8;
  /** Where its compressed bytes are in the zip, and how many. */
  dataOffset: number;
  compressedSize: number;
  /** The size the directory declares it inflates to; no more and no less is accepted. */
  size: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_LOCATOR = 0x07064b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;

/**
 * Reads and checks a zip's central directory against the limits, without inflating anything: first its
 * structure (the file count, safe and unique paths, each local header agreeing with its directory record,
 * no two entries sharing bytes: overlapping entries are how a small zip inflates one compressed stream
 * many times), then what it declares (each size and ratio, their sum and its ratio to the zip's length).
 * Entries come back in directory order.
 */
export function readZipDirectory(zip: Uint8Array, limits: BundleLimits): Result<ZipEntry[], ZipDirectoryErrorCode> {
  const u16 = (o: number) => zip[o]! | (zip[o + 1]! << 8);
  const u32 = (o: number) => (u16(o) | (u16(o + 2) << 16)) >>> 0;
  const eocd = findEndRecord(zip, u16, u32);
  if (eocd === undefined) return err("not-a-zip", "no end-of-central-directory record");
  const count = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (
    (eocd >= 20 && u32(eocd - 20) === ZIP64_LOCATOR) ||
    u16(eocd + 8) === 0xffff ||
    count === 0xffff ||
    cdSize === 0xffffffff ||
    cdOffset === 0xffffffff
  )
    return err("zip64", "ZIP64 archives are not bundles (a bundle has fewer than 65,535 files, each under 4 GiB)");
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== count)
    return err("unsupported-zip", "multi-disk archives are not bundles");
  if (count > limits.maxFiles) return err("bundle-too-many-files", `${count} files, more than ${limits.maxFiles}`);
  if (cdOffset + cdSize > eocd) return err("not-a-zip", "the central directory runs past its end record");

  const entries: (ZipEntry & { start: number })[] = [];
  const seen = new Set<string>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || u32(p) !== CENTRAL)
      return err("not-a-zip", `central directory record ${i} is malformed`);
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const compressedSize = u32(p + 20);
    const size = u32(p + 24);
    const nameLength = u16(p + 28);
    const next = p + 46 + nameLength + u16(p + 30) + u16(p + 32);
    const start = u32(p + 42);
    if (next > cdOffset + cdSize) return err("not-a-zip", `central directory record ${i} runs past the directory`);
    if (nameLength > 1024) return err("bad-path", `central directory record ${i} has a ${nameLength}-byte name`);
    const nameBytes = zip.subarray(p + 46, p + 46 + nameLength);
    const name = flags & FLAG_UTF8 ? fromUtf8(nameBytes) : String.fromCharCode(...nameBytes);
    if (compressedSize === 0xffffffff || size === 0xffffffff || start === 0xffffffff)
      return err("zip64", `${name ?? "an entry"} has ZIP64 sizes`);
    if (name === undefined || !isSafePath(name))
      return err("bad-path", `unsafe path in zip: ${JSON.stringify(name ?? "(not UTF-8)")}`);
    if (seen.has(name)) return err("duplicate-path", `the zip holds ${name} more than once`);
    seen.add(name);
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) return err("unsupported-zip", `${name} is encrypted`);
    if (method !== 0 && method !== 8)
      return err("unsupported-compression", `${name} uses compression method ${method}`);
    if (method === 0 && size !== compressedSize)
      return err("not-a-zip", `${name} is stored, but its sizes differ (${compressedSize} and ${size})`);

    // The local header must describe the same file: readers that trust one or the other must agree.
    if (start + 30 > cdOffset || u32(start) !== LOCAL) return err("not-a-zip", `${name} has no local header`);
    const localName = zip.subarray(start + 30, start + 30 + u16(start + 26));
    const localFlags = u16(start + 6);
    const sizesDeferred = (localFlags & FLAG_DATA_DESCRIPTOR) !== 0;
    if (
      !equalBytes(localName, nameBytes) ||
      u16(start + 8) !== method ||
      (localFlags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 ||
      (!sizesDeferred && (u32(start + 18) !== compressedSize || u32(start + 22) !== size))
    )
      return err("not-a-zip", `${name}: the local header does not match the central directory`);
    const dataOffset = start + 30 + localName.length + u16(start + 28);
    if (dataOffset + compressedSize > cdOffset)
      return err("not-a-zip", `${name}: its data runs into the central directory`);
    entries.push({ name, method, dataOffset, compressedSize, size, start });
    p = next;
  }
  if (p !== cdOffset + cdSize) return err("not-a-zip", "the central directory's size does not match its records");
  const byStart = [...entries].sort((a, b) => a.start - b.start);
  for (let i = 1; i < byStart.length; i++) {
    const [a, b] = [byStart[i - 1]!, byStart[i]!];
    if (a.dataOffset + a.compressedSize > b.start)
      return err("bundle-overlap", `${a.name} and ${b.name} share bytes in the zip (a zip bomb?)`);
  }
  const costs = checkCosts(entries, zip.length, limits);
  if (!costs.ok) return costs;
  return ok(entries.map(({ start: _, ...e }) => e));
}

/** What the entries declare they cost, against the limits: per file, in all, and per compressed byte. */
function checkCosts(entries: ZipEntry[], zipLength: number, limits: BundleLimits): Result<void, ZipDirectoryErrorCode> {
  let total = 0;
  for (const { name, method, compressedSize, size } of entries) {
    if (size > limits.maxFileBytes)
      return err("bundle-entry-too-large", `${name} inflates to ${size} bytes, more than ${limits.maxFileBytes}`);
    if ((total += size) > limits.maxTotalBytes)
      return err("bundle-too-large", `the files inflate to more than ${limits.maxTotalBytes} bytes`);
    if (method === 8 && size > RATIO_FLOOR_BYTES && size > limits.maxRatio * compressedSize)
      return err(
        "bundle-ratio",
        `${name} inflates ${compressedSize} bytes to ${size}, more than ${limits.maxRatio} times (a zip bomb?)`,
      );
  }
  // Many files each under the floor must not add up to a bomb either.
  if (total > RATIO_FLOOR_BYTES && total > limits.maxRatio * zipLength)
    return err(
      "bundle-ratio",
      `the files inflate to ${total} bytes from a zip of ${zipLength}, more than ${limits.maxRatio} times (a zip bomb?)`,
    );
  return ok(undefined);
}

/** Offset of the end-of-central-directory record: the last one whose comment ends the zip. */
function findEndRecord(zip: Uint8Array, u16: (o: number) => number, u32: (o: number) => number): number | undefined {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--)
    if (u32(i) === EOCD && i + 22 + u16(i + 20) === zip.length) return i;
  return undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isSafePath(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 512 &&
    !name.startsWith("/") &&
    !name.includes("\\") &&
    !name.includes("\0") &&
    name.split("/").every((part, i, all) => part !== ".." && part !== "." && (part !== "" || i === all.length - 1))
  );
}
