// Proves the local S3 the tests stand on: s3rver behind the fault proxy, with the real AWS SDK, including
// the multipart operations emulated over it (multipart-uploads.ts) and what it still lacks (local-s3.ts).
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, startS3, type FaultProxy, type LocalS3 } from "./index.js";

describe("s3rver behind the fault proxy, with the real AWS SDK", () => {
  let s3: LocalS3;
  let proxy: FaultProxy;
  let failedFirstPart = false;
  const client = (endpoint: string, overrides: Partial<S3ClientConfig> = {}) =>
    new S3Client({
      endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...overrides,
    });
  /** The directories s3rver keeps multipart uploads' parts in: one per upload, named by its id (multipart-uploads.ts). */
  const uploadDirs = (dir = s3.dir): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => (/^[0-9a-f]{32}$/.test(e.name) ? [join(dir, e.name)] : uploadDirs(join(dir, e.name))));
  beforeAll(async () => {
    s3 = await startS3();
    proxy = await startFaultProxy({
      target: s3.endpoint,
      rules: (_req, info) => {
        if (info.op !== "UploadPart" || failedFirstPart) return undefined;
        failedFirstPart = true;
        return { status: 503, code: "SlowDown", message: "Please reduce your request rate." };
      },
    });
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
  });

  it("does PutObject, GetObject, HeadObject and ListObjectsV2 with SigV4 checked", async () => {
    const c = client(proxy.endpoint);
    await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "small/a.txt", Body: "hello" }));
    const got = await c.send(new GetObjectCommand({ Bucket: s3.bucket, Key: "small/a.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello");
    expect((await c.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "small/a.txt" }))).ContentLength).toBe(5);
    const listed = await c.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "small/" }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["small/a.txt"]);
    const wrongKey = client(s3.endpoint, { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "wrong" } });
    await expect(wrongKey.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
    });
  });

  it("retries an UploadPart answered 503 SlowDown, and the object is complete", async () => {
    const body = Buffer.alloc(11 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(i, i);
    const upload = new Upload({
      client: client(proxy.endpoint),
      params: { Bucket: s3.bucket, Key: "big/dump.zst", Body: body },
      partSize: 5 * 1024 * 1024,
      queueSize: 1,
    });
    await upload.done();

    const parts = proxy.requestsOf("UploadPart");
    expect(parts.map((r) => r.outcome)).toEqual(["answered 503 SlowDown", "forwarded", "forwarded", "forwarded"]);
    expect(parts[1]!.query.partNumber).toBe(parts[0]!.query.partNumber);
    expect(parts[1]!.headers["amz-sdk-request"]).toMatch(/^attempt=2/);
    expect(proxy.requestsOf("CreateMultipartUpload")).toHaveLength(1);
    expect(proxy.requestsOf("CompleteMultipartUpload")).toHaveLength(1);
    expect(
      proxy.requests.every((r) => typeof r.at === "number" && r.headers.host === new URL(proxy.endpoint).host),
    ).toBe(true);

    const got = await client(s3.endpoint).send(new GetObjectCommand({ Bucket: s3.bucket, Key: "big/dump.zst" }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(bytes.length).toBe(body.length);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(createHash("sha256").update(body).digest("hex"));
  });

  it("does the multipart calls one by one; s3rver still lacks ListParts", async () => {
    const c = client(s3.endpoint);
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: "mp/one" }));
    const { ETag } = await c.send(
      new UploadPartCommand({ Bucket: s3.bucket, Key: "mp/one", UploadId, PartNumber: 1, Body: "part one" }),
    );
    await c.send(
      new CompleteMultipartUploadCommand({
        Bucket: s3.bucket,
        Key: "mp/one",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
      }),
    );
    expect((await c.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "mp/one" }))).ContentLength).toBe(8);
    // What local-s3.ts documents as unsupported: if s3rver gains it, update that comment.
    const second = await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: "mp/two" }));
    await expect(
      c.send(new ListPartsCommand({ Bucket: s3.bucket, Key: "mp/two", UploadId: second.UploadId })),
    ).rejects.toMatchObject({ name: "MethodNotAllowed" });
    const aborted = await c.send(
      new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: "mp/two", UploadId: second.UploadId }),
    );
    expect(aborted.$metadata.httpStatusCode).toBe(204);
  });

  it("emulates ListMultipartUploads and AbortMultipartUpload, and NoSuchUpload for uploads that are not open", async () => {
    const c = client(s3.endpoint);
    const openUploads = async (Prefix?: string) => {
      const page = await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix }));
      expect(page.IsTruncated).toBe(false);
      return (page.Uploads ?? []).map((u) => ({
        Key: u.Key,
        UploadId: u.UploadId,
        Initiated: u.Initiated,
        StorageClass: u.StorageClass,
      }));
    };
    expect(await openUploads()).toEqual([]);

    const before = Date.now();
    const a = await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: "jobs/a/base.tar.zst" }));
    const b = await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: "wal/b/000001.zst" }));
    const after = Date.now();
    const partA = await c.send(
      new UploadPartCommand({
        Bucket: s3.bucket,
        Key: "jobs/a/base.tar.zst",
        UploadId: a.UploadId,
        PartNumber: 1,
        Body: "part of a",
      }),
    );
    const partB = await c.send(
      new UploadPartCommand({
        Bucket: s3.bucket,
        Key: "wal/b/000001.zst",
        UploadId: b.UploadId,
        PartNumber: 1,
        Body: "part of b",
      }),
    );

    const all = await openUploads();
    expect(all).toEqual([
      { Key: "jobs/a/base.tar.zst", UploadId: a.UploadId, Initiated: expect.any(Date), StorageClass: "STANDARD" },
      { Key: "wal/b/000001.zst", UploadId: b.UploadId, Initiated: expect.any(Date), StorageClass: "STANDARD" },
    ]);
    for (const u of all) {
      // Initiated is the creation's time, to the millisecond.
      expect(u.Initiated!.getTime()).toBeGreaterThanOrEqual(before);
      expect(u.Initiated!.getTime()).toBeLessThanOrEqual(after);
    }
    expect(all[0]!.Initiated!.getTime()).toBeLessThanOrEqual(all[1]!.Initiated!.getTime());
    expect(await openUploads("jobs/")).toEqual([all[0]]);
    expect(await openUploads("wal/b/000001.zst")).toEqual([all[1]]);
    expect(await openUploads("nothing/")).toEqual([]);

    // Paging: one upload a page, with the markers of the last one.
    const first = await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, MaxUploads: 1 }));
    expect(first).toMatchObject({
      IsTruncated: true,
      MaxUploads: 1,
      NextKeyMarker: "jobs/a/base.tar.zst",
      NextUploadIdMarker: a.UploadId,
    });
    const second = await c.send(
      new ListMultipartUploadsCommand({
        Bucket: s3.bucket,
        MaxUploads: 1,
        KeyMarker: first.NextKeyMarker,
        UploadIdMarker: first.NextUploadIdMarker,
      }),
    );
    expect(second).toMatchObject({ IsTruncated: false, KeyMarker: "jobs/a/base.tar.zst", UploadIdMarker: a.UploadId });
    expect(second.Uploads?.map((u) => u.UploadId)).toEqual([b.UploadId]);

    // Abort a: 204, no longer listed, and its parts are gone from the server's directory.
    const dirOfA = uploadDirs().find((d) => d.endsWith(a.UploadId!));
    expect(dirOfA && readdirSync(dirOfA)).toContain("1");
    const aborted = await c.send(
      new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: "jobs/a/base.tar.zst", UploadId: a.UploadId }),
    );
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    expect(await openUploads()).toEqual([all[1]]);
    expect(existsSync(dirOfA!)).toBe(false);
    expect(uploadDirs().filter((d) => d.endsWith(a.UploadId!))).toEqual([]);

    // An aborted upload takes no parts and cannot be completed; aborting it again, or b under a's key, is NoSuchUpload.
    const noSuchUpload = { name: "NoSuchUpload", $metadata: expect.objectContaining({ httpStatusCode: 404 }) };
    await expect(
      c.send(
        new UploadPartCommand({
          Bucket: s3.bucket,
          Key: "jobs/a/base.tar.zst",
          UploadId: a.UploadId,
          PartNumber: 2,
          Body: "late",
        }),
      ),
    ).rejects.toMatchObject(noSuchUpload);
    await expect(
      c.send(
        new CompleteMultipartUploadCommand({
          Bucket: s3.bucket,
          Key: "jobs/a/base.tar.zst",
          UploadId: a.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: partA.ETag }] },
        }),
      ),
    ).rejects.toMatchObject(noSuchUpload);
    await expect(
      c.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: "jobs/a/base.tar.zst", UploadId: a.UploadId })),
    ).rejects.toMatchObject(noSuchUpload);
    await expect(
      c.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: "jobs/a/base.tar.zst", UploadId: b.UploadId })),
    ).rejects.toMatchObject(noSuchUpload);
    await expect(
      c.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "jobs/a/base.tar.zst" })),
    ).rejects.toMatchObject({ name: "NotFound" });
    expect(uploadDirs().filter((d) => d.endsWith(a.UploadId!))).toEqual([]);

    // Complete b: no upload is left open, the object is readable, and the id is then unknown.
    await c.send(
      new CompleteMultipartUploadCommand({
        Bucket: s3.bucket,
        Key: "wal/b/000001.zst",
        UploadId: b.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: partB.ETag }] },
      }),
    );
    expect(await openUploads()).toEqual([]);
    const got = await c.send(new GetObjectCommand({ Bucket: s3.bucket, Key: "wal/b/000001.zst" }));
    expect(await got.Body!.transformToString()).toBe("part of b");
    await expect(
      c.send(
        new UploadPartCommand({
          Bucket: s3.bucket,
          Key: "wal/b/000001.zst",
          UploadId: b.UploadId,
          PartNumber: 2,
          Body: "late",
        }),
      ),
    ).rejects.toMatchObject(noSuchUpload);
    expect(uploadDirs()).toEqual([]);
  });

  it("lists the uploads of one key in initiation order, and pages through them even past an aborted marker", async () => {
    const c = client(s3.endpoint);
    const create = async (Key: string) =>
      (await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key }))).UploadId!;
    const other = await create("same/a");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await create("same/k"));
    const expected = [other, ...ids];
    expect(
      (await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: "same/" }))).Uploads?.map(
        (u) => u.UploadId,
      ),
    ).toEqual(expected);

    const paged: string[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let pages = 1; ; pages++) {
      const page = await c.send(
        new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: "same/", MaxUploads: 2, ...markers }),
      );
      paged.push(...(page.Uploads ?? []).map((u) => u.UploadId!));
      // The runner may abort what it has seen before asking for the next page.
      if (pages === 2)
        await c.send(
          new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: "same/k", UploadId: page.NextUploadIdMarker }),
        );
      if (!page.IsTruncated) {
        expect(pages).toBe(3);
        break;
      }
      markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
    expect(paged).toEqual(expected);
    for (const u of (await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).Uploads ?? []) {
      await c.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: u.Key, UploadId: u.UploadId }));
    }
    expect((await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).Uploads).toBeUndefined();
  });

  it("checks signatures on the emulated operations as on the others", async () => {
    const c = client(s3.endpoint);
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: "signed/only" }));
    const unsigned = await fetch(`${s3.endpoint}/${s3.bucket}?uploads`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain("<Code>AccessDenied</Code>");
    const unsignedAbort = await fetch(`${s3.endpoint}/${s3.bucket}/signed/only?uploadId=${UploadId}`, {
      method: "DELETE",
    });
    expect(unsignedAbort.status).toBe(403);
    const wrongKey = client(s3.endpoint, { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "wrong" } });
    await expect(wrongKey.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
    });
    await expect(
      wrongKey.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: "signed/only", UploadId })),
    ).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
    });
    expect(
      (await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).Uploads?.map((u) => u.UploadId),
    ).toEqual([UploadId]);
    await c.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: "signed/only", UploadId }));
    expect((await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).Uploads).toBeUndefined();
  });

  it("leaves no open upload and no object when lib-storage's Upload body errors midway", async () => {
    const recorder = await startFaultProxy({ target: s3.endpoint });
    try {
      const part = 5 * 1024 * 1024;
      const partsStored = () => recorder.requestsOf("UploadPart").filter((r) => r.status === 200).length;
      let sent = 0;
      // 11 MiB (lib-storage cuts a part once it holds more than partSize), then, once both parts are
      // stored, the error a failing pg_dump gives its output stream.
      const body = new Readable({
        read() {
          if (sent <= 2 * part) {
            sent += 1024 * 1024;
            this.push(Buffer.alloc(1024 * 1024, sent / (1024 * 1024)));
            return;
          }
          const failOnceStored = () =>
            partsStored() >= 2
              ? this.destroy(new Error("pg_dump exited with status 1"))
              : setTimeout(failOnceStored, 10);
          failOnceStored();
        },
      });
      const upload = new Upload({
        client: client(recorder.endpoint),
        params: { Bucket: s3.bucket, Key: "broken/dump.zst", Body: body },
        partSize: part,
        queueSize: 1,
      });
      await expect(upload.done()).rejects.toThrow("pg_dump exited with status 1");

      expect(recorder.requestsOf("CreateMultipartUpload")).toHaveLength(1);
      expect(recorder.requestsOf("UploadPart").map((r) => [r.query.partNumber, r.status])).toEqual([
        ["1", 200],
        ["2", 200],
      ]);
      expect(recorder.requestsOf("AbortMultipartUpload").map((r) => r.status)).toEqual([204]);
      expect(recorder.requestsOf("CompleteMultipartUpload")).toEqual([]);
      const c = client(s3.endpoint);
      expect(
        (await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: "broken/" }))).Uploads,
      ).toBeUndefined();
      await expect(c.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "broken/dump.zst" }))).rejects.toMatchObject({
        name: "NotFound",
      });
      expect(uploadDirs()).toEqual([]);
    } finally {
      await recorder.stop();
    }
  });

  it("stalls and drops requests on demand", async () => {
    const stalling = await startFaultProxy({
      target: s3.endpoint,
      rules: (_req, info) =>
        info.op === "PutObject"
          ? info.path.endsWith("stall")
            ? { action: "stall" }
            : { action: "drop", afterBytes: 1024 }
          : undefined,
    });
    try {
      // requestTimeout only logs a warning unless throwOnRequestTimeout (SDK 3.1175).
      const c = client(stalling.endpoint, {
        maxAttempts: 1,
        requestHandler: { requestTimeout: 500, throwOnRequestTimeout: true },
      });
      await expect(c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "x/stall", Body: "abc" }))).rejects.toThrow();
      await expect(
        c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "x/drop", Body: Buffer.alloc(64 * 1024) })),
      ).rejects.toThrow();
      expect(stalling.requests.map((r) => r.outcome)).toEqual(["stalled", "dropped after 1024 bytes"]);
    } finally {
      await stalling.stop();
    }
  });
});
