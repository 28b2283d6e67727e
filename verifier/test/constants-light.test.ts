// The light entry (@walwarden/verifier/constants) stays light: bundled for a browser, it holds no zod and
// none of the verifier's schemas, so the dashboard can put it in its main bundle.
import { build } from "esbuild";
import { expect, it } from "vitest";

it("bundles without zod, in a few KiB", async () => {
  const out = await build({
    entryPoints: [new URL("../src/constants.ts", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "browser",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(out.metafile.inputs);
  expect(inputs.filter((p) => /node_modules|schema|wire/.test(p))).toEqual([]);
  expect(out.outputFiles[0]!.contents.length).toBeLessThan(8 * 1024);
});
