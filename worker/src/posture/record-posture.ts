import {
  type BucketPosture,
  EventData,
  keepDaysOf,
  nextPostureRecord,
  type PostureRecord,
  type RetentionPolicy,
} from "@walwarden/verifier";
import type { Env } from "../env.js";
import { flushOutbox, outboxStatementsWhere } from "../log/outbox.js";

interface PostureRow {
  posture: string;
  reference: string;
  worsening: string;
  changed_at: number;
}

/**
 * What a report did: logged a change (with what is worse), only noted the report, or was refused because
 * its entry would not be a valid log entry (then nothing is written: an invalid entry would hold up the
 * org's outbox, and the claim it came with goes on).
 */
export type PostureOutcome =
  | { kind: "logged"; worsening: string[] }
  | { kind: "unchanged" }
  /** Another report changed the record after this one read it: nothing written (the next report compares). */
  | { kind: "superseded" }
  | { kind: "refused"; reason: string };

/**
 * Records a runner's report of its bucket's posture (SPEC §12): compared with the bucket's record under the
 * longest keep of the policies of the databases the runner serves; a change is written, and logged as
 * `bucket.posture` in the same batch, only if the record is still the one compared with (two runners sharing
 * a bucket and reporting at once log once; the other's next report compares with the new record).
 */
export async function recordPosture(
  env: Env,
  runner: { id: string; orgId: string },
  databases: readonly string[],
  posture: BucketPosture,
  now: number,
): Promise<PostureOutcome> {
  const [stored, policies] = await env.DB.batch<PostureRow & { policy: string | null }>([
    env.DB.prepare(
      "SELECT posture, reference, worsening, changed_at FROM bucket_postures WHERE org_id = ?1 AND bucket = ?2",
    ).bind(runner.orgId, posture.bucket),
    env.DB.prepare(
      `SELECT r.policy FROM databases d LEFT JOIN retention_policies r ON r.database_id = d.id AND r.org_id = d.org_id
       WHERE d.org_id = ?1 AND d.deleted_at IS NULL AND d.id IN (SELECT value FROM json_each(?2))`,
    ).bind(runner.orgId, JSON.stringify(databases)),
  ]);
  const row = stored?.results[0];
  const previous: PostureRecord | null = row
    ? { posture: JSON.parse(row.posture), reference: JSON.parse(row.reference), worsening: JSON.parse(row.worsening) }
    : null;
  const keepDays = keepDaysOf(
    (policies?.results ?? []).map((r) => (r.policy === null ? null : (JSON.parse(r.policy) as RetentionPolicy))),
  );
  const next = nextPostureRecord(previous, posture, keepDays);
  if (!next.log) {
    await env.DB.prepare(
      "UPDATE bucket_postures SET reported_at = ?1 WHERE org_id = ?2 AND bucket = ?3 AND reported_at < ?1",
    )
      .bind(now, runner.orgId, posture.bucket)
      .run();
    return { kind: "unchanged" };
  }
  const { record } = next;
  // A new row, or the one compared with (by its changed_at; -1 matches no row): else another report won.
  const write = env.DB.prepare(
    `INSERT INTO bucket_postures (org_id, bucket, runner_id, posture, reference, worsening, changed_at, reported_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
     ON CONFLICT (org_id, bucket) DO UPDATE SET runner_id = excluded.runner_id, posture = excluded.posture,
       reference = excluded.reference, worsening = excluded.worsening, changed_at = excluded.changed_at,
       reported_at = excluded.reported_at
     WHERE bucket_postures.changed_at = ?8`,
  ).bind(
    runner.orgId,
    posture.bucket,
    runner.id,
    JSON.stringify(record.posture),
    JSON.stringify(record.reference),
    JSON.stringify(record.worsening),
    now,
    row?.changed_at ?? -1,
  );
  const event = {
    orgId: runner.orgId,
    key: `bucket-posture:${posture.bucket}:${now}:${runner.id}`,
    type: "bucket.posture" as const,
    actor: `runner:${runner.id}`,
    subject: `bucket:${posture.bucket}`,
    data: { bucket: posture.bucket, runnerId: runner.id, posture: record.posture, worsening: record.worsening },
  };
  const valid = EventData["bucket.posture"].safeParse(event.data);
  if (!valid.success) return { kind: "refused", reason: valid.error.issues[0]?.message ?? "invalid" };
  const logIfWritten = outboxStatementsWhere(
    env.DB,
    [event],
    now,
    "EXISTS (SELECT 1 FROM bucket_postures WHERE org_id = ?3 AND bucket = ?4 AND changed_at = ?1 AND runner_id = ?5)",
    [runner.orgId, posture.bucket, runner.id],
  );
  const [written] = await env.DB.batch([write, ...logIfWritten]);
  if (!written?.meta.changes) return { kind: "superseded" };
  await flushOutbox(env, runner.orgId);
  return { kind: "logged", worsening: record.worsening };
}
