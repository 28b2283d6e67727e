import { Inflate } from "fflate";
import { err, ok, type Result } from "../result.js";

/** Why a deflate stream did not inflate to exactly the declared size. */
export type InflateCappedErrorCode = "bundle-size-mismatch" | "not-a-zip";

// Deflate inflates at most about 1,032 bytes per input byte: feeding room/1,032 bytes at a time keeps one
// step's output within the room left, and 4 KiB at the least keeps a lying size from costing more than
// about 4 MiB of output. Fewer, larger steps are faster (each step allocates fflate's 160 KiB buffer).
const MAX_RATIO = 1032;
const MIN_STEP = 4 * 1024;
const MAX_STEP = 1024 * 1024;

/**
 * Inflates raw deflate data into exactly `size` bytes, in small steps, stopping as soon as the output would
 * pass `size`: a zip whose directory declares small sizes for large streams never gets to allocate the
 * large output. Fewer bytes than `size`, or a stream that does not end, is refused too.
 */
export function inflateCapped(data: Uint8Array, size: number): Result<Uint8Array, InflateCappedErrorCode> {
  const out = new Uint8Array(size);
  let produced = 0;
  const chunks = inflateChunks(data, size);
  for (;;) {
    const next = chunks.next();
    if (next.done) return next.value.ok ? ok(out) : next.value;
    out.set(next.value, produced);
    produced += next.value.length;
  }
}

/**
 * inflateCapped as a stream: yields the inflated bytes of `data` in order, a step at a time, with exactly
 * inflateCapped's refusals (returned once the stream ends or is refused; the bytes yielded before a refusal
 * are then not the file). The steps are inflateCapped's (the same input per step, so the same refusal at
 * the same point); what a streamed read holds at once is one step's output (a few MiB for real entries).
 */
export function* inflateChunks(
  data: Uint8Array,
  size: number,
): Generator<Uint8Array, Result<void, InflateCappedErrorCode>> {
  let produced = 0;
  let over = false;
  let pending: Uint8Array[] = [];
  const inflater = new Inflate((chunk) => {
    if (over || produced + chunk.length > size) {
      over = true;
      return;
    }
    // fflate hands over a fresh copy each step, so it may be yielded as it is.
    if (chunk.length > 0) pending.push(chunk);
    produced += chunk.length;
  });
  let at = 0;
  do {
    const step = Math.min(MAX_STEP, Math.max(MIN_STEP, Math.floor((size - produced) / MAX_RATIO)));
    const end = Math.min(data.length, at + step);
    try {
      inflater.push(data.subarray(at, end), end === data.length);
    } catch (e) {
      return err("not-a-zip", `invalid deflate data: ${e instanceof Error ? e.message : String(e)}`);
    }
    at = end;
    if (over) break;
    const out = pending;
    pending = [];
    for (const c of out) yield c;
  } while (at < data.length);
  if (over) return err("bundle-size-mismatch", `inflates to more than the ${size} bytes its directory declares`);
  if (produced !== size)
    return err("bundle-size-mismatch", `inflates to ${produced} bytes, not the ${size} its directory declares`);
  return ok(undefined);
}
