import { err, ok, type Result } from "../result.js";

const UNITS: Record<string, number> = { "": 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** A size flag's bytes: a whole number, optionally followed by B, KiB, MiB, GiB or TiB ("512MiB", "2 GiB"). */
export function parseSize(text: string): Result<number, "bad-size"> {
  const m = /^(\d{1,16})\s*(B|KiB|MiB|GiB|TiB)?$/.exec(text.trim());
  const bytes = m ? Number(m[1]) * UNITS[m[2] ?? ""]! : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    return err("bad-size", `${JSON.stringify(text)} is not a size (a whole number of bytes, or with KiB, MiB, GiB)`);
  return ok(bytes);
}
