import { unzipSync } from "fflate";
import { err, ok, type Result } from "../result.js";
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_FILES } from "./layout.js";

/** Why a zip could not be read as a bundle. */
export type ReadBundleErrorCode =
  | "not-a-zip"
  | "too-large"
  | "bad-path"
  | "duplicate-path"
  | "unsupported-compression"
  | "zip64";

/** The files of a bundle by path. */
export type BundleFiles = Map<string, Uint8Array>;

/**
 * Reads a bundle zip into memory, refusing zip bombs (more than MAX_BUNDLE_BYTES inflated or
 * MAX_BUNDLE_FILES files), ZIP64 (its entry count and sizes would be misread), unsafe or duplicate paths,
 * and compression other than stored/deflate. Duplicates matter: a zip may hold two files of one name, and
 * a reader that keeps the last would verify different bytes from the ones another tool shows.
 */
export function readBundle(zip: Uint8Array): Result<BundleFiles, ReadBundleErrorCode> {
  if (isZip64(zip))
    return err("zip64", "ZIP64 archives are not bundles (a bundle has fewer than 65,535 files, each under 4 GiB)");
  const seen = new Set<string>();
  let total = 0;
  let problem: { code: ReadBundleErrorCode; message: string } | undefined;
  let out: Record<string, Uint8Array>;
  try {
    out = unzipSync(zip, {
      filter(f) {
        if (problem) return false;
        if (seen.has(f.name)) problem = { code: "duplicate-path", message: `the zip holds ${f.name} more than once` };
        else if (!isSafePath(f.name))
          problem = { code: "bad-path", message: `unsafe path in zip: ${JSON.stringify(f.name)}` };
        else if (f.compression !== 0 && f.compression !== 8)
          problem = { code: "unsupported-compression", message: `${f.name} uses compression method ${f.compression}` };
        else if (seen.size + 1 > MAX_BUNDLE_FILES)
          problem = { code: "too-large", message: `more than ${MAX_BUNDLE_FILES} files` };
        else if ((total += f.originalSize) > MAX_BUNDLE_BYTES)
          problem = { code: "too-large", message: `inflates to more than ${MAX_BUNDLE_BYTES} bytes` };
        seen.add(f.name);
        return !problem && !f.name.endsWith("/");
      },
    });
  } catch (e) {
    return err("not-a-zip", `not a readable zip: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (problem) return err(problem.code, problem.message);
  return ok(new Map(Object.entries(out)));
}

/** True if the zip's end record says ZIP64 (a ZIP64 locator precedes it, or a field is saturated). */
function isZip64(zip: Uint8Array): boolean {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 0x05 && zip[i + 3] === 0x06) {
      const u16 = (o: number) => zip[i + o]! | (zip[i + o + 1]! << 8);
      const u32 = (o: number) => (u16(o) | (u16(o + 2) << 16)) >>> 0;
      const locator =
        i >= 20 && zip[i - 20] === 0x50 && zip[i - 19] === 0x4b && zip[i - 18] === 0x06 && zip[i - 17] === 0x07;
      return locator || u16(8) === 0xffff || u16(10) === 0xffff || u32(12) === 0xffffffff || u32(16) === 0xffffffff;
    }
  }
  return false;
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
