import { signEnvelope, type DsseEnvelope, type NamedSigner } from "../dsse/envelope.js";
import { canonicalBytes } from "../jcs/canonicalize.js";
import { INTOTO_PAYLOAD_TYPE, STATEMENT_TYPE, type Statement } from "../manifest/statement.js";
import { DRILL_PREDICATE_TYPE, type DrillPredicate } from "./predicate.js";

/** The in-toto statement of a drill: its subject is the backup artifact (its `s3://` URI and stored SHA-256). */
export function buildDrillStatement(predicate: DrillPredicate, artifact: { uri: string; sha256: string }): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: artifact.uri, digest: { sha256: artifact.sha256 } }],
    predicateType: DRILL_PREDICATE_TYPE,
    predicate,
  };
}

/** Signs a drill receipt with the runner's key: a DSSE envelope over the statement's JCS bytes. */
export function signDrillReceipt(
  predicate: DrillPredicate,
  artifact: { uri: string; sha256: string },
  signer: NamedSigner,
): DsseEnvelope {
  return signEnvelope(INTOTO_PAYLOAD_TYPE, canonicalBytes(buildDrillStatement(predicate, artifact)), [signer]);
}
