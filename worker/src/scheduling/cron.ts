import { Cron } from "croner";
import { err, ok, type Result } from "@walwarden/verifier";

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
