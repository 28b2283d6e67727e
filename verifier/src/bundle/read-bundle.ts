import { err, ok, type Result } from "../result.js";
import { type BundleLimits, bundleLimits } from "./bundle-limits.js";
import { BundlePaths } from "./layout.js";
import { type InflateCappedErrorCode, inflateCapped, inflateChunks } from "./inflate-capped.js";
import { readZipDirectory, type ZipDirectoryErrorCode, type ZipEntry } from "./zip-directory.js";

/** Why a zip could not be read as a bundle. The `bundle-…` codes are the zip-bomb refusals. */
export type ReadBundleErrorCode = ZipDirectoryErrorCode | InflateCappedErrorCode;

/** The codes by which readBundle refuses a zip as too costly to read, or as built to look cheaper than it is. */
export const BUNDLE_REFUSAL_CODES: ReadonlySet<ReadBundleErrorCode> = new Set<ReadBundleErrorCode>([
  "bundle-too-large",
  "bundle-too-many-files",
  "bundle-entry-too-large",
  "bundle-ratio",
  "bundle-size-mismatch",
  "bundle-overlap",
]);

/**
 * Most bytes index.dsse.json may have per file the limits allow, plus 64 KiB: it is parsed before its
 * signature is checked, so its size is what an unsigned zip can make the verifier parse. A real index lists
 * short layout paths, about 150 bytes each once base64-encoded in the envelope.
 */
export const INDEX_BYTES_PER_FILE = 512;

/** The files of a bundle by path. */
export type BundleFiles = Map<string, Uint8Array>;

/**
 * Reads a bundle zip into memory within `limits` (the defaults unless given), refusing zip bombs before
 * inflating anything (more bytes, files, bytes per file or compression ratio than allowed, overlapping
 * entries) and while inflating (a file that inflates past its declared size is stopped there). Also
 * refuses ZIP64 (its entry count and sizes would be misread), encryption, unsafe or duplicate paths, and
 * compression other than stored/deflate. Duplicates matter: a zip may hold two files of one name, and a
 * reader that keeps the last would verify different bytes from the ones another tool shows.
 */
export function readBundle(
  zip: Uint8Array,
  limits: Partial<BundleLimits> = {},
): Result<BundleFiles, ReadBundleErrorCode> {
  const directory = readDirectory(zip, limits);
  if (!directory.ok) return directory;
  const files: BundleFiles = new Map();
  for (const e of directory.value) {
    const data = zip.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
    if (e.method === 0) {
      files.set(e.name, data.slice());
      continue;
    }
    const inflated = inflateCapped(data, e.size);
    if (!inflated.ok) return err(inflated.code, `${e.name}: ${inflated.message}`);
    files.set(e.name, inflated.value);
  }
  return ok(files);
}

/** The zip's files (not its directories) after every check made before inflating. */
function readDirectory(zip: Uint8Array, limits: Partial<BundleLimits>): Result<ZipEntry[], ReadBundleErrorCode> {
  const l = bundleLimits(limits);
  if (zip.length > l.maxZipBytes)
    return err("bundle-too-large", `the zip has ${zip.length} bytes, more than ${l.maxZipBytes}`);
  const directory = readZipDirectory(zip, l);
  if (!directory.ok) return directory;
  const maxIndex = 64 * 1024 + INDEX_BYTES_PER_FILE * l.maxFiles;
  const index = directory.value.find((e) => e.name === BundlePaths.index);
  if (index && index.size > maxIndex)
    return err(
      "bundle-entry-too-large",
      `${index.name} declares ${index.size} bytes, more than ${maxIndex} for ${l.maxFiles} files`,
    );
  return ok(directory.value.filter((e) => !e.name.endsWith("/")));
}

/**
 * A bundle's files read on demand, a step at a time, so that a large file is never held whole: what
 * verifyBundle reads. Every check readBundle makes before inflating is made when it opens; each file's
 * stream then makes readBundle's checks while inflating, with the same refusals.
 */
export interface BundleSource {
  /** The files (not directories) in the zip's directory order, with the sizes they must inflate to. */
  files: readonly { name: string; size: number }[];
  /** The bytes of a listed file in order; returns its refusal, `<name>: <why>` as readBundle words it, if any. */
  chunks(name: string): Generator<Uint8Array, Result<void, ReadBundleErrorCode>>;
}

/** Opens a bundle zip as a BundleSource, refusing it as readBundle would before inflating anything. */
export function openBundle(
  zip: Uint8Array,
  limits: Partial<BundleLimits> = {},
): Result<BundleSource, ReadBundleErrorCode> {
  const directory = readDirectory(zip, limits);
  if (!directory.ok) return directory;
  const byName = new Map(directory.value.map((e) => [e.name, e]));
  return ok({
    files: directory.value.map((e) => ({ name: e.name, size: e.size })),
    *chunks(name) {
      const e = byName.get(name);
      if (!e) return ok(undefined);
      const data = zip.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
      if (e.method === 0) {
        // Stored: hand out copies a MiB at a time (the zip may be reused by the caller).
        for (let at = 0; at < data.length; at += STORED_STEP) yield data.slice(at, at + STORED_STEP);
        return ok(undefined);
      }
      const r = yield* inflateChunks(data, e.size);
      return r.ok ? r : err(r.code, `${e.name}: ${r.message}`);
    },
  });
}

const STORED_STEP = 1024 * 1024;

/** Files already read (readBundle's result) as a BundleSource, so that they verify through the same code. */
export function sourceOfFiles(files: BundleFiles): BundleSource {
  return {
    files: [...files].map(([name, bytes]) => ({ name, size: bytes.length })),
    *chunks(name) {
      const bytes = files.get(name);
      if (bytes && bytes.length > 0) yield bytes;
      return ok(undefined);
    },
  };
}
