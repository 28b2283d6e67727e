import type { BundleLimits } from "@walwarden/verifier";

const MiB = 1024 * 1024;

/**
 * What a bundle sent to the endpoint may cost to read, within the Worker's 128 MB: the body, then at most
 * 48 MiB of inflated files. Sized by the evidence export's caps (50,000 entries, 32 MiB of entries and
 * manifests, one checkpoint per backup): such a bundle zips to a few MiB and inflates to about 40 MiB,
 * in fewer than 17,000 files, each at most 32 MiB. Bigger bundles: run walwarden-verify locally.
 */
export const VERIFY_BUNDLE_LIMITS: Readonly<BundleLimits> = Object.freeze({
  maxZipBytes: 16 * MiB,
  maxFiles: 20_000,
  maxFileBytes: 32 * MiB,
  maxTotalBytes: 48 * MiB,
  maxRatio: 100,
});
