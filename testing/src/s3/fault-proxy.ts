// An HTTP proxy in front of a local S3 that records every request and fails, stalls, delays or cuts the
// ones a rule picks: how the tests make S3 misbehave on cue.
import { randomBytes } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  type EmulationOptions,
  lockOperation,
  type ObjectLockEmulation,
  objectLockEmulation,
} from "./object-lock-emulation.js";
import { postureOperation } from "./bucket-posture-emulation.js";
import type { FaultAction, FaultRule, ProxiedRequest, ReplyAnswer } from "./fault-types.js";
import { s3Operation } from "./s3-operation.js";

export type { FaultAction, FaultRule, ProxiedRequest, ReplyAnswer } from "./fault-types.js";

/** A running fault proxy. */
export interface FaultProxy {
  endpoint: string;
  requests: ProxiedRequest[];
  /** The recorded requests of one S3 operation (e.g. "UploadPart"). */
  requestsOf(op: string): ProxiedRequest[];
  /** Closes the proxy, cutting stalled and open connections. */
  stop(): Promise<void>;
  /** The Object Lock (and versioning) emulation, when started with `emulate`. */
  emulation: ObjectLockEmulation | undefined;
}

function s3ErrorXml(code: string, message: string): string {
  const id = randomBytes(8).toString("hex").toUpperCase();
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[<&>]/g, (c) => `&#${c.charCodeAt(0)};`)}</Message><RequestId>${id}</RequestId><HostId>${id}</HostId></Error>`;
}

/**
 * An HTTP proxy on a free loopback port in front of `target` (an s3rver endpoint). Every request is
 * recorded in `proxy.requests` and forwarded unchanged (method, path, headers with Host, body streamed:
 * SigV4 signatures still verify), unless `rules(req, info)` answers for it:
 *  - `{ status, code, message }`: an S3 XML error, after reading the request body (as S3 does);
 *  - `{ action: "drop", afterBytes? }`: destroy the connection once `afterBytes` (default 0) body bytes arrived;
 *  - `{ action: "stall" }`: read the body, then never answer (until the client gives up or stop());
 *  - `{ action: "delay", ms }`: forward after `ms`;
 *  - `{ action: "respond", status? }`: an empty answer (an operation the local server lacks, e.g. PutObjectRetention);
 *  - `{ action: "truncate", afterBytes, then }`: forward, but pass only the first `afterBytes` bytes of
 *    the answer's body, then cut the connection (`then: "drop"`, the default) or send nothing more
 *    while keeping it open (`then: "stall"`): a download that breaks or hangs midway;
 *  - `{ action: "reply", status?, headers?, body?, answer? }`: an answer of the proxy's own, after reading
 *    the request body (`answer(body)` computes it from the body): an operation the local server lacks;
 *  - `{ action: "forward", headers }`: forward, adding `headers` to the answer (e.g. x-amz-version-id).
 * With `emulate`, requests of that bucket that no rule answered go to an emulation of Object Lock (and
 * versioning, if asked) that s3rver lacks (object-lock-emulation.ts; its state is `proxy.emulation`).
 */
export async function startFaultProxy({
  target,
  rules = () => undefined,
  emulate,
}: {
  target: string;
  rules?: FaultRule;
  emulate?: EmulationOptions;
}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const emulation = emulate ? objectLockEmulation(emulate) : undefined;
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    info: ProxiedRequest,
    truncate?: { afterBytes: number; then: "drop" | "stall" },
    extraHeaders: Record<string, string> = {},
  ): void {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        info.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, [...up.rawHeaders, ...Object.entries(extraHeaders).flat()]);
        up.on("error", () => res.destroy());
        if (!truncate) return void up.pipe(res);
        let left = truncate.afterBytes;
        up.on("data", (chunk: Buffer) => {
          if (left <= 0) return;
          const part = chunk.subarray(0, left);
          left -= part.length;
          if (left > 0) return void res.write(part);
          up.destroy();
          // Cut once those bytes are flushed to the client, so it sees exactly `afterBytes` of them.
          res.write(part, () => {
            if (truncate.then === "drop") res.socket?.destroy();
          });
        });
        up.on("end", () => {
          if (left > 0) res.end();
        });
      },
    );
    out.on("error", (e) => {
      info.outcome = `upstream error: ${e.message}`;
      if (!res.headersSent) {
        const body = s3ErrorXml("InternalError", `fault proxy: upstream ${target} failed: ${e.message}`);
        res.writeHead(502, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
        res.end(body);
      } else res.destroy();
    });
    req.on("error", () => out.destroy());
    req.pipe(out);
    req.resume();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const query = url.searchParams;
    const info: ProxiedRequest = {
      seq: requests.length,
      op:
        lockOperation(req.method ?? "GET", query) ??
        postureOperation(req.method ?? "GET", url.pathname, query) ??
        s3Operation(req.method ?? "GET", url.pathname, query),
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(query),
      headers: { ...req.headers },
      at: Date.now(),
      outcome: "forwarded",
    };
    requests.push(info);
    let rule: FaultAction | undefined | null | false;
    try {
      rule = rules(req, info) || emulation?.handle(req, info);
    } catch (e) {
      rule = { status: 500, code: "InternalError", message: `fault proxy rule threw: ${(e as Error).message}` };
    }
    if (!rule) return forward(req, res, info);
    switch (rule.action) {
      case "truncate": {
        const then = rule.then ?? "drop";
        info.outcome = `truncated after ${rule.afterBytes} response bytes, then ${then}`;
        return forward(req, res, info, { afterBytes: rule.afterBytes, then });
      }
      case "delay":
        info.outcome = `delayed ${rule.ms} ms`;
        req.pause();
        setTimeout(() => forward(req, res, info), rule.ms);
        return;
      case "drop": {
        const after = rule.afterBytes ?? 0;
        info.outcome = `dropped after ${after} bytes`;
        let seen = 0;
        const cut = () => req.socket.destroy();
        if (after <= 0) return cut();
        req.on("data", (chunk: Buffer) => {
          seen += chunk.length;
          if (seen >= after) cut();
        });
        req.on("end", cut);
        return;
      }
      case "respond": {
        // Emulates an operation the local server lacks (PutObjectRetention: s3rver has no Object Lock).
        const status = rule.status ?? 200;
        info.outcome = `emulated ${status}`;
        req.resume();
        req.on("end", () => res.writeHead(status, { "content-length": 0, "x-amz-request-id": "FAULTPROXY" }).end());
        return;
      }
      case "forward":
        return forward(req, res, info, undefined, rule.headers);
      case "reply": {
        const fixed = rule;
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const a: ReplyAnswer = fixed.answer?.(Buffer.concat(chunks)) ?? {
            status: fixed.status ?? 200,
            ...(fixed.headers ? { headers: fixed.headers } : {}),
            ...(fixed.body !== undefined ? { body: fixed.body } : {}),
          };
          const body = a.code ? s3ErrorXml(a.code, a.message ?? a.code) : (a.body ?? "");
          info.outcome = `emulated ${a.status}${a.code ? ` ${a.code}` : ""}`;
          res.writeHead(a.status, {
            ...(a.code ? { "content-type": "application/xml" } : {}),
            ...a.headers,
            "content-length": Buffer.byteLength(body),
            "x-amz-request-id": "FAULTPROXY",
          });
          res.end(body);
        });
        return;
      }
      case "stall":
        info.outcome = "stalled";
        req.resume();
        return;
      default: {
        const status = rule.status ?? 500;
        const code = rule.code ?? "InternalError";
        const message = rule.message ?? "injected by the fault proxy";
        info.outcome = `answered ${status} ${code}`;
        req.resume();
        req.on("end", () => {
          const body = s3ErrorXml(code, message);
          res.writeHead(status, {
            "content-type": "application/xml",
            "content-length": Buffer.byteLength(body),
            "x-amz-request-id": "FAULTPROXY",
          });
          res.end(body);
        });
      }
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  await new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done(undefined));
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    requestsOf: (op) => requests.filter((r) => r.op === op),
    emulation,
    stop: () =>
      (stopped ??= new Promise((done) => {
        server.close(() => done());
        for (const s of sockets) s.destroy();
      })),
  };
}
