// A proxy in front of the Worker that can lose or mangle answers: it forwards a request whole, waits until
// the Worker has answered it in full (so whatever the Worker does for it is done), then either closes the
// runner's connection without a byte of the answer, or answers 200 with a body that is not the Worker's.
// Network failures and broken middleboxes after the fact, which no real part here produces on demand;
// everything else passes through unchanged.
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/** One request through the proxy: what the Worker answered, and whether the runner got it. */
export interface ProxiedCall {
  method: string;
  path: string;
  status: number;
  /** What the runner got instead of the Worker's answer, if the rule said so. */
  fault: "drop" | "garble" | null;
}

/** What to do with the Worker's answer to a request: lose it, replace it with a malformed one, or pass it on. */
export type AnswerRule = (req: IncomingMessage) => "drop" | "garble" | undefined;

/** A running proxy: its URL, what went through it, and the rule that picks answers to drop. */
export interface AnswerDroppingProxy {
  url: string;
  calls: ProxiedCall[];
  /** The rule applied to each request from now on (tests swap it). */
  setRule(rule: AnswerRule | undefined): void;
  stop(): Promise<void>;
}

/** Starts the proxy on a free loopback port, forwarding to `target`. */
export async function startAnswerDroppingProxy(target: string): Promise<AnswerDroppingProxy> {
  const upstream = new URL(target);
  const calls: ProxiedCall[] = [];
  const sockets = new Set<Socket>();
  let rule: AnswerRule | undefined;
  const server = createServer((req, res) => {
    const call: ProxiedCall = { method: req.method ?? "GET", path: req.url ?? "/", status: 0, fault: null };
    calls.push(call);
    const fault = rule?.(req);
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        call.status = up.statusCode ?? 0;
        if (fault) {
          // Read the whole answer first: the Worker has finished the request when the runner loses it.
          up.resume();
          up.on("end", () => {
            call.fault = fault;
            if (fault === "drop") res.socket?.destroy();
            else res.writeHead(200, { "content-type": "text/html" }).end("<html>a captive portal</html>");
          });
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setRule: (r) => {
      rule = r;
    },
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
