#!/usr/bin/env node
// Thin shim so npm can link the bin before the TypeScript build has run; the CLI lives in src/bin.
import { main } from "../dist/bin/walwarden-verify.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
