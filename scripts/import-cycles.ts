// Import cycles among the workspaces' TypeScript files, found by madge (type-only imports count: a type
// cycle still couples the two files, and is where the value cycles start).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import madge from "madge";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "..");

/** The root package.json's workspaces. */
export function workspaces(root = ROOT): string[] {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces: string[] }).workspaces;
}

/** The src/ and test/ folders of every workspace (so a new package is checked without editing this). */
export function workspaceCodeDirs(root = ROOT): string[] {
  return workspaces(root)
    .flatMap((workspace) => [join(workspace, "src"), join(workspace, "test")])
    .filter((dir) => existsSync(join(root, dir)));
}

/** Every import cycle among the .ts/.tsx files under `dirs` (relative to `root`): each as its files, relative to `root`, in import order. */
export async function importCycles(dirs: readonly string[], root = ROOT): Promise<string[][]> {
  const graph = await madge(
    dirs.map((dir) => join(root, dir)),
    {
      baseDir: root,
      fileExtensions: ["ts", "tsx"],
      excludeRegExp: [/\.d\.m?ts$/, /[\\/]node_modules[\\/]/, /[\\/]dist[\\/]/],
      detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
    },
  );
  return graph.circular();
}
