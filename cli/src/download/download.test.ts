// The download against a real S3 server (s3rver checks SigV4 query signatures and their expiry) with
// real presigned URLs, and the fault proxy in front of it cutting or stalling the answer midway.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { decompressSink } from "@walwarden/postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  localS3Client,
  startFaultProxy,
  startS3,
  type FaultProxy,
  type FaultRule,
  type LocalS3,
} from "@walwarden/testing/s3";
import { presignGet } from "../../test/support/presign.js";
import { download } from "./download.js";
import { fileSink, type FileSink } from "./file-sink.js";

const KEY = "walwarden/db_main/2026/11/24/bk_01.dump.zst";
const body = randomBytes(3 * 1024 * 1024 + 123);
const sha256 = createHash("sha256").update(body).digest("hex");
/** The same bytes through zstd: the decompressing download's object. */
const ZST_KEY = "walwarden/db_main/2026/11/24/bk_02.dump.zst";
const zstBody = execFileSync("zstd", ["-q", "-c", "-1"], { input: body, maxBuffer: 1 << 26 });
let s3: LocalS3;
let client: S3Client;
let proxy: FaultProxy;
let faults: FaultRule | undefined;
let dir: string;

beforeAll(async () => {
  s3 = await startS3({ bucket: "acme-backups" });
  client = localS3Client(s3);
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: KEY, Body: body }));
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: ZST_KEY, Body: zstBody }));
  proxy = await startFaultProxy({ target: s3.endpoint, rules: (req, info) => faults?.(req, info) });
  dir = mkdtempSync(join(tmpdir(), "ww-cli-download-"));
});
afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  faults = undefined;
  proxy.requests.length = 0;
});
const opened: FileSink[] = [];
afterEach(async () => {
  for (const f of opened.splice(0)) await f.close(false);
});

/** A file sink at dir/name (closed after the test). */
async function fileAt(name: string): Promise<FileSink> {
  const f = await fileSink(join(dir, name));
  if (!f.ok) throw new Error(f.message);
  opened.push(f.value);
  return f.value;
}

const never = new AbortController().signal;

