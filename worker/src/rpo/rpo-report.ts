import { iso } from "../lib/time.js";
import type { DatabaseRpo, Provider } from "@walwarden/verifier/wire";
import { rpoStatus } from "./rpo-status.js";

interface Row {
  id: string;
  name: string;
  provider: Provider;
  created_at: number;
  target: number | null;
  last_id: string | null;
  last_at: number | null;
  last_size: number | null;
  last_manifest: string | null;
  last_sha256: string | null;
  last_job_status: string | null;
}

/** One database's RPO line, as the dashboard shows it (the wire's DatabaseRpoSchema). */
export type { DatabaseRpo };

/** RPO of every live database of an org (or just one), in one query. */
export async function rpoReport(
  db: D1Database,
  orgId: string,
  now: number,
  databaseId?: string,
): Promise<DatabaseRpo[]> {
  const { results } = await db
    .prepare(
      `WITH last AS (
         SELECT b.database_id, b.id, b.completed_at, b.size_bytes, b.manifest_sha256, b.sha256,
                row_number() OVER (PARTITION BY b.database_id ORDER BY b.completed_at DESC, b.id DESC) AS n
         FROM backups b WHERE b.org_id = ?1)
       SELECT d.id, d.name, d.provider, d.created_at,
              (SELECT MIN(s.target_rpo_minutes) FROM schedules s WHERE s.database_id = d.id AND s.enabled = 1) AS target,
              l.id AS last_id, l.completed_at AS last_at, l.size_bytes AS last_size, l.manifest_sha256 AS last_manifest, l.sha256 AS last_sha256,
              (SELECT j.status FROM jobs j WHERE j.org_id = d.org_id AND j.database_id = d.id AND j.kind = 'backup' AND j.status IN ('succeeded', 'failed')
                 ORDER BY j.finished_at DESC LIMIT 1) AS last_job_status
       FROM databases d LEFT JOIN last l ON l.database_id = d.id AND l.n = 1
       WHERE d.org_id = ?1 AND d.deleted_at IS NULL AND (?2 IS NULL OR d.id = ?2)
       ORDER BY d.name, d.id`,
    )
    .bind(orgId, databaseId ?? null)
    .all<Row>();
  return results.map((r) => ({
    databaseId: r.id,
    name: r.name,
    provider: r.provider,
    targetRpoMinutes: r.target,
    lastBackup:
      r.last_id === null
        ? null
        : {
            id: r.last_id,
            completedAt: iso(r.last_at)!,
            sizeBytes: r.last_size!,
            sha256: r.last_sha256!,
            manifestSha256: r.last_manifest!,
          },
    ageSeconds: r.last_at === null ? null : Math.max(0, Math.floor((now - r.last_at) / 1000)),
    status: rpoStatus(
      {
        createdAt: r.created_at,
        targetMinutes: r.target,
        lastBackupAt: r.last_at,
        lastJobFailed: r.last_job_status === "failed",
      },
      now,
    ),
  }));
}
