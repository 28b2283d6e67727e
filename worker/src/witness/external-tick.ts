import { clipText } from "@walwarden/verifier";
import { allowLoopback } from "../alerts/channel-target.js";
import type { Env } from "../env.js";
import type { CountingD1 } from "../lib/d1-counter.js";
import { logError } from "../log/log-error.js";
import { type ExternalWitness, type PushResult, pushWitness } from "./external-push.js";

// The cron tick's witness step (verifier/SPEC.md §13): push each org's newest checkpoint to the external
// witnesses that have not cosigned it. On the tick rather than a Queue: the protocol is one request in flight
// per witness (`old` must be the witness's size, so two pushes at once only 409 each other), and what is owed
// is recomputed each minute from the state (the log's size against the size a witness cosigned), so a lost
// attempt costs nothing: there is no message that must arrive once, as an alert notice must. The step is
// bounded, runs after everything else of the tick, and never throws into it.

/** Most witnesses one tick pushes to: the ones that have waited longest since their last cosignature first. */
export const MAX_WITNESS_PUSHES_PER_TICK = 16;
/** Pushes in flight at once. */
export const WITNESS_PUSH_PARALLEL = 8;
/** How long one add-checkpoint request may take (a push sends at most two: the second after a 409). */
export const WITNESS_PUSH_TIMEOUT_MS = 5_000;
/** No push starts this long after the step began, so a tick never waits on witnesses for long (≤ this + 2 timeouts). */
export const WITNESS_STEP_BUDGET_MS = 20_000;
/** The most an error keeps of its words. */
const MAX_ERROR_CHARS = 500;

/** The wait after `failures` failed pushes in a row: 1 minute, doubling, at most 60. */
export function witnessBackoffMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(60, 2 ** Math.min(failures - 1, 6)) * 60_000;
}

/** What the step did (in the tick's stats line). */
export interface WitnessPushStats {
  /** Witnesses behind the log and past their backoff, at most MAX_WITNESS_PUSHES_PER_TICK. */
  due: number;
  /** Pushes that ended with a kept cosignature, of which after a resync. */
  cosigned: number;
  resynced: number;
  failed: number;
  /** Due witnesses not pushed to: the step's budget ran out. */
  deferred: number;
}

interface DueRow {
  id: string;
  org_id: string;
  name: string;
  url: string;
  vkey: string;
  cosigned_size: number;
}

/** What the step may be given instead of the Worker's own (tests). */
export interface WitnessStepDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  budgetMs: number;
}

/**
 * Witnesses whose cosigned size is below their org's log (D1's copy of it: a copy that lags only delays a
 * push to a later tick) and whose backoff has passed, longest waiting first.
 */
function dueWitnesses(d1: CountingD1, now: number): Promise<DueRow[]> {
  return d1.all<DueRow>(
    d1.prepare(
      `SELECT w.id, w.org_id, w.name, w.url, w.vkey, w.cosigned_size FROM witnesses w
       WHERE w.cosigned_size < coalesce((SELECT e.seq + 1 FROM log_entries e WHERE e.org_id = w.org_id ORDER BY e.seq DESC LIMIT 1), 0)
         AND (w.failures = 0 OR w.last_attempt_at IS NULL
              OR w.last_attempt_at + min(3600000, 60000 * (1 << min(w.failures - 1, 6))) <= ?1)
       ORDER BY coalesce(w.last_success_at, w.created_at), w.id
       LIMIT ?2`,
      now,
      MAX_WITNESS_PUSHES_PER_TICK,
    ),
  );
}

/**
 * Records a push's outcome on the witness, only if it is still the witness pushed to (same URL and key: an
 * admin may have changed it meanwhile). A cosigned size only grows (two ticks at once may finish out of order).
 */
async function record(d1: CountingD1, w: DueRow, r: PushResult, now: number): Promise<void> {
  const statement = r.ok
    ? d1.prepare(
        `UPDATE witnesses SET cosigned_size = max(cosigned_size, ?4), last_attempt_at = ?5, last_success_at = ?5,
                last_error = NULL, failures = 0
         WHERE id = ?1 AND url = ?2 AND vkey = ?3`,
        w.id,
        w.url,
        w.vkey,
        r.size,
        now,
      )
    : d1.prepare(
        `UPDATE witnesses SET last_attempt_at = ?4, last_error = ?5, failures = failures + 1
         WHERE id = ?1 AND url = ?2 AND vkey = ?3`,
        w.id,
        w.url,
        w.vkey,
        now,
        clipText(r.error, MAX_ERROR_CHARS),
      );
  await d1.batch([statement]);
}

/** One push that never throws: anything unexpected is a failure with the error's name only. */
async function safePush(env: Env, w: DueRow, deps: WitnessStepDeps, now: number): Promise<PushResult> {
  const witness: ExternalWitness = {
    orgId: w.org_id,
    name: w.name,
    url: w.url,
    vkey: w.vkey,
    cosignedSize: w.cosigned_size,
  };
  try {
    return await pushWitness(env, witness, {
      fetch: deps.fetch,
      timeoutMs: deps.timeoutMs,
      now,
      allowLoopback: allowLoopback(env),
    });
  } catch (e) {
    logError(`witness push to ${w.name} failed`, e);
    const name = e instanceof Error && /^[A-Za-z]{1,40}$/.test(e.name) ? e.name : "Error";
    return { ok: false, error: `the push failed inside the Worker (${name})` };
  }
}

/**
 * The tick's witness step: pushes to the due witnesses, WITNESS_PUSH_PARALLEL at a time, none started after
 * the budget, each request within its timeout, and records each outcome. Appends never wait for it.
 */
export async function pushDueWitnesses(
  env: Env,
  d1: CountingD1,
  now: number,
  deps: Partial<WitnessStepDeps> = {},
): Promise<WitnessPushStats> {
  const stats: WitnessPushStats = { due: 0, cosigned: 0, resynced: 0, failed: 0, deferred: 0 };
  const step: WitnessStepDeps = {
    fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: deps.timeoutMs ?? WITNESS_PUSH_TIMEOUT_MS,
    budgetMs: deps.budgetMs ?? WITNESS_STEP_BUDGET_MS,
  };
  const started = Date.now();
  try {
    const due = await dueWitnesses(d1, now);
    stats.due = due.length;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < due.length; i = next++) {
        if (Date.now() - started > step.budgetMs) {
          stats.deferred++;
          continue;
        }
        const w = due[i]!;
        const r = await safePush(env, w, step, now);
        if (r.ok && !r.pushed) continue;
        if (r.ok) {
          stats.cosigned++;
          if (r.resyncedFrom !== null) stats.resynced++;
        } else stats.failed++;
        await record(d1, w, r, now).catch((e: unknown) => logError(`witness ${w.name}: recording the push failed`, e));
      }
    };
    await Promise.all(Array.from({ length: Math.min(WITNESS_PUSH_PARALLEL, due.length) }, worker));
  } catch (e) {
    logError("the witness step failed", e);
  }
  return stats;
}
