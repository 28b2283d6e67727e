// Loads @20minutes/s3rver with two patches to its authentication middleware (lib/middleware/
// authentication.js, the one module lib/routes.js runs for every request before its operation routes):
//  - its signature check is taught the trailing slash of bucket-level requests. The SDK sends them
//    (ListObjectsV2, ListMultipartUploads, DeleteObjects, …) to "/<bucket>/" and signs that path, but
//    s3rver builds the canonical URI from the route params (`/${bucket}`), so they all failed with 403
//    SignatureDoesNotMatch; we hand it a bucket param that carries the slash for the check only, and
//    restore it before the request goes on;
//  - what runs once the check passed (its `next`) is ours first: multipart-uploads.ts.
// This must happen before s3rver's routes load (they capture the middleware at load time).
import { createRequire } from "node:module";
import { multipartUploads } from "./multipart-uploads.js";
import type { S3rverClass, S3rverContext, S3rverMiddleware } from "./s3rver-types.js";

const require = createRequire(import.meta.url);
let patched = false;

/** The S3rver class, patched (once per process). */
export function loadS3rver(): S3rverClass {
  if (!patched) {
    const resolveIn = (file: string) => require.resolve(`@20minutes/s3rver/lib/${file}`);
    const authPath = resolveIn("middleware/authentication.js");
    if (require.cache[resolveIn("routes.js")]) {
      throw new Error(
        "@20minutes/s3rver was loaded before @walwarden/testing/s3 could patch its signature check: start it through startS3() only",
      );
    }
    const authentication = require(authPath) as () => S3rverMiddleware;
    const cached = require.cache[authPath];
    if (!cached) throw new Error(`cannot patch ${authPath}: it is not in require's cache`);
    const afterSignatureCheck = multipartUploads({
      S3Error: require(resolveIn("models/error.js")),
      bucketCtrl: require(resolveIn("controllers/bucket.js")),
      objectCtrl: require(resolveIn("controllers/object.js")),
      account: require(resolveIn("models/account.js")).DUMMY_ACCOUNT,
    });
    cached.exports = function patchedAuthentication(): S3rverMiddleware {
      const check = authentication();
      return (ctx: S3rverContext, next) => {
        const bucket = ctx.params?.bucket;
        if (!ctx.params || !bucket || ctx.params.key !== undefined || ctx.path !== `/${bucket}/`)
          return check(ctx, () => afterSignatureCheck(ctx, next));
        const params = ctx.params;
        params.bucket = `${bucket}/`;
        return check(ctx, () => {
          params.bucket = bucket;
          return afterSignatureCheck(ctx, next);
        }).finally(() => {
          params.bucket = bucket;
        });
      };
    };
    patched = true;
  }
  return require("@20minutes/s3rver") as S3rverClass;
}
