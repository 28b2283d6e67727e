import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

/** One GET's answer, as download() reads it. */
export interface GetAnswer {
  status: number;
  /** A response header (case-insensitive name), or null. */
  header(name: string): string | null;
  /** The body as it arrives. */
  body: AsyncIterable<Uint8Array>;
  /** The body as text (an error document; at most 64 KiB of it). */
  text(): Promise<string>;
  /** Drops the rest of the body. */
  cancel(): void;
}

const MAX_REDIRECTS = 5;
const MAX_TEXT = 64 * 1024;

/**
 * GETs `url` with node:http(s), following up to 5 redirects. Not fetch: undici's web streams cost about
 * three times the CPU per byte, and the download is the CLI's busiest loop. The body is never decoded
 * (Content-Encoding): the bytes hashed are the bytes stored. Rejects on a network error or when aborted.
 */
export async function httpGet(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<GetAnswer> {
  let at = new URL(url);
  for (let hops = 0; ; hops++) {
    const res = await once(at, headers, signal);
    const location = res.headers.location;
    if (
      res.statusCode !== undefined &&
      [301, 302, 303, 307, 308].includes(res.statusCode) &&
      location &&
      hops < MAX_REDIRECTS
    ) {
      res.destroy();
      at = new URL(location, at);
      continue;
    }
    return answer(res);
  }
}

function once(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === "https:" ? httpsRequest : url.protocol === "http:" ? httpRequest : undefined;
    if (!request) return reject(new Error(`unsupported protocol ${url.protocol}`));
    const req = request(url, { method: "GET", headers, signal }, resolve);
    req.once("error", reject);
    req.end();
  });
}

function answer(res: IncomingMessage): GetAnswer {
  // An error after the caller stopped reading (a dropped body) must not be unhandled.
  res.on("error", () => {});
  return {
    status: res.statusCode ?? 0,
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
    body: res,
    async text() {
      let s = "";
      for await (const chunk of res as AsyncIterable<Buffer>) {
        s += chunk.toString("utf8");
        if (s.length > MAX_TEXT) {
          res.destroy();
          break;
        }
      }
      return s.slice(0, MAX_TEXT);
    },
    cancel: () => void res.destroy(),
  };
}
