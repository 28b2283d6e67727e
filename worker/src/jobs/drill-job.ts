import {
  type Assertion,
  type DrillPredicate,
  type DrillTargetKind,
  fromBase64,
  fromUtf8,
  type PgDumpPredicate,
  type Statement,
} from "@walwarden/verifier";
import type { ClaimedDrillJob } from "@walwarden/verifier/wire";

/** What claim reads of a drill job: its drill's settings and the backup's stored manifest. */
export interface DrillJobRow {
  drill_id: string;
  target: DrillTargetKind;
  max_rto_seconds: number | null;
  /** JSON: the assertions as queued. */
  assertions: string;
  /** The backup's manifest envelope (JCS text), as the Worker signed it. */
  envelope: string;
  manifest_sha256: string;
}

/**
 * The statement inside a DSSE envelope the Worker stored (JCS text): a manifest it signed, or a receipt it
 * verified before storing. Read without verifying again: what is stored was checked when it was written.
 */
export function storedStatement<P>(envelopeText: string): Statement & { predicate: P } {
  const envelope = JSON.parse(envelopeText) as { payload: string };
  const payload = fromUtf8(fromBase64(envelope.payload) ?? new Uint8Array());
  if (payload === undefined) throw new Error("a stored envelope's payload is not base64 of UTF-8");
  return JSON.parse(payload) as Statement & { predicate: P };
}

/** A stored receipt's predicate and artifact (SPEC §11). */
export function storedReceipt(receiptText: string): { predicate: DrillPredicate; artifactUri: string } {
  const st = storedStatement<DrillPredicate>(receiptText);
  return { predicate: st.predicate, artifactUri: st.subject[0]!.name };
}

/**
 * The claim answer of a drill: the backup's artifact as its manifest names it (bucket, key, the SHA-256
 * it signed, the size), the manifest envelope's SHA-256, and the drill's target, RTO and assertions.
 */
export function drillJobOf(
  orgId: string,
  jobId: string,
  databaseId: string,
  backupId: string,
  row: DrillJobRow,
  lease: { attempt: number; leaseId: string; leaseExpiresAt: string; runnerId: string },
): ClaimedDrillJob {
  const manifest = storedStatement<PgDumpPredicate>(row.envelope);
  return {
    kind: "drill",
    jobId,
    drillId: row.drill_id,
    orgId,
    databaseId,
    backupId,
    ...lease,
    artifact: {
      bucket: manifest.predicate.s3.bucket,
      key: manifest.predicate.s3.key,
      sha256: manifest.subject[0]!.digest.sha256,
      sizeBytes: manifest.predicate.sizeBytes,
    },
    manifestSha256: row.manifest_sha256,
    target: row.target,
    maxRtoSeconds: row.max_rto_seconds,
    assertions: JSON.parse(row.assertions) as Assertion[],
  };
}
