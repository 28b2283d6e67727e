// The fault proxy's shapes, apart from the proxy itself, so that the emulations it runs can use them
// without importing the proxy (which imports them).
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

/** One request the fault proxy saw. */
export interface ProxiedRequest {
  /** 0, 1, 2… in arrival order. */
  seq: number;
  /** The S3 operation, e.g. "UploadPart" (see s3Operation). */
  op: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Date.now() at arrival. */
  at: number;
  /** "forwarded", "answered 503 SlowDown", "dropped after N bytes", "stalled", "delayed N ms", "upstream error: …". */
  outcome: string;
  /** Upstream's status, for forwarded requests. */
  status?: number;
}

/** What a rule does with a request instead of forwarding it. */
export type FaultAction =
  | { status?: number; code?: string; message?: string; action?: undefined }
  | { action: "drop"; afterBytes?: number }
  | { action: "stall" }
  | { action: "respond"; status?: number }
  | { action: "delay"; ms: number }
  | { action: "truncate"; afterBytes: number; then?: "drop" | "stall" }
  | {
      action: "reply";
      status?: number;
      headers?: Record<string, string>;
      body?: string;
      /** Computes the answer from the request's body, once it is read (overrides status, headers and body). */
      answer?: (requestBody: Buffer) => ReplyAnswer;
    }
  | { action: "forward"; headers: Record<string, string> };

/** An emulated operation's answer: a status with headers and a body, or an S3 XML error when `code` is set. */
export interface ReplyAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  code?: string;
  message?: string;
}

/** Picks what happens to a request: a FaultAction, or forward it (undefined, null, false). */
export type FaultRule = (req: IncomingMessage, info: ProxiedRequest) => FaultAction | undefined | null | false;
