// What one send came to, and how an HTTP answer or a thrown fetch is classified. Every `error` here is built
// from fixed words, a status code and at most a clipped status line: never the URL (a Slack URL's path is its
// token), a secret, or a response body, because the error is stored and shown in the dashboard.

/** Delivered; `status` is the HTTP status for webhooks and Slack. */
export type SendOk = { ok: true; status?: number };
/** Not delivered: `retryable` says whether the same send may work later (the queue retries it). */
export type SendFailure = {
  ok: false;
  retryable: boolean;
  status?: number;
  error: string;
  /** From a 429's or 503's Retry-After, capped at an hour, when the receiver said. */
  retryAfterSeconds?: number;
};
/** The outcome of sending one notice to one channel. */
export type SendResult = SendOk | SendFailure;

/** A failure that will not get better by retrying. */
export const permanent = (error: string, status?: number): SendFailure =>
  status === undefined ? { ok: false, retryable: false, error } : { ok: false, retryable: false, status, error };

/** A failure worth retrying later. */
export const transient = (error: string, status?: number): SendFailure =>
  status === undefined ? { ok: false, retryable: true, error } : { ok: false, retryable: true, status, error };

/** Whether `text` shares 8 or more consecutive characters with `hidden`. */
function overlaps(text: string, hidden: string): boolean {
  if (hidden.length < 8) return hidden.length >= 4 && text.includes(hidden);
  for (let i = 0; i + 8 <= hidden.length; i++) if (text.includes(hidden.slice(i, i + 8))) return true;
  return false;
}

/**
 * The status line's text when it is a short reason phrase of words ("Not Found", "Too Many Requests") sharing
 * nothing with `hidden` (URL parts, secrets); else nothing. It comes from the receiver, so it is not trusted.
 */
function safeStatusText(statusText: string, hidden: readonly string[]): string {
  const text = statusText.trim();
  if (!/^[A-Za-z][A-Za-z '-]{0,39}$/.test(text) || hidden.some((h) => overlaps(text, h))) return "";
  return ` ${text}`;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), capped at an hour. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - nowMs) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(3600, Math.max(0, Math.ceil(seconds)));
}

/**
 * Classifies an HTTP answer: 2xx delivered; 408, 429 and 5xx retryable; a redirect (never followed: the URL
 * was checked, where it points was not) and other 4xx permanent.
 */
export function classifyResponse(res: Response, hidden: readonly string[], nowMs: number): SendResult {
  const { status } = res;
  if (status >= 200 && status < 300) return { ok: true, status };
  const line = `HTTP ${status}${safeStatusText(res.statusText, hidden)}`;
  if (status >= 300 && status < 400)
    return permanent(`${line}: the receiver redirected, and redirects are not followed`, status);
  if (status === 408 || status === 429 || status >= 500) {
    const failure = transient(line, status);
    const after =
      status === 429 || status === 503 ? retryAfterSeconds(res.headers.get("retry-after"), nowMs) : undefined;
    return after === undefined ? failure : { ...failure, retryAfterSeconds: after };
  }
  return permanent(line, status);
}

/** Classifies a fetch that threw: a timeout or a network error, both retryable. Only the error's name is kept. */
export function classifyThrown(e: unknown, timedOut: boolean, timeoutMs: number): SendFailure {
  if (timedOut) return transient(`no answer within ${Math.round(timeoutMs / 100) / 10} s`);
  // fetch's messages can quote the URL ("Fetch API cannot load: …"), so only the error's name is kept.
  const name = e instanceof Error && /^[A-Za-z]{1,40}$/.test(e.name) ? e.name : "Error";
  return transient(`the request failed (${name})`);
}
