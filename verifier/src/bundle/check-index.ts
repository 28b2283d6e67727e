import { toHex } from "../bytes/hex.js";
import { openEnvelope } from "../dsse/envelope.js";
import type { Sha256 } from "../hash/sha256.js";
import { parseCanonical } from "../jcs/canonicalize.js";
import { describeIssue } from "../schema/common.js";
import { BundleIndexSchema, BundlePaths, INDEX_PAYLOAD_TYPE, type BundleIndex } from "./layout.js";
import type { VerifyPolicy } from "./policy.js";
import { fileText } from "./parse-file.js";
import type { BundleFiles } from "./read-bundle.js";
import type { ReportBuilder } from "./report.js";

/**
 * The index is signed by a pinned manifest key, and lists exactly the bundle's files: none missing,
 * none added, each with the size and SHA-256 it was signed with.
 */
export function checkIndex(
  files: BundleFiles,
  policy: VerifyPolicy,
  sha: Sha256,
  report: ReportBuilder,
): BundleIndex | undefined {
  const index = checkIndexSignature(files, policy, report);
  if (!index) return;
  const digests: FileDigests = new Map();
  for (const [path, bytes] of files) digests.set(path, { size: bytes.length, sha256: () => toHex(sha.digest(bytes)) });
  return checkIndexFiles(index, digests, report) ? index : undefined;
}

/** Each file of a bundle by path, in the zip's order: its size and (computed when asked) its hex SHA-256. */
export type FileDigests = Map<string, { size: number; sha256: () => string }>;

/** index.signature and index.format: the index is signed by a pinned manifest key and well-formed. */
export function checkIndexSignature(
  files: BundleFiles,
  policy: VerifyPolicy,
  report: ReportBuilder,
): BundleIndex | undefined {
  const raw = files.get(BundlePaths.index);
  if (!raw) {
    report.add("index.signature", "Index is signed by a pinned key", "fail", `${BundlePaths.index} is missing`);
    return;
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(fileText(raw) ?? "");
  } catch {
    envelope = undefined; // openEnvelope reports it as malformed
  }
  const opened = report.result(
    "index.signature",
    "Index is signed by a pinned key",
    openEnvelope(envelope, INDEX_PAYLOAD_TYPE, policy.manifestKeys),
    (o) => `signed by ${o.signedBy.join(", ")}`,
  );
  if (!opened) return;

  const json = parseCanonical(opened.payload);
  const parsed = json.ok ? BundleIndexSchema.safeParse(json.value) : undefined;
  if (
    !report.expect(
      "index.format",
      "Index is well-formed",
      !!parsed?.success,
      "",
      parsed && !parsed.success ? describeIssue(parsed.error) : `index payload is not canonical JSON`,
    )
  )
    return;
  return parsed!.data!;
}

/** index.files: the index lists exactly the bundle's files, each with the size and SHA-256 it was signed with. */
export function checkIndexFiles(index: BundleIndex, files: FileDigests, report: ReportBuilder): boolean {
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const f of index.files) {
    if (listed.has(f.path)) problems.push(`${f.path} is listed twice`);
    listed.add(f.path);
    const file = files.get(f.path);
    if (!file) problems.push(`${f.path} is missing`);
    else if (file.size !== f.size) problems.push(`${f.path} has ${file.size} bytes, signed ${f.size}`);
    else if (file.sha256() !== f.sha256) problems.push(`${f.path} was changed (SHA-256 differs)`);
  }
  for (const path of files.keys())
    if (path !== BundlePaths.index && !listed.has(path)) problems.push(`${path} was added (not in the index)`);
  const shown = problems.slice(0, 5).join("; ") + (problems.length > 5 ? `; and ${problems.length - 5} more` : "");
  return report.expect(
    "index.files",
    "Every file is present, unchanged and listed",
    problems.length === 0,
    `${index.files.length} files match the signed index`,
    shown,
  );
}
