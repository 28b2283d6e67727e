// The settings screens in words and as requests: the roles and what each may do, who did something (names,
// not ids), the last admin, schema issues and the API's refusals placed at their fields, who made each API
// token (from the log), the bucket name as the Worker checks it and the IAM policy of its read-only key.
// Pure, with types only from the verifier: the screens draw before the schemas' chunk (settings-checks.ts)
// arrives, and the main bundle stays without zod.
import type { ApiToken, BucketCredential, Role, User } from "@walwarden/verifier/wire";

/** The roles, weakest first (the wire's ROLES: settings.test.ts checks they agree). */
export const ROLE_ORDER: readonly Role[] = ["viewer", "operator", "admin"];

/** Each role's name and what it may do, in the words of worker/README.md. */
export const ROLE_WORDS: Record<Role, { label: string; may: string }> = {
  viewer: { label: "Viewer", may: "reads everything: databases, backups, the audit log, alerts, evidence" },
  operator: { label: "Operator", may: "also queues backups and drills and issues restores" },
  admin: {
    label: "Admin",
    may: "also manages databases, schedules, alert channels, users, API tokens and bucket credentials",
  },
};

/** Who may change settings (every write on these screens is the API's admin role). */
export const ADMIN_ONLY = "Only an admin may change this.";

// ---------------------------------------------------------------- forms

/** The new-user form (POST /v1/users: the API takes an email, an initial password and a role). */
export interface UserForm {
  email: string;
  password: string;
  role: Role;
}
/** The fields of the user form. */
export type UserField = keyof UserForm;
/** The user form's fields, in the order a refused submit looks for the first problem. */
export const USER_FIELDS: readonly UserField[] = ["email", "password", "role"];
/** An empty user form. */
export const EMPTY_USER: UserForm = { email: "", password: "", role: "viewer" };

/** The new-token form (POST /v1/tokens). */
export interface TokenForm {
  name: string;
  role: Role;
}
/** The fields of the token form. */
export type TokenField = keyof TokenForm;
/** The token form's fields, in the order a refused submit looks for the first problem. */
export const TOKEN_FIELDS: readonly TokenField[] = ["name", "role"];
/** An empty token form. */
export const EMPTY_TOKEN: TokenForm = { name: "", role: "viewer" };

/** The bucket credential form (PUT /v1/buckets/:bucket), as typed. */
export interface BucketForm {
  bucket: string;
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}
/** The fields of the bucket form. */
export type BucketField = keyof BucketForm;
/** The bucket form's fields, in the order they are shown (a refused submit focuses the first with a problem). */
export const BUCKET_FIELDS: readonly BucketField[] = [
  "bucket",
  "endpoint",
  "region",
  "forcePathStyle",
  "accessKeyId",
  "secretAccessKey",
];
/** The region the API takes when none is sent. */
export const DEFAULT_REGION = "us-east-1";

/** The form for a bucket: empty, or a credential's (the secret never: it is write-only, and an edit re-enters it). */
export function bucketFormOf(c?: BucketCredential, bucket = ""): BucketForm {
  return {
    bucket: c?.bucket ?? bucket,
    endpoint: c?.endpoint ?? "",
    region: c?.region ?? "",
    forcePathStyle: c?.forcePathStyle ?? false,
    accessKeyId: c?.accessKeyId ?? "",
    secretAccessKey: "",
  };
}

/**
 * The PUT's path bucket and body as the form says them: text trimmed, an empty endpoint left out (AWS), an
 * empty region left out (the API's us-east-1). The schema judges the rest.
 */
export function bucketRequestOf(f: BucketForm): { bucket: string; body: Record<string, string | boolean> } {
  const body: Record<string, string | boolean> = {};
  const endpoint = f.endpoint.trim();
  if (endpoint) body.endpoint = endpoint;
  const region = f.region.trim();
  if (region) body.region = region;
  body.forcePathStyle = f.forcePathStyle;
  body.accessKeyId = f.accessKeyId.trim();
  body.secretAccessKey = f.secretAccessKey.trim();
  return { bucket: f.bucket.trim(), body };
}

// ---------------------------------------------------------------- problems at their fields

/** What is wrong, by field; `form` for what belongs to no field. */
export type Problems<F extends string> = Partial<Record<F | "form", string>>;

/** One zod issue as the checks and the API describe it. */
export interface Issue {
  code?: string;
  path: readonly PropertyKey[];
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  format?: string;
  origin?: string;
}

