// The schedule form's checks and preview, in the verifier's chunk (loaded on first use): the form checked with
// the API's own CreateScheduleRequestSchema, its cron parsed as the Worker parses it, and the next runs and
// the interval worked out by the one cron module the Worker schedules with (@walwarden/verifier/schedule).
import { intervalSeconds, nextSlots, parseCron } from "@walwarden/verifier/schedule";
import { CreateScheduleRequestSchema } from "@walwarden/verifier/wire";
import { problemsOfIssues, requestOf, type ScheduleForm, type ScheduleProblems } from "./schedule.js";

/** What the form sends when it is good (the create body; an edit sends the fields that changed). */
export interface ScheduleBody {
  cron: string;
  timezone: string;
  targetRpoMinutes: number;
  enabled: boolean;
}

/**
 * The form checked as the API checks it (the schema, then the cron in its zone as POST and PATCH parse it):
 * the body to send, or each problem at its field. PATCH's schema holds each field to the same rules.
 */
export function checkScheduleForm(
  form: ScheduleForm,
  databaseId: string,
): { ok: true; body: ScheduleBody } | { ok: false; problems: ScheduleProblems } {
  const { body, problems } = requestOf(form);
  const parsed = CreateScheduleRequestSchema.safeParse({ databaseId, ...body });
  const out: ScheduleProblems = parsed.success ? {} : problemsOfIssues(parsed.error.issues);
  if (out.cron === undefined) {
    // In its zone as the API parses it; while the zone is wrong, in UTC, so the cron is still judged.
    const cron = parseCron(body.cron, out.timezone === undefined ? body.timezone : "UTC");
    if (!cron.ok) out.cron = cron.message;
  }
  Object.assign(out, problems);
  if (Object.keys(out).length > 0 || !parsed.success) return { ok: false, problems: out };
  return { ok: true, body: { ...body, timezone: parsed.data.timezone } };
}

/** A cron's next runs after `now` in its zone and its interval (the longest gap, in seconds), as the Worker works them out. */
export function previewRuns(
  cron: string,
  timezone: string,
  now: number,
  count = 5,
): { runs: number[]; intervalSeconds: number | null } | { problem: string } {
  const parsed = parseCron(cron, timezone || "UTC");
  if (!parsed.ok) return { problem: parsed.message };
  return { runs: nextSlots(parsed.value, now, count), intervalSeconds: intervalSeconds(parsed.value, now) };
}

/** A saved schedule's interval in seconds, or null when its cron does not parse (the Worker then queues nothing). */
export function intervalOf(cron: string, timezone: string, now: number): number | null {
  const parsed = parseCron(cron, timezone);
  return parsed.ok ? intervalSeconds(parsed.value, now) : null;
}
