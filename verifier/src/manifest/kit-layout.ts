import { utf8 } from "../bytes/utf8.js";
import { isWellFormed } from "../jcs/string.js";
import { err, ok, type Result } from "../result.js";
import { Id, Instant } from "../schema/common.js";
import type { PgDumpPredicate } from "./predicate.js";

/**
 * The walk-away kit's sibling files (SPEC.md §Walk-away kit): each is the artifact's key with the
 * artifact extension replaced by this suffix, e.g. `…/bk_1.dump.zst` → `…/bk_1.manifest.json`.
 */
export const KIT_FILES = {
  manifest: "manifest.json",
  entry: "entry.json",
  proof: "proof.json",
  checkpoint: "checkpoint.txt",
  readme: "README.md",
  script: "restore.sh",
} as const;
/** A kit file's role. */
export type KitFile = keyof typeof KIT_FILES;

/** pg_dump formats whose output is one object (a directory-format dump is not, and has no kit layout). */
export type ObjectDumpFormat = Exclude<PgDumpPredicate["dumpFormat"], "directory">;

const FORMAT_EXTENSION: Record<ObjectDumpFormat, string> = { custom: "dump", tar: "tar", plain: "sql" };
const COMPRESSION_EXTENSION: Record<PgDumpPredicate["compression"], string> = {
  none: "",
  gzip: ".gz",
  zstd: ".zst",
  lz4: ".lz4",
};

/** Every extension artifactExtension can return. */
const ARTIFACT_EXTENSIONS = new Set(
  Object.values(FORMAT_EXTENSION).flatMap((f) => Object.values(COMPRESSION_EXTENSION).map((c) => f + c)),
);
/** An artifact extension at the end of a key, with its leading dot. */
const ARTIFACT_EXTENSION_AT_END = new RegExp(
  `\\.(${Object.values(FORMAT_EXTENSION).join("|")})(${Object.values(COMPRESSION_EXTENSION)
    .filter(Boolean)
    .map((c) => `\\${c}`)
    .join("|")})?$`,
);

/** S3's limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;
const CONTROL = /\p{Cc}/u;

/** Why an object key could not be made. */
export type KitKeyErrorCode = "unsafe-key";

/** What names a backup's artifact in the bucket. */
export interface BackupKeyParts {
  /** Key prefix from the runner's configuration; may be empty; trailing slashes are dropped. */
  prefix: string;
  databaseId: string;
  backupId: string;
  /** The backup's startedAt (instant): its UTC date files the object. */
  startedAt: string;
  /** From artifactExtension, e.g. `dump.zst`. */
  artifactExt: string;
}

/** The artifact's extension for a compression and dump format: custom+zstd → `dump.zst`, custom+none → `dump`. */
export function artifactExtension(compression: PgDumpPredicate["compression"], dumpFormat: ObjectDumpFormat): string {
  return FORMAT_EXTENSION[dumpFormat] + COMPRESSION_EXTENSION[compression];
}

/** Why a key prefix (trailing slashes dropped) would make an unsafe key, if it would (also for SPEC §13's anchors). */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix === "") return undefined;
  if (prefix.startsWith("/")) return "prefix starts with /";
  if (prefix.includes("\\")) return "prefix contains a backslash";
  if (CONTROL.test(prefix)) return "prefix contains a control character";
  if (!isWellFormed(prefix)) return "prefix is not valid Unicode (lone surrogate)";
  const bad = prefix.split("/").find((s) => s === "" || s === "." || s === "..");
  return bad === undefined ? undefined : `prefix has a ${bad === "" ? "empty" : JSON.stringify(bad)} path segment`;
}

/** Why an id would make an unsafe path segment, if it would. */
function idProblem(what: string, id: string): string | undefined {
  if (!Id.safeParse(id).success)
    return `${what} ${JSON.stringify(id)} is not an id (letters, digits, _ . : -, at most 128)`;
  return id === "." || id === ".." ? `${what} ${JSON.stringify(id)} is a relative path segment` : undefined;
}

/**
 * The artifact's object key, `<prefix>/<databaseId>/<yyyy>/<mm>/<dd>/<backupId>.<artifactExt>` (UTC date of
 * startedAt; no leading slash when the prefix is empty), or "unsafe-key" for parts that would make a key
 * with `.`/`..` or empty segments, a leading slash, control characters, or more than 1,024 bytes.
 */
export function backupObjectKey(parts: BackupKeyParts): Result<string, KitKeyErrorCode> {
  const prefix = parts.prefix.replace(/\/+$/, "");
  const problem =
    prefixProblem(prefix) ??
    idProblem("databaseId", parts.databaseId) ??
    idProblem("backupId", parts.backupId) ??
    (Instant.safeParse(parts.startedAt).success
      ? undefined
      : `startedAt ${JSON.stringify(parts.startedAt)} is not a UTC instant like 2026-11-24T03:00:00.000Z`) ??
    (ARTIFACT_EXTENSIONS.has(parts.artifactExt)
      ? undefined
      : `artifact extension ${JSON.stringify(parts.artifactExt)} is not one of ${[...ARTIFACT_EXTENSIONS].join(", ")}`);
  if (problem) return err("unsafe-key", problem);
  // An Instant is YYYY-MM-DDTHH:MM:SS.sssZ: already UTC, so its date is the first ten characters.
  const [yyyy, mm, dd] = parts.startedAt.slice(0, 10).split("-");
  const key = [
    ...(prefix ? [prefix] : []),
    parts.databaseId,
    yyyy,
    mm,
    dd,
    `${parts.backupId}.${parts.artifactExt}`,
  ].join("/");
  if (utf8(key).length > MAX_KEY_BYTES)
    return err("unsafe-key", `key is ${utf8(key).length} bytes, more than S3's ${MAX_KEY_BYTES}`);
  return ok(key);
}

/**
 * The key of a kit file next to an artifact: the artifact extension replaced by the file's suffix
 * (`…/bk_1.dump.zst` → `…/bk_1.manifest.json`). Throws RangeError for a key that does not end in an
 * artifact extension (one backupObjectKey did not make).
 */
export function kitObjectKey(artifactKey: string, file: KitFile): string {
  return `${artifactBase(artifactKey)}.${KIT_FILES[file]}`;
}

/**
 * The key of a drill receipt next to the artifact it restored (SPEC §11): `…/bk_1.drill-<drillId>.json`.
 * Throws RangeError as kitObjectKey does, or for a drill id that is not an id.
 */
export function drillReceiptKey(artifactKey: string, drillId: string): string {
  if (!Id.safeParse(drillId).success || drillId === "." || drillId === "..")
    throw new RangeError(`${JSON.stringify(drillId)} is not a drill id`);
  return `${artifactBase(artifactKey)}.drill-${drillId}.json`;
}

/** An artifact key without its artifact extension. */
function artifactBase(artifactKey: string): string {
  const ext = ARTIFACT_EXTENSION_AT_END.exec(artifactKey);
  if (!ext || ext.index === 0 || artifactKey[ext.index - 1] === "/")
    throw new RangeError(
      `${JSON.stringify(artifactKey)} is not an artifact key (it must end in <backupId>.<artifact extension>)`,
    );
  return artifactKey.slice(0, ext.index);
}
