// Where the repository and this package are, from this file's place (src/ or dist/: the same depth).
import { resolve } from "node:path";

/** The testing package's directory. */
export const TESTING_DIR = resolve(import.meta.dirname, "..");
/** The repository's root. */
export const ROOT = resolve(TESTING_DIR, "..");
/** The runner's program, as an operator runs it (its shebang sets the runner's Node flags; it needs runner/dist). */
export const RUNNER_BIN = resolve(ROOT, "runner/bin/walwarden-runner.js");
/** The CLI's program (it needs cli/dist). */
export const CLI_BIN = resolve(ROOT, "cli/bin/walwarden.js");
