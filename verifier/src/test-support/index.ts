// @walwarden/verifier/testing: the verifier's test fixtures for other packages' tests (a fixture log and
// its evidence bundles, the test deployment's deterministic keys, kits, predicates, a reference Merkle
// tree hash). Pure, as the rest of the verifier (tsconfig.pure.json). Never for production: the keys'
// seeds are public (32 copies of one byte).
export * from "./fixture-log.js";
export * from "./keys.js";
export * from "./kit.js";
export * from "./merkle-reference.js";
export * from "./predicate.js";
export * from "./drill.js";
export * from "./zip-bombs.js";
