/** A parsed `Content-Range: bytes <start>-<end>/<total|*>`. */
export interface ContentRange {
  start: number;
  end: number;
  total: number | null;
}

/** Parses a Content-Range header of a 206 answer, or undefined if it is not one. */
export function parseContentRange(header: string | null): ContentRange | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? "");
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === "*" ? null : Number(m[3]) };
}
