// The multipart operations s3rver 5.0.0 lacks or gets wrong, emulated with S3's semantics inside its
// request handling, after its signature check (s3rver.ts installs this). The runner relies on them (it
// aborts failed uploads, lists and aborts those a crash left, and its tests assert that no open multipart
// upload remains); src/s3/local-s3.test.ts checks each against the AWS SDK:
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
//    before this for every request.
//
// How: s3rver's FilesystemStore (lib/stores/filesystem.js) keeps an upload in
// `<dir>/<bucket>/._S3rver_uploads/<uploadId>/`: initiateUpload writes `key` (the key) and `metadata` there,
// putPart writes `<n>` and `<n>.md5`, and putObjectMultipart (CompleteMultipartUpload) assembles the object
// and removes the directory. So an upload is open exactly while its `key` file exists. s3rver records no
// initiation time (the files' mtimes come from the kernel's coarse clock, a few ms off Date.now()), so
// after its CreateMultipartUpload we write one there, `initiated` ("<Date.now()> <sequence>"; an upload
// without it, in the instant before it is written, falls back to the `key` file's mtime).
import { readdir, readFile, rm, stat as fsStat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  S3ErrorClass,
  S3rverAccount,
  S3rverContext,
  S3rverControllers,
  S3rverMiddleware,
} from "./s3rver-types.js";

/** s3rver's upload ids: crypto.randomBytes(16).toString("hex") (lib/controllers/object.js, initiateMultipartUpload). */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** An upload's place in ListMultipartUploads' order. */
interface UploadPosition {
  key: string;
  initiatedMs: number;
  seq: number;
}

/** An open upload. */
interface OpenUpload extends UploadPosition {
  id: string;
  dir: string;
}

/** S3's order of keys: by their UTF-8 bytes. */
const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/** The order of ListMultipartUploads: key, then initiation (then creation order within a millisecond), then id. */
const compareUploads = (a: UploadPosition & { id: string }, b: UploadPosition & { id: string }) =>
  compareKeys(a.key, b.key) ||
  a.initiatedMs - b.initiatedMs ||
  a.seq - b.seq ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Orders the uploads created in one millisecond (in this process). */
let initiations = 0;

const errorCode = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;

/**
 * The Koa middleware that runs right after s3rver's signature check: answers ListMultipartUploads and
 * AbortMultipartUpload, makes UploadPart (also UploadPartCopy) and CompleteMultipartUpload answer 404
 * NoSuchUpload when the upload is not open under that key (before s3rver's controllers store a part or read
 * the directory), refuses unsigned requests (403 AccessDenied), and passes every other request on to
 * s3rver's routes unchanged.
 */
