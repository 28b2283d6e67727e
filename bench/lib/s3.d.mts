// Types of s3.mjs, for the runner's TypeScript tests (the .mjs is the implementation and its docs).
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { S3Client } from "@aws-sdk/client-s3";

/** A running s3rver. */
export interface LocalS3 {
  endpoint: string;
  region: "us-east-1";
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where s3rver keeps the objects (and, in `<bucket>/._S3rver_uploads/<uploadId>/`, the open multipart uploads' parts). */
  dir: string;
  stop(): Promise<void>;
}

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
  | { action: "truncate"; afterBytes: number; then?: "drop" | "stall" };

export type FaultRule = (req: IncomingMessage, info: ProxiedRequest) => FaultAction | undefined | null | false;

/** A running fault proxy. */
export interface FaultProxy {
  endpoint: string;
  requests: ProxiedRequest[];
  requestsOf(op: string): ProxiedRequest[];
  stop(): Promise<void>;
}

/** s3rver's only credentials. */
export const S3RVER_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }>;
/**
 * Starts s3rver on loopback over a temp dir with `bucket` (default "walwarden-test") created, with the
 * emulation s3.mjs adds after its signature check: ListMultipartUploads, AbortMultipartUpload, 404
 * NoSuchUpload for uploads that are not open, and 403 AccessDenied for unsigned requests.
 */
export function startS3(options?: { bucket?: string }): Promise<LocalS3>;
/** The S3 operation a path-style request is. */
export function s3Operation(method: string, path: string, query: URLSearchParams): string;
/** A recording proxy in front of `target` that forwards requests unchanged unless `rules` answers. */
export function startFaultProxy(options: { target: string; rules?: FaultRule }): Promise<FaultProxy>;

/** An AWS SDK client for a local S3 started by startS3 (path-style, its credentials, checksums only where required). */
export function localS3Client(local: {
  region: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}): S3Client;
