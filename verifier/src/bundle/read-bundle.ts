import { err, ok, type Result } from "../result.js";
import { type BundleLimits, bundleLimits } from "./bundle-limits.js";
import { BundlePaths } from "./layout.js";
import { type InflateCappedErrorCode, inflateCapped } from "./inflate-capped.js";
import { readZipDirectory, type ZipDirectoryErrorCode } from "./zip-directory.js";

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
  const files: BundleFiles = new Map();
  for (const e of directory.value) {
    if (e.name.endsWith("/")) continue;
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
