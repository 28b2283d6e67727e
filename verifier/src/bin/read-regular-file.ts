import { constants } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import type { Io } from "./cli-io.js";

/**
 * A file's bytes, read only if the path names a regular file of at most `maxBytes` (said on stderr, naming
 * `limit`, and undefined otherwise): /dev/zero, a FIFO or a directory is refused before it is opened for
 * reading, and a file that grows past its size while being read is refused too, so memory stays within
 * `maxBytes`.
 */
export async function readRegularFile(
  path: string,
  maxBytes: number,
  limit: string,
  io: Io,
): Promise<Uint8Array | undefined> {
  const refuse = (why: string) => {
    io.stderr(`walwarden-verify: cannot read ${path}: ${why}\n`);
    return undefined;
  };
  let handle: FileHandle | undefined;
  try {
    const before = await stat(path);
    if (!before.isFile()) return refuse(`not a regular file (${kindOf(before)})`);
    if (before.size > maxBytes) return refuse(tooLarge(before.size, maxBytes, limit));
    // Non-blocking: if the path was swapped for a FIFO since stat, opening it does not wait for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = await handle.stat();
    if (!st.isFile()) return refuse(`not a regular file (${kindOf(st)})`);
    if (st.size > maxBytes) return refuse(tooLarge(st.size, maxBytes, limit));
    const buf = new Uint8Array(st.size + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > st.size) return refuse(`it grew while being read (past ${st.size} bytes)`);
    }
    return buf.subarray(0, n);
  } catch (e) {
    return refuse((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  } finally {
    await handle?.close();
  }
}

function tooLarge(size: number, max: number, limit: string): string {
  return `it has ${size} bytes, more than ${limit} (${max} bytes)`;
}

function kindOf(s: import("node:fs").Stats): string {
  if (s.isDirectory()) return "a directory";
  if (s.isFIFO()) return "a FIFO";
  if (s.isCharacterDevice()) return "a character device";
  if (s.isBlockDevice()) return "a block device";
  if (s.isSocket()) return "a socket";
  return "not a file";
}
