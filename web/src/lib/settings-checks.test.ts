import { BucketCredentialRequestSchema } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import { bucketFormOf, EMPTY_TOKEN, EMPTY_USER } from "./settings.js";
import { checkBucket, checkToken, checkUser } from "./settings-checks.js";

describe("the user form, checked with CreateUserRequestSchema", () => {
  it("places each problem at its field", () => {
    const r = checkUser({ ...EMPTY_USER, email: "bob", password: "short" });
    expect(r).toEqual({
      ok: false,
      problems: { email: "Not an email address, e.g. name@example.com.", password: "Use at least 12 characters." },
    });
  });

  it("sends the email trimmed and lower-cased (as the API keeps it), the password exactly as typed", () => {
    expect(checkUser({ email: " Bob@Acme.TEST ", password: " twelve chars ok ", role: "operator" })).toEqual({
      ok: true,
      body: { email: "bob@acme.test", password: " twelve chars ok ", role: "operator" },
    });
  });
});

describe("the token form, checked with CreateTokenRequestSchema", () => {
  it("needs a name of one line", () => {
    expect(checkToken(EMPTY_TOKEN)).toEqual({ ok: false, problems: { name: "Required." } });
    expect(checkToken({ ...EMPTY_TOKEN, name: "   " })).toEqual({ ok: false, problems: { name: "Required." } });
    expect(checkToken({ name: "a\nb", role: "viewer" })).toEqual({
      ok: false,
      problems: { name: "Must not contain control characters or line breaks." },
    });
    expect(checkToken({ name: "x".repeat(201), role: "viewer" })).toEqual({
      ok: false,
      problems: { name: "At most 200 characters." },
    });
  });

  it("sends the name trimmed", () => {
    expect(checkToken({ name: " CI export ", role: "admin" })).toEqual({
      ok: true,
      body: { name: "CI export", role: "admin" },
    });
  });
});

describe("the bucket form, checked with the Worker's bucket name and BucketCredentialRequestSchema", () => {
  const good = { ...bucketFormOf(), bucket: "acme-backups", accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" };

  it("places each problem at its field, the bucket name too", () => {
    const r = checkBucket({ ...bucketFormOf(), bucket: "Acme", endpoint: "not a url", region: "eu\tnorth" });
    expect(r).toEqual({
      ok: false,
      problems: {
        bucket: "Not an S3 bucket name: lower-case letters only.",
        endpoint: "Not a URL: give the whole address, e.g. https://s3.eu-north-1.amazonaws.com.",
        region: "Must not contain control characters or line breaks.",
        accessKeyId: "Required.",
        secretAccessKey: "Required.",
      },
    });
  });

  it("sends what the API would store: the default region, no endpoint for AWS", () => {
    const r = checkBucket(good);
    expect(r).toEqual({
      ok: true,
      body: {
        bucket: "acme-backups",
        body: { region: "us-east-1", forcePathStyle: false, accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" },
      },
    });
    if (r.ok) expect(BucketCredentialRequestSchema.parse(r.body.body)).toEqual(r.body.body);
  });

  it("keeps an R2 endpoint, its region and path style", () => {
    const r = checkBucket({
      ...good,
      endpoint: "https://acc.r2.cloudflarestorage.com",
      region: "auto",
      forcePathStyle: true,
    });
    expect(r.ok && r.body.body).toMatchObject({
      endpoint: "https://acc.r2.cloudflarestorage.com",
      region: "auto",
      forcePathStyle: true,
    });
  });

  it("refuses a secret longer than the API takes", () => {
    expect(checkBucket({ ...good, secretAccessKey: "s".repeat(257) })).toEqual({
      ok: false,
      problems: { secretAccessKey: "At most 256 characters." },
    });
  });
});