const sentence = (s: string) => {
  const t = s.trim();
  const up = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(up) ? up : `${up}.`;
};

/** An issue in words: zod's defaults said plainly, the schema's own messages (which already say what to do) kept. */
export function issueWords(issue: Issue): string {
  const { code, message } = issue;
  if (code === "too_small" && message.startsWith("Too small")) {
    const n = Number(issue.minimum);
    return n <= 1 ? "Required." : `At least ${n} characters.`;
  }
  if (code === "too_big" && message.startsWith("Too big")) return `At most ${Number(issue.maximum)} characters.`;
  if (code === "invalid_format" && issue.format === "email") return "Not an email address, e.g. name@example.com.";
  if (code === "invalid_format" && issue.format === "url")
    return "Not a URL: give the whole address, e.g. https://s3.eu-north-1.amazonaws.com.";
  return sentence(message);
}

/** Schema issues placed at their fields (the first issue of each wins); any other issue is the form's. */
export function problemsOfIssues<F extends string>(issues: readonly Issue[], fields: readonly F[]): Problems<F> {
  const out: Problems<F> = {};
  for (const issue of issues) {
    const key = issue.path[0];
    const at: F | "form" = typeof key === "string" && (fields as readonly string[]).includes(key) ? (key as F) : "form";
    if (out[at] === undefined) out[at] = issueWords(issue);
  }
  return out;
}

/** An API refusal as the client has it: the HTTP status, the error code and the message. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

/**
 * The API's refusal placed at its field: `invalid body: email: …` at `email`, `invalid path parameter
 * bucket: (root): …` at `bucket`, a 409 on creating at `conflictAt` (the email or bucket that exists);
 * anything else is the form's, in the API's own words.
 */
export function problemsOfRefusal<F extends string>(r: Refusal, fields: readonly F[], conflictAt?: F): Problems<F> {
  const has = (k: string): k is F => (fields as readonly string[]).includes(k);
  const param = /^invalid path parameter ([A-Za-z]+): (?:\(root\): )?(.+)$/s.exec(r.message);
  if (param && has(param[1]!)) return { [param[1]!]: sentence(param[2]!) } as Problems<F>;
  const body = /^invalid body: ([^:\s]+): (.+)$/s.exec(r.message);
  if (body) {
    const key = body[1]!.split(".")[0]!;
    if (has(key)) return { [key]: sentence(body[2]!) } as Problems<F>;
  }
  if (r.status === 409 && conflictAt) return { [conflictAt]: sentence(r.message) } as Problems<F>;
  return { form: sentence(r.message) } as Problems<F>;
}

/** The problems without those of `field` and the form's (what typing into the field clears). */
export function clearedAt<F extends string>(problems: Problems<F>, field: F): Problems<F> {
  const out = { ...problems };
  delete out[field];
  delete out.form;
  return out;
}

// ---------------------------------------------------------------- users

/** How many admins the org has. */
export function adminCount(users: readonly Pick<User, "role">[]): number {
  return users.filter((u) => u.role === "admin").length;
}

/** True if `user` is the org's only admin: the API refuses to demote or remove them (409). */
export function isLastAdmin(user: Pick<User, "id" | "role">, users: readonly Pick<User, "id" | "role">[]): boolean {
  return user.role === "admin" && adminCount(users) === 1 && users.some((u) => u.id === user.id);
}

/** Why the last admin's role and removal are off, beside them. */
export const LAST_ADMIN_WORDS = "The only admin: make another user an admin before changing or removing this one.";

/** The confirmation of a role change: what happens to the user (a role change ends their sessions). */
export function roleChangeWords(user: Pick<User, "id" | "email" | "role">, role: Role, meId: string): string {
  const to = ROLE_WORDS[role].label.toLowerCase();
  if (user.id === meId) {
    const losing = user.role === "admin" && role !== "admin";
    return `This is you. You will be signed out at once and sign in again as ${to}${
      losing ? ": you will no longer manage users, API tokens or bucket credentials" : ""
    }.`;
  }
  return `${user.email} becomes ${to}: they are signed out everywhere and sign in again with the new role.`;
}

/** The confirmation of a removal; removing yourself says plainly what it does to you. */
export function removalWords(user: Pick<User, "id" | "email">, meId: string): string {
  if (user.id === meId)
    return "This is you. You will be signed out at once and can no longer sign in; only another admin can add you again.";
  return `${user.email} is signed out at once and can no longer sign in. What they did stays in the audit log.`;
}

