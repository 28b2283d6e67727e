// @walwarden/postgres: the PostgreSQL helpers that backup (@walwarden/runner) and restore (@walwarden/cli)
// share, so that both find client programs, read connection strings, count rows and fingerprint a schema
// with the same code, and installing the CLI does not install the runner.
export { findPgTools, pgToolVersion, type PgClientTool, type PgToolBinary } from "./client-binaries.js";
export { libpqChildEnv, pgConnection, type PgConnection } from "./connection.js";
export { rowCountDifferences } from "./row-count-differences.js";
export { SCHEMA_CONDITION, schemaDumpArgs, schemaParams, type SchemaFilter } from "./schema-filter.js";
export { schemaFingerprint } from "./schema-fingerprint.js";
export { quoteIdentifier } from "./sql-identifier.js";
export { tableRowCounts, type TableRows } from "./table-row-counts.js";
export * from "./restore/index.js";
