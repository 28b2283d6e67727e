// The settings forms checked as the API checks them, in the verifier's chunk (loaded on first use, like the
// retention engine): the wire's own CreateUserRequestSchema, CreateTokenRequestSchema and
// BucketCredentialRequestSchema, and the Worker's bucket name. What passes is the body sent.
import {
  BucketCredentialRequestSchema,
  CreateTokenRequestSchema,
  CreateUserRequestSchema,
} from "@walwarden/verifier/wire";
import {
  BUCKET_FIELDS,
  type BucketField,
  type BucketForm,
  bucketNameProblem,
  bucketRequestOf,
  type Problems,
  problemsOfIssues,
  TOKEN_FIELDS,
  type TokenField,
  type TokenForm,
  USER_FIELDS,
  type UserField,
  type UserForm,
} from "./settings.js";

/** A form checked: the body to send, or each problem at its field. */
export type Checked<F extends string, B> = { ok: true; body: B } | { ok: false; problems: Problems<F> };

/** POST /v1/users' body (the email trimmed; the password exactly as typed). */
export function checkUser(f: UserForm): Checked<UserField, ReturnType<typeof CreateUserRequestSchema.parse>> {
  const parsed = CreateUserRequestSchema.safeParse({ email: f.email.trim(), password: f.password, role: f.role });
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, problems: problemsOfIssues(parsed.error.issues, USER_FIELDS) };
}

/** POST /v1/tokens' body. */
export function checkToken(f: TokenForm): Checked<TokenField, ReturnType<typeof CreateTokenRequestSchema.parse>> {
  const parsed = CreateTokenRequestSchema.safeParse({ name: f.name, role: f.role });
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, problems: problemsOfIssues(parsed.error.issues, TOKEN_FIELDS) };
}

/** PUT /v1/buckets/:bucket's bucket and body. */
export function checkBucket(
  f: BucketForm,
): Checked<BucketField, { bucket: string; body: ReturnType<typeof BucketCredentialRequestSchema.parse> }> {
  const { bucket, body } = bucketRequestOf(f);
  const parsed = BucketCredentialRequestSchema.safeParse(body);
  const nameProblem = bucketNameProblem(bucket);
  if (parsed.success && !nameProblem) return { ok: true, body: { bucket, body: parsed.data } };
  const problems: Problems<BucketField> = parsed.success ? {} : problemsOfIssues(parsed.error.issues, BUCKET_FIELDS);
  if (nameProblem) problems.bucket = nameProblem;
  return { ok: false, problems };
}
