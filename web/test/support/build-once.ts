// Vitest global setup: builds web/dist once before the dashboard's tests (the Worker serves it).
import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Runs web/build.mjs; throws with its output if it fails. */
export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, "../../build.mjs")], { stdio: "pipe" });
}
