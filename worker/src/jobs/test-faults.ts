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
 * True (once per `subject` in this isolate) if the test configuration asks for `fault`. The "once" is
 * per isolate: enough for a test that runs one Worker and wants the first try to fail and a retry to pass.
 */
export function injectFault(env: Pick<Env, "TEST_FAULTS">, fault: TestFault, subject: string): boolean {
  if (!env.TEST_FAULTS?.split(",").includes(fault)) return false;
  const key = `${fault}:${subject}`;
  if (injected.has(key)) return false;
  injected.add(key);
  return true;
}
