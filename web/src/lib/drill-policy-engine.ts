// The drill policy editor's checks and preview, in the verifier's chunk (loaded on first use, like the
// schedule engine): the form checked with the API's own DrillPolicyRequestSchema, its cron parsed in its zone
// as the PUT route parses it, and the next drills worked out by the one cron module the Worker schedules
// them with (@walwarden/verifier/schedule).
import { parseCron } from "@walwarden/verifier/schedule";
import { DrillPolicyRequestSchema } from "@walwarden/verifier/wire";
import {
  type DrillPolicyBody,
  type DrillPolicyForm,
  type DrillProblems,
  problemsOfIssues,
  requestOf,
} from "./drill-policy.js";

export { previewRuns } from "./schedule-engine.js";

/** The form checked as the API checks it: the body to send (the schema's output), or each problem at its field. */
export function checkDrillPolicyForm(
  form: DrillPolicyForm,
): { ok: true; body: DrillPolicyBody } | { ok: false; problems: DrillProblems } {
  const { body, problems } = requestOf(form);
  const parsed = DrillPolicyRequestSchema.safeParse(body);
  const out: DrillProblems = parsed.success ? {} : problemsOfIssues(parsed.error.issues);
  if (out.cron === undefined) {
    // In its zone as the API parses it; while the zone is wrong, in UTC, so the cron is still judged.
    const cron = parseCron(body.cron, out.timezone === undefined ? body.timezone : "UTC");
    if (!cron.ok) out.cron = cron.message;
  }
  Object.assign(out, problems);
  if (Object.keys(out).length > 0 || !parsed.success) return { ok: false, problems: out };
  return { ok: true, body: parsed.data };
}
