// @walwarden/runner: the backup runner. The program is bin/walwarden-runner; these exports are for the
// CLI (the same row counts and schema fingerprint on a restore target) and for tests.
export { main } from "./bin/walwarden-runner.js";
export { loadConfig, ENV_SETTINGS } from "./config/load-config.js";
export { RunnerConfigSchema, type RunnerConfig, type DatabaseConfig } from "./config/schema.js";
export { pgTarget, type PgTarget } from "./pg/connection.js";
export {
  choosePgDump,
  findPgDumps,
  findPgTools,
  pgDumpVersion,
  type PgDumpBinary,
  type PgToolBinary,
} from "./pg/pg-dump-binaries.js";
export { tableRowCounts, type TableRows } from "./pg/table-row-counts.js";
export { schemaFingerprint } from "./pg/schema-fingerprint.js";
export type { SchemaFilter } from "./pg/schema-filter.js";
export { choosePartSize } from "./s3/part-size.js";
export { RUNNER_VERSION } from "./version.js";
