import { openEnvelope, type EnvelopeErrorCode, type NamedVerifier } from "../dsse/envelope.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { parseCanonical } from "../jcs/canonicalize.js";
import { INTOTO_PAYLOAD_TYPE, StatementSchema } from "../manifest/statement.js";
import { err, ok, type Result } from "../result.js";
import { describeIssue } from "../schema/common.js";
import { assertionVerdictErrors, drillFindings, phasesRto } from "./findings.js";
import { DRILL_PREDICATE_TYPE, DrillPredicateSchema, type DrillPredicate } from "./predicate.js";

/** Why a drill receipt did not verify. */
export type DrillReceiptErrorCode =
  | EnvelopeErrorCode
  | "malformed-statement"
  | "wrong-predicate-type"
  | "invalid-predicate"
  | "subject-mismatch"
  | "inconsistent";

/** A verified receipt: the artifact it is about, its predicate, who signed it, and what its checks found. */
export interface VerifiedDrillReceipt {
  artifact: { uri: string; sha256: string };
  predicate: DrillPredicate;
  signedBy: string[];
  /** The checks the drill's measurements fail (empty for a passed drill). */
  findings: string[];
}

/** What a receipt is expected to be about, when the caller knows (each given field must match). */
export interface DrillExpectation {
  artifactSha256?: string;
  artifactUri?: string;
  manifestSha256?: string;
  drillId?: string;
  backupId?: string;
  databaseId?: string;
  orgId?: string;
}

/**
 * Verifies a restore-drill receipt (SPEC §11): the DSSE signature against pinned runner keys, the
 * statement and predicate, then that it says what its numbers say: the outcome is "passed" exactly when
 * no check fails and no failure is recorded, each assertion's verdict follows from its value, and the RTO
 * is the sum of the phases. Then each expectation the caller gives.
 */
export function verifyDrillReceipt(
  envelope: unknown,
  runnerKeys: NamedVerifier[],
  expect: DrillExpectation = {},
  verifySignature?: Ed25519Verify,
): Result<VerifiedDrillReceipt, DrillReceiptErrorCode> {
  const opened = openEnvelope(envelope, INTOTO_PAYLOAD_TYPE, runnerKeys, verifySignature);
  if (!opened.ok) return opened;
  const json = parseCanonical(opened.value.payload);
  if (!json.ok) return err("malformed-statement", `statement is not canonical JSON (${json.code})`);
  const statement = StatementSchema.safeParse(json.value);
  if (!statement.success)
    return err("malformed-statement", `not an in-toto Statement v1: ${describeIssue(statement.error)}`);
  const st = statement.data;
  if (st.predicateType !== DRILL_PREDICATE_TYPE)
    return err("wrong-predicate-type", `predicateType is ${st.predicateType}, expected ${DRILL_PREDICATE_TYPE}`);
  const parsed = DrillPredicateSchema.safeParse(st.predicate);
  if (!parsed.success) return err("invalid-predicate", `restore-drill predicate: ${describeIssue(parsed.error)}`);
  const p = parsed.data;
  if (st.subject.length !== 1) return err("subject-mismatch", "a drill receipt has exactly one subject");
  const subject = st.subject[0]!;
  const artifact = { uri: subject.name, sha256: subject.digest.sha256 };

  const findings = drillFindings(p, artifact.sha256);
  const inconsistent = [
    ...(p.outcome === "passed" && findings.length > 0 ? [`outcome is passed but ${findings[0]}`] : []),
    ...(p.outcome === "passed" && p.failure !== null ? ["outcome is passed but a failure is recorded"] : []),
    ...(p.outcome === "failed" && p.failure === null ? ["outcome is failed but no failure is recorded"] : []),
    ...assertionVerdictErrors(p),
    ...(p.rto.ms !== phasesRto(p) ? [`rto.ms ${p.rto.ms} is not the sum of the phases (${phasesRto(p)})`] : []),
    ...(p.completedAt < p.startedAt ? ["completedAt is before startedAt"] : []),
  ];
  if (inconsistent.length > 0) return err("inconsistent", inconsistent.join("; "));

  const mismatch = (
    [
      ["artifact SHA-256", expect.artifactSha256?.toLowerCase(), artifact.sha256],
      ["artifact", expect.artifactUri, artifact.uri],
      ["manifest SHA-256", expect.manifestSha256, p.manifestSha256],
      ["drill", expect.drillId, p.drillId],
      ["backup", expect.backupId, p.backupId],
      ["database", expect.databaseId, p.databaseId],
      ["org", expect.orgId, p.orgId],
    ] as const
  ).find(([, want, got]) => want !== undefined && want !== got);
  if (mismatch)
    return err("subject-mismatch", `the receipt's ${mismatch[0]} is ${mismatch[2]}, expected ${mismatch[1]}`);
  return ok({ artifact, predicate: p, signedBy: opened.value.signedBy, findings });
}
