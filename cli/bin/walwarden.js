#!/usr/bin/env node
// Thin shim so npm can link the bin before the TypeScript build has run; the program lives in src/bin.
// It exits as soon as main returns: nothing it started must keep the process alive.
import { main } from "../dist/bin/walwarden.js";

process.exit(await main(process.argv.slice(2)));
