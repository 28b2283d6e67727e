import { ok, type Ok } from "@walwarden/verifier";
import type { z } from "zod";

/** A fetch function (the global one, or a test's). */
export type Fetch = typeof fetch;

/** Why a call to the API did not give a valid answer. */
export type HttpErrorCode = "network" | "refused" | "server" | "bad-response";

/** A failed call: its kind, HTTP status (if any) and the API's error code (from its error body, if any). */
export interface HttpFailure {
  ok: false;
  code: HttpErrorCode;
  message: string;
  status?: number;
  apiCode?: string;
}

/** An answer, or why there was none. */
export type HttpResult<T> = Ok<T> | HttpFailure;

/** A JSON request to the API. */
export interface JsonRequest {
  method: "GET" | "POST";
  body?: unknown;
  bearer?: string;
  timeoutMs?: number;
}

/** An answer as it arrived: its status and body text, not yet parsed. */
export interface RawAnswer {
  status: number;
  ok: boolean;
  text: string;
}

/**
 * Sends one request to the API and reads the answer's body, unparsed (a failure only when there is no
 * answer: "network"). The request is on its way when this returns, so a caller can do other work (load
 * the schema it parses the answer with) while the API answers.
 */
export async function sendJson(fetchImpl: Fetch, url: string, r: JsonRequest): Promise<RawAnswer | HttpFailure> {
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: r.method,
      headers: {
        accept: "application/json",
        ...(r.body !== undefined ? { "content-type": "application/json" } : {}),
        ...(r.bearer ? { authorization: `Bearer ${r.bearer}` } : {}),
      },
      ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
      signal: AbortSignal.timeout(r.timeoutMs ?? 30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (e as Error).name === "TimeoutError"
        ? "timed out"
        : ((cause?.code?.startsWith("UND_ERR") ? cause.message : cause?.code) ??
          cause?.message ??
          (e as Error).message);
    return { ok: false, code: "network", message: `no answer from ${new URL(url).origin} (${why})` };
  }
  const text = await res.text().catch(() => "");
  return { status: res.status, ok: res.ok, text };
}

/**
 * One request to the API, its answer parsed with `schema`. Failures are values: "network" (no answer:
 * connection refused, reset, timed out), "server" (5xx), "refused" (another non-2xx, with the API's
 * error code and message), "bad-response" (2xx whose body does not match the contract).
 */
export async function requestJson<S extends z.ZodType>(
  fetchImpl: Fetch,
  url: string,
  r: JsonRequest,
  schema: S | undefined,
): Promise<HttpResult<z.infer<S>>> {
  return parseAnswer(await sendJson(fetchImpl, url, r), schema);
}

/** The answer `sendJson` read, parsed with `schema` (see requestJson for the failures). */
export async function parseAnswer<S extends z.ZodType>(
  answer: RawAnswer | HttpFailure,
  schema: S | undefined,
): Promise<HttpResult<z.infer<S>>> {
  if ("code" in answer) return answer;
  const { text } = answer;
  if (!answer.ok) {
    let apiCode: string | undefined;
    let apiMessage: string | undefined;
    try {
      // The wire schemas load on first use: the CLI's start-up does not wait for them.
      const { ApiErrorSchema } = await import("@walwarden/verifier/wire");
      const body = ApiErrorSchema.safeParse(JSON.parse(text));
      if (body.success) ({ code: apiCode, message: apiMessage } = body.data.error);
    } catch {
      /* not JSON */
    }
    return {
      ok: false,
      code: answer.status >= 500 ? "server" : "refused",
      message: `HTTP ${answer.status}${apiCode ? ` ${apiCode}` : ""}${apiMessage ? `: ${apiMessage}` : ""}`,
      status: answer.status,
      ...(apiCode ? { apiCode } : {}),
    };
  }
  if (!schema) return ok(undefined as z.infer<S>); // the caller wants no body (progress answers 202)
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      code: "bad-response",
      message: `HTTP ${answer.status} with a body that is not JSON`,
      status: answer.status,
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return {
      ok: false,
      code: "bad-response",
      message: `the answer does not match the API contract (${i ? `${i.path.join(".") || "(root)"}: ${i.message}` : "invalid"})`,
      status: answer.status,
    };
  }
  return ok(parsed.data);
}
