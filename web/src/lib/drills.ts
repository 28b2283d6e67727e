// Restore drills in words a person reads at a glance: restorability, a drill's status, its RTO against the
// policy's target, tables matched, the failure's phase, the policy. Pure (types only from the verifier, so
// the database screen loads without the verifier chunk).
import type {
  AssertionExpect,
  DrillBackupChoice,
  DrillFailurePhase,
  DrillPredicate,
  DrillTargetKind,
} from "@walwarden/verifier";
import type { Drill, DrillPolicy, Job, Restorability } from "@walwarden/verifier/wire";
import { ageSeconds, formatAge, formatDuration, formatTime } from "./format.js";

/** GET /v1/drills: a page of drills, newest first. */
export interface DrillPage {
  items: Drill[];
  nextCursor: string | null;
}
/** A restorability verdict. */
export type RestorabilityStatus = Restorability["status"];
/** A drill's status. */
export type DrillStatus = Drill["status"];

/** Restorability in words; the colour and symbol only repeat them. */
export const RESTORABILITY_WORDS: Record<RestorabilityStatus, string> = {
  proven: "Proven",
  "at-risk": "At risk",
  "never-proven": "Never proven",
  "no-policy": "No drill policy",
};
/** Restorability's tone (badge colour) and symbol. */
export const RESTORABILITY_LOOK: Record<RestorabilityStatus, { tone: string; symbol: string }> = {
  proven: { tone: "good", symbol: "●" },
  "at-risk": { tone: "warn", symbol: "▲" },
  "never-proven": { tone: "warn", symbol: "△" },
  "no-policy": { tone: "neutral", symbol: "○" },
};

/** A drill's status in words, and its tone. */
export const DRILL_STATUS_WORDS: Record<DrillStatus, string> = {
  queued: "Queued",
  running: "Running",
  passed: "Passed",
  failed: "Failed",
};
export const DRILL_STATUS_TONE: Record<DrillStatus, string> = {
  queued: "neutral",
  running: "info",
  passed: "good",
  failed: "bad",
};

/** Whether a drill has concluded (no more polling). */
export const drillIsOver = (s: DrillStatus): boolean => s === "passed" || s === "failed";

/** Why a database has its restorability, in a sentence. */
export function restorabilityReason(r: Restorability, now = Date.now()): string {
  const paused = r.policy && !r.policy.enabled ? " Drills are paused: the policy is disabled." : "";
  const interval = r.intervalSeconds ? formatDuration(r.intervalSeconds * 1000) : undefined;
  const passAge = r.lastPass ? formatAge(ageSeconds(r.lastPass.finishedAt ?? r.lastPass.createdAt, now)) : undefined;
  switch (r.status) {
    case "no-policy":
      return "No drill policy: nothing is checking that this database's backups restore.";
    case "proven":
      return `A restore drill passed ${passAge}${interval ? `; drills run every ${interval}` : ""}.${paused}`;
    case "never-proven":
      return (
        (r.lastDrill
          ? `No drill has passed yet: the last one ${r.lastDrill.status === "failed" ? "failed" : "has not finished"}.`
          : "A drill policy is set, but no drill has run yet.") + paused
      );
    case "at-risk":
      return (
        (r.lastPass
          ? `The last passing drill was ${passAge}: longer ago than two drill intervals${interval ? ` (2 × ${interval})` : ""}.`
          : "No drill has passed: every drill so far failed.") + paused
      );
  }
}

/** An RTO as a person reads it: seconds with one decimal under a minute, else "4 min 10 s". */
export function formatRto(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
}

/** A drill's RTO against its target: "6.7 s, within the 15 min target", "20 min, over the 15 min target". */
export function rtoAgainstTarget(rtoMs: number | null, maxRtoSeconds: number | null): string {
  if (rtoMs === null) return "—";
  if (maxRtoSeconds === null) return `${formatRto(rtoMs)} (no target set)`;
  const target = formatDuration(maxRtoSeconds * 1000);
  return rtoMs <= maxRtoSeconds * 1000
    ? `${formatRto(rtoMs)}, within the ${target} target`
    : `${formatRto(rtoMs)}, over the ${target} target`;
}

/** "12 of 12 tables matched"; "—" before a receipt. */
export function tablesMatched(tables: Drill["tables"]): string {
  if (!tables) return "—";
  if (tables.total === 0) return "no tables to compare";
  return `${tables.matched} of ${tables.total} ${tables.total === 1 ? "table" : "tables"} matched`;
}

/** Where a failed drill stopped, in words. */
export const FAILURE_PHASE_WORDS: Record<DrillFailurePhase, string> = {
  verify: "verifying the backup",
  target: "preparing the target",
  restore: "restoring (pg_restore)",
  checks: "checking the restored data",
  rto: "the RTO target",
};

