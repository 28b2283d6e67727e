/** S3's limits: parts of 5 MiB to 5 GiB, at most 10,000 parts. */
export const MIN_PART = 5 * 1024 * 1024;
/** S3's largest part. */
export const MAX_PART = 5 * 1024 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** The part size for databases up to 5 GiB on disk: small parts keep memory (parts in flight) and the upload's tail after pg_dump ends small. */
export const DEFAULT_PART = MIN_PART;

/**
 * Part size for a stream of unknown length. The database's on-disk size is an upper bound of the usual
 * compressed dump (it includes indexes and free space; the stored dump is compressed), so sizing parts
 * for 1,000 parts at that size leaves a 10× margin below the 10,000-part limit even for a dump as large
 * as the database. Parts are all the same size (R2 requires it), rounded up to a whole MiB.
 */
export function choosePartSize(databaseBytes: number | undefined): number {
  const want = databaseBytes && databaseBytes > 0 ? Math.ceil(databaseBytes / 1000) : 0;
  const mib = 1024 * 1024;
  return Math.min(MAX_PART, Math.max(DEFAULT_PART, Math.ceil(want / mib) * mib));
}
