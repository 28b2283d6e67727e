import { spawn } from "node:child_process";

/** How a child process ended. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It could not be started (ENOENT…). */
  error?: Error;
  /** It was stopped because the abort signal fired. */
  aborted: boolean;
}

/** Options for runChild. */
export interface ChildOptions {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with each complete line the child writes to stderr. */
  onStderrLine?: (line: string) => void;
  /** Called with each complete line the child writes to stdout (otherwise stdout is ignored). */
  onStdoutLine?: (line: string) => void;
}

/**
 * Runs a tool to its end. It runs in its own process group, so that stopping it (on abort: SIGTERM,
 * then SIGKILL after 5 s) also stops the workers it forked (pg_restore --jobs). Never rejects.
 */
export function runChild(cmd: string, args: string[], o: ChildOptions): Promise<ChildEnd> {
  return new Promise((resolve) => {
    if (o.signal?.aborted) return resolve({ code: null, signal: null, aborted: true });
    const child = spawn(cmd, args, {
      env: o.env,
      stdio: ["ignore", o.onStdoutLine ? "pipe" : "ignore", "pipe"],
      detached: true,
    });
    let done = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stopGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => {
      aborted = true;
      stopGroup("SIGTERM");
      killTimer = setTimeout(() => stopGroup("SIGKILL"), 5_000);
      killTimer.unref();
    };
    o.signal?.addEventListener("abort", onAbort, { once: true });
    const finish = (end: Omit<ChildEnd, "aborted">) => {
      if (done) return;
      done = true;
      clearTimeout(killTimer);
      o.signal?.removeEventListener("abort", onAbort);
      resolve({ ...end, aborted });
    };
    lines(child.stderr!, o.onStderrLine);
    if (o.onStdoutLine) lines(child.stdout!, o.onStdoutLine);
    child.once("error", (error) => finish({ code: null, signal: null, error }));
    child.once("close", (code, signal) => finish({ code, signal }));
  });
}

function lines(stream: NodeJS.ReadableStream, onLine: ((line: string) => void) | undefined): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (s: string) => {
    rest += s;
    const parts = rest.split("\n");
    rest = parts.pop()!;
    if (onLine) for (const l of parts) onLine(l);
  });
  stream.on("end", () => {
    if (rest && onLine) onLine(rest);
  });
}

/** "pg_restore failed (exit 1)" / "killed by SIGKILL" / "could not run: …", or undefined if it succeeded. */
export function describeEnd(name: string, end: ChildEnd): string | undefined {
  if (end.error) return `${name} could not run: ${end.error.message}`;
  if (end.code === 0) return undefined;
  return `${name} failed (${end.signal ? `killed by ${end.signal}` : `exit ${end.code}`})`;
}
