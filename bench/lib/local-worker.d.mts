// Types of local-worker.mjs, for the runner's TypeScript tests (the .mjs is the implementation and its docs).

/** A Worker running under wrangler's dev server (startDev). */
export interface LocalWorker {
  /** http://127.0.0.1:<port> */
  url: string;
  /** wrangler's dev server process (the leader of its process group). */
  pid: number;
  /** Everything it printed so far: Worker console output goes to stdout. */
  stdout: string;
  stderr: string;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** The published keys, read when it started. */
  keys: { origin: string; checkpoint: string[]; manifest: string[] };
  /** Resolves with what `test(stdout)` returns once truthy; rejects on timeout or exit. */
  waitFor<T>(test: (stdout: string) => T | undefined | null | false, timeoutMs: number, what: string): Promise<T>;
  /** Throws if wrangler reloaded the Worker since it started. */
  assertNoReload(): void;
  workerds(): { pid: number; role: "runtime" | "proxy" }[];
  cpu(): { total: number; byPid: Record<string, { role: string; ms: number }> };
  /** Ends wrangler and everything it started. */
  stop(): Promise<void>;
}

export const ROOT: string;
export const BENCH_CONFIG: string;
export const CPU_TICK_MS: number;
export function tail(text: string, n?: number): string;
export function describeSource(): string;
/** A throwaway directory (removeAtCleanup registers it for cleanup()). */
export function tempDir(prefix: string): string;
/** Writes an env file with fresh throwaway signing keys into `dir`; returns its path. */
export function writeKeysEnvFile(dir: string): string;
export function wrangler(args: string[], options?: { timeoutMs?: number }): Promise<string>;
/** Applies migrations/ to the local D1 in `persist` (of the bench config unless `config`). */
export function applyMigrations(persist: string, options?: { config?: string }): Promise<void>;
export function d1Execute(persist: string, options: { file?: string; command?: string; config?: string }): Promise<any>;
export function freePort(): Promise<number>;
export function descendantsOf(root: number): number[];
export function cpuMsOf(pid: number): number | undefined;
/** Starts a Worker locally: the bench Worker unless `config`; `vars` overrides Worker vars. */
export function startDev(options: {
  persist: string;
  envFile: string;
  config?: string;
  vars?: Record<string, string>;
  port?: number;
  apiOnly?: boolean;
  startTimeoutMs?: number;
}): Promise<LocalWorker>;
export function removeAtCleanup(dir: string): string;
/** Stops every local Worker and wrangler command this process started and removes the registered dirs. */
export function cleanup(): Promise<void>;
export function runBench(main: () => Promise<void>): Promise<void>;
export function callJson(dev: LocalWorker, method: string, path: string, timeoutMs?: number): Promise<any>;
