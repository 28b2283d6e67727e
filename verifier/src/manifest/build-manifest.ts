import { canonicalBytes } from "../jcs/canonicalize.js";
import { signEnvelope, type DsseEnvelope, type NamedSigner } from "../dsse/envelope.js";
import { artifactUri, PG_DUMP_PREDICATE_TYPE, type PgDumpPredicate } from "./predicate.js";
import { INTOTO_PAYLOAD_TYPE, STATEMENT_TYPE, type Statement } from "./statement.js";

/** The in-toto statement for a backup artifact whose stored bytes hash to artifactSha256 (hex). */
export function buildStatement(predicate: PgDumpPredicate, artifactSha256: string): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: artifactUri(predicate.s3.bucket, predicate.s3.key), digest: { sha256: artifactSha256 } }],
    predicateType: PG_DUMP_PREDICATE_TYPE,
    predicate,
  };
}

/** Signs a backup manifest: a DSSE envelope over the JCS bytes of the in-toto statement. */
export function signManifest(predicate: PgDumpPredicate, artifactSha256: string, signer: NamedSigner): DsseEnvelope {
  return signEnvelope(INTOTO_PAYLOAD_TYPE, canonicalBytes(buildStatement(predicate, artifactSha256)), [signer]);
}