/** What a running drill is doing (its job's last heartbeat), in words. */
export function drillPhaseWords(phase: string | undefined): string {
  switch (phase) {
    case "preparing":
      return "preparing the target";
    case "downloading":
      return "downloading and verifying the backup";
    case "restoring":
      return "restoring with pg_restore";
    case "checking":
      return "checking tables and assertions";
    default:
      return phase ? phase : "started";
  }
}

/** A drill target's kind, short (a table cell) and long (a sentence). */
export const TARGET_WORDS: Record<DrillTargetKind, { short: string; long: string }> = {
  local: { short: "Local cluster", long: "a throwaway PostgreSQL cluster the runner starts" },
  server: { short: "Scratch database", long: "a scratch database on the runner's configured server" },
};

/** Which backup a policy drills, in words. */
export function backupChoiceWords(b: DrillBackupChoice): string {
  return b.pick === "latest"
    ? "the latest completed backup"
    : `a random backup from the last ${b.withinDays} ${b.withinDays === 1 ? "day" : "days"}`;
}

/** A policy's max RTO in words. */
export function maxRtoWords(maxRtoSeconds: number | null): string {
  return maxRtoSeconds === null ? "no target" : formatDuration(maxRtoSeconds * 1000);
}

/** "no SQL assertions", "1 SQL assertion", "3 SQL assertions". */
export function assertionsCount(n: number): string {
  return n === 0 ? "no SQL assertions" : `${n} SQL ${n === 1 ? "assertion" : "assertions"}`;
}

/** A policy in one line: "Every `0 4 * * 0` (UTC) · the latest completed backup · local cluster · 2 SQL assertions · max RTO 15 min". */
export function policyLine(p: DrillPolicy): string {
  return [
    `${p.cron} (${p.timezone})`,
    backupChoiceWords(p.backup),
    TARGET_WORDS[p.target].short.toLowerCase(),
    assertionsCount(p.assertions.length),
    `max RTO ${maxRtoWords(p.maxRtoSeconds)}`,
  ].join(" · ");
}

const OPS: Record<AssertionExpect["op"], string> = { eq: "=", ne: "≠", lt: "<", le: "≤", gt: ">", ge: "≥" };
/** What an assertion expects, e.g. "= true", "> 100", "= \"ok\"". */
export function expectationWords(e: AssertionExpect): string {
  return `${OPS[e.op]} ${typeof e.value === "string" ? JSON.stringify(e.value) : String(e.value)}`;
}

/** What a drill's job is doing now, for the "Drill now" status line. */
export function liveDrillLine(drill: Drill | undefined, job: Job | undefined): string {
  if (!drill) return "Drill queued; a runner will pick it up.";
  switch (drill.status) {
    case "queued":
      return job?.lastError
        ? `Drill queued again after a failed attempt (${job.lastError}); a runner will pick it up.`
        : "Drill queued; waiting for a runner that runs drills.";
    case "running":
      return `Drill running: ${drillPhaseWords(job?.progress?.phase)}${drill.attempt > 1 ? ` (attempt ${drill.attempt})` : ""}.`;
    case "passed":
      return `Drill passed: ${rtoAgainstTarget(drill.rtoMs, drill.maxRtoSeconds)}; ${tablesMatched(drill.tables)}.`;
    case "failed":
      return `Drill failed${drill.reason ? `: ${drill.reason}` : "."}`;
  }
}

/** When a drill happened, for a list: its finish, else its creation. */
export function drillWhen(d: Drill): string {
  return formatTime(d.finishedAt ?? d.createdAt);
}

/** A receipt's statement as the screens show it: its subject (the artifact) and predicate. */
export interface ReceiptStatement {
  subject: { name: string; digest: Record<string, string> }[];
  predicate: DrillPredicate;
}

/**
 * Reads a receipt envelope's statement for display, undefined if it cannot be read. Display only: what the
 * receipt claims; verifyDrill is what checks the signature over exactly these bytes.
 */
export function readReceipt(receipt: { payload: string } | null): ReceiptStatement | undefined {
  if (!receipt) return undefined;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(receipt.payload), (c) => c.charCodeAt(0)),
    );
    const st = JSON.parse(text) as Partial<ReceiptStatement>;
    return st.predicate && Array.isArray(st.subject) ? (st as ReceiptStatement) : undefined;
  } catch {
    return undefined;
  }
}

/** Where and why a drill failed, in a sentence: the receipt's phase and reason, else the API's reason. */
export function failureWords(d: Drill): string | undefined {
  if (d.status !== "failed") return undefined;
  const failure = readReceipt(d.receipt)?.predicate.failure;
  if (failure) return `Failed at ${FAILURE_PHASE_WORDS[failure.phase] ?? failure.phase}: ${failure.reason}`;
  return d.reason ? `No verdict: ${d.reason}` : "No verdict: the drill ended without a receipt";
}
