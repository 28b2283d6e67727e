#!/usr/bin/env node
// Writes local development signing keys (and the key that seals bucket credentials) into .dev.vars (git-ignored) at the repository root, unless it
// already has them. Production keys are Worker secrets (docs/deploy.md), never files.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { formatSignerKey, generateKeyPair } from "@walwarden/verifier";

const path = resolve(import.meta.dirname, "../../.dev.vars");
const current = existsSync(path) ? readFileSync(path, "utf8") : "";
const lines = [];
for (const [variable, name] of [
  ["CHECKPOINT_SIGNER_KEY", "dev.walwarden.local/checkpoint"],
  ["MANIFEST_SIGNER_KEY", "dev.walwarden.local/manifest"],
]) {
  if (new RegExp(`^${variable}=`, "m").test(current)) continue;
  lines.push(`${variable}=${formatSignerKey({ name, secretKey: generateKeyPair().secretKey })}`);
}
if (!/^BUCKET_CREDENTIALS_KEY=/m.test(current))
  lines.push(`BUCKET_CREDENTIALS_KEY=${randomBytes(32).toString("base64")}`);
if (lines.length === 0) console.log(`.dev.vars already has signing keys (${path})`);
else {
  writeFileSync(path, `${(current && !current.endsWith("\n") ? `${current}\n` : current) + lines.join("\n")}\n`, {
    mode: 0o600,
  });
  console.log(`wrote ${lines.length} development signing key(s) to ${path}`);
}
