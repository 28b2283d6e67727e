// Node-only speed-ups for the verifier: native SHA-256 and multi-threaded leaf hashing. Results are
// byte-identical to the portable code paths; tests compare them.
export { nativeSha256 } from "./native-sha256.js";
export { parallelRangeHasher } from "./parallel-range-hasher.js";
export { nativeEd25519Verify } from "./native-ed25519.js";
export { parallelBatchChecker, type ParallelBatchChecker } from "./parallel-batch-checker.js";
