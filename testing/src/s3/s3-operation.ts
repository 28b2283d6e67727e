// Which S3 operation a path-style request is, from its method and query alone.

/** The S3 operation a request is (e.g. "UploadPart"): enough to aim a fault at "the first UploadPart" without parsing bodies. */
export function s3Operation(method: string, path: string, query: URLSearchParams): string {
  const hasKey = path.split("/").filter(Boolean).length > 1;
  if (!hasKey) {
    if (method === "GET")
      return query.has("uploads")
        ? "ListMultipartUploads"
        : query.get("list-type") === "2"
          ? "ListObjectsV2"
          : path === "/"
            ? "ListBuckets"
            : "ListObjects";
    if (method === "PUT") return "CreateBucket";
    if (method === "POST" && query.has("delete")) return "DeleteObjects";
    if (method === "HEAD") return "HeadBucket";
    return `${method} bucket`;
  }
  if (method === "POST" && query.has("uploads")) return "CreateMultipartUpload";
  if (method === "POST" && query.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "PUT" && query.has("uploadId")) return "UploadPart";
  if (method === "PUT" && query.has("retention")) return "PutObjectRetention";
  if (method === "DELETE" && query.has("uploadId")) return "AbortMultipartUpload";
  if (method === "GET" && query.has("uploadId")) return "ListParts";
  if (method === "PUT") return "PutObject";
  if (method === "GET") return "GetObject";
  if (method === "HEAD") return "HeadObject";
  if (method === "DELETE") return "DeleteObject";
  return `${method} object`;
}
