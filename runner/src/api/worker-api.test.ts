import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerApi } from "./worker-api.js";

// A real HTTP receiver on loopback standing in for the Worker: it records what the runner sends.
let server: Server;
let base = "";
const bodies: { path: string; body: { reason?: string } }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c.toString("utf8");
    });
    req.on("end", () => {
      bodies.push({ path: req.url ?? "", body: JSON.parse(text) });
      res.writeHead(200, { "content-type": "application/json" }).end('{"willRetry":true,"attempt":1}');
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));

describe("WorkerApi.fail", () => {
  it("sends a reason with every credential redacted, the runner's own secrets included, cut to 4,000 characters", async () => {
    const token = "wwr_runnertokenrunnertokenrunnertokenrunnert";
    const api = new WorkerApi(base, token, [], ["configured-db-pass"]);
    const reason = [
      'pg_dump: error: connection to server at "db" failed: password for postgres://app:configured-db-pass@db/app',
      `echo ${token} | AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG`,
      "x".repeat(5000),
    ].join("\n");
    expect((await api.fail("job_1", "lease_1", reason, true)).ok).toBe(true);
    const sent = bodies.at(-1)!;
    expect(sent.path).toBe("/v1/runner/jobs/job_1/fail");
    expect(sent.body.reason!.length).toBeLessThanOrEqual(4000);
    expect(sent.body.reason).toContain("postgres://app:[redacted]@db/app");
    for (const leaked of ["configured-db-pass", "runnertoken", "wJalrXUtnFEMI"])
      expect(sent.body.reason).not.toContain(leaked);
  });
});
