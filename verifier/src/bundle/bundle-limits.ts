import { MAX_BUNDLE_FILES } from "./layout.js";

/**
 * What reading a bundle zip may cost (SPEC.md §9, "Reading"). Every limit is checked before anything is
 * inflated, against the sizes the zip's central directory declares, and no file may then inflate past its
 * declared size: a directory that lies is caught after at most about 1 MiB of output. So the memory a
 * reader needs is bounded by the zip's length plus the declared sizes it accepted.
 */
export interface BundleLimits {
  /** Most bytes the zip itself may have. */
  maxZipBytes: number;
  /** Most entries (files and directories) the zip may hold. */
  maxFiles: number;
  /** Most bytes one file may inflate to. */
  maxFileBytes: number;
  /** Most bytes all files together may inflate to. */
  maxTotalBytes: number;
  /**
   * Most bytes a deflated file may inflate to per compressed byte, and all files together per byte of the
   * zip, once past RATIO_FLOOR_BYTES.
   */
  maxRatio: number;
}

/** Up to this size a file, or all files together, may have any compression ratio (a small file of repeated bytes is no bomb). */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

const GiB = 1024 ** 3;

/**
 * The limits when a caller names none: generous, for a machine the auditor controls (walwarden-verify
 * uses them unless its flags say otherwise). A bundle of 1,000,000 log entries with their manifests
 * inflates to about 1 GiB, its largest file to about 600 MiB, from a zip of about 120 MiB; real log
 * entries deflate about 6–40 times, and deflate cannot exceed about 1,032.
 */
export const DEFAULT_BUNDLE_LIMITS: Readonly<BundleLimits> = Object.freeze({
  maxZipBytes: GiB,
  maxFiles: MAX_BUNDLE_FILES,
  maxFileBytes: GiB,
  maxTotalBytes: 2 * GiB,
  maxRatio: 200,
});

/** The default limits with those given replaced (an undefined one keeps its default). */
export function bundleLimits(overrides: Partial<BundleLimits> = {}): BundleLimits {
  const out = { ...DEFAULT_BUNDLE_LIMITS };
  for (const k of Object.keys(out) as (keyof BundleLimits)[]) out[k] = overrides[k] ?? out[k];
  return out;
}
