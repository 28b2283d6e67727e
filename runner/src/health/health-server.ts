import { createServer, type Server } from "node:http";
import type { LoopState } from "../loop/job-loop.js";
import { RUNNER_VERSION } from "../version.js";

/** Serves GET /healthz: 200 with the loop's state while running, 503 once shutting down. Resolves with the bound port. */
export function startHealthServer(
  state: LoopState,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/healthz") {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ error: "not found: try GET /healthz" }));
      return;
    }
    const body = { status: state.stopping ? "stopping" : "ok", version: RUNNER_VERSION, ...state };
    res
      .writeHead(state.stopping ? 503 : 200, { "content-type": "application/json", "cache-control": "no-store" })
      .end(JSON.stringify(body));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === "object" && addr ? addr.port : port });
    });
  });
}
