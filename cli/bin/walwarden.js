#!/usr/bin/env node
// Thin shim so npm can link the bin before the build has run; the program lives in src/bin, bundled by
// build.mjs into dist/bundle (one file and its lazily loaded chunks: the start-up reads little).
// It exits as soon as main returns: nothing it started must keep the process alive.
import { main } from "../dist/bundle/walwarden.js";

process.exit(await main(process.argv.slice(2)));
