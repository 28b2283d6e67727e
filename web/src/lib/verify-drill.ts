// A drill's receipt verified in this browser (SPEC §11): the runner's vkey parses, the receipt is the one
// the Worker logged (SHA-256 of its JCS bytes is the drill's receiptSha256), verifyDrillReceipt accepts it
// (the runner key's signature, the statement and predicate, consistency, and that it names this drill,
// backup, database and org, and, when the backup is known, its artifact and manifest), and what the page
// shows of the drill (status, RTO, tables) is what the signed receipt says. Loaded with the verifier chunk.
import {
  canonicalBytes,
  parseVkey,
  ReportBuilder,
  sha256,
  toHex,
  verifyDrillReceipt,
  type DrillExpectation,
  type Report,
  type VerifiedDrillReceipt,
} from "@walwarden/verifier";
import type { Drill } from "@walwarden/verifier/wire";

/**
 * The report of one receipt (its verdict is the answer), the receipt as verifyDrillReceipt returned it when
 * its signature and contents verified, and the key name it was checked with.
 */
export interface DrillVerification {
  report: Report;
  verified: VerifiedDrillReceipt | undefined;
  keyName: string | undefined;
}

/** What else the caller knows the receipt must be about (the backup's artifact and manifest, when loaded). */
export type BackupFacts = Pick<DrillExpectation, "artifactSha256" | "artifactUri" | "manifestSha256">;

/** Verifies a drill's receipt with the drill's runnerVkey; a drill without a receipt is not verified. */
export function verifyDrill(drill: Drill, orgId: string, backup: BackupFacts = {}): DrillVerification {
  const r = new ReportBuilder();
  if (!drill.receipt || !drill.receiptSha256 || !drill.runnerVkey) {
    r.add("receipt", "A signed receipt", "fail", "this drill has no receipt");
    return { report: r.build(), verified: undefined, keyName: undefined };
  }
  const key = r.result("runner-key", "The runner's key is a valid vkey", parseVkey(drill.runnerVkey), (k) => k.name);
  if (!key) return { report: r.build(), verified: undefined, keyName: undefined };

  const digest = toHex(sha256(canonicalBytes(drill.receipt)));
  r.expect(
    "receipt-sha256",
    "The receipt is the one logged (SHA-256 of its JCS bytes)",
    digest === drill.receiptSha256.toLowerCase(),
    digest,
    `the receipt hashes to ${digest}, the log records ${drill.receiptSha256}`,
  );

  const verified = r.result(
    "receipt",
    "Signed by the runner's key, consistent, and about this drill",
    verifyDrillReceipt(drill.receipt, [{ name: key.name, publicKey: key.publicKey }], {
      drillId: drill.id,
      backupId: drill.backupId,
      databaseId: drill.databaseId,
      orgId,
      ...backup,
    }),
    (v) => `signed by ${v.signedBy.join(", ")}; outcome ${v.predicate.outcome}`,
  );
  if (verified) {
    const p = verified.predicate;
    const matched = p.tables.filter((t) => t.actualRows === t.expectedRows).length;
    const differences = [
      p.outcome !== drill.status ? `status ${drill.status}, the receipt says ${p.outcome}` : undefined,
      p.rto.ms !== drill.rtoMs ? `RTO ${drill.rtoMs} ms, the receipt says ${p.rto.ms} ms` : undefined,
      drill.tables && (drill.tables.matched !== matched || drill.tables.total !== p.tables.length)
        ? `${drill.tables.matched} of ${drill.tables.total} tables, the receipt says ${matched} of ${p.tables.length}`
        : undefined,
      p.target.kind !== drill.target ? `target ${drill.target}, the receipt says ${p.target.kind}` : undefined,
    ].filter((x) => x !== undefined);
    r.expect(
      "shown",
      "What this page shows is what the receipt says",
      differences.length === 0,
      "status, RTO, tables and target agree",
      `the API's summary differs: ${differences.join("; ")}`,
    );
  }
  return { report: r.build(), verified, keyName: key.name };
}
