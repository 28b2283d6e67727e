import { intVar, type Env } from "../env.js";
import type { CountingD1 } from "../lib/d1-counter.js";
import { findConditions } from "./find-conditions.js";
import { findEvents } from "./find-events.js";
import { type IncidentStats, reconcileIncidents, recordEvents } from "./incidents.js";
import {
  deferDeliveries,
  deliveriesToRedrive,
  enqueueDeliveries,
  MAX_SENT_PER_TICK,
  writeDeliveries,
} from "./notify.js";

/** What one tick's alert evaluation did. */
export interface AlertStats extends IncidentStats {
  findings: number;
  /** Events (key rotations, restores) notified for the first time. */
  events: number;
  /** Delivery messages sent this tick (fresh ones first, then redriven), and fresh ones left for later ticks. */
  deliveriesQueued: number;
  deliveriesDeferred: number;
  deliveriesRedriven: number;
  /** D1 statements the evaluation sent (a constant handful, whatever the number of databases). */
  statements: number;
  /** Wall milliseconds of each step. */
  phaseMs: Record<"find" | "reconcile" | "events" | "write" | "redrive" | "enqueue", number>;
}

/** The condition limits from the Worker's vars (minutes), with their defaults. */
export function conditionLimits(env: Env) {
  return {
    missedGraceMs: intVar(env.ALERT_MISSED_GRACE_MINUTES, 30) * 60_000,
    runnerSilentMs: intVar(env.ALERT_RUNNER_SILENT_MINUTES, 10) * 60_000,
    jobStuckMs: intVar(env.ALERT_JOB_STUCK_MINUTES, 360) * 60_000,
  };
}

/**
 * The dead-man's switch, once a tick: find every condition that holds, open, repeat and resolve incidents,
 * write one delivery per notice and channel, and queue them (with any a lost send left behind). Without a
 * queue binding the deliveries wait in D1 and go out once one is configured.
 */
export async function evaluateAlerts(env: Env, d1: CountingD1, now: number): Promise<AlertStats> {
  const before = d1.statements;
  const phaseMs = {} as AlertStats["phaseMs"];
  let t0 = Date.now();
  const lap = (phase: keyof AlertStats["phaseMs"]) => {
    phaseMs[phase] = Date.now() - t0;
    t0 = Date.now();
  };
  const findings = await findConditions(d1, now, conditionLimits(env));
  lap("find");
  const { notices, stats } = await reconcileIncidents(d1, findings, now);
  lap("reconcile");
  const events = await recordEvents(d1, await findEvents(d1, now), now);
  lap("events");
  const fresh = await writeDeliveries(d1, [...notices, ...events], now);
  const sent = fresh.slice(0, MAX_SENT_PER_TICK);
  const deferred = fresh.slice(MAX_SENT_PER_TICK);
  if (deferred.length > 0) await deferDeliveries(d1, deferred);
  lap("write");
  const redriven = env.ALERT_QUEUE ? await deliveriesToRedrive(d1, now, MAX_SENT_PER_TICK - sent.length) : [];
  lap("redrive");
  if (env.ALERT_QUEUE) await enqueueDeliveries(env.ALERT_QUEUE, [...sent, ...redriven]);
  lap("enqueue");
  return {
    ...stats,
    findings: findings.length,
    events: events.length,
    deliveriesQueued: env.ALERT_QUEUE ? sent.length : 0,
    deliveriesDeferred: deferred.length,
    deliveriesRedriven: redriven.length,
    statements: d1.statements - before,
    phaseMs,
  };
}
