import { createReadStream } from "node:fs";
import { toHex } from "../bytes/hex.js";
import { nativeSha256 } from "../node/native-sha256.js";
import { readRegularFile } from "./read-regular-file.js";

import type { Io } from "./cli-io.js";

export type { Io } from "./cli-io.js";

/** Says on stderr that a file could not be read, with the error code (ENOENT, EISDIR, …). */
function cannotRead(path: string, e: unknown, io: Io): undefined {
  io.stderr(`walwarden-verify: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
  return undefined;
}

/** Most bytes of a manifest, kit file or checkpoint the CLI reads (each is a few KiB; a manifest with 100,000 tables a few MiB). */
export const MAX_TEXT_FILE_BYTES = 64 * 1024 * 1024;

/** A small file's bytes, or undefined (said on stderr) if it cannot be read, is not a regular file or is too large. */
export function readBytes(path: string, io: Io): Promise<Uint8Array | undefined> {
  return readRegularFile(path, MAX_TEXT_FILE_BYTES, "the most a manifest or kit file may have", io);
}

/** A file's text (UTF-8), or undefined (said on stderr) if it cannot be read. */
export async function readText(path: string, io: Io): Promise<string | undefined> {
  const b = await readBytes(path, io);
  return b && new TextDecoder().decode(b);
}

/**
 * A file's exact text: a byte-order mark is kept (so that bytes that are not canonical stay so); invalid
 * UTF-8 becomes U+FFFD, which changes the bytes and so cannot verify. Undefined (said on stderr) if unreadable.
 */
export async function readExactText(path: string, io: Io): Promise<string | undefined> {
  const b = await readBytes(path, io);
  return b && new TextDecoder("utf-8", { ignoreBOM: true }).decode(b);
}

/** JSON.parse of a text, or undefined if it is not JSON (the verifier then says what is wrong with it). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A file's SHA-256 (hex), streamed so that a dump of any size fits; undefined (said on stderr) if it cannot be read. */
export async function hashFile(path: string, io: Io): Promise<string | undefined> {
  try {
    const h = nativeSha256.stream();
    for await (const chunk of createReadStream(path)) h.update(chunk as Uint8Array);
    return toHex(h.digest());
  } catch (e) {
    return cannotRead(path, e, io);
  }
}
