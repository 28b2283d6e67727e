import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ApiCallError, apiCall } from "./api-call.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A loopback server answering the given (status, body) pairs in turn; returns its URL and the requests it saw. */
async function answering(...answers: [number, string][]): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      const [status, text] = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      res.writeHead(status, { "content-type": "text/plain" }).end(text);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const LOST =
  "Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.";

describe("apiCall", () => {
  it("sends a POST once more when wrangler dev's proxy lost it (its 503), and answers the second reply", async () => {
    const { url, seen } = await answering([503, LOST], [201, '{"id":"db_1"}']);
    expect(await apiCall(url, "POST", "/v1/databases", { body: { name: "x" } })).toEqual({ id: "db_1" });
    expect(seen).toEqual(['POST /v1/databases {"name":"x"}', 'POST /v1/databases {"name":"x"}']);
  });

  it("does not retry any other 503, nor that one twice", async () => {
    const other = await answering([503, "maintenance"]);
    await expect(apiCall(other.url, "POST", "/v1/x", { body: {} })).rejects.toThrow(ApiCallError);
    expect(other.seen).toHaveLength(1);
    await new Promise<void>((r) => server!.close(() => r()));
    const lost = await answering([503, LOST]);
    await expect(apiCall(lost.url, "POST", "/v1/x", { body: {} })).rejects.toMatchObject({ status: 503 });
    expect(lost.seen).toHaveLength(2);
  });
});
