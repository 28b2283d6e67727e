import { availableParallelism } from "node:os";

/** --jobs' default: pg_restore workers, one per core up to four. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}
