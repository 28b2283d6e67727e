// Sample data: a small mixed-type database for tests, a realistic shop of any size for the benches and
// the demo, and per-table checksums to compare a source with its restore.
export { addBulkData, createSampleDatabase } from "./sample-db.js";
export { describeData, loadRealisticData, type DataDescription } from "./shop-data.js";
export { tableChecksums, type TableChecksum } from "./table-checksums.js";
export { createRestoreSampleDb, zstdDumpOf } from "./restore-sample.js";
