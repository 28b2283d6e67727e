import { classifyResponse, classifyThrown, type SendResult } from "./send-result.js";

/** What a POST needs from the Worker. */
export interface PostDeps {
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
}

/**
 * POSTs a JSON body to a URL already checked by checkOutboundUrl, without following redirects and within
 * `timeoutMs`, and classifies the answer. `hidden` lists strings the error must not show (URL parts, secrets).
 */
export async function postJson(
  url: URL,
  body: string,
  headers: Record<string, string>,
  hidden: readonly string[],
  deps: PostDeps,
): Promise<SendResult> {
  const signal = AbortSignal.timeout(deps.timeoutMs);
  let res: Response;
  try {
    res = await deps.fetch(url.href, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Walwarden-Alerts/1", ...headers },
      body,
      redirect: "manual",
      signal,
    });
  } catch (e) {
    return classifyThrown(e, signal.aborted, deps.timeoutMs);
  }
  // The body is never read (nor shown); cancelling it frees the connection.
  await res.body?.cancel().catch(() => undefined);
  return classifyResponse(res, hidden, deps.now());
}