/** A random initial password to hand over: 20 characters from 32 unambiguous ones (100 bits), never stored here. */
export function generatePassword(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))) {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"; // no l, o, 0, 1: read aloud or retyped without doubt
  return Array.from(random(20), (b) => alphabet[b % 32]).join("");
}

// ---------------------------------------------------------------- who did it

/** The principals names are looked up in: the signed-in one, and the users and tokens when the caller may list them. */
export interface Directory {
  meId: string;
  users?: readonly Pick<User, "id" | "email">[];
  tokens?: readonly Pick<ApiToken, "id" | "name">[];
}

/** A log actor (`user:<id>`, `token:<id>`) as a name to read, with the actor itself for a title. */
export function actorWords(actor: string | undefined, dir: Directory): { text: string; title?: string } {
  if (!actor) return { text: "—" };
  const [kind, ...rest] = actor.split(":");
  const id = rest.join(":");
  if (kind === "user") {
    if (id === dir.meId) return { text: "you", title: actor };
    const u = dir.users?.find((x) => x.id === id);
    if (u) return { text: u.email, title: actor };
    return { text: dir.users ? "a user since removed" : "another user", title: actor };
  }
  if (kind === "token") {
    const t = dir.tokens?.find((x) => x.id === id);
    return { text: t ? `API token “${t.name}”` : "an API token", title: actor };
  }
  return { text: actor };
}

/** Who created each token (token id → actor), from the `token.created` entries' texts of the org's log. */
export function tokenCreatorsOf(entryTexts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of entryTexts) {
    let e: { type?: unknown; actor?: unknown; data?: { tokenId?: unknown } };
    try {
      e = JSON.parse(text);
    } catch {
      continue;
    }
    if (e.type === "token.created" && typeof e.actor === "string" && typeof e.data?.tokenId === "string")
      out.set(e.data.tokenId, e.actor);
  }
  return out;
}

/** Tokens in use first, then revoked ones; the API's order (newest first) within each. */
export function tokensInOrder<T extends Pick<ApiToken, "revokedAt">>(tokens: readonly T[]): T[] {
  return [...tokens.filter((t) => t.revokedAt === null), ...tokens.filter((t) => t.revokedAt !== null)];
}

/** The confirmation of a revocation. */
export function revokeWords(t: Pick<ApiToken, "name" | "role">): string {
  return `Anything that sends “${t.name}” (${ROLE_WORDS[t.role].label.toLowerCase()}) is refused from now on. A revoked token cannot be brought back: make a new one instead.`;
}

// ---------------------------------------------------------------- buckets

/** An S3 bucket name as the Worker checks it (worker/src/restores/bucket-access.ts; settings.test.ts keeps them equal). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** What is wrong with a bucket name as the Worker would judge it, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  const n = name.trim();
  if (n === "") return "Required.";
  if (BUCKET_NAME.test(n)) return undefined;
  if (n.length < 3 || n.length > 63) return `Not an S3 bucket name: 3 to 63 characters (this has ${n.length}).`;
  if (/[A-Z]/.test(n)) return "Not an S3 bucket name: lower-case letters only.";
  return "Not an S3 bucket name: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.";
}

/** The prefix the runner writes backups under unless configured otherwise (bucket.prefix, WALWARDEN_S3_PREFIX). */
export const DEFAULT_PREFIX = "walwarden";

/** The IAM policy of the read-only key (docs/restore-credentials.md): s3:GetObject on the backup prefix, nothing else. */
export function restorePolicyJson(bucket: string, prefix = DEFAULT_PREFIX): string {
  const p = prefix.replace(/^\/+|\/+$/g, "");
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "WalwardenPresignRestoreDownloads",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${bucket}/${p ? `${p}/` : ""}*`,
        },
      ],
    },
    null,
    2,
  );
}

/** Where a credential's requests go, in words. */
export function endpointWords(c: Pick<BucketCredential, "endpoint" | "region">): string {
  return c.endpoint ?? `AWS (https://s3.${c.region}.amazonaws.com)`;
}

/** Buckets runners reported that have no credential: restores of backups in them are refused until one is set. */
export function bucketsWithout(reported: readonly string[], credentials: readonly Pick<BucketCredential, "bucket">[]) {
  const have = new Set(credentials.map((c) => c.bucket));
  return [...new Set(reported)].filter((b) => !have.has(b)).sort();
}
