import { type AlertStats, evaluateAlerts } from "../alerts/evaluate.js";
import { intVar, type Env } from "../env.js";
import { expireLeases } from "../jobs/expire-leases.js";
import { finishStalledCompletions } from "../jobs/finish-completion.js";
import { scheduleDueDrills, type DrillScheduleStats } from "../drills/queue.js";
import { CountingD1 } from "../lib/d1-counter.js";
import { flushAllOutboxes } from "../log/outbox.js";
import { type PruneScheduleStats, queueDuePrunes } from "../retention/queue-prunes.js";
import { pushDueWitnesses, type WitnessPushStats } from "../witness/external-tick.js";
import { scheduleDue, type ScheduleStats } from "./schedule-due.js";

/** What one cron tick did, logged as one JSON line (and read by bench/cron-tick). */
export interface TickStats extends ScheduleStats, DrillScheduleStats, PruneScheduleStats {
  expired: number;
  /** Completions finished for runners that went away (recorded, lease run out). */
  completionsFinished: number;
  logged: number;
  orgsLogged: number;
  statements: number;
  alerts: AlertStats;
  /** Checkpoints pushed to external witnesses (SPEC §13). */
  witnesses: WitnessPushStats;
  /** When the handler began (epoch ms): a tick's wait before it starts is the runtime's, not its own. */
  startedAt: number;
  /** Wall milliseconds of each step (what a slow tick waited on: the Worker's clock moves on I/O). */
  phaseMs: Record<
    "schedule" | "drills" | "retention" | "leases" | "alerts" | "flush" | "completions" | "witnesses",
    number
  >;
}

/**
 * One `* * * * *` tick: queue due backups and drills, decide retention and queue prunes, expire leases,
 * append everything waiting to the logs, finish completions (backups and drill receipts) whose runner went
 * away, and evaluate alerts; last, push the logs' newest checkpoints to external witnesses (bounded; appends
 * never wait for it).
 */
export async function runCronTick(env: Env, now: number): Promise<TickStats> {
  const startedAt = Date.now();
  const d1 = new CountingD1(env.DB);
  const phaseMs = {} as TickStats["phaseMs"];
  const timed = async <T>(phase: keyof TickStats["phaseMs"], step: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const out = await step();
    phaseMs[phase] = Date.now() - t0;
    return out;
  };
  const scheduled = await timed("schedule", () => scheduleDue(d1, now, intVar(env.MAX_JOB_ATTEMPTS, 3)));
  const drills = await timed("drills", () => scheduleDueDrills(d1, now, intVar(env.MAX_JOB_ATTEMPTS, 3)));
  const prunes = await timed("retention", () => queueDuePrunes(d1, now, intVar(env.MAX_JOB_ATTEMPTS, 3)));
  const expired = await timed("leases", () => expireLeases(d1, now));
  // After the jobs moved, before the log is flushed: alert.opened|resolved go out with this tick's events.
  const alerts = await timed("alerts", () => evaluateAlerts(env, d1, now));
  const logged = await timed("flush", () => flushAllOutboxes(env, d1));
  const completionsFinished = await timed("completions", () => finishStalledCompletions(env, d1, now));
  // Last, so nothing above waits on a witness (a push is bounded: external-tick.ts).
  const witnesses = await timed("witnesses", () => pushDueWitnesses(env, d1, now));
  return {
    ...scheduled,
    ...drills,
    ...prunes,
    expired,
    completionsFinished,
    logged: logged.events,
    orgsLogged: logged.orgs,
    alerts,
    witnesses,
    statements: d1.statements,
    startedAt,
    phaseMs,
  };
}
