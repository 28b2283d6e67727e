// A transparent HTTP proxy that records every request and answer in full: the trust-boundary tests put
// one in front of the Worker (to prove no request carries a target credential or a dump byte) and one in
// front of the S3 server (to prove every dump byte came from there).
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request through the proxy and what came back. */
export interface RecordedExchange {
  method: string;
  /** With the query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The request body's bytes. */
  body: Buffer;
  status: number;
  /** The answer body's byte count. */
  responseBytes: number;
  /** The answer body's bytes, with `keepResponses`. */
  response?: Buffer;
}

/** A running recording proxy. */
export interface RecordingProxy {
  url: string;
  exchanges: RecordedExchange[];
  stop(): Promise<void>;
}

/**
 * Starts a proxy on a free loopback port that forwards everything to `target` unchanged, Host included, so
 * SigV4 signatures still verify (streaming both ways, so server-sent events pass through live), and records
 * every exchange (the answer's bytes themselves only when `keepResponses`).
 */
export async function startRecordingProxy({
  target,
  keepResponses = false,
}: {
  target: string;
  keepResponses?: boolean;
}): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const exchanges: RecordedExchange[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const ex: RecordedExchange = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: { ...req.headers },
      body: Buffer.alloc(0),
      status: 0,
      responseBytes: 0,
      ...(keepResponses ? { response: Buffer.alloc(0) } : {}),
    };
    exchanges.push(ex);
    const chunks: Buffer[] = [];
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        ex.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        const kept: Buffer[] = [];
        up.on("data", (c: Buffer) => {
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
    req.on("data", (c: Buffer) => {
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
  const address = server.address() as AddressInfo;
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
