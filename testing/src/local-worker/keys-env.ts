// Fresh throwaway signing keys for a local Worker, in an env file its dev server loads: the keys never go
// on a command line.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatSignerKey, generateKeyPair } from "@walwarden/verifier";

/** Writes `<dir>/bench.env` with fresh checkpoint and manifest signing keys and a bucket-credentials key; returns its path. */
export function writeKeysEnvFile(dir: string): string {
  const path = join(dir, "bench.env");
  const key = (name: string) => formatSignerKey({ name, secretKey: generateKeyPair().secretKey });
  writeFileSync(
    path,
    `CHECKPOINT_SIGNER_KEY=${key("bench.walwarden.local/checkpoint")}\nMANIFEST_SIGNER_KEY=${key("bench.walwarden.local/manifest")}\nBUCKET_CREDENTIALS_KEY=${randomBytes(32).toString("base64")}\n`,
    { mode: 0o600 },
  );
  return path;
}
