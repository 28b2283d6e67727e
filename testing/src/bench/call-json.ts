// Calls to the bench Worker's own /__bench/* routes (bench/worker/bench-entry.ts).
import { localWorkerError, type LocalWorker } from "../local-worker/index.js";

/** POSTs or GETs a bench route and returns its JSON, throwing with the body (and wrangler's output) on a non-2xx answer. */
// biome-ignore lint/suspicious/noExplicitAny: each bench route answers its own shape
export async function callJson(dev: LocalWorker, method: string, path: string, timeoutMs = 600_000): Promise<any> {
  const res = await fetch(`${dev.url}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw localWorkerError(dev, `${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}
