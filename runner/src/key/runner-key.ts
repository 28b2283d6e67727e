import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  err,
  fromBase64,
  ok,
  publicKeyOf,
  type Result,
  runnerKeyProofMessage,
  sign,
  toBase64,
} from "@walwarden/verifier";
import { z } from "zod";

/** The runner's own Ed25519 key (SPEC §11): it signs drill receipts. Made on first start, never sent or logged. */
export interface RunnerKey {
  /** The 32-byte seed. */
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** True when this start made it (no key file was there). */
  created: boolean;
}

/** The key file in the state dir (mode 0600). */
export const RUNNER_KEY_FILE = "runner-key.json";

const KeyFileSchema = z.strictObject({
  v: z.literal(1),
  /** The Ed25519 seed, base64. */
  seed: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  createdAt: z.string(),
});

/**
 * The runner's key from `stateDir/runner-key.json`, made there on first start: a fresh seed written to a
 * temp file created with mode 0600, then renamed over the name (atomic: a crash leaves no half key). A
 * file that does not parse, or whose public key is not its seed's, is an error (never silently replaced:
 * that would rotate the key); a missing one means a new key, which the Worker logs as a rotation.
 */
export async function loadOrCreateRunnerKey(stateDir: string): Promise<Result<RunnerKey, "key-unreadable">> {
  const path = join(stateDir, RUNNER_KEY_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      return err("key-unreadable", `cannot read the runner key ${path}: ${(e as NodeJS.ErrnoException).code}`);
  }
  if (text !== undefined) {
    let parsed: z.infer<typeof KeyFileSchema>;
    try {
      parsed = KeyFileSchema.parse(JSON.parse(text));
    } catch {
      return err(
        "key-unreadable",
        `${path} is not a runner key file: restore it from a backup of the state dir, or delete it to make a new key (the Worker logs the rotation)`,
      );
    }
    const secretKey = fromBase64(parsed.seed)!;
    const publicKey = publicKeyOf(secretKey);
    if (toBase64(publicKey) !== parsed.publicKey)
      return err("key-unreadable", `${path}: its public key is not its seed's (the file was edited)`);
    return ok({ secretKey, publicKey, created: false });
  }
  const secretKey = new Uint8Array(randomBytes(32));
  const publicKey = publicKeyOf(secretKey);
  const body = `${JSON.stringify({ v: 1, seed: toBase64(secretKey), publicKey: toBase64(publicKey), createdAt: new Date().toISOString() })}\n`;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(stateDir, { recursive: true });
    const fh = await open(tmp, "wx", 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    return err(
      "key-unreadable",
      `cannot write the runner key ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return ok({ secretKey, publicKey, created: true });
}

/** The body of POST /v1/runner/key: the public key and a signature over runnerKeyProofMessage. */
export function keyRegistration(key: Pick<RunnerKey, "secretKey" | "publicKey">): { publicKey: string; proof: string } {
  const publicKey = toBase64(key.publicKey);
  return { publicKey, proof: toBase64(sign(runnerKeyProofMessage(publicKey), key.secretKey)) };
}
