import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalTarget } from "./local-target.js";
import { findServers, serverBinDirs } from "./server-binaries.js";

// A real throwaway cluster, started as the runner starts it for a `local` drill.
const root = mkdtempSync(join(tmpdir(), "ww-local-target-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A scratch dir whose cluster dir is deeper than a Unix socket path may be (107 bytes), every level o+x. */
function deepScratch(): string {
  chmodSync(root, 0o711);
  let dir = root;
  while (dir.length < 120) {
    dir = join(dir, "a-rather-long-directory-name");
    mkdirSync(dir, { mode: 0o711 });
    chmodSync(dir, 0o711);
  }
  return dir;
}

describe("startLocalTarget", () => {
  it("starts in a scratch dir too deep for a Unix socket path: TCP only, no socket file, the password required, set for a bulk load; remove() deletes it", async () => {
    const [server] = await findServers(await serverBinDirs([]));
    if (!server) throw new Error("no PostgreSQL server binaries under /usr/lib/postgresql (see README: Requirements)");
    const clusterDir = join(deepScratch(), "cluster");
    expect(clusterDir.length).toBeGreaterThan(107);
    const t = await startLocalTarget(clusterDir, server, new AbortController().signal);
    if (!t.ok) throw new Error(t.message);
    try {
      expect(t.value.serverVersion).toMatch(/^\d+\.\d+/);
      expect(readdirSync(clusterDir).filter((f) => f.startsWith(".s.PGSQL"))).toEqual([]);
      const client = new pg.Client(t.value.connection.client);
      await client.connect();
      const [row] = (
        await client.query<{ wal: string; senders: string }>(
          "SELECT current_setting('wal_level') AS wal, current_setting('max_wal_senders') AS senders",
        )
      ).rows;
      await client.end();
      // Set for one bulk load (PostgreSQL's "Populating a Database"): pg_restore's COPYs skip the WAL.
      expect(row).toEqual({ wal: "minimal", senders: "0" });
      // Without the password the same host and port refuse.
      const { port } = t.value.connection.client;
      const guess = new pg.Client({
        host: "127.0.0.1",
        port,
        user: "walwarden_drill",
        password: "wrong",
        database: "postgres",
      });
      await expect(guess.connect()).rejects.toThrow(/password authentication failed/);
      await guess.end().catch(() => {});
    } finally {
      await t.value.remove();
    }
    expect(existsSync(clusterDir)).toBe(false);
  }, 60_000);
});
