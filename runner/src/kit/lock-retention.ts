import type { RunnerConfig } from "../config/schema.js";
import type { Retention } from "./write-kit.js";

/**
 * The Object Lock a backup's new objects (artifact and kit) get (SPEC §12 "Locks follow the policy"): with
 * `bucket.objectLock` configured, its mode for the longer of its `retainDays` and the job's `minLockDays`
 * (the database's policy's lockDaysFor), counted from `from`; none without Object Lock configured.
 */
export function backupRetention(
  objectLock: RunnerConfig["bucket"]["objectLock"],
  minLockDays: number | null | undefined,
  from: Date,
): Retention | undefined {
  if (!objectLock) return undefined;
  const days = Math.max(objectLock.retainDays, minLockDays ?? 0);
  return { mode: objectLock.mode, retainUntil: new Date(from.getTime() + days * 86_400_000) };
}
