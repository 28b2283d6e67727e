// When a five-field cron expression in a time zone fires, defined once (croner, minute precision): the Worker
// queues backups and drills at these slots (worker/src/scheduling), and the dashboard previews a schedule's
// next runs and its interval with the same code, so what it shows before saving is what the Worker will do.
import { Cron } from "croner";
import { err, ok, type Result } from "../result.js";

export type { Cron };

/** A parsed five-field cron expression in a time zone (croner, minute precision: the tick runs each minute). */
export function parseCron(expression: string, timezone: string): Result<Cron, "bad-cron"> {
  try {
    const cron = new Cron(expression, { timezone, paused: true, mode: "5-part" });
    if (cron.nextRun(new Date()) === null) return err("bad-cron", `cron ${JSON.stringify(expression)} never runs`);
    return ok(cron);
  } catch (e) {
    return err(
      "bad-cron",
      `cron ${JSON.stringify(expression)}: ${e instanceof Error ? e.message.replace(/^CronPattern: /, "") : "invalid"}`,
    );
  }
}

/** The first slot strictly after `afterMs` (epoch ms), or null if the expression never runs again. */
export function nextSlotAfter(cron: Cron, afterMs: number): number | null {
  return cron.nextRun(new Date(afterMs))?.getTime() ?? null;
}

/** The next `count` slots strictly after `afterMs`, each the next slot after the one before (fewer if it stops). */
export function nextSlots(cron: Cron, afterMs: number, count: number): number[] {
  const out: number[] = [];
  for (let at = nextSlotAfter(cron, afterMs); at !== null && out.length < count; at = nextSlotAfter(cron, at))
    out.push(at);
  return out;
}

const DAY = 86_400_000;
/** How far ahead an interval is measured (a monthly or yearly cron still yields one gap). */
const INTERVAL_HORIZON = 35 * DAY;
/** Most slots looked at (a cron that runs every minute has its interval long before the horizon). */
const INTERVAL_MAX_SLOTS = 5000;

/**
 * A cron's interval: the longest gap, in seconds, between two consecutive slots over the next five weeks
 * from `fromMs` (at least one gap, however far the second slot is), or null for a cron that never runs
 * twice. DST makes a daily cron's longest gap 25 hours; a weekday cron's is its weekend.
 */
export function intervalSeconds(cron: Cron, fromMs: number): number | null {
  let prev = nextSlotAfter(cron, fromMs);
  let longest = 0;
  for (let n = 0; prev !== null && n < INTERVAL_MAX_SLOTS; n++) {
    const next = nextSlotAfter(cron, prev);
    if (next === null) break;
    longest = Math.max(longest, next - prev);
    if (next > fromMs + INTERVAL_HORIZON) break;
    prev = next;
  }
  return longest > 0 ? Math.round(longest / 1000) : null;
}
