// A local S3 for the runner's integration tests and the backup benchmark: @20minutes/s3rver 5.0.0
// in-process on loopback (it checks SigV4 signatures and presign expiry, which the original s3rver does
// not), and a fault proxy to put in front of it that fails, stalls or cuts chosen requests.
//
// Emulated here, inside s3rver's request handling, after its signature check (loadS3rver and
// multipartUploads below; s3rver 5.0.0 lacks them or gets them wrong). The runner's tests rely on these
// (the runner aborts failed uploads, lists and aborts those a crash left, and the tests assert that no
// open multipart upload remains), and runner/test/support.test.ts checks each against the AWS SDK:
//  - ListMultipartUploads (GET /bucket?uploads; s3rver: 501): the uploads created and neither completed
//    nor aborted, by key then initiation time, with Key, UploadId, Initiated, StorageClass STANDARD,
//    Owner/Initiator; prefix, max-uploads (≤ 1000), key-marker/upload-id-marker paging with IsTruncated
//    and NextKeyMarker/NextUploadIdMarker. delimiter and encoding-type are 501 NotImplemented.
//  - AbortMultipartUpload (DELETE /bucket/key?uploadId=; s3rver: 405): 204, and the upload's parts are
//    deleted from disk; an upload id that is not open under that key is 404 NoSuchUpload.
//  - UploadPart, UploadPartCopy and CompleteMultipartUpload for an upload id that is not open under that
//    key (unknown, aborted or completed; s3rver: 200 for a part, 500 or the wrong key for Complete):
//    404 NoSuchUpload. So an aborted upload can never be completed, and a completed one is not listed.
//  - Anonymous (unsigned) requests: 403 AccessDenied, as for a private bucket on S3 (s3rver serves them
//    all). Badly signed requests are refused by s3rver's own check (403 SignatureDoesNotMatch), which runs
//    before the emulation for every request.
//
// What s3rver 5.0.0 still does NOT do (checked with @aws-sdk/client-s3 3.1175 in runner/test/support.test.ts and
// lib/routes.js; the runner must not rely on these against it, and its tests must not assert them):
//  - ListParts (GET /bucket/key?uploadId=): 405 MethodNotAllowed.
//  - CompleteMultipartUpload checks neither the parts' ETags nor the 5 MiB minimum part size. Naming a part
//    that was never uploaded is not InvalidPart: s3rver's putObjectMultipart opens it unguarded, and the
//    ENOENT is an unhandled 'error' event that kills the process (seen with s3rver 5.0.0 and this file).
//    The object's ETag is the MD5 of the whole object, not S3's "<md5 of part md5s>-<part count>".
//  - No versioning, Object Lock, lifecycle, encryption or bucket policy (501 NotImplemented), and no
//    x-amz-checksum-* validation: configure clients with requestChecksumCalculation and
//    responseChecksumValidation "WHEN_REQUIRED".
// And one bug we patch here (loadS3rver): the SDK sends bucket-level requests (ListObjectsV2,
// ListMultipartUploads, DeleteObjects, GetBucketVersioning…) to "/<bucket>/" and signs that path, but
// s3rver recomputes the signature over "/<bucket>", so they all fail with 403 SignatureDoesNotMatch.
// Checked to work (with the patches): PutObject, GetObject, HeadObject, HeadBucket, DeleteObject,
// DeleteObjects, ListObjectsV2, CopyObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// ListMultipartUploads, AbortMultipartUpload, and lib-storage's Upload (including its abort on failure).
// Presigned URLs: its source checks SigV4 query signatures and X-Amz-Expires (lib/signature/v4.js); not
// exercised here (@aws-sdk/s3-request-presigner is not installed).
import { S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { readdir, readFile, rm, stat as fsStat, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const runnerRequire = createRequire(join(ROOT, "runner/package.json"));

let patched = false;

/**
 * s3rver, with two patches to its authentication middleware (lib/middleware/authentication.js), the one
 * module that lib/routes.js runs for every request before its operation routes:
 *  - its signature check is taught the trailing slash of bucket-level requests. It builds the canonical
 *    URI from the route params (`/${bucket}`), dropping the "/" the SDK signed; we hand it a bucket param
 *    that carries the slash for the check only, and restore it before the request goes on;
 *  - what runs once the check passed (its `next`) is ours first: a request that no valid signature
 *    vouches for is refused 403 AccessDenied, and the multipart operations s3rver lacks or gets wrong
 *    are answered by `multipartUploads` (below) before s3rver's routes see them.
 * This must happen before s3rver's routes load (they capture the middleware at load time).
 */
function loadS3rver() {
  if (!patched) {
    const resolveIn = (file) => runnerRequire.resolve(`@20minutes/s3rver/lib/${file}`);
    const authPath = resolveIn("middleware/authentication.js");
    if (runnerRequire.cache[resolveIn("routes.js")]) {
      throw new Error(
        "@20minutes/s3rver was loaded before bench/lib/s3.mjs could patch its signature check: start it through startS3() only",
      );
    }
    const authentication = runnerRequire(authPath);
    const cached = runnerRequire.cache[authPath];
    if (!cached) throw new Error(`cannot patch ${authPath}: it is not in require's cache`);
    const afterSignatureCheck = multipartUploads({
      S3Error: runnerRequire(resolveIn("models/error.js")),
      bucketCtrl: runnerRequire(resolveIn("controllers/bucket.js")),
      objectCtrl: runnerRequire(resolveIn("controllers/object.js")),
      account: runnerRequire(resolveIn("models/account.js")).DUMMY_ACCOUNT,
    });
    cached.exports = function patchedAuthentication() {
      const check = authentication();
      return (ctx, next) => {
        const bucket = ctx.params?.bucket;
        if (!bucket || ctx.params.key !== undefined || ctx.path !== `/${bucket}/`)
          return check(ctx, () => afterSignatureCheck(ctx, next));
        ctx.params.bucket = `${bucket}/`;
        return check(ctx, () => {
          ctx.params.bucket = bucket;
          return afterSignatureCheck(ctx, next);
        }).finally(() => {
          ctx.params.bucket = bucket;
        });
      };
    };
    patched = true;
  }
  return runnerRequire("@20minutes/s3rver");
}

/** s3rver's upload ids: crypto.randomBytes(16).toString("hex") (lib/controllers/object.js, initiateMultipartUpload). */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** S3's order of keys: by their UTF-8 bytes. */
const compareKeys = (a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/** The order of ListMultipartUploads: key, then initiation (then creation order within a millisecond), then id. */
const compareUploads = (a, b) =>
  compareKeys(a.key, b.key) ||
  a.initiatedMs - b.initiatedMs ||
  a.seq - b.seq ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Orders the uploads created in one millisecond (in this process). */
let initiations = 0;

/**
 * The Koa middleware that runs right after s3rver's signature check (see loadS3rver). s3rver's
 * FilesystemStore (lib/stores/filesystem.js) keeps an upload in `<dir>/<bucket>/._S3rver_uploads/<uploadId>/`:
 * initiateUpload writes `key` (the key) and `metadata` (the request's headers) there, putPart writes `<n>` and
 * `<n>.md5`, and putObjectMultipart (CompleteMultipartUpload) assembles the object and removes the directory.
 * So an upload is open exactly while its `key` file exists. s3rver records no initiation time (the files'
 * mtimes come from the kernel's coarse clock, a few ms off Date.now()), so after its CreateMultipartUpload
 * this middleware writes one there, `initiated` ("<Date.now()> <sequence>"; an upload without it, in the
 * instant before it is written, falls back to the `key` file's mtime).
 * This middleware answers, with S3's semantics:
 *  - ListMultipartUploads (GET /bucket?uploads): the open uploads, by key then initiation, with prefix,
 *    key-marker/upload-id-marker and max-uploads; delimiter and encoding-type are 501 NotImplemented;
 *  - AbortMultipartUpload (DELETE /bucket/key?uploadId=): 204, and the directory (parts) is removed;
 * and makes UploadPart (also UploadPartCopy) and CompleteMultipartUpload answer 404 NoSuchUpload when the
 * upload is not open under that key, before s3rver's controllers store a part or read the directory.
 * Unsigned requests are refused (403 AccessDenied); every other request goes on to s3rver's routes unchanged.
 */
function multipartUploads({ S3Error, bucketCtrl, objectCtrl, account }) {
  /** Per store: uploads completed or aborted ("bucket/id" → { key, initiatedMs, seq }), so that a marker naming one still places a page. */
  const goneByStore = new WeakMap();
  const goneOf = (store) => {
    let gone = goneByStore.get(store);
    if (!gone) goneByStore.set(store, (gone = new Map()));
    return gone;
  };
  const uploadsDir = (ctx, bucket) => ctx.store.getResourcePath(bucket, undefined, "uploads");

  /** The open upload `id` of `bucket`, or null. */
  async function openUpload(ctx, bucket, id) {
    if (!UPLOAD_ID.test(id)) return null;
    const dir = join(uploadsDir(ctx, bucket), id);
    try {
      const [key, stat, initiated] = await Promise.all([
        readFile(join(dir, "key"), "utf8"),
        fsStat(join(dir, "key")),
        readFile(join(dir, "initiated"), "utf8").catch(() => ""),
      ]);
      const [ms, seq] = initiated.split(" ").map(Number);
      return {
        id,
        key,
        initiatedMs: Number.isFinite(ms) ? ms : Math.floor(stat.mtimeMs),
        seq: Number.isFinite(seq) ? seq : 0,
        dir,
      };
    } catch (e) {
      if (e?.code === "ENOENT" || e?.code === "ENOTDIR") return null;
      throw e;
    }
  }

  async function openUploads(ctx, bucket) {
    let names;
    try {
      names = await readdir(uploadsDir(ctx, bucket));
    } catch (e) {
      if (e?.code === "ENOENT") return [];
      throw e;
    }
    const uploads = await Promise.all(names.map((id) => openUpload(ctx, bucket, id)));
    return uploads.filter((u) => u !== null).sort(compareUploads);
  }

  const noSuchUpload = (id) =>
    new S3Error(
      "NoSuchUpload",
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      { UploadId: id },
    );

  /** Reads and drops the request body (S3 reads it before answering an error; answering mid-body makes clients see a reset). */
  async function drain(ctx) {
    if (ctx.req.complete || ctx.req.readableEnded) return;
    ctx.req.resume();
    await new Promise((done) => {
      ctx.req.once("end", done);
      ctx.req.once("error", done);
      ctx.req.once("close", done);
    });
  }

  /** The open upload the request names under its key, or (after draining the body) 404 NoSuchUpload. */
  async function requireOpenUpload(ctx) {
    const id = String(ctx.query.uploadId ?? "");
    const upload = await openUpload(ctx, ctx.params.bucket, id);
    if (upload && upload.key === ctx.params.key) return upload;
    await drain(ctx);
    throw noSuchUpload(id);
  }

  function listMultipartUploads(ctx, uploads) {
    const q = ctx.query;
    const one = (name) => (Array.isArray(q[name]) ? q[name][0] : q[name]);
    for (const unsupported of ["delimiter", "encoding-type"]) {
      if (one(unsupported) !== undefined)
        throw new S3Error(
          "NotImplemented",
          `ListMultipartUploads with ${unsupported} is not emulated (bench/lib/s3.mjs)`,
        );
    }
    const prefix = one("prefix") ?? "";
    const keyMarker = one("key-marker") ?? "";
    // S3 ignores upload-id-marker without key-marker.
    const uploadIdMarker = keyMarker ? (one("upload-id-marker") ?? "") : "";
    let maxUploads = 1000;
    const rawMax = one("max-uploads");
    if (rawMax !== undefined) {
      if (!/^\d+$/.test(rawMax) || Number(rawMax) > 2147483647) {
        throw new S3Error("InvalidArgument", "Provided max-uploads not an integer or within integer range", {
          ArgumentName: "max-uploads",
          ArgumentValue: rawMax,
        });
      }
      maxUploads = Math.min(Number(rawMax), 1000);
    }
    // Where the page starts: after the upload the markers name (open, or gone since: its position is
    // known), else after every upload of key-marker whose id sorts at or before upload-id-marker.
    let after = () => true;
    if (keyMarker && !uploadIdMarker) after = (u) => compareKeys(u.key, keyMarker) > 0;
    else if (keyMarker) {
      const marker =
        uploads.find((u) => u.id === uploadIdMarker && u.key === keyMarker) ??
        goneOf(ctx.store).get(`${ctx.params.bucket}/${uploadIdMarker}`);
      after =
        marker && marker.key === keyMarker
          ? (u) => compareUploads(u, { ...marker, id: uploadIdMarker }) > 0
          : (u) => compareKeys(u.key, keyMarker) > 0 || (u.key === keyMarker && u.id > uploadIdMarker);
    }
    const matching = uploads.filter((u) => u.key.startsWith(prefix) && after(u));
    const page = matching.slice(0, maxUploads);
    const last = page.at(-1);
    const owner = { ID: account.id, DisplayName: account.displayName };
    ctx.body = {
      ListMultipartUploadsResult: {
        "@": { xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" },
        Bucket: ctx.params.bucket,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
        NextKeyMarker: last?.key ?? "",
        NextUploadIdMarker: last?.id ?? "",
        ...(one("prefix") !== undefined ? { Prefix: prefix } : {}),
        MaxUploads: maxUploads,
        IsTruncated: matching.length > page.length,
        Upload: page.map((u) => ({
          Key: u.key,
          UploadId: u.id,
          Initiator: owner,
          Owner: owner,
          StorageClass: "STANDARD",
          Initiated: new Date(u.initiatedMs).toISOString(),
        })),
      },
    };
  }

  return async function afterSignatureCheck(ctx, next) {
    if (!ctx.state.account && !ctx.state.website && ctx.method !== "OPTIONS") {
      // Unsigned (anonymous) requests: s3rver serves them; S3 refuses them on a private bucket.
      await drain(ctx);
      throw new S3Error("AccessDenied", "Access Denied");
    }
    const { bucket, key } = ctx.params ?? {};
    if (!bucket || ctx.state.website) return next();
    const q = ctx.query;
    const only = (name, methods) => name in q && !methods.some((m) => m !== name && m in q);

    if (key === undefined || key === "") {
      if (ctx.method !== "GET" || !only("uploads", bucketCtrl.METHODS)) return next();
      await bucketCtrl.bucketExists(ctx);
      return listMultipartUploads(ctx, await openUploads(ctx, bucket));
    }

    const objectMethods = objectCtrl.METHODS.concat(bucketCtrl.METHODS);
    if (ctx.method === "POST" && only("uploads", objectMethods)) {
      // CreateMultipartUpload: record when.
      const initiated = `${Date.now()} ${++initiations}`;
      await next();
      const id = ctx.body?.InitiateMultipartUploadResult?.UploadId;
      if (typeof id === "string" && UPLOAD_ID.test(id))
        await writeFile(join(uploadsDir(ctx, bucket), id, "initiated"), initiated);
      return;
    }
    if (!only("uploadId", objectMethods)) return next();
    const gone = goneOf(ctx.store);
    switch (ctx.method) {
      case "DELETE": {
        await bucketCtrl.bucketExists(ctx);
        const upload = await requireOpenUpload(ctx);
        gone.set(`${bucket}/${upload.id}`, upload);
        await rm(upload.dir, { recursive: true, force: true });
        ctx.status = 204;
        ctx.body = null;
        return;
      }
      case "PUT": {
        await bucketCtrl.bucketExists(ctx);
        const upload = await requireOpenUpload(ctx);
        await next();
        // Aborted (or completed) while the part was being stored: s3rver's putPart recreated the
        // directory for it; remove it again, and the part was for nothing, as on S3.
        if (!(await openUpload(ctx, bucket, upload.id))) {
          await rm(upload.dir, { recursive: true, force: true });
          throw noSuchUpload(upload.id);
        }
        return;
      }
      case "POST": {
        await bucketCtrl.bucketExists(ctx);
        const upload = await requireOpenUpload(ctx);
        await next();
        gone.set(`${bucket}/${upload.id}`, upload);
        return;
      }
      default:
        return next();
    }
  };
}

// The servers live in this process and die with it; their files should not outlive it either.
const liveDirs = new Set();
process.on("exit", () => {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});

/** s3rver's built-in account (lib/models/account.js): the only credentials it accepts. */
export const S3RVER_CREDENTIALS = Object.freeze({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });

/**
 * Starts s3rver on 127.0.0.1 (a free port) over a fresh temp dir, with `bucket` created.
 * @param {{ bucket?: string }} [options]
 */
export async function startS3({ bucket = "walwarden-test" } = {}) {
  const S3rver = loadS3rver();
  const dir = mkdtempSync(join(tmpdir(), "walwarden-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true, // it logs every request through winston otherwise
    directory: dir,
    vhostBuckets: false, // path style only: the runner uses forcePathStyle, and 127.0.0.1 has no subdomains
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  liveDirs.add(dir);
  let address;
  try {
    address = await server.run();
  } catch (e) {
    liveDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let stopped;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: "us-east-1",
    bucket,
    ...S3RVER_CREDENTIALS,
    dir,
    /** Closes the server (and its idle keep-alive connections) and removes its files. */
    stop: () =>
      (stopped ??= (async () => {
        server.httpServer?.closeAllConnections?.();
        await server.close().catch(() => {});
        liveDirs.delete(dir);
        rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      })()),
  };
}

/**
 * The S3 operation a request is, from its method and query (path-style URLs): enough to aim a fault at
 * "the first UploadPart" without parsing bodies.
 * @param {string} method
 * @param {string} path
 * @param {URLSearchParams} query
 */
export function s3Operation(method, path, query) {
  const hasKey = path.split("/").filter(Boolean).length > 1;
  if (!hasKey) {
    if (method === "GET")
      return query.has("uploads")
        ? "ListMultipartUploads"
        : query.get("list-type") === "2"
          ? "ListObjectsV2"
          : path === "/"
            ? "ListBuckets"
            : "ListObjects";
    if (method === "PUT") return "CreateBucket";
    if (method === "POST" && query.has("delete")) return "DeleteObjects";
    if (method === "HEAD") return "HeadBucket";
    return `${method} bucket`;
  }
  if (method === "POST" && query.has("uploads")) return "CreateMultipartUpload";
  if (method === "POST" && query.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "PUT" && query.has("uploadId")) return "UploadPart";
  if (method === "PUT" && query.has("retention")) return "PutObjectRetention";
  if (method === "DELETE" && query.has("uploadId")) return "AbortMultipartUpload";
  if (method === "GET" && query.has("uploadId")) return "ListParts";
  if (method === "PUT") return "PutObject";
  if (method === "GET") return "GetObject";
  if (method === "HEAD") return "HeadObject";
  if (method === "DELETE") return "DeleteObject";
  return `${method} object`;
}

function s3ErrorXml(code, message) {
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
 *  - `{ action: "truncate", afterBytes, then }`: forward, but pass only the first `afterBytes` bytes of
 *    the answer's body, then cut the connection (`then: "drop"`, the default) or send nothing more
 *    while keeping it open (`then: "stall"`): a download that breaks or hangs midway.
 * `info` is the request's record: `{ seq, op, method, path, query, headers, at }` (seq counts from 0).
 * @param {{ target: string, rules?: (req: import("node:http").IncomingMessage, info: any) => any }} options
 */
export async function startFaultProxy({ target, rules = () => undefined }) {
  const upstream = new URL(target);
  /** @type {any[]} */
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const query = url.searchParams;
    const info = {
      seq: requests.length,
      op: s3Operation(req.method ?? "GET", url.pathname, query),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(query),
      headers: { ...req.headers },
      at: Date.now(),
      outcome: "forwarded",
    };
    requests.push(info);
    let rule;
    try {
      rule = rules(req, info);
    } catch (e) {
      rule = {
        status: 500,
        code: "InternalError",
        message: `fault proxy rule threw: ${/** @type {Error} */ (e).message}`,
      };
    }
    if (!rule) return forward(req, res, info);
    if (rule.action === "truncate") {
      info.outcome = `truncated after ${rule.afterBytes} response bytes, then ${rule.then ?? "drop"}`;
      return forward(req, res, info, { afterBytes: rule.afterBytes, then: rule.then ?? "drop" });
    }
    if (rule.action === "delay") {
      info.outcome = `delayed ${rule.ms} ms`;
      req.pause();
      setTimeout(() => forward(req, res, info), rule.ms);
      return;
    }
    if (rule.action === "drop") {
      const after = rule.afterBytes ?? 0;
      info.outcome = `dropped after ${after} bytes`;
      let seen = 0;
      const cut = () => req.socket.destroy();
      if (after <= 0) return cut();
      req.on("data", (chunk) => {
        seen += chunk.length;
        if (seen >= after) cut();
      });
      req.on("end", cut);
      return;
    }
    if (rule.action === "respond") {
      // Emulates an operation the local server lacks (PutObjectRetention: s3rver has no Object Lock).
      info.outcome = `emulated ${rule.status ?? 200}`;
      req.resume();
      req.on("end", () =>
        res.writeHead(rule.status ?? 200, { "content-length": 0, "x-amz-request-id": "FAULTPROXY" }).end(),
      );
      return;
    }
    if (rule.action === "stall") {
      info.outcome = "stalled";
      req.resume();
      return;
    }
    const status = rule.status ?? 500;
    const code = rule.code ?? "InternalError";
    info.outcome = `answered ${status} ${code}`;
    req.resume();
    req.on("end", () => {
      const body = s3ErrorXml(code, rule.message ?? "injected by the fault proxy");
      res.writeHead(status, {
        "content-type": "application/xml",
        "content-length": Buffer.byteLength(body),
        "x-amz-request-id": "FAULTPROXY",
      });
      res.end(body);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  function forward(req, res, info, truncate) {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        info.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.on("error", () => res.destroy());
        if (!truncate) return void up.pipe(res);
        let left = truncate.afterBytes;
        up.on("data", (chunk) => {
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

  await new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done(undefined));
  });
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  let stopped;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    /** The recorded requests of one S3 operation (e.g. "UploadPart"). @param {string} op */
    requestsOf: (op) => requests.filter((r) => r.op === op),
    /** Closes the proxy, cutting stalled and open connections. */
    stop: () =>
      (stopped ??= new Promise((done) => {
        server.close(() => done(undefined));
        for (const s of sockets) s.destroy();
      })),
  };
}

/**
 * An AWS SDK client for a local S3 started by startS3 (directly, not through a proxy): path-style, its
 * credentials, and checksums only where required (s3rver does not know the newer checksum headers).
 * @param {{ region: string, endpoint: string, accessKeyId: string, secretAccessKey: string }} local
 */
export function localS3Client(local) {
  return new S3Client({
    region: local.region,
    endpoint: local.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: local.accessKeyId, secretAccessKey: local.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
