import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { portableSha256, type Sha256 } from "../hash/sha256.js";
import { singleThreadRangeHasher, type RangeHasher } from "../log/range-hasher.js";
import { checkDrills } from "./check-drills.js";
import { checkIndex } from "./check-index.js";
import { checkLog } from "./check-log.js";
import { checkManifests } from "./check-manifests.js";
import { checkRestores } from "./check-restores.js";
import { checkRetention } from "./check-retention.js";
import type { VerifyPolicy } from "./policy.js";
import type { Result } from "../result.js";
import type { BundleLimits } from "./bundle-limits.js";
import { type BundleFiles, type ReadBundleErrorCode, readBundle } from "./read-bundle.js";
import { ReportBuilder, type Report } from "./report.js";

/**
 * Optional speed-ups for a platform (Node: `@walwarden/verifier/node`). SHA-256 and range hashing give
 * identical bytes; a native Ed25519 (used for the many manifest signatures) may only reject more.
 */
export interface VerifyBundleOptions {
  sha256?: Sha256;
  rangeHasher?: RangeHasher;
  ed25519?: Ed25519Verify;
  /** What reading the zip may cost (DEFAULT_BUNDLE_LIMITS for those not given). */
  limits?: Partial<BundleLimits>;
}

/**
 * Verifies an evidence bundle offline against pinned keys: readBundle → checkIndex → checkLog
 * (checkpoint, entries, root, consistency, other checkpoints) → checkManifests → checkDrills → checkRestores
 * → checkRetention.
 * Stops at the first failure that makes later checks meaningless; the report names every check run.
 */
export async function verifyBundle(
  zip: Uint8Array,
  policy: VerifyPolicy,
  options: VerifyBundleOptions = {},
): Promise<Report> {
  return verifyReadBundle(readBundle(zip, options.limits), policy, options);
}

/**
 * verifyBundle from the outcome of readBundle, for a caller that looks at it first (the Worker answers a
 * zip bomb with 413 rather than a report).
 */
export async function verifyReadBundle(
  read: Result<BundleFiles, ReadBundleErrorCode>,
  policy: VerifyPolicy,
  options: VerifyBundleOptions = {},
): Promise<Report> {
  const sha = options.sha256 ?? portableSha256;
  const hasher = options.rangeHasher ?? singleThreadRangeHasher(sha);
  const report = new ReportBuilder();

  const files = report.result("bundle.zip", "Bundle is a readable zip", read, (f) => `${f.size} files`);
  if (!files) return report.build();

  const index = checkIndex(files, policy, sha, report);
  if (!index) return report.build();

  const log = await checkLog(files, index, policy, hasher, report);
  if (!log) return report.build();

  checkManifests(files, log.kept, policy, sha, options.ed25519, report);
  checkDrills(files, index, log.kept, policy, sha, options.ed25519, report);
  checkRestores(files, log.kept, report);
  checkRetention(log.kept, report);
  return report.build();
}
