import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";

/** A spawned tool in a pipeline: its streams, the tail of its stderr, and how it ended. */
export interface PipedChild {
  child: ChildProcessByStdio<Writable | null, Readable, Readable>;
  /** Resolves when it exits (never rejects): exit code, signal, or a spawn error. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
  /** The last 16 KiB of what it wrote to stderr. */
  stderr(): string;
  /** Sends it a signal if it is still running. */
  kill(signal?: NodeJS.Signals): void;
}

const STDERR_KEEP = 16 * 1024;

/** Spawns `cmd args` with piped stdout and stderr; stdin is another child's stdout (an OS pipe between the two), a pipe from us, or nothing. */
export function spawnPiped(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin: Readable | "pipe" | "ignore",
): PipedChild {
  const child = spawn(cmd, args, { env, stdio: [stdin, "pipe", "pipe"] }) as ChildProcessByStdio<
    Writable | null,
    Readable,
    Readable
  >;
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    err = (err + s).slice(-STDERR_KEEP);
  });
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once("error", (error) => {
      exited = true;
      resolve({ code: null, signal: null, error });
    });
    child.once("close", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  return {
    child,
    exit,
    stderr: () => err.trim(),
    kill: (signal = "SIGTERM") => {
      if (!exited) child.kill(signal);
    },
  };
}

/** "pg_dump failed (exit 1): <stderr>" style description of how a child ended badly, or undefined if it succeeded. */
export function failureOf(
  name: string,
  ended: { code: number | null; signal: NodeJS.Signals | null; error?: Error },
  stderr: string,
): string | undefined {
  if (ended.error) return `${name} could not run: ${ended.error.message}`;
  if (ended.code === 0) return undefined;
  const how = ended.signal ? `killed by ${ended.signal}` : `exit ${ended.code}`;
  return `${name} failed (${how})${stderr ? `: ${stderr}` : ""}`;
}
