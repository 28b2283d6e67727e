// The restore sample database and its runner-style dump (@walwarden/testing/sample-data), and its row
// counts as the manifest records them (@walwarden/postgres).
import { tableRowCounts } from "@walwarden/postgres";
import { createRestoreSampleDb, zstdDumpOf } from "@walwarden/testing/sample-data";
import pg from "pg";
import type { Cluster } from "@walwarden/testing/postgres";

export { createRestoreSampleDb as createSampleDb, zstdDumpOf as zstdDump };

/** Every table's rows (the counting backup and restore share, as the manifest records them). */
export async function rowCounts(cluster: Cluster, db: string, schemas: string[] = []) {
  const client = new pg.Client({ connectionString: cluster.url(db) });
  await client.connect();
  try {
    return await tableRowCounts(client, { schemas, excludeSchemas: [] });
  } finally {
    await client.end();
  }
}
