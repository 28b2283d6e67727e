// In unicode mode a class of surrogate code units matches only unpaired ones (a pair is one astral code
// point and falls outside it), so a well-formed pair is never touched.
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

/**
 * `value` with every lone surrogate in its strings (object keys included, at any depth) replaced by
 * U+FFFD, as a UTF-8 encoder would: the log's canonical JSON cannot hold a lone surrogate, and the API
 * refuses them on the way in, so this is the Ledger's safety net for text that got through anyway (a
 * new field, a caller that skipped a schema). A value with none comes back as the same object.
 */
export function replaceLoneSurrogates<T>(value: T): T {
  return fix(value) as T;
}

function fix(value: unknown): unknown {
  if (typeof value === "string") return value.replace(LONE_SURROGATE, "\uFFFD");
  if (Array.isArray(value)) {
    const out = value.map(fix);
    return out.some((v, i) => v !== value[i]) ? out : value;
  }
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = fix(k) as string;
    const fixed = fix(v);
    if (key !== k || fixed !== v) changed = true;
    out[key] = fixed;
  }
  return changed ? out : value;
}
