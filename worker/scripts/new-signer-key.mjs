#!/usr/bin/env node
// Prints a new Ed25519 signer key for a Worker secret on stdout (x/mod signed-note form,
// PRIVATE+KEY+<name>+…) and its public vkey on stderr. The name must end in /checkpoint or /manifest.
//   node worker/scripts/new-signer-key.mjs walwarden.example.com/checkpoint | npx wrangler secret put CHECKPOINT_SIGNER_KEY
import { formatSignerKey, formatVkey, generateKeyPair } from "@walwarden/verifier";

const name = process.argv[2];
if (!name || !/^[\x21-\x7e]+\/(checkpoint|manifest)$/.test(name) || name.includes("+")) {
  process.stderr.write("usage: node worker/scripts/new-signer-key.mjs <host>/checkpoint|<host>/manifest\n");
  process.exit(2);
}
const { secretKey, publicKey } = generateKeyPair();
process.stdout.write(`${formatSignerKey({ name, secretKey })}\n`);
process.stderr.write(`vkey (publish this): ${formatVkey(name, publicKey)}\n`);
