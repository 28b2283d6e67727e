import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateUserRequestSchema, ROLES } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import {
  actorWords,
  adminCount,
  BUCKET_NAME,
  bucketFormOf,
  bucketNameProblem,
  bucketRequestOf,
  bucketsWithout,
  clearedAt,
  endpointWords,
  generatePassword,
  isLastAdmin,
  issueWords,
  type Problems,
  problemsOfIssues,
  problemsOfRefusal,
  removalWords,
  restorePolicyJson,
  ROLE_ORDER,
  ROLE_WORDS,
  revokeWords,
  roleChangeWords,
  tokenCreatorsOf,
  tokensInOrder,
} from "./settings.js";

const ROOT = join(import.meta.dirname, "../../..");

describe("what the dashboard keeps in step with the verifier, the Worker and the docs", () => {
  it("has the wire's roles, weakest first, each with words", () => {
    expect(ROLE_ORDER).toEqual(ROLES);
    for (const r of ROLES) expect(ROLE_WORDS[r].may.length).toBeGreaterThan(10);
  });

  it("checks a bucket name with the Worker's own pattern (worker/src/restores/bucket-access.ts)", () => {
    const source = readFileSync(join(ROOT, "worker/src/restores/bucket-access.ts"), "utf8");
    const m = /export const BUCKET_NAME = \/(.+)\/;\n/.exec(source);
    expect(m, "BUCKET_NAME in bucket-access.ts").not.toBeNull();
    expect(BUCKET_NAME.source).toBe(m![1]);
    expect(BUCKET_NAME.flags).toBe("");
  });

  it("shows the IAM policy exactly as docs/restore-credentials.md gives it", () => {
    const docs = readFileSync(join(ROOT, "docs/restore-credentials.md"), "utf8");
    const block = /## An AWS key with GetObject only[\s\S]*?```json\n([\s\S]*?)\n```/.exec(docs);
    expect(block).not.toBeNull();
    expect(restorePolicyJson("acme-backups")).toBe(block![1]);
  });
});

