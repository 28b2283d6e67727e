// The baseline's download for bench/drill, as an operator does it by hand with a stock S3 client: the AWS
// SDK's GetObject of the artifact, its body piped as it arrives into `zstd -d -o <file>` (the stronger of the
// hand-made variants: the download and the decompression overlap). A child process, so that its CPU is its own.
// Usage: node s3-get-zstd.mjs <endpoint> <region> <bucket> <key> <out file>   (credentials in AWS_* env)
import { spawn } from "node:child_process";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

const [endpoint, region, bucket, key, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node s3-get-zstd.mjs <endpoint> <region> <bucket> <key> <out file>");
  process.exit(2);
}
const s3 = new S3Client({ endpoint, region, forcePathStyle: true });
const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
const zstd = spawn("zstd", ["-d", "-q", "-f", "-o", out], { stdio: ["pipe", "ignore", "inherit"] });
const exited = new Promise((resolve) => zstd.on("close", (code, signal) => resolve({ code, signal })));
await pipeline(res.Body, zstd.stdin);
const r = await exited;
if (r.code !== 0) {
  console.error(`zstd -d failed (${r.signal ?? `exit ${r.code}`})`);
  process.exit(1);
}
