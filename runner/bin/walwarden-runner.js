#!/usr/bin/env -S node --max-semi-space-size=1
// --max-semi-space-size=1: a 1 MiB young generation. The runner streams buffers through and keeps
// little; with V8's default young generation its peak resident size was about 30 MB higher (bench/backup).
// Thin shim so npm can link the bin before the TypeScript build has run; the program lives in src/bin.
// It exits as soon as main returns: a request cancelled at shutdown must not keep the process alive
// (the logger writes synchronously, so nothing is lost).
import { main } from "../dist/bin/walwarden-runner.js";

process.exit(await main(process.argv.slice(2)));
