// What a bench measured: the commit, any uncommitted change to the code in the Worker's bundle, and
// whether the verifier was built since its last edit (the Worker bundles verifier/dist).
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../root.js";

/** The code the Worker is bundled from. */
const SOURCES = ["worker/src", "verifier/src", "bench/worker", "bench/wrangler.bench.toml"];

/** The commit, and any uncommitted change to the code in the bundle (the bench measures the working tree). */
export function describeSource(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "--", ...SOURCES);
    const head = git("rev-parse", "--short", "HEAD");
    const what = dirty
      ? `commit ${head} with uncommitted changes:\n${dirty}`
      : `commit ${head} (worker/src, verifier/src and bench/worker as committed)`;
    return (
      what +
      (verifierDistIsStale()
        ? "\nWARNING: verifier/src is newer than verifier/dist, which the Worker bundles: run `npm run build` first"
        : "")
    );
  } catch {
    return "not a git checkout";
  }
}

function verifierDistIsStale(): boolean {
  const built = statSync(join(ROOT, "verifier/dist/index.js"), { throwIfNoEntry: false });
  if (!built) return true;
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) t = Math.max(t, newest(p));
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) t = Math.max(t, statSync(p).mtimeMs);
    }
    return t;
  };
  return newest(join(ROOT, "verifier/src")) > built.mtimeMs;
}
