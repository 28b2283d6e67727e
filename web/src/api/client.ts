// The dashboard's only way to the API: same-origin fetch with the session cookie (HttpOnly, so script never
// sees it), JSON in and out, and one error type that carries the API's own message.

/** A non-2xx answer: the HTTP status, the API's error code and its message (which names what was wrong). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Fired on window when the API says the session is gone (401), so the app shows sign-in again. */
export const SIGNED_OUT_EVENT = "walwarden:signed-out";

async function failure(res: Response, path: string): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let code = `http-${res.status}`;
  let message = `${res.status} ${res.statusText || "error"} from ${path}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message) message = body.error.message;
    if (body.error?.code) code = body.error.code;
  } catch {
    if (text && text.length < 300) message = text;
  }
  if (res.status === 401 && !path.startsWith("/v1/auth/login")) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  return new ApiError(res.status, code, message);
}

async function call(method: string, path: string, body?: unknown, accept = "application/json"): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { accept } : { accept, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "network", `could not reach the API (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!res.ok) throw await failure(res, path);
  return res;
}

/** GET a JSON resource. */
export async function getJson<T>(path: string): Promise<T> {
  return (await call("GET", path)).json() as Promise<T>;
}

/** GET a text resource (a signed note). */
export async function getText(path: string): Promise<string> {
  return (await call("GET", path, undefined, "text/plain")).text();
}

/** POST JSON and read JSON back (undefined for an empty answer). */
export async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const text = await (await call("POST", path, body)).text();
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

/** POST JSON and read JSON back with the HTTP status (202 queued, 200 already waiting). */
export async function postJsonStatus<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await call("POST", path, body);
  const text = await res.text();
  return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
}

/** POST JSON and read the answer as bytes with its headers (a zip download). */
export async function postForBlob(
  path: string,
  body: unknown,
  accept: string,
): Promise<{ blob: Blob; headers: Headers }> {
  const res = await call("POST", path, body, accept);
  return { blob: await res.blob(), headers: res.headers };
}

/** PATCH JSON and read JSON back. */
export async function patchJson<T>(path: string, body: unknown): Promise<T> {
  return (await call("PATCH", path, body)).json() as Promise<T>;
}

/** PUT JSON and read JSON back. */
export async function putJson<T>(path: string, body: unknown): Promise<T> {
  return (await call("PUT", path, body)).json() as Promise<T>;
}

/** DELETE a resource (204, no body). */
export async function deleteResource(path: string): Promise<void> {
  await call("DELETE", path);
}
