// Worker thread body for the parallel batch checker: checks batches of log entries and manifests with the
// same functions the calling thread would run (bundle/batch-checks.ts), on native SHA-256 and Ed25519.
import { parentPort } from "node:worker_threads";
import { checkEntryBatch, checkManifestBatch, type EntryBatch, type ManifestBatch } from "../bundle/batch-checks.js";
import { nativeEd25519Verify } from "./native-ed25519.js";
import { nativeSha256 } from "./native-sha256.js";

/** A task: its id, and a batch of entries or of manifests. */
export type BatchTask = { id: number } & (
  | { kind: "entries"; batch: EntryBatch }
  | { kind: "manifests"; batch: ManifestBatch }
);

parentPort!.on("message", (t: BatchTask) => {
  try {
    if (t.kind === "entries") {
      const r = checkEntryBatch(t.batch, nativeSha256);
      parentPort!.postMessage({ id: t.id, result: r }, [
        r.leaves.buffer as ArrayBuffer,
        r.blocks.buffer as ArrayBuffer,
      ]);
    } else
      parentPort!.postMessage({ id: t.id, result: checkManifestBatch(t.batch, nativeSha256, nativeEd25519Verify) });
  } catch (e) {
    parentPort!.postMessage({ id: t.id, error: e instanceof Error ? e.message : String(e) });
  }
});
