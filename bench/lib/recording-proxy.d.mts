/** One request through the proxy and what came back. */
export interface RecordedExchange {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  status: number;
  responseBytes: number;
  response?: Buffer;
}
/** A running recording proxy. */
export interface RecordingProxy {
  url: string;
  exchanges: RecordedExchange[];
  stop(): Promise<void>;
}
/** Starts a transparent proxy in front of `target` that records every exchange. */
export function startRecordingProxy(options: { target: string; keepResponses?: boolean }): Promise<RecordingProxy>;
