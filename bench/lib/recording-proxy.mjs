// A transparent HTTP proxy that records every request and answer in full: the trust-boundary tests put
// one in front of the Worker (to prove no request carries a target credential or a dump byte) and one in
// front of the S3 server (to prove every dump byte came from there).
import { createServer, request as httpRequest } from "node:http";

/**
 * Starts a proxy on a free loopback port that forwards everything to `target` unchanged, Host included, so SigV4 signatures still verify (streaming both
 * ways, so server-sent events pass through live) and records, per request: method, path (with query),
 * headers, the request body's bytes, the answer's status and its body's byte count (`responseBytes`;
 * the bytes themselves only when `keepResponses`).
 * @param {{ target: string, keepResponses?: boolean }} options
 */
export async function startRecordingProxy({ target, keepResponses = false }) {
  const upstream = new URL(target);
  /** @type {import("./recording-proxy.mjs").RecordedExchange[]} */
  const exchanges = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const ex = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: { ...req.headers },
      body: Buffer.alloc(0),
      status: 0,
      responseBytes: 0,
      response: keepResponses ? Buffer.alloc(0) : undefined,
    };
    exchanges.push(ex);
    const chunks = [];
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        ex.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        const kept = [];
        up.on("data", (c) => {
          ex.responseBytes += c.length;
          if (keepResponses) kept.push(c);
          res.write(c);
        });
        up.on("end", () => {
          if (keepResponses) ex.response = Buffer.concat(kept);
          res.end();
        });
        up.on("error", () => res.destroy());
      },
    );
    out.on("error", () => res.destroy());
    req.on("data", (c) => {
      chunks.push(c);
      out.write(c);
    });
    req.on("end", () => {
      ex.body = Buffer.concat(chunks);
      out.end();
    });
    res.on("close", () => out.destroy());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}`,
    exchanges,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r(undefined));
      }),
  };
}
