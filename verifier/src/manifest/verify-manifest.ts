import type { Ed25519Verify } from "../ed25519/ed25519.js";
import { openEnvelope, type EnvelopeErrorCode, type NamedVerifier } from "../dsse/envelope.js";
import { parseCanonical } from "../jcs/canonicalize.js";
import { describeIssue } from "../schema/common.js";
import { err, ok, type Result } from "../result.js";
import { artifactUri, PG_DUMP_PREDICATE_TYPE, PgDumpPredicateSchema, type PgDumpPredicate } from "./predicate.js";
import { INTOTO_PAYLOAD_TYPE, StatementSchema } from "./statement.js";

/** Why a manifest did not verify. */
export type ManifestErrorCode =
  | EnvelopeErrorCode
  | "malformed-statement"
  | "wrong-predicate-type"
  | "invalid-predicate"
  | "subject-mismatch"
  | "digest-mismatch";

/** A verified manifest: the artifact it vouches for and its predicate. */
export interface VerifiedManifest {
  artifact: { uri: string; sha256: string };
  predicate: PgDumpPredicate;
  signedBy: string[];
}

/**
 * Verifies a backup manifest: the DSSE signature against pinned keys, then the statement and predicate,
 * then (if given) that the artifact's SHA-256 (hex) is the one the manifest signed. `verifySignature`
 * defaults to the portable strict Ed25519.
 */
export function verifyManifest(
  envelope: unknown,
  keys: NamedVerifier[],
  artifactSha256?: string,
  verifySignature?: Ed25519Verify,
): Result<VerifiedManifest, ManifestErrorCode> {
  const opened = openEnvelope(envelope, INTOTO_PAYLOAD_TYPE, keys, verifySignature);
  if (!opened.ok) return opened;
  const json = parseCanonical(opened.value.payload);
  if (!json.ok) return err("malformed-statement", `statement is not canonical JSON (${json.code})`);
  const statement = StatementSchema.safeParse(json.value);
  if (!statement.success)
    return err("malformed-statement", `not an in-toto Statement v1: ${describeIssue(statement.error)}`);
  const st = statement.data;
  if (st.predicateType !== PG_DUMP_PREDICATE_TYPE)
    return err("wrong-predicate-type", `predicateType is ${st.predicateType}, expected ${PG_DUMP_PREDICATE_TYPE}`);
  const predicate = PgDumpPredicateSchema.safeParse(st.predicate);
  if (!predicate.success) return err("invalid-predicate", `pg-dump predicate: ${describeIssue(predicate.error)}`);
  const p = predicate.data;
  const subject = st.subject[0]!;
  const uri = artifactUri(p.s3.bucket, p.s3.key);
  if (st.subject.length !== 1 || subject.name !== uri)
    return err("subject-mismatch", `subject ${subject.name} is not the predicate's object ${uri}`);
  if (artifactSha256 !== undefined && artifactSha256.toLowerCase() !== subject.digest.sha256)
    return err(
      "digest-mismatch",
      `artifact SHA-256 ${artifactSha256} does not match the signed ${subject.digest.sha256}`,
    );
  return ok({ artifact: { uri, sha256: subject.digest.sha256 }, predicate: p, signedBy: opened.value.signedBy });
}
