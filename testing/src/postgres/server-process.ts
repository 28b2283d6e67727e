// Running PostgreSQL's server programs (initdb, pg_ctl): as the `postgres` OS user when we are root, since
// initdb and postgres refuse to run as root, in a clean environment.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** The OS account the server programs run as. */
export interface ServerAccount {
  uid: number;
  gid: number;
}

/** The OS account to run the server as; undefined when we are not root (then they run as us). */
export function serverAccount(): ServerAccount | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) {
    throw new Error(
      "running as root, and initdb refuses to run as root, but there is no `postgres` OS user to run the server as: " +
        "`apt-get install postgresql` creates it (or `useradd --system --user-group postgres`), or run the tests as a normal user",
    );
  }
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** A clean environment: no PG* variable of ours leaks in, and a locale every machine has. */
const serverEnv = () => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C" });

/** Runs a server binary to completion (as `account` if given); resolves with its output, rejects with it. */
export function runServerProgram(
  file: string,
  args: string[],
  { account, cwd, timeoutMs = 120_000 }: { account: ServerAccount | undefined; cwd: string; timeoutMs?: number },
): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { cwd, env: serverEnv(), stdio: ["ignore", "pipe", "pipe"], ...(account ?? {}) });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(
        new Error(
          `cannot run ${file}: ${e.message}${account ? " (as the postgres OS user: it needs read and execute access to that path)" : ""}`,
        ),
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done(out);
      else
        fail(
          Object.assign(new Error(`${file.split("/").pop()} ${args[0]} failed (${code ?? signal}):\n${out.trim()}`), {
            output: out,
          }),
        );
    });
  });
}

/** The same, synchronously (for process exit, where nothing asynchronous runs); throws if it fails. */
export function runServerProgramSync(file: string, args: string[], { cwd }: { cwd: string }): void {
  execFileSync(file, args, { stdio: "ignore", cwd, env: serverEnv(), ...(serverAccount() ?? {}) });
}
