// A webhook receiver on loopback for the alert tests: records every request, answers each with the next
// status of `answers` (then 200), and checks a body's Standard Webhooks signature.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** One request the receiver got, and the status it answered. */
export interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver on 127.0.0.1; start() again on the same port brings it back after stop(). */
export class Receiver {
  readonly received: Received[] = [];
  answers: number[] = [];
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const answered = this.answers.shift() ?? 200;
        this.received.push({ url: req.url ?? "", headers: req.headers, body, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Waits until `pred` holds of the requests received (polled: the machine may be loaded). */
  async until(pred: (r: Received[]) => boolean, what: string, timeoutMs = 90_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.received)) {
      if (Date.now() > end)
        throw new Error(
          `timed out waiting for ${what}; received ${JSON.stringify(this.received.map((r) => [r.answered, r.url, r.body.slice(0, 160)]))}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The notice a request carried, its Standard Webhooks signature checked with `secret` (throws if it fails). */
export function verifiedNotice<T = { type: string; data: Record<string, unknown> }>(secret: string, r: Received): T {
  return new Webhook(secret).verify(r.body, {
    "webhook-id": String(r.headers["webhook-id"]),
    "webhook-timestamp": String(r.headers["webhook-timestamp"]),
    "webhook-signature": String(r.headers["webhook-signature"]),
  }) as T;
}