describe("bucket names", () => {
  it.each([
    ["acme-backups", undefined],
    ["a.b", undefined],
    ["", "Required."],
    ["  ", "Required."],
    ["ab", "Not an S3 bucket name: 3 to 63 characters (this has 2)."],
    ["a".repeat(64), "Not an S3 bucket name: 3 to 63 characters (this has 64)."],
    ["Acme-Backups", "Not an S3 bucket name: lower-case letters only."],
    [
      "acme_backups",
      "Not an S3 bucket name: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.",
    ],
    [
      "-acme",
      "Not an S3 bucket name: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.",
    ],
  ])("%j: %s", (name, problem) => {
    expect(bucketNameProblem(name)).toBe(problem);
    // Exactly the names the Worker's pattern refuses are refused (surrounding spaces trimmed first).
    expect(bucketNameProblem(name) === undefined).toBe(BUCKET_NAME.test(name.trim()));
  });

  it("puts the bucket typed into the policy's resource, with the backup prefix", () => {
    const p = JSON.parse(restorePolicyJson("my.bucket"));
    expect(p.Statement).toEqual([
      {
        Sid: "WalwardenPresignRestoreDownloads",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::my.bucket/walwarden/*",
      },
    ]);
    expect(JSON.parse(restorePolicyJson("b", "/pg/prod/")).Statement[0].Resource).toBe("arn:aws:s3:::b/pg/prod/*");
    expect(JSON.parse(restorePolicyJson("b", "")).Statement[0].Resource).toBe("arn:aws:s3:::b/*");
  });

  it("builds the PUT from the form: trimmed, an empty endpoint and region left out for the API's defaults", () => {
    const f = { ...bucketFormOf(), bucket: " acme ", accessKeyId: " AKIA1 ", secretAccessKey: "s3cret\n" };
    expect(bucketRequestOf(f)).toEqual({
      bucket: "acme",
      body: { forcePathStyle: false, accessKeyId: "AKIA1", secretAccessKey: "s3cret" },
    });
    const r2 = {
      ...f,
      endpoint: "https://acc.r2.cloudflarestorage.com ",
      region: "auto",
      forcePathStyle: true,
    };
    expect(bucketRequestOf(r2).body).toMatchObject({
      endpoint: "https://acc.r2.cloudflarestorage.com",
      region: "auto",
      forcePathStyle: true,
    });
  });

  it("fills an edit from the credential but never the secret", () => {
    const c = {
      bucket: "acme",
      endpoint: null,
      region: "eu-north-1",
      forcePathStyle: false,
      accessKeyId: "AKIA1",
      updatedBy: "user:usr_1",
      updatedAt: "2026-01-01T00:00:00.000Z",
    };
    expect(bucketFormOf(c)).toEqual({
      bucket: "acme",
      endpoint: "",
      region: "eu-north-1",
      forcePathStyle: false,
      accessKeyId: "AKIA1",
      secretAccessKey: "",
    });
    expect(bucketFormOf(undefined, "reported")).toMatchObject({ bucket: "reported", region: "" });
    expect(endpointWords(c)).toBe("AWS (https://s3.eu-north-1.amazonaws.com)");
    expect(endpointWords({ ...c, endpoint: "https://minio.local:9000" })).toBe("https://minio.local:9000");
  });

  it("lists the reported buckets that have no credential, each once, by name", () => {
    expect(bucketsWithout(["b", "a", "c", "a"], [{ bucket: "c" }])).toEqual(["a", "b"]);
    expect(bucketsWithout([], [{ bucket: "c" }])).toEqual([]);
  });
});

describe("problems at their fields", () => {
  const FIELDS = ["email", "password", "role"] as const;

  it("says zod's defaults plainly and keeps the schema's own words", () => {
    expect(issueWords({ code: "too_small", minimum: 1, path: ["name"], message: "Too small: expected string…" })).toBe(
      "Required.",
    );
    expect(issueWords({ code: "too_small", minimum: 3, path: ["x"], message: "Too small: expected…" })).toBe(
      "At least 3 characters.",
    );
    expect(issueWords({ code: "too_small", minimum: 12, path: ["p"], message: "use at least 12 characters" })).toBe(
      "Use at least 12 characters.",
    );
    expect(issueWords({ code: "too_big", maximum: 200, path: ["n"], message: "Too big: expected…" })).toBe(
      "At most 200 characters.",
    );
    expect(issueWords({ code: "invalid_format", format: "email", path: ["e"], message: "Invalid email address" })).toBe(
      "Not an email address, e.g. name@example.com.",
    );
  });

  it("places the schema's issues at their fields, the first of each winning", () => {
    const r = CreateUserRequestSchema.safeParse({ email: "nope", password: "short", role: "owner", extra: 1 });
    expect(r.success).toBe(false);
    const p = problemsOfIssues(r.error!.issues, FIELDS);
    expect(p.email).toBe("Not an email address, e.g. name@example.com.");
    expect(p.password).toBe("Use at least 12 characters.");
    expect(p.role).toMatch(/^Invalid option/);
    expect(p.form).toMatch(/^Unrecognized key/);
  });

  it("places the API's refusals: a body field, a path parameter, a conflict on creating; else the form", () => {
    expect(
      problemsOfRefusal(
        { status: 400, code: "bad-request", message: "invalid body: email: Invalid email address" },
        FIELDS,
      ),
    ).toEqual({ email: "Invalid email address." });
    expect(
      problemsOfRefusal(
        { status: 400, code: "bad-request", message: "invalid path parameter bucket: (root): not an S3 bucket name" },
        ["bucket", "region"],
      ),
    ).toEqual({ bucket: "Not an S3 bucket name." });
    expect(
      problemsOfRefusal({ status: 400, code: "bad-request", message: "invalid body: endpoint.host: bad" }, [
        "bucket",
        "endpoint",
      ]),
    ).toEqual({ endpoint: "Bad." });
    expect(
      problemsOfRefusal(
        { status: 409, code: "conflict", message: "a user with email bob@x.test exists" },
        FIELDS,
        "email",
      ),
    ).toEqual({ email: "A user with email bob@x.test exists." });
    expect(
      problemsOfRefusal({ status: 409, code: "conflict", message: "a user with email bob@x.test exists" }, FIELDS),
    ).toEqual({ form: "A user with email bob@x.test exists." });
    expect(
      problemsOfRefusal(
        { status: 400, code: "bad-request", message: "invalid body: (root): Unrecognized key" },
        FIELDS,
      ),
    ).toEqual({ form: "Invalid body: (root): Unrecognized key." });
    expect(
      problemsOfRefusal({ status: 403, code: "forbidden", message: "needs the admin role; you are viewer" }, FIELDS),
    ).toEqual({
      form: "Needs the admin role; you are viewer.",
    });
  });

  it("clears a field's problem and the form's when that field is typed into", () => {
    const p: Problems<"email" | "password"> = { email: "x", password: "y", form: "z" };
    expect(clearedAt(p, "email")).toEqual({ password: "y" });
  });
});

describe("users", () => {
  const users = [
    { id: "usr_a", email: "a@x.test", role: "admin" as const },
    { id: "usr_b", email: "b@x.test", role: "operator" as const },
  ];

  it("knows the last admin, and that there is none once another is an admin", () => {
    expect(adminCount(users)).toBe(1);
    expect(isLastAdmin(users[0]!, users)).toBe(true);
    expect(isLastAdmin(users[1]!, users)).toBe(false);
    const two = [users[0]!, { ...users[1]!, role: "admin" as const }];
    expect(isLastAdmin(two[0]!, two)).toBe(false);
  });

  it("warns plainly before you change your own role or remove yourself", () => {
    expect(roleChangeWords(users[0]!, "viewer", "usr_a")).toBe(
      "This is you. You will be signed out at once and sign in again as viewer: you will no longer manage users, API tokens or bucket credentials.",
    );
    expect(roleChangeWords(users[1]!, "viewer", "usr_a")).toBe(
      "b@x.test becomes viewer: they are signed out everywhere and sign in again with the new role.",
    );
    expect(removalWords(users[0]!, "usr_a")).toMatch(/^This is you\. You will be signed out at once/);
    expect(removalWords(users[1]!, "usr_a")).toBe(
      "b@x.test is signed out at once and can no longer sign in. What they did stays in the audit log.",
    );
  });

  it("generates an initial password the API takes: 20 of 32 unambiguous characters", () => {
    for (let i = 0; i < 50; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[a-km-np-z2-9]{20}$/);
      expect(CreateUserRequestSchema.safeParse({ email: "a@b.test", password: p, role: "viewer" }).success).toBe(true);
    }
    // Each byte picks one of 32 characters: uniform, since 256 is a multiple of 32.
    expect(generatePassword((n) => new Uint8Array(n).fill(0))).toBe("a".repeat(20));
    expect(generatePassword((n) => new Uint8Array(n).fill(255))).toBe("9".repeat(20));
  });
});

describe("who did it, in names", () => {
  const dir = {
    meId: "usr_me",
    users: [{ id: "usr_b", email: "b@x.test" }],
    tokens: [{ id: "tok_1", name: "CI" }],
  };

  it("says you, an email, a token's name; a removed user or an unknown one without their id in the text", () => {
    expect(actorWords("user:usr_me", dir)).toEqual({ text: "you", title: "user:usr_me" });
    expect(actorWords("user:usr_b", dir)).toEqual({ text: "b@x.test", title: "user:usr_b" });
    expect(actorWords("user:usr_gone", dir)).toEqual({ text: "a user since removed", title: "user:usr_gone" });
    expect(actorWords("user:usr_b", { meId: "usr_me" })).toEqual({ text: "another user", title: "user:usr_b" });
    expect(actorWords("token:tok_1", dir)).toEqual({ text: "API token “CI”", title: "token:tok_1" });
    expect(actorWords("token:tok_2", dir)).toEqual({ text: "an API token", title: "token:tok_2" });
    expect(actorWords(undefined, dir)).toEqual({ text: "—" });
  });

  it("reads who created each token from the log's token.created entries, skipping anything else", () => {
    const entry = (type: string, actor: string, tokenId: string) =>
      JSON.stringify({ seq: 1, type, actor, subject: `token:${tokenId}`, data: { tokenId } });
    const m = tokenCreatorsOf([
      entry("token.created", "user:usr_a", "tok_1"),
      entry("token.revoked", "user:usr_b", "tok_1"),
      entry("token.created", "token:tok_1", "tok_2"),
      "not json",
    ]);
    expect([...m]).toEqual([
      ["tok_1", "user:usr_a"],
      ["tok_2", "token:tok_1"],
    ]);
  });

  it("lists active tokens first, then revoked ones, each in the API's order", () => {
    const t = (id: string, revokedAt: string | null) => ({ id, revokedAt });
    expect(tokensInOrder([t("a", "x"), t("b", null), t("c", "y"), t("d", null)]).map((x) => x.id)).toEqual([
      "b",
      "d",
      "a",
      "c",
    ]);
    expect(revokeWords({ name: "CI", role: "operator" })).toMatch(/^Anything that sends “CI” \(operator\) is refused/);
  });
});
