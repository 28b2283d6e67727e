// Worker thread body for the parallel range hasher: hashes its share of entries and blocks straight
// into shared memory with the same code the portable hasher runs.
import { parentPort } from "node:worker_threads";
import { hashEntriesInto } from "../log/range-hasher.js";
import { nativeSha256 } from "./native-sha256.js";

/** A share of a range to hash: entries [from, to), written into the shared leaves and blocks buffers. */
export interface RangeTask {
  data: SharedArrayBuffer;
  dataLength: number;
  lineStarts: SharedArrayBuffer;
  leaves: SharedArrayBuffer;
  blocks: SharedArrayBuffer;
  firstIndex: number;
  from: number;
  to: number;
  blockLevel: number;
  firstBlockStart: number;
}

parentPort!.on("message", (t: RangeTask) => {
  hashEntriesInto(
    nativeSha256,
    new Uint8Array(t.data, 0, t.dataLength),
    new Uint32Array(t.lineStarts),
    t.firstIndex,
    t.from,
    t.to,
    t.blockLevel,
    t.firstBlockStart,
    new Uint8Array(t.leaves),
    new Uint8Array(t.blocks),
  );
  parentPort!.postMessage("done");
});
