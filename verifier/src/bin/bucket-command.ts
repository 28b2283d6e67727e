import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { VerifyPolicy } from "../bundle/policy.js";
import { auditBucket, type BucketCopy, type BucketReport } from "../bucket/audit-bucket.js";
import { nativeEd25519Verify } from "../node/native-ed25519.js";
import { nativeSha256 } from "../node/native-sha256.js";
import { hashFile, MAX_TEXT_FILE_BYTES, type Io } from "./io.js";
import { readRegularFile } from "./read-regular-file.js";

/** A file of the copy that could not be read: the audit stops (exit 2, as for any I/O error). */
class CopyUnreadable extends Error {}

/** Most files the audit walks (a prefix of years of daily backups of many databases is far below it). */
const MAX_FILES = 1_000_000;

/**
 * Every regular file below `root`, as `/`-separated paths relative to it, sorted. Symbolic links are not
 * followed (a copy made by `aws s3 sync` has none; one pointing elsewhere is not the bucket's).
 */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const pending = [""];
  while (pending.length) {
    const rel = pending.pop()!;
    for (const d of await readdir(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) pending.push(path);
      else if (d.isFile()) out.push(path);
      if (out.length > MAX_FILES) throw new CopyUnreadable(`more than ${MAX_FILES} files below ${root}`);
    }
  }
  return out.sort();
}

/** The copy at `root` as the audit reads it; dumps hashed unless `noArtifact`. */
function fsCopy(root: string, paths: string[], noArtifact: boolean, io: Io): BucketCopy {
  let why = "";
  const quiet: Io = { stdout: () => {}, stderr: (s) => (why = s.replace(/^walwarden-verify: /, "").trim()) };
  return {
    paths,
    read: async (path) => {
      const bytes = await readRegularFile(join(root, path), MAX_TEXT_FILE_BYTES, "the most a kit file may have", quiet);
      if (!bytes) throw new CopyUnreadable(why);
      return bytes;
    },
    sha256: async (path) => {
      if (noArtifact) return undefined;
      io.stderr(`walwarden-verify: hashing ${path}\n`);
      const sha = await hashFile(join(root, path), quiet);
      if (sha === undefined) throw new CopyUnreadable(why);
      return sha;
    },
  };
}

/**
 * `walwarden-verify bucket <dir>` (SPEC §13 "The walk-away audit"): audits a local copy of a runner's
 * prefix and prints the report; 0 verified, 1 not verified, 2 when the copy cannot be read.
 */
export async function bucketCommand(
  dir: string,
  policy: VerifyPolicy,
  noArtifact: boolean,
  json: boolean,
  io: Io,
): Promise<number> {
  try {
    const st = await stat(dir).catch((e: NodeJS.ErrnoException) => {
      throw new CopyUnreadable(`cannot read ${dir}: ${e.code ?? e.message}`);
    });
    if (!st.isDirectory())
      throw new CopyUnreadable(`${dir} is not a directory (bucket takes a copy of the prefix: aws s3 sync)`);
    const paths = await walk(dir);
    const report = await auditBucket(fsCopy(dir, paths, noArtifact, io), policy, {
      sha256: nativeSha256,
      ed25519: nativeEd25519Verify,
    });
    printBucketReport(report, json, io);
    return report.verdict === "verified" ? 0 : 1;
  } catch (e) {
    if (!(e instanceof CopyUnreadable) && (e as NodeJS.ErrnoException).code === undefined) throw e;
    io.stderr(`walwarden-verify: ${(e as Error).message}\n`);
    return 2;
  }
}

const mark = (status: string) =>
  status === "pass" || status === "verified" ? "ok  " : status === "fail" ? "FAIL" : "skip";

function printBucketReport(report: BucketReport, json: boolean, io: Io): void {
  if (json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  for (const k of report.kits) {
    const failed = k.checks.find((c) => c.status === "fail");
    io.stdout(
      `${mark(k.verdict)}  kit ${k.manifest}${failed ? `: ${failed.id}: ${failed.detail}` : k.checkpointSize ? ` (checkpoint ${k.checkpointSize})` : ""}\n`,
    );
  }
  for (const c of report.checks) io.stdout(`${mark(c.status)}  ${c.name}${c.detail ? `: ${c.detail}` : ""}\n`);
  io.stdout(
    report.verdict === "verified" ? "VERIFIED\n" : `NOT VERIFIED: check ${report.failed ?? "(none passed)"} failed\n`,
  );
}
