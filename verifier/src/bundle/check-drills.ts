import { bytesEqual } from "../bytes/compare.js";
import { toHex } from "../bytes/hex.js";
import { deploymentOfOrigin, runnerKeyName } from "../drill/runner-key.js";
import { verifyDrillReceipt } from "../drill/verify-receipt.js";
import type { Ed25519Verify } from "../ed25519/ed25519.js";
import type { Sha256 } from "../hash/sha256.js";
import type { LogEntry, LogEntryOf } from "../log/entry.js";
import { parseVkey } from "../note/index.js";
import { BundlePaths, type BundleIndex } from "./layout.js";
import { lineBytes } from "./lines.js";
import { fileText } from "./parse-file.js";
import type { VerifyPolicy } from "./policy.js";
import type { BundleFiles } from "./read-bundle.js";
import type { ReportBuilder } from "./report.js";

/** A drill entry that a runner's receipt concluded (its receiptSha256 and runnerVkey are set). */
export type ReceiptedDrillEntry = LogEntryOf<"drill.completed"> | LogEntryOf<"drill.failed">;

/** The window's drill.completed and drill.failed entries that name a receipt, in log order: one line of drills.jsonl each. */
export function receiptedDrills(kept: LogEntry[]): ReceiptedDrillEntry[] {
  return kept.filter(
    (e): e is ReceiptedDrillEntry =>
      (e.type === "drill.completed" || e.type === "drill.failed") && e.data.receiptSha256 !== null,
  );
}

/**
 * `drills.jsonl` holds, line by line, the receipt of each receipted drill entry of the window in log order
 * (and is absent when there is none): byte-identical to the one the log committed to (receiptSha256),
 * signed by the runner key the entry names (runnerVkey), named as that runner's key in this deployment,
 * and saying what the entry says: the same drill, backup, database and org, the outcome the entry's type
 * gives, the entry's RTO, and the artifact and manifest of the backup's entry when it is in the window.
 */
export function checkDrills(
  files: BundleFiles,
  index: BundleIndex,
  kept: LogEntry[],
  policy: VerifyPolicy,
  sha: Sha256,
  verifySignature: Ed25519Verify | undefined,
  report: ReportBuilder,
): void {
  const drills = receiptedDrills(kept);
  const backups = new Map<string, LogEntryOf<"backup.completed">>();
  for (const e of kept) if (e.type === "backup.completed") backups.set(e.data.backupId, e);
  const file = files.get(BundlePaths.drills);
  const lines = file && lineBytes(file);
  const deployment = deploymentOfOrigin(index.origin, index.orgId);
  const pinned = policy.runnerKeys ?? [];
  const problems: string[] = [];
  if (drills.length === 0) {
    if (file) problems.push(`${BundlePaths.drills} is present but the window has no receipted drill entry`);
  } else if (!lines) problems.push(`${BundlePaths.drills} is missing or not newline-terminated lines`);
  else if (lines.length !== drills.length)
    problems.push(`${lines.length} receipts for ${drills.length} receipted drill entries`);
  else if (deployment === undefined)
    problems.push(`the log origin ${index.origin} does not end in /log/${index.orgId}, so no runner key name is known`);
  else
    for (let i = 0; i < drills.length && problems.length < 5; i++) {
      const e = drills[i]!;
      const d = e.data;
      const where = `receipt ${i + 1} (entry ${e.seq}, ${d.drillId})`;
      const bytes = lines[i]!;
      if (toHex(sha.digest(bytes)) !== d.receiptSha256) {
        problems.push(`${where} is not the receipt the log committed to`);
        continue;
      }
      if (d.runnerId === null) {
        problems.push(`${where}: the entry names a receipt but no runner`);
        continue;
      }
      const vkey = parseVkey(d.runnerVkey ?? "");
      if (!vkey.ok) {
        problems.push(`${where}: the entry's runnerVkey is not a verifier key (${vkey.message})`);
        continue;
      }
      const key = { name: vkey.value.name, publicKey: vkey.value.publicKey };
      const expectedName = runnerKeyName(deployment, d.runnerId);
      if (key.name !== expectedName) {
        problems.push(`${where}: the runner key is named ${key.name}, not ${expectedName}`);
        continue;
      }
      if (pinned.length > 0 && !pinned.some((k) => k.name === key.name && bytesEqual(k.publicKey, key.publicKey))) {
        problems.push(`${where}: the runner key ${d.runnerVkey} is not one of the pinned runner keys`);
        continue;
      }
      let envelope: unknown;
      try {
        envelope = JSON.parse(fileText(bytes) ?? "");
      } catch {
        problems.push(`${where} is not JSON`);
        continue;
      }
      const backup = backups.get(d.backupId);
      const r = verifyDrillReceipt(
        envelope,
        [key],
        {
          drillId: d.drillId,
          backupId: d.backupId,
          databaseId: d.databaseId,
          orgId: index.orgId,
          ...(backup
            ? { artifactSha256: backup.data.artifact.sha256, manifestSha256: backup.data.manifestSha256 }
            : {}),
        },
        verifySignature,
      );
      if (!r.ok) {
        problems.push(`${where}: ${r.code}: ${r.message}`);
        continue;
      }
      const p = r.value.predicate;
      const passed = e.type === "drill.completed";
      if ((p.outcome === "passed") !== passed)
        problems.push(`${where}: the receipt's outcome is ${p.outcome} but the entry is ${e.type}`);
      else if (e.type === "drill.completed" && p.rto.ms !== e.data.rtoMs)
        problems.push(`${where}: the receipt's RTO is ${p.rto.ms} ms but the entry's rtoMs is ${e.data.rtoMs}`);
    }
  report.expect(
    "drills",
    "Drill receipts match their log entries and verify",
    problems.length === 0,
    drills.length === 0 ? "no receipted drill in the window" : `${drills.length} drill receipt(s) verified`,
    problems.join("; "),
  );
}
