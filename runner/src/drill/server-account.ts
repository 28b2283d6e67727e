import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** The OS account a drill cluster runs as. */
export interface ServerAccount {
  uid: number;
  gid: number;
}

/**
 * The account for initdb and postgres, which refuse to run as root: the `postgres` OS user when the
 * runner is root (undefined: run as the runner's own user); an error message when root has no such user.
 */
export function serverAccount(): ServerAccount | undefined | string {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line)
    return "the runner runs as root, and initdb refuses to run as root, but there is no `postgres` OS user to run a drill cluster as: create one (useradd --system postgres) or run the runner as a normal user";
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** How a server program ended: its output (stdout and stderr, the last 4,000 characters). */
export interface ProgramEnd {
  ok: boolean;
  output: string;
}

/** Runs a server program (initdb, pg_ctl) to its end, as `account`, in a clean environment. Never rejects. */
export function runServerProgram(
  file: string,
  args: string[],
  o: { account: ServerAccount | undefined; cwd: string; timeoutMs?: number },
): Promise<ProgramEnd> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: o.cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C" },
      stdio: ["ignore", "pipe", "pipe"],
      ...(o.account ?? {}),
    });
    let output = "";
    const add = (d: string) => void (output = (output + d).slice(-4000));
    child.stdout.setEncoding("utf8").on("data", add);
    child.stderr.setEncoding("utf8").on("data", add);
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 120_000);
    child.once("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, output: `cannot run ${file}: ${e.message}` });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: code === 0 ? output : `${output.trim()} (${signal ?? `exit ${code}`})` });
    });
  });
}
