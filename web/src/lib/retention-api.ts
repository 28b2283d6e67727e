// The retention endpoints (SPEC §12) as the dashboard calls them: a database's policy (null when it has
// none), its retention now, and setting and removing the policy (admins). PUT goes through fetch here
// because api/client.ts has no PUT; its errors are the client's ApiError, a 401 signs out as everywhere.
import { ApiError, deleteResource, getJson, SIGNED_OUT_EVENT } from "../api/client.js";
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
export async function putRetentionPolicy(databaseId: string, body: unknown): Promise<RetentionPolicyView> {
  const path = `${base(databaseId)}/retention-policy`;
  let res: Response;
  try {
    res = await fetch(path, {
      method: "PUT",
      credentials: "same-origin",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "network", `could not reach the API (${e instanceof Error ? e.message : String(e)})`);
  }
  const text = await res.text();
  if (res.ok) return JSON.parse(text) as RetentionPolicyView;
  if (res.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  let error: { code?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // Not the API's JSON: the status says it.
  }
  throw new ApiError(res.status, error?.code ?? `http-${res.status}`, error?.message ?? `${res.status} from ${path}`);
}

/** DELETE the database's retention policy (admin): every backup is kept again. */
export const removeRetentionPolicy = (databaseId: string): Promise<void> =>
  deleteResource(`${base(databaseId)}/retention-policy`);
