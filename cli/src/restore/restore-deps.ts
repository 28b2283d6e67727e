import type { Fetch } from "../api/http.js";
import type { RestoreApi, RetryPolicy } from "../api/restore-api.js";
import type { DownloadOptions } from "../download/download.js";
import type { Io } from "../io.js";

/** What a restore runs with besides its options: where it writes, the environment, and the parts tests swap. */
export interface RestoreDeps {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM (its reason names the signal). */
  signal: AbortSignal;
  /** Where keys.json lives. */
  configDir: string;
  fetch?: Fetch;
  /** The Worker client (default: HTTP against --api). */
  api?: RestoreApi;
  retry?: RetryPolicy;
  download?: Pick<DownloadOptions, "stallMs" | "retries" | "backoffMs">;
  now?: () => number;
}
