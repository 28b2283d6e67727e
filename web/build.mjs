// Builds the dashboard into web/dist with esbuild: the app bundle and its CSS (content-hashed names, so
// they can be cached for ever), index.html pointing at them, verify.html (the standalone offline verify
// page: one file with everything inlined), and _headers (CSP and caching for Workers Static Assets and
// Pages alike, from src/headers.template). `node build.mjs` from web/ or `npm run build -w web`.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const here = import.meta.dirname;
const dist = join(here, "dist");
const minify = process.env.WEB_BUILD_MINIFY !== "0";

// Old hashed bundles go; the directory itself stays (wrangler serves it, maybe right now).
mkdirSync(dist, { recursive: true });
rmSync(join(dist, "assets"), { recursive: true, force: true });

const app = await build({
  entryPoints: { app: join(here, "src/main.tsx"), styles: join(here, "src/styles/app.css") },
  outdir: join(dist, "assets"),
  entryNames: "[name]-[hash]",
  // The verifier (with zod's schemas, most of the weight) is imported dynamically: its own chunk.
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  minify,
  // Source maps only on request (WEB_BUILD_SOURCEMAP=1): production ships none.
  sourcemap: process.env.WEB_BUILD_SOURCEMAP === "1",
  metafile: true,
  logLevel: "warning",
});
const outputs = Object.keys(app.metafile.outputs).map((p) => basename(p));
const script = outputs.find((f) => /^app-.*\.js$/.test(f));
const styles = outputs.find((f) => /^styles-.*\.css$/.test(f));
if (!script || !styles) throw new Error(`esbuild wrote no app bundle or stylesheet: ${outputs.join(", ")}`);

const index = readFileSync(join(here, "src/index.html"), "utf8")
  .replace("%SCRIPT%", `/assets/${script}`)
  .replace("%STYLES%", `/assets/${styles}`);
writeFileSync(join(dist, "index.html"), index);

// The standalone verify page: script and styles inlined, nothing fetched (its CSP forbids connections).
const page = await build({
  entryPoints: [join(here, "src/verify-page/main.ts")],
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify,
  write: false,
  logLevel: "warning",
});
const pageScript = page.outputFiles[0].text.replaceAll("</script", "<\\/script");
const pageStyles = readFileSync(join(here, "src/verify-page/verify-page.css"), "utf8");
const verifyHtml = readFileSync(join(here, "src/verify-page/verify.html"), "utf8")
  .replace("/*STYLES*/", () => pageStyles)
  .replace("/*SCRIPT*/", () => pageScript);
writeFileSync(join(dist, "verify.html"), verifyHtml);

// _headers: the dashboard's CSP, which also admits verify.html's inline script and styles, by hash.
const cspHash = (text) => `sha256-${createHash("sha256").update(text).digest("base64")}`;
const headers = readFileSync(join(here, "src/headers.template"), "utf8")
  .replace("%VERIFY_SCRIPT_HASH%", cspHash(pageScript))
  .replace("%VERIFY_STYLE_HASH%", cspHash(pageStyles));
writeFileSync(join(dist, "_headers"), headers);

console.log(
  `web: built ${script}, ${styles}, index.html, verify.html (${Math.round(verifyHtml.length / 1024)} KiB) into ${dist}`,
);
