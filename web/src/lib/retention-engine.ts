// The retention editor's checks and preview, in the verifier's chunk (loaded on first use): the form checked
// with the API's own RetentionPolicyRequestSchema, the one decision (retentionDecision) the Worker, the
// runner and an auditor run, over the backups the Worker decided on, for the policy being edited, and the
// verifier's projection of each backup's expiry (projectExpiry) from the same inputs.
import {
  describePolicy,
  lockDaysFor,
  projectExpiry,
  type RetentionPolicy,
  retentionDecision,
} from "@walwarden/verifier";
import { RetentionPolicyRequestSchema } from "@walwarden/verifier/wire";
import {
  backupsOf,
  type Fate,
  type ExpiryView,
  type FormProblems,
  type ProjectionView,
  problemsOfIssues,
  protectedIdsOf,
  type RetentionForm,
  type RetentionState,
  requestOf,
} from "./retention.js";

export { describePolicy, lockDaysFor };

/** The form checked as the API checks it: the policy to send, or each problem at its field. */
export function checkForm(
  form: RetentionForm,
): { ok: true; policy: RetentionPolicy } | { ok: false; problems: FormProblems } {
  const { body, problems } = requestOf(form);
  const parsed = RetentionPolicyRequestSchema.safeParse(body);
  if (parsed.success && Object.keys(problems).length === 0) return { ok: true, policy: parsed.data };
  return { ok: false, problems: { ...(parsed.success ? {} : problemsOfIssues(parsed.error.issues)), ...problems } };
}

/**
 * What a policy would do now: the decision over the state's backups at the Worker's decision time, with the
 * newest passing drill's backup protected as the Worker protects it. The same inputs as the Worker's, so a
 * saved policy's preview is the Worker's own verdicts.
 */
export function previewFates(state: RetentionState, policy: RetentionPolicy): Fate[] | { problem: string } {
  const decided = retentionDecision(backupsOf(state), policy, Date.parse(state.decidedAt), protectedIdsOf(state));
  if (!decided.ok) return { problem: decided.message };
  return decided.value.map((v) => ({ ...v, at: new Date(v.at).toISOString() }));
}

/**
 * When each backup would expire under a policy if a backup came every `cadenceMs` (null: no more) and no
 * newer drill passed: the verifier's projection over the same inputs as the preview (the state's backups,
 * its decision time, the newest passing drill's backup protected).
 */
export function projectFates(
  state: RetentionState,
  policy: RetentionPolicy,
  cadenceMs: number | null,
): ProjectionView | { problem: string } {
  const now = Date.parse(state.decidedAt);
  const projected = projectExpiry(backupsOf(state), policy, now, protectedIdsOf(state), cadenceMs);
  if (!projected.ok) return { problem: projected.message };
  const iso = (ms: number) => new Date(ms).toISOString();
  const expiries = new Map<string, ExpiryView>(
    projected.value.expiries.map((e) => [
      e.backupId,
      {
        next: e.expiresAt === now,
        expiresAt: e.expiresAt === null || e.expiresAt === now ? null : iso(e.expiresAt),
        lastKeptBy: e.lastKeptBy,
      },
    ]),
  );
  return { now: state.decidedAt, horizon: iso(projected.value.horizon), expiries };
}
