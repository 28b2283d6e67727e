import { getJson } from "../api/client.js";
import type { LogEntriesPage } from "@walwarden/verifier/wire";

/** The stored text of log entry `seq`: the exact bytes as logged, which the leaf hash is over. */
export async function fetchEntryText(seq: number): Promise<string> {
  const q = new URLSearchParams({ limit: "1" });
  if (seq > 0) q.set("after", String(seq - 1));
  const page = await getJson<LogEntriesPage>(`/v1/log/entries?${q}`);
  const text = page.entries[0];
  if (text === undefined) throw new Error(`log entry ${seq} is not in the log`);
  const parsed = JSON.parse(text) as { seq?: number };
  if (parsed.seq !== seq) throw new Error(`asked for log entry ${seq}, got ${String(parsed.seq)}`);
  return text;
}
