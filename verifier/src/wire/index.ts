// Wire schemas: every request and response between runner, CLI, web and the Worker (worker/README.md §API;
// worker/test/contract.test.ts holds every route to them). Kept in the verifier (not the worker) so no
// Node or browser build pulls in Workers types.
export * from "./errors.js";
export * from "./page.js";
export * from "./auth.js";
export * from "./accounts.js";
export * from "./databases.js";
export * from "./jobs.js";
export * from "./backups.js";
export * from "./rpo.js";
export * from "./log.js";
export * from "./runner.js";
export * from "./buckets.js";
export * from "./restore.js";
export * from "./keys.js";
export * from "./verify.js";
export * from "./resources.js";
export * from "./evidence.js";
export * from "./drills.js";
export * from "./alerts.js";
export * from "./retention.js";
export * from "./witnesses.js";
export { InclusionProofSchema, type InclusionProof } from "../log/inclusion-proof.js";
export { DsseEnvelopeSchema, type DsseEnvelope } from "../dsse/envelope.js";
