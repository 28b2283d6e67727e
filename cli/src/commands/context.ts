import type { Fetch } from "../api/http.js";
import type { RetryPolicy } from "../api/restore-api.js";
import type { DownloadOptions } from "../download/download.js";
import type { Io } from "../io.js";

/** What a command runs with: where it writes, its environment, and (for tests) the parts they swap. */
export interface CliContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** If given, the restore stops when it aborts and no signal handlers are installed (tests). */
  signal?: AbortSignal;
  fetch?: Fetch;
  retry?: RetryPolicy;
  download?: Pick<DownloadOptions, "stallMs" | "retries" | "backoffMs">;
}

/** Says a usage error (exit 2). */
export function usageError(io: Io, command: string, message: string): 2 {
  io.stderr(
    `walwarden ${command}: ${message.includes("\n") ? `\n${message.replace(/^/gm, "  ")}` : message}\nRun walwarden ${command} --help for usage.\n`,
  );
  return 2;
}
