/**
 * A request body of at most `max` bytes, or undefined if it is longer: a Content-Length over `max` is
 * refused before anything is read, and a body without one (or longer than it said) is counted as it
 * arrives and cancelled once past `max`, so a request never costs more than `max` bytes of memory.
 */
export async function cappedBody(req: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = req.headers.get("content-length");
  if (declared !== null && !(Number(declared) <= max)) return undefined;
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > max) {
      await reader.cancel("body too large");
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
