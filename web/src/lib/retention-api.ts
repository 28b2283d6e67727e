// The retention endpoints (SPEC §12) as the dashboard calls them: a database's policy (null when it has
// none), its retention now, and setting and removing the policy (admins).
import { ApiError, deleteResource, getJson, putJson } from "../api/client.js";
import type { RetentionPolicyView, RetentionState } from "./retention.js";

const base = (databaseId: string) => `/v1/databases/${encodeURIComponent(databaseId)}`;

/** GET the database's retention policy; null when it has none (404). */
export async function getRetentionPolicy(databaseId: string): Promise<RetentionPolicyView | null> {
  try {
    return await getJson<RetentionPolicyView>(`${base(databaseId)}/retention-policy`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.message.startsWith("retention policy")) return null;
    throw e;
  }
}

/** GET the Worker's retention decision now over the database's backups, and those already expired. */
export const getRetentionState = (databaseId: string): Promise<RetentionState> =>
  getJson<RetentionState>(`${base(databaseId)}/retention`);

/** PUT the database's retention policy (admin); the answer is the policy as stored. */
export const putRetentionPolicy = (databaseId: string, body: unknown): Promise<RetentionPolicyView> =>
  putJson<RetentionPolicyView>(`${base(databaseId)}/retention-policy`, body);

/** DELETE the database's retention policy (admin): every backup is kept again. */
export const removeRetentionPolicy = (databaseId: string): Promise<void> =>
  deleteResource(`${base(databaseId)}/retention-policy`);
