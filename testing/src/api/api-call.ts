// One call to the real HTTP API of a local Walwarden Worker (worker/README.md has every route; the bodies
// are the zod schemas of @walwarden/verifier/wire). A non-2xx answer throws an ApiCallError with the
// status and the body: a test failure then says what the Worker said.

/** A Worker to call: the object startDev() returns, or just its base URL. */
export type Dev = string | { url: string };

/** A non-2xx answer from the Worker: method, path, status and the body it sent. */
export class ApiCallError extends Error {
  /** The answer's HTTP status. */
  readonly status: number;
  /** The answer's body, as text. */
  readonly body: string;

  constructor(method: string, path: string, status: number, body: string) {
    super(`${method} ${path} → ${status}: ${body.slice(0, 2000)}`);
    this.name = "ApiCallError";
    this.status = status;
    this.body = body;
  }
}

/** How wrangler dev's proxy answers a request it lost before the Worker got it (status 503). */
const DEV_PROXY_LOST = "Your worker restarted mid-request.";

/** The Worker's base URL, without a trailing slash. */
export const baseOf = (dev: Dev): string => (typeof dev === "string" ? dev : dev.url).replace(/\/$/, "");

/** How apiCall authenticates and what it sends: `cookie` signs in as a user, `bearer` as an API or runner token. */
export interface ApiCallOptions {
  cookie?: string;
  bearer?: string;
  body?: unknown;
  timeoutMs?: number;
}

/** One API call: JSON in, JSON out (undefined for an empty body); the caller names the answer's shape. */
// biome-ignore lint/suspicious/noExplicitAny: the answer's shape is the caller's to name (T), any by default as JSON.parse's
export async function apiCall<T = any>(
  dev: Dev,
  method: string,
  path: string,
  { cookie, bearer, body, timeoutMs = 60_000 }: ApiCallOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const send = () =>
    fetch(`${baseOf(dev)}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  let res = await send();
  let text = await res.text();
  if (res.status === 503 && text.startsWith(DEV_PROXY_LOST)) {
    // wrangler dev's proxy lost the request on its way to the Worker (a pooled connection it had just
    // closed: cloudflare/workers-sdk#14641) and retries only GET and HEAD itself. Once more, after a pause.
    await new Promise((r) => setTimeout(r, 250));
    res = await send();
    text = await res.text();
  }
  if (!res.ok) throw new ApiCallError(method, path, res.status, text);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}
