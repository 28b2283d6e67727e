import type { Env } from "../env.js";

// Test-only fault injection. `TEST_FAULTS` is never set in wrangler.toml or in production: only the test
// configurations set it (runner/test through startDev's vars, worker/test by passing an env to the job
// functions). Unset, every check here is false and nothing changes.

/** The faults a test can ask for. */
export type TestFault =
  /** complete throws once per job after recording the completion and before appending it to the log. */
  | "complete-log-append-once"
  /** complete's row write (job succeeded, backup recorded) throws once per job, after the log append. */
  | "complete-row-write-once";

const injected = new Set<string>();

/**
 * True, once per `once` key in this isolate, if TEST_FAULTS (comma-separated) names `fault`, either bare
 * or as `fault@prefix` where `subject` (the artifact's s3:// URI) starts with prefix: a test scopes a
 * fault to the backups under one bucket prefix. The "once" is per isolate: enough for a test that runs
 * one Worker and wants the first try to fail and a retry to pass.
 */
export function injectFault(
  env: Pick<Env, "TEST_FAULTS">,
  fault: TestFault,
  at: { once: string; subject: string },
): boolean {
  if (!env.TEST_FAULTS) return false;
  const asked = env.TEST_FAULTS.split(",").some((f) => {
    const [name, prefix = ""] = f.trim().split("@");
    return name === fault && at.subject.startsWith(prefix);
  });
  const key = `${fault}:${at.once}`;
  if (!asked || injected.has(key)) return false;
  injected.add(key);
  return true;
}
