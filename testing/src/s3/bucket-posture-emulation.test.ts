// Proves the bucket-posture emulation (bucket-posture-emulation.ts) the runner's posture tests stand on,
// with the real AWS SDK through the fault proxy in front of s3rver: what s3rver itself answers to the five
// reads, that the emulated answers parse as S3's, and that nothing else is touched.
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCESS_DENIED,
  bucketPostureEmulation,
  encryptionXml,
  type FaultProxy,
  lifecycleXml,
  localS3Client,
  type LocalS3,
  NOT_CONFIGURED,
  objectLockXml,
  publicAccessBlockXml,
  startFaultProxy,
  startS3,
  versioningXml,
} from "./index.js";

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

async function proxied(rules?: Parameters<typeof startFaultProxy>[0]["rules"]) {
  const proxy = await startFaultProxy({ target: s3.endpoint, ...(rules ? { rules } : {}) });
  proxies.push(proxy);
  const client = localS3Client({ ...s3, endpoint: proxy.endpoint });
  clients.push(client);
  return { proxy, client };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      status: e.$metadata?.httpStatusCode,
    }),
  );

describe("the bucket-posture emulation (s3rver lacks the five reads)", () => {
  it("s3rver itself answers four of them 501 and GetBucketVersioning with a bucket listing; the proxy names each", async () => {
    const { proxy, client } = await proxied();
    const Bucket = s3.bucket;
    for (const cmd of [
      new GetObjectLockConfigurationCommand({ Bucket }),
      new GetPublicAccessBlockCommand({ Bucket }),
      new GetBucketEncryptionCommand({ Bucket }),
      new GetBucketLifecycleConfigurationCommand({ Bucket }),
    ])
      expect(await failure(client.send(cmd as never))).toEqual({ name: "NotImplemented", status: 501 });
    // Its router does not know ?versioning: a 200 the SDK parses as "never enabled".
    expect((await client.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    expect(proxy.requests.map((r) => [r.op, r.status])).toEqual([
      ["GetObjectLockConfiguration", 501],
      ["GetPublicAccessBlock", 501],
      ["GetBucketEncryption", 501],
      ["GetBucketLifecycleConfiguration", 501],
      ["GetBucketVersioning", 200],
    ]);
  });

  it("answers each read with S3's XML, which the SDK parses; unanswered reads and everything else go to s3rver", async () => {
    const e = bucketPostureEmulation(s3.bucket, {
      GetBucketVersioning: versioningXml("Suspended"),
      GetObjectLockConfiguration: objectLockXml({ mode: "COMPLIANCE", years: 1 }),
      GetPublicAccessBlock: publicAccessBlockXml({ IgnorePublicAcls: false }),
      GetBucketEncryption: encryptionXml("aws:kms", "arn:aws:kms:us-east-1:111122223333:key/k"),
      GetBucketLifecycleConfiguration: lifecycleXml([
        { id: "a", prefix: "x/", expirationDays: 30 },
        { id: "b", status: "Disabled", noncurrentDays: 7 },
      ]),
    });
    const { proxy, client } = await proxied(e.rule);
    const Bucket = s3.bucket;
    expect((await client.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe("Suspended");
    expect((await client.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: "Enabled",
      Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: 1 } },
    });
    expect((await client.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const enc = await client.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe(
      "aws:kms",
    );
    const rules = (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules;
    expect(
      rules?.map((r) => [
        r.ID,
        r.Status,
        r.Filter?.Prefix,
        r.Expiration?.Days,
        r.NoncurrentVersionExpiration?.NoncurrentDays,
      ]),
    ).toEqual([
      ["a", "Enabled", "x/", 30, undefined],
      ["b", "Disabled", undefined, undefined, 7],
    ]);
    // Not configured, denied, and no answer (s3rver's 501).
    e.set({
      GetBucketEncryption: NOT_CONFIGURED.GetBucketEncryption,
      GetPublicAccessBlock: ACCESS_DENIED,
    });
    expect(await failure(client.send(new GetBucketEncryptionCommand({ Bucket })))).toEqual({
      name: "ServerSideEncryptionConfigurationNotFoundError",
      status: 404,
    });
    expect(await failure(client.send(new GetPublicAccessBlockCommand({ Bucket })))).toEqual({
      name: "AccessDenied",
      status: 403,
    });
    expect(await failure(client.send(new GetObjectLockConfigurationCommand({ Bucket })))).toEqual({
      name: "NotImplemented",
      status: 501,
    });
    // Objects and listings are s3rver's.
    await client.send(new PutObjectCommand({ Bucket, Key: "x/a", Body: "a" }));
    expect((await client.send(new ListObjectsV2Command({ Bucket, Prefix: "x/" }))).Contents?.map((c) => c.Key)).toEqual(
      ["x/a"],
    );
    expect(proxy.requests.slice(-2).map((r) => [r.op, r.outcome])).toEqual([
      ["PutObject", "forwarded"],
      ["ListObjectsV2", "forwarded"],
    ]);
  });
});
