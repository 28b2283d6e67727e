// Bundled for Chromium by browser.test.ts: runs the verifier's real code paths inside a page.
import { canonicalize } from "../../src/jcs/canonicalize.js";
import { verifyBundle } from "../../src/bundle/verify-bundle.js";
import { BundlePaths } from "../../src/bundle/layout.js";
import { verifyManifest } from "../../src/manifest/verify-manifest.js";
import { signManifest } from "../../src/manifest/build-manifest.js";
import { verifyCheckpoint, formatVkey, parseVkey } from "../../src/note/index.js";
import {
  buildFixtureLog,
  checkpointAt,
  fixtureBundle,
  fixturePolicy,
  rezip,
  unzipBundle,
  ORIGIN,
} from "../../src/test-support/fixture-log.js";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER } from "../../src/test-support/keys.js";
import { samplePredicate } from "../../src/test-support/predicate.js";

/** What the page reports back to the test. */
export interface BrowserResult {
  userAgent: string;
  nodeGlobals: boolean;
  good: string;
  reordered: string;
  reorderedFailedAt: string | undefined;
  manifest: boolean;
  manifestWrongDigest: string | undefined;
  checkpoint: boolean;
  jcs: string;
}

(globalThis as unknown as { runVerifier: () => Promise<BrowserResult> }).runVerifier = async () => {
  const log = buildFixtureLog(120, 5);
  const zip = fixtureBundle(log, 10, 100);
  const good = await verifyBundle(zip, fixturePolicy());
  const files = unzipBundle(zip);
  const lines = new TextDecoder().decode(files.get(BundlePaths.entries)!).split("\n");
  [lines[0], lines[1]] = [lines[1]!, lines[0]!];
  files.set(BundlePaths.entries, new TextEncoder().encode(lines.join("\n")));
  const reordered = await verifyBundle(rezip(files, { resignIndex: true }), fixturePolicy());
  const keys = [{ name: MANIFEST_SIGNER.name, publicKey: MANIFEST_SIGNER.publicKey }];
  const env = signManifest(samplePredicate(), "ab".repeat(32), MANIFEST_SIGNER);
  const wrong = verifyManifest(env, keys, "cd".repeat(32));
  const cpKey = parseVkey(formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey));
  return {
    userAgent: (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent,
    nodeGlobals: typeof (globalThis as Record<string, unknown>).process !== "undefined",
    good: good.verdict,
    reordered: reordered.verdict,
    reorderedFailedAt: reordered.failed,
    manifest: verifyManifest(env, keys, "ab".repeat(32)).ok,
    manifestWrongDigest: wrong.ok ? undefined : wrong.code,
    checkpoint: cpKey.ok && verifyCheckpoint(checkpointAt(log.log, 50), [cpKey.value], ORIGIN).ok,
    jcs: canonicalize({ b: [1e21, -0, 0.1], a: "\u00e9\n" }),
  };
};
