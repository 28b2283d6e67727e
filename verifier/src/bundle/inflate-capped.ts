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
  let over = false;
  const inflater = new Inflate((chunk) => {
    if (over || produced + chunk.length > size) {
      over = true;
      return;
    }
    out.set(chunk, produced);
    produced += chunk.length;
  });
  try {
    let at = 0;
    do {
      const step = Math.min(MAX_STEP, Math.max(MIN_STEP, Math.floor((size - produced) / MAX_RATIO)));
      const end = Math.min(data.length, at + step);
      inflater.push(data.subarray(at, end), end === data.length);
      at = end;
    } while (!over && at < data.length);
  } catch (e) {
    return err("not-a-zip", `invalid deflate data: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (over) return err("bundle-size-mismatch", `inflates to more than the ${size} bytes its directory declares`);
  if (produced !== size)
    return err("bundle-size-mismatch", `inflates to ${produced} bytes, not the ${size} its directory declares`);
  return ok(out);
}