describe("download", () => {
  it("downloads a presigned URL and hashes it as it arrives", async () => {
    const url = await presignGet(s3, proxy.endpoint, KEY);
    const seen: number[] = [];
    const r = await download({
      url,
      sink: await fileAt("plain"),
      expectedBytes: body.length,
      signal: never,
      onBytes: (n) => seen.push(n),
    });
    expect(r).toMatchObject({ ok: true, value: { bytes: body.length, sha256, resumes: 0, restarts: 0 } });
    expect(readFileSync(join(dir, "plain")).equals(body)).toBe(true);
    expect(seen.at(-1)).toBe(body.length);
  });

  it("resumes a connection dropped midway with Range, and the file and hash are still right", async () => {
    const cut = 1_000_003;
    faults = (_req, info) =>
      info.op === "GetObject" && info.seq === 0 ? { action: "truncate", afterBytes: cut, then: "drop" } : undefined;
    const url = await presignGet(s3, proxy.endpoint, KEY);
    const r = await download({
      url,
      sink: await fileAt("dropped"),
      expectedBytes: body.length,
      signal: never,
      backoffMs: 50,
    });
    expect(r).toMatchObject({ ok: true, value: { bytes: body.length, sha256, resumes: 1, restarts: 0 } });
    expect(readFileSync(join(dir, "dropped")).equals(body)).toBe(true);
    // It resumes from what reached the file: at most the cut (bytes buffered in the client when the
    // connection broke are lost with it), and well past the start.
    const gets = proxy.requestsOf("GetObject");
    expect(gets).toHaveLength(2);
    expect(gets[0]!.headers.range).toBeUndefined();
    const from = Number(/^bytes=(\d+)-$/.exec(String(gets[1]!.headers.range))?.[1]);
    expect(from).toBeGreaterThan(cut / 2);
    expect(from).toBeLessThanOrEqual(cut);
    expect(gets[1]!.status).toBe(206);
  });

  it("resumes a connection that stalls (no bytes for the stall timeout)", async () => {
    faults = (_req, info) =>
      info.op === "GetObject" && info.seq === 0
        ? { action: "truncate", afterBytes: 500_000, then: "stall" }
        : undefined;
    const url = await presignGet(s3, proxy.endpoint, KEY);
    const started = Date.now();
    const r = await download({
      url,
      sink: await fileAt("stalled"),
      expectedBytes: body.length,
      signal: never,
      stallMs: 700,
      backoffMs: 50,
    });
    expect(r).toMatchObject({ ok: true, value: { sha256, resumes: 1 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    const ranges = proxy.requestsOf("GetObject").map((g) => g.headers.range);
    expect(ranges).toHaveLength(2);
    expect(Number(/^bytes=(\d+)-$/.exec(String(ranges[1]))?.[1])).toBeGreaterThan(0);
  });

  it("starts over when the server ignores Range (200), and hashes only the final bytes", async () => {
    let n = 0;
    faults = (req, info) => {
      if (info.op !== "GetObject") return undefined;
      n++;
      if (n === 1) return { action: "truncate", afterBytes: 777_777, then: "drop" };
      delete req.headers.range; // a server without Range support answers 200 with the whole object
      return undefined;
    };
    const url = await presignGet(s3, proxy.endpoint, KEY);
    const r = await download({
      url,
      sink: await fileAt("restarted"),
      expectedBytes: body.length,
      signal: never,
      backoffMs: 50,
    });
    expect(r).toMatchObject({ ok: true, value: { bytes: body.length, sha256, restarts: 1 } });
    expect(readFileSync(join(dir, "restarted")).equals(body)).toBe(true);
  });

  it("into a decompressor: a resume continues the same stream, a 200 to a Range request starts the decompression over", async () => {
    const zstSha = createHash("sha256").update(zstBody).digest("hex");
    for (const [name, ignoreRange] of [
      ["resumed", false],
      ["restarted", true],
    ] as const) {
      let n = 0;
      faults = (req, info) => {
        if (info.op !== "GetObject") return undefined;
        if (n++ === 0) return { action: "truncate", afterBytes: 1_000_003, then: "drop" };
        if (ignoreRange) delete req.headers.range;
        return undefined;
      };
      const url = await presignGet(s3, proxy.endpoint, ZST_KEY);
      const out = join(dir, `${name}.out`);
      const sink = decompressSink("zstd", out, { env: process.env, setOffsets: true });
      const r = await download({ url, sink, expectedBytes: zstBody.length, signal: never, backoffMs: 50 });
      expect(r).toMatchObject({
        ok: true,
        value: { bytes: zstBody.length, sha256: zstSha, resumes: 1, restarts: ignoreRange ? 1 : 0 },
      });
      expect(await sink.finish()).toMatchObject({ ok: true, value: { path: out, bytes: body.length } });
      expect(readFileSync(out).equals(body)).toBe(true);
    }
  });

  it("gives up after the retries with a message that says how far it got", async () => {
    faults = (_req, info) => (info.op === "GetObject" ? { status: 503, code: "SlowDown" } : undefined);
    const url = await presignGet(s3, proxy.endpoint, KEY);
    const r = await download({
      url,
      sink: await fileAt("failing"),
      expectedBytes: body.length,
      signal: never,
      retries: 2,
      backoffMs: 10,
    });
    expect(r).toMatchObject({ ok: false, code: "download" });
    expect(!r.ok && r.message).toMatch(/failed 3 times in a row \(last: HTTP 503\)/);
    expect(proxy.requestsOf("GetObject")).toHaveLength(3);
  });

  it("an expired presigned URL is a clear, final error (no retries) that never shows the URL", async () => {
    const signedAt = new Date(Date.now() - 20 * 60_000);
    const url = await presignGet(s3, proxy.endpoint, KEY, 900, signedAt);
    const expiresAt = new Date(signedAt.getTime() + 900_000).toISOString();
    const r = await download({
      url,
      sink: await fileAt("expired"),
      expectedBytes: body.length,
      expiresAt,
      signal: never,
      backoffMs: 10,
    });
    expect(r).toMatchObject({ ok: false, code: "expired" });
    expect(!r.ok && r.message).toMatch(/the download link expired \(at .*\): it is valid for 15 minutes/);
    expect(!r.ok && r.message).not.toContain("X-Amz");
    expect(proxy.requestsOf("GetObject")).toHaveLength(1);
    expect(proxy.requestsOf("GetObject")[0]!.status).toBe(403);
  });

  it("a URL that expires mid-download fails at the resume with how much had arrived", async () => {
    faults = (_req, info) =>
      info.op === "GetObject" && info.seq === 0
        ? { action: "truncate", afterBytes: 1_048_576, then: "drop" }
        : undefined;
    const url = await presignGet(s3, proxy.endpoint, KEY, 2);
    const r = await download({
      url,
      sink: await fileAt("expiring"),
      expectedBytes: body.length,
      signal: never,
      backoffMs: 2_500,
    });
    expect(r).toMatchObject({ ok: false, code: "expired" });
    expect(!r.ok && r.message).toMatch(/expired after [\d.]+ (KiB|MiB) of 3\.0 MiB/);
  });

  it("a badly signed URL is refused as such, not as expired", async () => {
    const url = (await presignGet(s3, proxy.endpoint, KEY)).replace(
      /X-Amz-Signature=[0-9a-f]{4}/,
      "X-Amz-Signature=0000",
    );
    const r = await download({ url, sink: await fileAt("bad"), expectedBytes: body.length, signal: never });
    expect(r).toMatchObject({ ok: false, code: "download" });
    expect(!r.ok && r.message).toMatch(/refused the download \(HTTP 403 SignatureDoesNotMatch\)/);
  });

  it("stops when aborted", async () => {
    faults = (_req, info) =>
      info.op === "GetObject" ? { action: "truncate", afterBytes: 100_000, then: "stall" } : undefined;
    const url = await presignGet(s3, proxy.endpoint, KEY);
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort("SIGINT"), 300);
    const r = await download({ url, sink: await fileAt("aborted"), expectedBytes: body.length, signal: ctrl.signal });
    expect(r).toMatchObject({ ok: false, code: "interrupted" });
  });
});
