/**
 * The RFC 8785 §3.2.2.3 number: ECMAScript Number::toString, the shortest round-tripping form (so 1e+30,
 * 0.002, 1e-27), with -0 written as 0. Throws TypeError for NaN and ±Infinity, which JSON cannot express.
 */
export function serializeNumber(n: number, path: string): string {
  if (!Number.isFinite(n)) throw new TypeError(`JCS: cannot canonicalize ${path}: ${n} is not a finite number`);
  // Number::toString already gives "0" for -0; the explicit branch keeps that rule visible.
  return n === 0 ? "0" : String(n);
}
