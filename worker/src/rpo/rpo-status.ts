import type { RpoStatus } from "@walwarden/verifier/wire";

/** A database's recovery point against its target (the wire's RpoStatusSchema). */
export type { RpoStatus };

/** Share of the target after which a database is at risk: the next backup has little slack left. */
export const AT_RISK_FRACTION = 0.75;

/** What the status is computed from. Times are epoch ms. */
export interface RpoInput {
  createdAt: number;
  targetMinutes: number | null;
  lastBackupAt: number | null;
  lastJobFailed: boolean;
}

/**
 * ok: the newest backup is younger than 75% of the target. at-risk: older than that, or the latest job
 * failed for good, or there is no backup yet but the target has not elapsed since the database was added.
 * breached: the newest backup (or, with none, the database itself) is older than the target. no-target:
 * no enabled schedule sets one.
 */
export function rpoStatus(input: RpoInput, now: number): RpoStatus {
  if (input.targetMinutes === null) return "no-target";
  const targetMs = input.targetMinutes * 60_000;
  const age = now - (input.lastBackupAt ?? input.createdAt);
  if (age > targetMs) return "breached";
  if (input.lastBackupAt === null || input.lastJobFailed || age >= AT_RISK_FRACTION * targetMs) return "at-risk";
  return "ok";
}
