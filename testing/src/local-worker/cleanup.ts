// What this process started and must end or remove: local Workers, running wrangler commands (by process
// group) and throwaway directories. cleanup() ends them all, so a test file's afterAll or a bench's exit
// leaves nothing behind.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { groupGone } from "./processes.js";

/** Something cleanup() stops. */
interface Stoppable {
  stop(): Promise<void>;
}

const workers = new Set<Stoppable>();
const commands = new Set<number>(); // process groups of wrangler commands still running
const dirs = new Set<string>();

/** Registers a running local Worker for cleanup(); returns the function that unregisters it. */
export function trackWorker(worker: Stoppable): () => void {
  workers.add(worker);
  return () => workers.delete(worker);
}

/** Registers the process group of a running command for cleanup(); returns the function that unregisters it. */
export function trackCommand(pgid: number): () => void {
  commands.add(pgid);
  return () => commands.delete(pgid);
}

/** A throwaway directory (removeAtCleanup registers it for cleanup()). */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Registers a directory to remove at cleanup. */
export function removeAtCleanup(dir: string): string {
  dirs.add(dir);
  return dir;
}

/** Stops every local Worker and wrangler command this process started and removes the registered directories. */
export async function cleanup(): Promise<void> {
  for (const worker of [...workers]) await worker.stop();
  for (const pgid of [...commands]) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
    await groupGone(pgid);
    commands.delete(pgid);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  dirs.clear();
}
