#!/usr/bin/env node
// Thin shim so npm can link the bin before the TypeScript build has run; the program lives in src/bin.
// It exits as soon as main returns: a request cancelled at shutdown must not keep the process alive
// (the logger writes synchronously, so nothing is lost).
import { main } from "../dist/bin/walwarden-runner.js";

process.exit(await main(process.argv.slice(2)));
