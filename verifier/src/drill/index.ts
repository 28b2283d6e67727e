// Restore drills (SPEC §11): the receipt a runner signs after restoring a backup into a throwaway target.
export * from "./assertion.js";
export * from "./predicate.js";
export * from "./backup-choice.js";
export * from "./findings.js";
export * from "./runner-key.js";
export * from "./build-receipt.js";
export * from "./verify-receipt.js";
export * from "./drill-report.js";
