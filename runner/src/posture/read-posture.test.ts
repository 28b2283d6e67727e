// The runner's read of its bucket's posture (SPEC §12) with its own S3 client, against the real local S3
// (s3rver: it implements none of the five reads, so every part is unknown) and, where the test name says
// "(emulated: s3rver lacks it)", through the fault proxy answering those GET APIs with the XML S3 answers
// (testing/src/s3/bucket-posture-emulation.ts); everything else still goes to s3rver.
import { PassThrough } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  ACCESS_DENIED,
  bucketPostureEmulation,
  type BucketPostureEmulation,
  encryptionXml,
  type FaultProxy,
  lifecycleXml,
  type LocalS3,
  NOT_CONFIGURED,
  objectLockXml,
  publicAccessBlockXml,
  startFaultProxy,
  startS3,
  versioningXml,
} from "@walwarden/testing/s3";
import { BucketPostureSchema, postureWorsening } from "@walwarden/verifier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BucketConfigSchema } from "../config/schema.js";
import { createLogger } from "../log/logger.js";
import { makeS3Client } from "../s3/s3-client.js";
import { readBucketPosture } from "./read-posture.js";

const BUCKET = "acme-backups";
const PREFIX = "walwarden";
const OPS = [
  "GetBucketVersioning",
  "GetObjectLockConfiguration",
  "GetPublicAccessBlock",
  "GetBucketEncryption",
  "GetBucketLifecycleConfiguration",
];

