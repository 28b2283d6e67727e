// Throwaway PostgreSQL clusters of real servers, for tests, the benches and the demo.
export { startCluster, stopAllClusters, type Cluster } from "./cluster.js";
export { embeddedPgBinDir, pgBinDirs, type PgBinDir } from "./server-binaries.js";
