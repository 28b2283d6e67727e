// Presigned S3 GET URLs for tests, made as the Worker makes them (aws4fetch, SigV4 in the query).
import { AwsClient } from "aws4fetch";

/** A presigned GET of `bucket/key` at `endpoint` (path style), valid `expiresSeconds` from `signedAt` (default now). */
export async function presignGet(
  s3: { accessKeyId: string; secretAccessKey: string; region: string; bucket: string },
  endpoint: string,
  key: string,
  expiresSeconds = 900,
  signedAt?: Date,
): Promise<string> {
  const client = new AwsClient({
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    service: "s3",
    region: s3.region,
  });
  const url = `${endpoint}/${s3.bucket}/${key.split("/").map(encodeURIComponent).join("/")}?X-Amz-Expires=${expiresSeconds}`;
  const datetime = signedAt ? signedAt.toISOString().replace(/[:-]|\.\d{3}/g, "") : undefined;
  const signed = await client.sign(url, { method: "GET", aws: { signQuery: true, ...(datetime ? { datetime } : {}) } });
  return signed.url;
}
