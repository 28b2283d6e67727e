import { toHex } from "../bytes/hex.js";
import { toBase64 } from "../bytes/base64.js";
import { utf8 } from "../bytes/utf8.js";
import { pae } from "../dsse/pae.js";
import { canonicalBytes, canonicalize } from "../jcs/canonicalize.js";
import type { LogEntry } from "../log/entry.js";
import { MemoryLog } from "../log/memory-log.js";
import { leafHash } from "../merkle/index.js";
import { buildStatement, signManifest } from "../manifest/build-manifest.js";
import { artifactExtension, backupObjectKey, KIT_FILES, kitObjectKey, type KitFile } from "../manifest/kit-layout.js";
import { cosignCheckpoint, formatCosignerVkey, formatVkey } from "../note/index.js";
import { BundlePaths, BundleIndexSchema } from "../bundle/layout.js";
import { fromBase64 } from "../bytes/base64.js";
import { buildFixtureLog, checkpointAt, fixtureBundle, unzipBundle, ORIGIN } from "./fixture-log.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER, RUNNER_SIGNER, testSigner } from "./keys.js";
import { buildDrillStatement, signDrillReceipt } from "../drill/build-receipt.js";
import { runnerKeyProofMessage } from "../drill/runner-key.js";
import { drillReceiptKey } from "../manifest/kit-layout.js";
import { sign } from "../ed25519/ed25519.js";
import { sampleDrillPredicate, SAMPLE_DRILL_ARTIFACT } from "./drill.js";
import { completedEntry } from "./kit.js";
import { samplePredicate } from "./predicate.js";
import { anchorObjectKeys, encodeAnchorProof } from "../bucket/anchor-layout.js";

const WITNESS = testSigner("witness.example/w1", 4);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Every worked example in SPEC.md, generated from the code with the fixed test keys. */
export function specExamples(): Record<string, string> {
  const entries: LogEntry[] = [
    {
      v: 1,
      seq: 0,
      type: "key.registered",
      at: "2026-11-24T00:00:00.000Z",
      actor: "system:setup",
      subject: "key:checkpoint",
      data: { purpose: "checkpoint", vkey: formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey) },
    },
    {
      v: 1,
      seq: 1,
      type: "backup.scheduled",
      at: "2026-11-24T03:00:00.000Z",
      actor: "system:cron",
      subject: "database:db_main",
      data: { jobId: "job_01", scheduleId: "sc_01", databaseId: "db_main", slot: "2026-11-24T03:00:00.000Z" },
    },
    {
      v: 1,
      seq: 2,
      type: "backup.started",
      at: "2026-11-24T03:00:02.125Z",
      actor: "runner:rn_01",
      subject: "database:db_main",
      data: { jobId: "job_01", databaseId: "db_main", runnerId: "rn_01", attempt: 1 },
    },
  ];
  const log = new MemoryLog();
  for (const e of entries) log.append(e);
  const checkpoint = checkpointAt(log, 3, ORIGIN);
  const body = checkpoint.slice(0, checkpoint.indexOf("\n\n") + 1);
  const cosig = cosignCheckpoint(body, WITNESS, 1764000000);
  const digest = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  const predicate = samplePredicate();
  const statement = buildStatement(predicate, digest);
  const envelope = signManifest(predicate, digest, MANIFEST_SIGNER);
  const artifactKey = backupObjectKey({
    prefix: "walwarden",
    databaseId: predicate.databaseId,
    backupId: predicate.backupId,
    startedAt: predicate.startedAt,
    artifactExt: artifactExtension(predicate.compression, "custom"),
  });
  if (!artifactKey.ok) throw new Error(artifactKey.message);
  // A window with a backup, a drill of it (so drills.jsonl) and part of a restore.
  const fixture = buildFixtureLog(15, 261, { drills: true });
  const files = unzipBundle(fixtureBundle(fixture, 7, 13));
  const indexEnv = JSON.parse(text(files.get(BundlePaths.index)!));
  const index = BundleIndexSchema.parse(JSON.parse(text(fromBase64(indexEnv.payload)!)));
  return {
    vkeys: [
      formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey),
      formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey),
      formatCosignerVkey(WITNESS.name, WITNESS.publicKey),
    ].join("\n"),
    "log-entry": text(canonicalBytes(entries[2]!)),
    "leaf-hashes":
      entries.map((e, i) => `leaf ${i}: ${toHex(leafHash(canonicalBytes(e)))}`).join("\n") +
      `\nroot of 3: ${toHex(log.root())}`,
    checkpoint: checkpoint.trimEnd(),
    cosignature: cosig.ok ? cosig.value.trimEnd() : cosig.message,
    "inclusion-proof": canonicalize({ v: 1, leafIndex: 1, treeSize: 3, hashes: log.inclusionProof(1).map(toBase64) }),
    "manifest-statement": JSON.stringify(statement, null, 2),
    "manifest-pae": `${text(pae("application/vnd.in-toto+json", utf8(canonicalize(statement)))).slice(0, 120)}…`,
    "manifest-envelope": JSON.stringify(envelope, null, 2),
    "kit-files": [
      artifactKey.value,
      ...Object.keys(KIT_FILES).map((f) => kitObjectKey(artifactKey.value, f as KitFile)),
    ].join("\n"),
    "kit-entry": text(canonicalBytes(completedEntry(3, envelope, predicate, digest))),
    "bundle-files": [...files.keys()].sort().join("\n"),
    "bundle-index": JSON.stringify(index, null, 2),
    "bundle-frontier": text(files.get(BundlePaths.frontier)!),
    "bundle-consistency": text(files.get(BundlePaths.consistency)!),
    "bundle-restore": text(files.get(BundlePaths.restores)!).trimEnd(),
    "drill-statement": JSON.stringify(buildDrillStatement(sampleDrillPredicate(), SAMPLE_DRILL_ARTIFACT), null, 2),
    "drill-envelope": JSON.stringify(
      signDrillReceipt(sampleDrillPredicate(), SAMPLE_DRILL_ARTIFACT, RUNNER_SIGNER),
      null,
      2,
    ),
    "drill-receipt-key": drillReceiptKey(artifactKey.value, "dr_01"),
    "anchor-files": [2n, 3n]
      .flatMap((size) => {
        const keys = anchorObjectKeys("walwarden", "rn_01", size);
        if (!keys.ok) throw new Error(keys.message);
        return size === 3n
          ? [keys.value.proof, keys.value.note, keys.value.latest]
          : [keys.value.proof, keys.value.note];
      })
      .join("\n"),
    "anchor-proof": encodeAnchorProof(2n, 3n, log.consistencyProof(2, 3)),
    "runner-vkey": formatVkey(RUNNER_SIGNER.name, RUNNER_SIGNER.publicKey),
    "runner-key-proof": (() => {
      const message = runnerKeyProofMessage(toBase64(RUNNER_SIGNER.publicKey));
      return `${JSON.stringify(text(message))}\nproof: ${toBase64(sign(message, RUNNER_SIGNER.secretKey))}`;
    })(),
  };
}