let s3: LocalS3;
let plain: FaultProxy;
let emulated: FaultProxy;
let emulation: BucketPostureEmulation;
const clients: S3Client[] = [];
const lines: Record<string, unknown>[] = [];
const out = new PassThrough().on("data", (b: Buffer) => {
  for (const l of b.toString("utf8").split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
});

beforeAll(async () => {
  s3 = await startS3({ bucket: BUCKET });
  plain = await startFaultProxy({ target: s3.endpoint });
  emulation = bucketPostureEmulation(BUCKET);
  emulated = await startFaultProxy({ target: s3.endpoint, rules: emulation.rule });
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  await plain?.stop();
  await emulated?.stop();
  await s3?.stop();
});

/** The runner's S3 client for the bucket at `endpoint`, as its config makes it. */
function client(endpoint: string): S3Client {
  const c = makeS3Client(
    BucketConfigSchema.parse({
      bucket: BUCKET,
      region: s3.region,
      endpoint,
      forcePathStyle: true,
      prefix: PREFIX,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    }),
  );
  clients.push(c);
  return c;
}

/** Reads the posture through the emulating proxy with these answers (a logger capturing its lines). */
async function readWith(answers: Parameters<BucketPostureEmulation["set"]>[0], prefix = PREFIX) {
  emulation.set(answers);
  const mark = lines.length;
  const log = createLogger("info", out, [s3.secretAccessKey]);
  const reading = await readBucketPosture(
    client(emulated.endpoint),
    { bucket: BUCKET, prefix },
    {
      log,
      secrets: [s3.secretAccessKey],
    },
  );
  log.flush();
  await new Promise((r) => setImmediate(r));
  expect(BucketPostureSchema.safeParse(reading.posture).success).toBe(true);
  return { ...reading, lines: lines.slice(mark) };
}

/** Every part configured, as a well-kept bucket answers. */
const GOOD = {
  GetBucketVersioning: versioningXml("Enabled"),
  GetObjectLockConfiguration: objectLockXml({ mode: "COMPLIANCE", days: 30 }),
  GetPublicAccessBlock: publicAccessBlockXml(),
  GetBucketEncryption: encryptionXml("AES256"),
  GetBucketLifecycleConfiguration: NOT_CONFIGURED.GetBucketLifecycleConfiguration,
};

describe("the bucket's posture", () => {
  it("against the real local S3 (s3rver, which implements none of the five): every part unknown, one request each, no retry, no warning", async () => {
    const mark = lines.length;
    const direct = await readBucketPosture(
      client(s3.endpoint),
      { bucket: BUCKET, prefix: PREFIX },
      {
        log: createLogger("info", out),
      },
    );
    expect(direct.posture).toEqual({
      bucket: BUCKET,
      versioning: "unknown",
      objectLock: "unknown",
      publicAccess: "unknown",
      encryption: "unknown",
      lifecycle: "unknown",
    });
    expect(Object.values(direct.unknown).map((u) => u.why)).toEqual(Array(5).fill("unsupported"));
    expect(direct.unknown.objectLock?.detail).toMatch(
      /^the store does not implement GetObjectLockConfiguration \(GetObjectLockConfiguration: 501 NotImplemented: /,
    );
    // s3rver's router does not know ?versioning and lists the bucket: not taken for "versioning off".
    expect(direct.unknown.versioning?.detail).toMatch(/answered <ListBucketResult>, not a VersioningConfiguration/);
    expect(lines.slice(mark).filter((l) => l.level === "warn")).toEqual([]);

    // The same through a proxy that only forwards and records: each read once, s3rver's own answers.
    const m = plain.requests.length;
    const proxied = await readBucketPosture(client(plain.endpoint), { bucket: BUCKET, prefix: PREFIX });
    expect(proxied.posture).toEqual(direct.posture);
    const seen = plain.requests.slice(m);
    expect(seen.map((r) => r.op).sort()).toEqual([...OPS].sort());
    expect(Object.fromEntries(seen.map((r) => [r.op, r.status]))).toEqual({
      GetBucketVersioning: 200,
      GetObjectLockConfiguration: 501,
      GetPublicAccessBlock: 501,
      GetBucketEncryption: 501,
      GetBucketLifecycleConfiguration: 501,
    });
  });

  it("versioning Enabled, Suspended, and never enabled (emulated: s3rver lacks it)", async () => {
    const cases = [
      [versioningXml("Enabled"), "enabled"],
      [versioningXml("Suspended"), "suspended"],
      [versioningXml(), "off"],
    ] as const;
    for (const [xml, want] of cases) {
      const r = await readWith({ ...GOOD, GetBucketVersioning: xml });
      expect(r.posture.versioning).toBe(want);
      expect(r.unknown).toEqual({});
    }
  });

  it("Object Lock with a default retention in Days, in Years (×365), without one, and not configured (emulated: s3rver lacks it)", async () => {
    const cases = [
      [objectLockXml({ mode: "GOVERNANCE", days: 30 }), { enabled: true, defaultMode: "GOVERNANCE", defaultDays: 30 }],
      [objectLockXml({ mode: "COMPLIANCE", years: 2 }), { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 730 }],
      [objectLockXml(), { enabled: true, defaultMode: null, defaultDays: null }],
      [NOT_CONFIGURED.GetObjectLockConfiguration, { enabled: false, defaultMode: null, defaultDays: null }],
    ] as const;
    for (const [answer, want] of cases) {
      const r = await readWith({ ...GOOD, GetObjectLockConfiguration: answer });
      expect(r.posture.objectLock).toEqual(want);
    }
  });

  it("the public access block: all four on is blocked, one off is open, none set is open (emulated: s3rver lacks it)", async () => {
    expect((await readWith({ ...GOOD, GetPublicAccessBlock: publicAccessBlockXml() })).posture.publicAccess).toBe(
      "blocked",
    );
    for (const off of ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]) {
      const r = await readWith({ ...GOOD, GetPublicAccessBlock: publicAccessBlockXml({ [off]: false }) });
      expect(r.posture.publicAccess, off).toBe("open");
    }
    const none = await readWith({ ...GOOD, GetPublicAccessBlock: NOT_CONFIGURED.GetPublicAccessBlock });
    expect(none.posture.publicAccess).toBe("open");
    expect(none.unknown).toEqual({});
  });

  it("default encryption aws:kms, AES256, and none configured (emulated: s3rver lacks it)", async () => {
    const kms = encryptionXml("aws:kms", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    expect((await readWith({ ...GOOD, GetBucketEncryption: kms })).posture.encryption).toBe("aws:kms");
    expect((await readWith({ ...GOOD, GetBucketEncryption: encryptionXml("AES256") })).posture.encryption).toBe(
      "AES256",
    );
    const none = await readWith({ ...GOOD, GetBucketEncryption: NOT_CONFIGURED.GetBucketEncryption });
    expect(none.posture.encryption).toBe("none");
  });

  it("lifecycle: the enabled rules that expire current or noncurrent objects under the prefix, with their days (emulated: s3rver lacks it)", async () => {
    const r = await readWith({
      ...GOOD,
      GetBucketLifecycleConfiguration: lifecycleXml([
        { id: "expire-backups", prefix: "walwarden/", expirationDays: 30 },
        { id: "expire-logs", prefix: "logs/", expirationDays: 1 },
        { id: "was-on", status: "Disabled", expirationDays: 2 },
        { id: "old-versions", noncurrentDays: 7 },
      ]),
    });
    expect(r.posture.lifecycle).toEqual([
      { id: "expire-backups", days: 30 },
      { id: "old-versions", days: 7 },
    ]);
    const none = await readWith({
      ...GOOD,
      GetBucketLifecycleConfiguration: NOT_CONFIGURED.GetBucketLifecycleConfiguration,
    });
    expect(none.posture.lifecycle).toEqual([]);
    expect(none.unknown).toEqual({});
  });

  it("lifecycle: which filters cover the prefix, what counts as deleting, the soonest days of a rule (emulated: s3rver lacks it)", async () => {
    const r = await readWith({
      ...GOOD,
      GetBucketLifecycleConfiguration: lifecycleXml([
        { id: "one-database", prefix: "walwarden/db_main/", expirationDays: 10 },
        { id: "sibling", prefix: "walwarden-archive/", expirationDays: 2 },
        { id: "legacy-form", legacyPrefix: "wal", expirationDays: 60 },
        { id: "tagged", prefix: "walwarden/", tag: { key: "tier", value: "scratch" }, expirationDays: 3 },
        { id: "both", expirationDays: 90, noncurrentDays: 1 },
        { id: "on-a-date", expirationDate: "2031-01-01T00:00:00.000Z" },
        { id: "abort-uploads", abortMultipartDays: 1 },
        { id: "to-glacier", transitionDays: 30 },
      ]),
    });
    expect(r.posture.lifecycle).toEqual([
      { id: "one-database", days: 10 },
      { id: "legacy-form", days: 60 },
      { id: "tagged", days: 3 },
      { id: "both", days: 1 },
      { id: "on-a-date", days: 0 },
    ]);
    // A runner writing at the bucket's root is covered by every rule that deletes.
    const root = await readWith(
      {
        ...GOOD,
        GetBucketLifecycleConfiguration: lifecycleXml([
          { id: "expire-logs", prefix: "logs/", expirationDays: 1 },
          { id: "abort-uploads", abortMultipartDays: 1 },
        ]),
      },
      "",
    );
    expect(root.posture.lifecycle).toEqual([{ id: "expire-logs", days: 1 }]);
  });

  it("lifecycle: at most 1,000 rules, as the schema allows (emulated: s3rver lacks it)", async () => {
    const rules = Array.from({ length: 1200 }, (_, i) => ({ id: `rule-${i}`, expirationDays: 400 + i }));
    const r = await readWith({ ...GOOD, GetBucketLifecycleConfiguration: lifecycleXml(rules) });
    const got = r.posture.lifecycle;
    expect(got !== "unknown" && got.length).toBe(1000);
    expect(got !== "unknown" && got.at(-1)).toEqual({ id: "rule-999", days: 1399 });
  });

  it("AccessDenied to every read: each part unknown, naming the permission, without a warning (emulated: s3rver lacks it)", async () => {
    const r = await readWith(Object.fromEntries(OPS.map((op) => [op, ACCESS_DENIED])));
    expect(r.posture).toEqual({
      bucket: BUCKET,
      versioning: "unknown",
      objectLock: "unknown",
      publicAccess: "unknown",
      encryption: "unknown",
      lifecycle: "unknown",
    });
    expect(Object.values(r.unknown).map((u) => u.why)).toEqual(Array(5).fill("denied"));
    expect(r.unknown.objectLock?.detail).toMatch(
      /^the credentials may not read it \(s3:GetBucketObjectLockConfiguration; GetObjectLockConfiguration: 403 AccessDenied/,
    );
    expect(r.unknown.encryption?.detail).toMatch(/s3:GetEncryptionConfiguration/);
    expect(r.lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("any other error: that part unknown and one warning line, with no credential or presigned URL in it (emulated: s3rver lacks it)", async () => {
    const presigned = `https://${BUCKET}.s3.amazonaws.com/walwarden/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0`;
    const r = await readWith({
      ...GOOD,
      GetBucketEncryption: {
        status: 400,
        code: "InvalidRequest",
        message: `cannot read ${presigned} with secret ${s3.secretAccessKey}`,
      },
    });
    expect(r.posture).toMatchObject({ versioning: "enabled", publicAccess: "blocked", encryption: "unknown" });
    expect(r.unknown.encryption?.why).toBe("failed");
    const warnings = r.lines.filter((l) => l.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ event: "posture.read_failed", part: "encryption", bucket: BUCKET });
    expect(String(warnings[0]!.reason)).toMatch(/^GetBucketEncryption: 400 InvalidRequest: cannot read https:/);
    for (const text of [JSON.stringify(warnings[0]), r.unknown.encryption!.detail])
      for (const leaked of [s3.secretAccessKey, "0f1e2d3c4b5a6978", "AKIAIOSFODNN7EXAMPLE"])
        expect(text).not.toContain(leaked);
  });

  it("a worse posture read later is what postureWorsening reports (emulated: s3rver lacks it)", async () => {
    const before = await readWith(GOOD);
    expect(before.posture).toEqual({
      bucket: BUCKET,
      versioning: "enabled",
      objectLock: { enabled: true, defaultMode: "COMPLIANCE", defaultDays: 30 },
      publicAccess: "blocked",
      encryption: "AES256",
      lifecycle: [],
    });
    const after = await readWith({
      GetBucketVersioning: versioningXml("Suspended"),
      GetObjectLockConfiguration: objectLockXml({ mode: "COMPLIANCE", days: 7 }),
      GetPublicAccessBlock: publicAccessBlockXml({ RestrictPublicBuckets: false }),
      GetBucketEncryption: NOT_CONFIGURED.GetBucketEncryption,
      GetBucketLifecycleConfiguration: lifecycleXml([
        { id: "expire-backups", prefix: "walwarden/", expirationDays: 30 },
      ]),
    });
    expect(postureWorsening(before.posture, after.posture, 90)).toEqual([
      "versioning suspended",
      "default retention cut from 30 to 7 days",
      "public access allowed",
      "default encryption removed",
      'lifecycle rule "expire-backups" deletes objects after 30 days, before the policy does',
    ]);
  });
});
