// @walwarden/runner: the backup runner. The program is bin/walwarden-runner; these exports are for tests
// and embedding. The PostgreSQL helpers it shares with the CLI (row counts, schema fingerprint, client
// binaries, connection strings) are @walwarden/postgres.
export { main } from "./bin/walwarden-runner.js";
export { loadConfig, ENV_SETTINGS } from "./config/load-config.js";
export { RunnerConfigSchema, type RunnerConfig, type DatabaseConfig } from "./config/schema.js";
export { pgTarget, type PgTarget } from "./pg/connection.js";
export { choosePgDump, findPgDumps, type PgDumpBinary } from "./pg/pg-dump-binaries.js";
export { choosePartSize } from "./s3/part-size.js";
export { RUNNER_VERSION } from "./version.js";
