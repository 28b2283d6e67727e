import { intVar, type Env } from "../env.js";
import { expireLeases } from "../jobs/expire-leases.js";
import { CountingD1 } from "../lib/d1-counter.js";
import { flushOutbox, orgsWithOutbox } from "../log/outbox.js";
import { scheduleDue, type ScheduleStats } from "./schedule-due.js";

/** What one cron tick did, logged as one JSON line (and read by bench/cron-tick). */
export interface TickStats extends ScheduleStats {
  expired: number;
  orgsFlushed: number;
  statements: number;
}

/** Ledger flushes run at once (Workers allow six simultaneous outgoing connections). */
const PARALLEL_FLUSHES = 6;

/** One `* * * * *` tick: queue due backups, expire leases, and append everything waiting to the logs. */
export async function runCronTick(env: Env, now: number): Promise<TickStats> {
  const d1 = new CountingD1(env.DB);
  const scheduled = await scheduleDue(d1, now, intVar(env.MAX_JOB_ATTEMPTS, 3));
  const expired = await expireLeases(d1, now);
  const orgs = await orgsWithOutbox(d1);
  for (let i = 0; i < orgs.length; i += PARALLEL_FLUSHES) {
    await Promise.all(orgs.slice(i, i + PARALLEL_FLUSHES).map((org) => flushOutbox(env, org, d1)));
  }
  return { ...scheduled, expired, orgsFlushed: orgs.length, statements: d1.statements };
}