export function multipartUploads({
  S3Error,
  bucketCtrl,
  objectCtrl,
  account,
}: S3rverControllers & { S3Error: S3ErrorClass; account: S3rverAccount }): S3rverMiddleware {
  /** Per store: uploads completed or aborted ("bucket/id" → position), so that a marker naming one still places a page. */
  const goneByStore = new WeakMap<object, Map<string, UploadPosition>>();
  const goneOf = (store: object) => {
    let gone = goneByStore.get(store);
    if (!gone) goneByStore.set(store, (gone = new Map()));
    return gone;
  };
  const uploadsDir = (ctx: S3rverContext, bucket: string) => ctx.store.getResourcePath(bucket, undefined, "uploads");

  /** The open upload `id` of `bucket`, or null. */
  async function openUpload(ctx: S3rverContext, bucket: string, id: string): Promise<OpenUpload | null> {
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
        initiatedMs: Number.isFinite(ms) ? ms! : Math.floor(stat.mtimeMs),
        seq: Number.isFinite(seq) ? seq! : 0,
        dir,
      };
    } catch (e) {
      if (errorCode(e) === "ENOENT" || errorCode(e) === "ENOTDIR") return null;
      throw e;
    }
  }

  async function openUploads(ctx: S3rverContext, bucket: string): Promise<OpenUpload[]> {
    let names: string[];
    try {
      names = await readdir(uploadsDir(ctx, bucket));
    } catch (e) {
      if (errorCode(e) === "ENOENT") return [];
      throw e;
    }
    const uploads = await Promise.all(names.map((id) => openUpload(ctx, bucket, id)));
    return uploads.filter((u): u is OpenUpload => u !== null).sort(compareUploads);
  }

  const noSuchUpload = (id: string) =>
    new S3Error(
      "NoSuchUpload",
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      { UploadId: id },
    );

  /** Reads and drops the request body (S3 reads it before answering an error; answering mid-body makes clients see a reset). */
  async function drain(ctx: S3rverContext): Promise<void> {
    if (ctx.req.complete || ctx.req.readableEnded) return;
    ctx.req.resume();
    await new Promise((done) => {
      ctx.req.once("end", done);
      ctx.req.once("error", done);
      ctx.req.once("close", done);
    });
  }

  /** The open upload the request names under its key, or (after draining the body) 404 NoSuchUpload. */
  async function requireOpenUpload(ctx: S3rverContext, bucket: string): Promise<OpenUpload> {
    const id = String(ctx.query.uploadId ?? "");
    const upload = await openUpload(ctx, bucket, id);
    if (upload && upload.key === ctx.params?.key) return upload;
    await drain(ctx);
    throw noSuchUpload(id);
  }

  function listMultipartUploads(ctx: S3rverContext, bucket: string, uploads: OpenUpload[]): void {
    const q = ctx.query;
    const one = (name: string) => {
      const v = q[name];
      return Array.isArray(v) ? v[0] : v;
    };
    for (const unsupported of ["delimiter", "encoding-type"]) {
      if (one(unsupported) !== undefined)
        throw new S3Error(
          "NotImplemented",
          `ListMultipartUploads with ${unsupported} is not emulated (@walwarden/testing/s3)`,
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
    let after = (_u: OpenUpload) => true;
    if (keyMarker && !uploadIdMarker) after = (u) => compareKeys(u.key, keyMarker) > 0;
    else if (keyMarker) {
      const marker =
        uploads.find((u) => u.id === uploadIdMarker && u.key === keyMarker) ??
        goneOf(ctx.store).get(`${bucket}/${uploadIdMarker}`);
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
        Bucket: bucket,
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
    const only = (name: string, methods: string[]) => name in q && !methods.some((m) => m !== name && m in q);

    if (key === undefined || key === "") {
      if (ctx.method !== "GET" || !only("uploads", bucketCtrl.METHODS)) return next();
      await bucketCtrl.bucketExists(ctx);
      return listMultipartUploads(ctx, bucket, await openUploads(ctx, bucket));
    }

    const objectMethods = objectCtrl.METHODS.concat(bucketCtrl.METHODS);
    if (ctx.method === "POST" && only("uploads", objectMethods)) {
      // CreateMultipartUpload: record when.
      const initiated = `${Date.now()} ${++initiations}`;
      await next();
      const id = (ctx.body as { InitiateMultipartUploadResult?: { UploadId?: unknown } } | undefined)
        ?.InitiateMultipartUploadResult?.UploadId;
      if (typeof id === "string" && UPLOAD_ID.test(id))
        await writeFile(join(uploadsDir(ctx, bucket), id, "initiated"), initiated);
      return;
    }
    if (!only("uploadId", objectMethods)) return next();
    const gone = goneOf(ctx.store);
    switch (ctx.method) {
      case "DELETE": {
        await bucketCtrl.bucketExists(ctx);
        const upload = await requireOpenUpload(ctx, bucket);
        gone.set(`${bucket}/${upload.id}`, upload);
        await rm(upload.dir, { recursive: true, force: true });
        ctx.status = 204;
        ctx.body = null;
        return;
      }
      case "PUT": {
        await bucketCtrl.bucketExists(ctx);
        const upload = await requireOpenUpload(ctx, bucket);
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
        const upload = await requireOpenUpload(ctx, bucket);
        await next();
        gone.set(`${bucket}/${upload.id}`, upload);
        return;
      }
      default:
        return next();
    }
  };
}
