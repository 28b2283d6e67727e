import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { err, ok, type Result } from "@walwarden/verifier";

const run = promisify(execFile);

/** `zstd --version`, or a message that says how to install it. */
export async function zstdVersion(env: NodeJS.ProcessEnv = process.env): Promise<Result<string, "no-zstd">> {
  try {
    const { stdout } = await run("zstd", ["--version"], { timeout: 10_000, env });
    return ok(stdout.trim());
  } catch {
    return err(
      "no-zstd",
      "zstd is not installed (backups are zstd-compressed): install it (apt-get install zstd, brew install zstd, dnf install zstd).",
    );
  }
}
