// What only the benchmarks use: flags, a main that always cleans up, the bench Worker's config and
// routes, what was measured, and CPU of process trees.
import { join } from "node:path";
import { ROOT } from "../root.js";

/** The bench Worker's config: the real Worker plus /__bench/* routes (bench/worker/bench-entry.ts). */
export const BENCH_CONFIG = join(ROOT, "bench/wrangler.bench.toml");

export { callJson } from "./call-json.js";
export { describeSource } from "./describe-source.js";
export { benchFlags } from "./flags.js";
export { runBench } from "./run-bench.js";
export { startTreeCpu, type TreeCpu } from "./tree-cpu.js";
