/** Items one per line, each followed by `\n`; a loop, not a spread, so a million lines do not overflow the stack. */
export function joinLines(items: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const e of items) n += e.length + 1;
  const out = new Uint8Array(n);
  let o = 0;
  for (const e of items) {
    out.set(e, o);
    out[o + e.length] = 0x0a;
    o += e.length + 1;
  }
  return out;
}

/** Offsets of each line start plus the end, or undefined unless the bytes are non-empty newline-terminated lines. */
export function splitLines(bytes: Uint8Array): Uint32Array | undefined {
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) return undefined;
  const starts: number[] = [0];
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === starts[starts.length - 1]) return undefined; // an empty line
    starts.push(i + 1);
  }
  return Uint32Array.from(bytes.length === 0 ? [0] : starts);
}

/** The lines of newline-terminated bytes (without their newlines), or undefined if malformed. */
export function lineBytes(bytes: Uint8Array): Uint8Array[] | undefined {
  const starts = splitLines(bytes);
  if (!starts) return undefined;
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < starts.length; i++) out.push(bytes.subarray(starts[i]!, starts[i + 1]! - 1));
  return out;
}
