// Builds the dashboard into web/dist with esbuild: the app bundle and its CSS (content-hashed names, so
// they can be cached for ever), index.html pointing at them, verify.html (the standalone offline verify
// page: one file with everything inlined), and _headers (CSP and caching for Workers Static Assets and
// Pages alike, from src/headers.template). `node build.mjs` from web/ or `npm run build -w web`.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

const here = import.meta.dirname;
// WEB_BUILD_OUTDIR builds somewhere else than web/dist (bench/web-weight.mjs builds its own copy, so it never
// rewrites the web/dist that running tests serve).
const dist = process.env.WEB_BUILD_OUTDIR ? resolve(process.env.WEB_BUILD_OUTDIR) : join(here, "dist");
const minify = process.env.WEB_BUILD_MINIFY !== "0";

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
  // Written below, once the build succeeded: a failed build leaves the last good one served.
  write: false,
  logLevel: "warning",
});
// The directory stays (wrangler serves it, maybe right now), and so do an earlier build's hashed files for
// KEEP_MS: a page loaded from that build (a test running beside this build) still finds its chunks. Hashed
// names never change content, so keeping them a while is safe; older ones go.
const KEEP_MS = 30 * 60_000;
mkdirSync(dist, { recursive: true });
for (const f of app.outputFiles) {
  mkdirSync(dirname(f.path), { recursive: true });
  writeFileSync(f.path, f.contents);
}
{
  const fresh = new Set(app.outputFiles.map((f) => f.path));
  const prune = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) prune(p);
      else if (!fresh.has(p) && Date.now() - statSync(p).mtimeMs > KEEP_MS) rmSync(p, { force: true });
    }
  };
  prune(join(dist, "assets"));
}
const outputs = Object.keys(app.metafile.outputs).map((p) => basename(p));
if (!process.env.WEB_BUILD_SOURCEMAP && outputs.some((f) => f.endsWith(".map")))
  throw new Error(`the production build wrote source maps: ${outputs.filter((f) => f.endsWith(".map")).join(", ")}`);
// What every screen loads (the app bundle and the chunks it imports statically) holds no zod: the verifier's
// schemas come in its own chunk, on the screens that verify (src/lib/verifier.ts).
{
  const outs = app.metafile.outputs;
  const entry = Object.keys(outs).find((p) => /(^|\/)app-[^/]*\.js$/.test(p));
  const everywhere = new Set();
  for (const todo = [entry]; todo.length; ) {
    const o = todo.pop();
    if (!o || everywhere.has(o)) continue;
    everywhere.add(o);
    for (const i of outs[o]?.imports ?? []) if (i.kind === "import-statement") todo.push(i.path);
  }
  const heavy = [...everywhere].filter((o) => Object.keys(outs[o].inputs).some((i) => i.includes("node_modules/zod/")));
  if (heavy.length)
    throw new Error(
      `zod is in what every screen loads (${heavy.map((o) => basename(o)).join(", ")}): import the verifier's constants from @walwarden/verifier/constants, and the verifier itself only dynamically`,
    );
}
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
