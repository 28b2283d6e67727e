// Proves the Object Lock and versioning emulation (object-lock-emulation.ts) the retention tests stand on,
// with the real AWS SDK through the fault proxy in front of s3rver (which has neither: 501 NotImplemented).
import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, localS3Client, type LocalS3, startFaultProxy, startS3 } from "./index.js";

let s3: LocalS3;
const proxies: FaultProxy[] = [];
const clients: S3Client[] = [];

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const p of proxies) await p.stop();
  await s3?.stop();
});

async function emulated(o: { objectLock?: boolean; versioning?: boolean }) {
  const proxy = await startFaultProxy({ target: s3.endpoint, emulate: { bucket: s3.bucket, ...o } });
  proxies.push(proxy);
  const client = localS3Client({ ...s3, endpoint: proxy.endpoint });
  clients.push(client);
  return { proxy, client, e: proxy.emulation! };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      status: e.$metadata?.httpStatusCode,
    }),
  );

describe("the Object Lock emulation (s3rver lacks Object Lock)", () => {
  it("s3rver itself answers the lock operations 501 NotImplemented (without the emulation)", async () => {
    const proxy = await startFaultProxy({ target: s3.endpoint });
    proxies.push(proxy);
    const client = localS3Client({ ...s3, endpoint: proxy.endpoint });
    clients.push(client);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "plain/a", Body: "a" }));
    expect(await failure(client.send(new GetObjectRetentionCommand({ Bucket: s3.bucket, Key: "plain/a" })))).toEqual({
      name: "NotImplemented",
      status: 501,
    });
    expect(proxy.requests.map((r) => r.op)).toEqual(["PutObject", "GetObjectRetention"]);
  });

  it("keeps the retention of PutObject's lock headers and of PutObjectRetention, and answers GetObjectRetention with it", async () => {
    const { client, e } = await emulated({});
    const until = new Date(Date.now() + 86_400_000);
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: "lock/kit.json",
        Body: "{}",
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: until,
      }),
    );
    const r = await client.send(new GetObjectRetentionCommand({ Bucket: s3.bucket, Key: "lock/kit.json" }));
    expect(r.Retention?.Mode).toBe("GOVERNANCE");
    expect(r.Retention?.RetainUntilDate?.toISOString()).toBe(until.toISOString());

    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "lock/dump", Body: "d" }));
    expect(await failure(client.send(new GetObjectRetentionCommand({ Bucket: s3.bucket, Key: "lock/dump" })))).toEqual({
      name: "NoSuchObjectLockConfiguration",
      status: 404,
    });
    const later = new Date(Date.now() + 2 * 86_400_000);
    await client.send(
      new PutObjectRetentionCommand({
        Bucket: s3.bucket,
        Key: "lock/dump",
        Retention: { Mode: "COMPLIANCE", RetainUntilDate: later },
      }),
    );
    const d = await client.send(new GetObjectRetentionCommand({ Bucket: s3.bucket, Key: "lock/dump" }));
    expect(d.Retention).toEqual({ Mode: "COMPLIANCE", RetainUntilDate: later });
    expect(e.writes.map((w) => [w.key, w.via, w.mode, w.retainUntil])).toEqual([
      ["lock/kit.json", "PutObject", "GOVERNANCE", until.toISOString()],
      ["lock/dump", "PutObjectRetention", "COMPLIANCE", later.toISOString()],
    ]);
  });

  it("refuses to delete an object under retention or legal hold (403), and deletes it once both are gone", async () => {
    const { client, e } = await emulated({});
    const key = "lock/held";
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: key,
        Body: "x",
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: new Date(Date.now() + 60_000),
      }),
    );
    expect(await failure(client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key })))).toEqual({
      name: "AccessDenied",
      status: 403,
    });
    e.retention.set(key, { mode: "GOVERNANCE", retainUntil: new Date(Date.now() - 1000).toISOString() });
    await client.send(new PutObjectLegalHoldCommand({ Bucket: s3.bucket, Key: key, LegalHold: { Status: "ON" } }));
    expect((await client.send(new GetObjectLegalHoldCommand({ Bucket: s3.bucket, Key: key }))).LegalHold?.Status).toBe(
      "ON",
    );
    expect(await failure(client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key })))).toEqual({
      name: "AccessDenied",
      status: 403,
    });
    await client.send(new PutObjectLegalHoldCommand({ Bucket: s3.bucket, Key: key, LegalHold: { Status: "OFF" } }));
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));
    expect(await failure(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key })))).toMatchObject({
      status: 404,
    });
    expect(e.refusedDeletes).toEqual([
      { key, reason: "retention" },
      { key, reason: "legal-hold" },
    ]);
  });

  it("without an Object Lock configuration, answers the lock operations as S3 does: 400 InvalidRequest", async () => {
    const { client } = await emulated({ objectLock: false });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "nolock/a", Body: "a" }));
    expect(await failure(client.send(new GetObjectRetentionCommand({ Bucket: s3.bucket, Key: "nolock/a" })))).toEqual({
      name: "InvalidRequest",
      status: 400,
    });
    expect(await failure(client.send(new GetObjectLegalHoldCommand({ Bucket: s3.bucket, Key: "nolock/a" })))).toEqual({
      name: "InvalidRequest",
      status: 400,
    });
  });

  it("versioning: each write has a version id, HEAD names it, another version is 404, a delete without a version leaves a delete marker", async () => {
    const { client, e } = await emulated({ versioning: true });
    const put = await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "ver/a", Body: "one" }));
    expect(put.VersionId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: s3.bucket, Key: "ver/a", VersionId: put.VersionId }),
    );
    expect(head.VersionId).toBe(put.VersionId);
    const again = await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: "ver/a", Body: "two" }));
    expect(again.VersionId).not.toBe(put.VersionId);
    expect(
      await failure(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "ver/a", VersionId: put.VersionId }))),
    ).toMatchObject({ status: 404 });
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: "ver/a" }));
    expect(e.deleteMarkers.has("ver/a")).toBe(true);
    expect(await failure(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "ver/a" })))).toMatchObject({
      status: 404,
    });
    // The bytes are still there, under their version.
    const kept = await client.send(
      new HeadObjectCommand({ Bucket: s3.bucket, Key: "ver/a", VersionId: again.VersionId }),
    );
    expect(kept.ContentLength).toBe(3);
    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: "ver/a", VersionId: again.VersionId }));
    expect(
      await failure(
        client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: "ver/a", VersionId: again.VersionId })),
      ),
    ).toMatchObject({ status: 404 });
  });
});
