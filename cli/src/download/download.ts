import { createHash, type Hash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { err, ok, type Result } from "@walwarden/verifier";
import { formatBytes } from "../format.js";
import { parseContentRange } from "./content-range.js";
import { httpGet, type GetAnswer } from "./http-get.js";
import type { DownloadSink } from "./sink.js";

/** A finished download. */
export interface Downloaded {
  bytes: number;
  /** SHA-256 (hex) of the bytes, computed while they arrived. */
  sha256: string;
  /** Times the download went on from where it broke off (Range). */
  resumes: number;
  /** Times it started over (the server ignored Range or answered a different range). */
  restarts: number;
}

/** What download needs. */
export interface DownloadOptions {
  /** The presigned GET URL. It is a credential until it expires: never printed or reported. */
  url: string;
  /** Where the bytes go (a file, a decompressor); the caller closes it. */
  sink: DownloadSink;
  /** The size the Worker announced, if known: the download is complete at exactly this many bytes. */
  expectedBytes?: number;
  /** When the URL stops working (RFC 3339), for the message if it did. */
  expiresAt?: string;
  signal: AbortSignal;
  /** No bytes for this long: the attempt is abandoned and resumed (default 30 s). */
  stallMs?: number;
  /** Attempts after the first (default 8). */
  retries?: number;
  /** First pause between attempts; it doubles each time, up to 30 s (default 1 s). */
  backoffMs?: number;
  /** Told the bytes so far after each chunk. */
  onBytes?: (bytes: number, total: number | null) => void;
}

/** Why a download failed. */
export type DownloadErrorCode = "download" | "expired" | "interrupted";

type Attempt =
  | { kind: "done" }
  | { kind: "retry"; why: string }
  | { kind: "restart"; why: string }
  | { kind: "fail"; code: DownloadErrorCode; message: string };

/**
 * Downloads a presigned URL into a sink, hashing (SHA-256) as the bytes arrive. A connection that drops
 * or stalls (no bytes for stallMs) is resumed with `Range: bytes=<have>-` (206 expected; a 200 means
 * the server ignored it, and the download starts over); up to `retries` times with exponential backoff.
 * A 403 is final: the URL expired or was refused. Failures are values.
 */
export async function download(o: DownloadOptions): Promise<Result<Downloaded, DownloadErrorCode>> {
  const stallMs = o.stallMs ?? 30_000;
  const retries = o.retries ?? 8;
  const backoffMs = o.backoffMs ?? 1_000;
  const expected = o.expectedBytes ?? null;
  const state = { have: 0, hash: createHash("sha256"), resumes: 0, restarts: 0 };
  let failures = 0;
  for (;;) {
    if (o.signal.aborted) return err("interrupted", "interrupted while downloading");
    const a = await attempt(o, state, expected, stallMs);
    if (a.kind === "done") break;
    if (a.kind === "fail") return err(a.code, a.message);
    if (o.signal.aborted) return err("interrupted", "interrupted while downloading");
    if (a.kind === "restart") {
      try {
        await o.sink.restart();
      } catch (e) {
        return err(
          "download",
          `cannot start the download over: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
      state.have = 0;
      state.hash = createHash("sha256");
      state.restarts++;
    }
    failures++;
    if (failures > retries)
      return err(
        "download",
        `the download failed ${failures} times in a row (last: ${a.why}) after ${formatBytes(state.have)}${expected !== null ? ` of ${formatBytes(expected)}` : ""}; check your network and run the command again with a new token`,
      );
    try {
      await sleep(Math.min(30_000, backoffMs * 2 ** (failures - 1)), undefined, { signal: o.signal });
    } catch {
      return err("interrupted", "interrupted while downloading");
    }
    if (state.have > 0) state.resumes++;
  }
  return ok({ bytes: state.have, sha256: state.hash.digest("hex"), resumes: state.resumes, restarts: state.restarts });
}

/** One GET: from `state.have` on (Range) if some bytes are already there. */
async function attempt(
  o: DownloadOptions,
  state: { have: number; hash: Hash },
  expected: number | null,
  stallMs: number,
): Promise<Attempt> {
  if (expected !== null && state.have === expected && state.have > 0) return { kind: "done" };
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  o.signal.addEventListener("abort", onAbort, { once: true });
  let stalled = false;
  const onStall = () => {
    stalled = true;
    ctrl.abort();
  };
  let timer = setTimeout(onStall, stallMs);
  const kick = () => {
    clearTimeout(timer);
    timer = setTimeout(onStall, stallMs);
  };
  try {
    let res: GetAnswer;
    try {
      res = await httpGet(o.url, state.have > 0 ? { range: `bytes=${state.have}-` } : {}, ctrl.signal);
    } catch (e) {
      return { kind: "retry", why: stalled ? `no answer for ${stallMs / 1000} s` : networkWhy(e) };
    }
    kick();
    if (res.status === 403) return { kind: "fail", ...(await refused(res, o, state.have, expected)) };
    if (res.status === 404) {
      res.cancel();
      return {
        kind: "fail",
        code: "download",
        message:
          "the backup file is not in the bucket (HTTP 404): it may have been deleted or moved; the Worker's restore presigned a key that does not exist",
      };
    }
    if (res.status === 416) {
      res.cancel();
      return expected !== null && state.have === expected
        ? { kind: "done" }
        : { kind: "restart", why: "HTTP 416 (range not satisfiable)" };
    }
    if (res.status === 200 && state.have > 0) {
      res.cancel();
      return { kind: "restart", why: "the server ignored the Range request (HTTP 200)" };
    }
    if (res.status === 206) {
      const range = parseContentRange(res.header("content-range"));
      if (!range || range.start !== state.have) {
        res.cancel();
        return {
          kind: "restart",
          why: `the server answered a different range (${res.header("content-range") ?? "no Content-Range"})`,
        };
      }
    } else if (res.status !== 200) {
      res.cancel();
      return { kind: "retry", why: `HTTP ${res.status}` };
    }
    try {
      for await (const chunk of res.body) {
        kick();
        state.hash.update(chunk);
        try {
          await o.sink.write(chunk);
        } catch (e) {
          res.cancel();
          return {
            kind: "fail",
            code: "download",
            message: `cannot store the download: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (choose another --download-dir)`,
          };
        }
        kick();
        state.have += chunk.length;
        o.onBytes?.(state.have, expected);
      }
    } catch (e) {
      if (o.signal.aborted) return { kind: "retry", why: "interrupted" };
      return { kind: "retry", why: stalled ? `no bytes for ${stallMs / 1000} s` : networkWhy(e) };
    }
    if (expected !== null && state.have < expected)
      return {
        kind: "retry",
        why: `the connection ended after ${formatBytes(state.have)} of ${formatBytes(expected)}`,
      };
    if (expected !== null && state.have > expected)
      return {
        kind: "fail",
        code: "download",
        message: `the bucket sent ${state.have} bytes but the backup is ${expected} bytes`,
      };
    return { kind: "done" };
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener("abort", onAbort);
  }
}

async function refused(
  res: GetAnswer,
  o: DownloadOptions,
  have: number,
  expected: number | null,
): Promise<{ code: DownloadErrorCode; message: string }> {
  const body = await res.text().catch(() => "");
  const progress =
    have > 0 ? ` after ${formatBytes(have)}${expected !== null ? ` of ${formatBytes(expected)}` : ""}` : "";
  const pastExpiry = o.expiresAt !== undefined && Date.parse(o.expiresAt) <= Date.now();
  if (/expired/i.test(body) || pastExpiry) {
    return {
      code: "expired",
      message: `the download link expired${o.expiresAt ? ` (at ${o.expiresAt})` : ""}${progress}: it is valid for 15 minutes from the claim. Issue a new restore and run the command again (on a faster connection, or with --download-dir on a disk close to the bucket).`,
    };
  }
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  return {
    code: "download",
    message: `the bucket refused the download (HTTP 403${code ? ` ${code}` : ""})${progress}: the restore credential the Worker presigns with may lack s3:GetObject on this key; tell an admin.`,
  };
}

/** A network error's short reason: its code (ECONNRESET…), else its message. */
function networkWhy(e: unknown): string {
  const x = e as NodeJS.ErrnoException;
  return x.code && x.code !== "ABORT_ERR" ? x.code : x.message;
}
