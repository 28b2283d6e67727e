// Bundles the `walwarden` program into dist/bundle with esbuild, after tsc has built dist/ (the library's
// exports and types). Why a bundle: a person times a restore from the moment they press enter, and Node's
// module loader spends most of the CLI's start-up resolving, reading and linking the few hundred small
// modules of the CLI, the verifier, zod and pg (about 190 ms on a 2-core VM, before the claim could be
// sent). One file, split at the CLI's dynamic imports, loads the claim's path first and the rest (pg, the
// archive code, the verifier's schemas) while the claim is in flight. `node build.mjs` from cli/.
import { build } from "esbuild";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";

const here = import.meta.dirname;
const out = join(here, "dist/bundle");
// Walwarden's own packages have no module-level side effects (they define functions and schemas), but do
// not say so in their package.json: marked here, so that a module of theirs nothing uses is left out and
// the start-up path holds only what it calls.
const OWN = [`${sep}verifier${sep}dist${sep}`, `${sep}postgres${sep}dist${sep}`];
// Imports on the start-up path (before the claim) that name a package's index but use one module of it:
// bound to that module, since esbuild puts what an index re-exports in the chunk of whoever imports the
// index (here: pg, with @walwarden/postgres's restore code, for one connection-string parser).
const STARTUP_DIRECT = [
  {
    importer: join(here, "src/pg/restore-target.ts"),
    path: "@walwarden/postgres",
    module: "../postgres/dist/connection.js",
  },
];
const ownPackages = {
  name: "walwarden-side-effect-free",
  setup(b) {
    b.onResolve({ filter: /^@walwarden\/postgres$/ }, (args) => {
      const direct = STARTUP_DIRECT.find((d) => d.importer === args.importer && d.path === args.path);
      return direct ? { path: join(here, direct.module), sideEffects: false } : undefined;
    });
    // One zod for the whole program: the verifier's copy and the CLI's are the same version (npm installs
    // one per workspace here), and each copy costs its evaluation at start-up.
    b.onResolve({ filter: /^zod(\/|$)/ }, (args) =>
      args.pluginData?.resolving
        ? undefined
        : b.resolve(args.path, { kind: args.kind, resolveDir: here, pluginData: { resolving: true } }),
    );
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined;
      const own =
        /^@walwarden\/(verifier|postgres)(\/|$)/.test(args.path) || OWN.some((d) => args.importer.includes(d));
      if (!own) return undefined;
      const r = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      if (r.errors.length || r.external) return r;
      return OWN.some((d) => r.path.includes(d)) ? { ...r, sideEffects: false } : r;
    });
  },
};

const result = await build({
  entryPoints: { walwarden: join(here, "src/bin/walwarden.ts") },
  outdir: out,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: process.env.CLI_BUILD_SPLIT !== "0",
  format: "esm",
  platform: "node",
  target: "node20",
  // pg-native is optional (pg requires it only when asked to); walwarden-verify runs from its own package,
  // as published (its bundle check starts worker threads from files next to it).
  external: ["pg-native", "@walwarden/verifier/cli"],
  // CommonJS dependencies (pg, commander, cli-progress) require Node's built-ins.
  banner: {
    js: 'import { createRequire as __walwardenCreateRequire } from "node:module"; const require = __walwardenCreateRequire(import.meta.url);',
  },
  plugins: [ownPackages],
  // Source maps only on request (CLI_BUILD_SOURCEMAP=1, e.g. to profile): the package ships none.
  sourcemap: process.env.CLI_BUILD_SOURCEMAP === "1" ? "linked" : false,
  metafile: true,
  write: false,
  logLevel: "warning",
});

// Written file by file through a rename, so that a walwarden started during a rebuild reads whole files;
// chunks have content-hashed names, and an earlier build's stay for 30 minutes (a process started before
// this build may still load them).
const KEEP_MS = 30 * 60_000;
const fresh = new Set();
for (const f of result.outputFiles) {
  mkdirSync(dirname(f.path), { recursive: true });
  const tmp = `${f.path}.${process.pid}.tmp`;
  writeFileSync(tmp, f.contents);
  renameSync(tmp, f.path);
  fresh.add(f.path);
}
const chunks = join(out, "chunks");
for (const [dir, name] of [...readdirSync(out).map((n) => [out, n]), ...readdirSync(chunks).map((n) => [chunks, n])]) {
  const p = join(dir, name);
  if (fresh.has(p) || p === chunks) continue;
  // A source map not written by this build goes at once (the code it maps may be gone); old chunks later.
  if (name.endsWith(".map") || Date.now() - statSync(p).mtimeMs > KEEP_MS) rmSync(p, { force: true });
}
if (process.env.CLI_BUILD_METAFILE) writeFileSync(process.env.CLI_BUILD_METAFILE, JSON.stringify(result.metafile));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`cli: bundled bin/walwarden into ${out} (${Math.round(bytes / 1024)} KiB)`);
