import { access } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { NamedVerifier } from "../dsse/envelope.js";
import { KIT_FILES, type KitFile } from "../manifest/kit-layout.js";
import type { BackupKit } from "../manifest/kit-report.js";
import { verifyManifest } from "../manifest/verify-manifest.js";
import { nativeEd25519Verify } from "../node/native-ed25519.js";
import { err, ok, type Result } from "../result.js";
import { hashFile, parseJson, readExactText, readText, type Io } from "./io.js";

/** A kit read from a directory: its files, and the artifact's SHA-256 unless it was left out. */
export interface ReadKit {
  kit: BackupKit;
  artifactSha256?: string;
}

const MANIFEST_SUFFIX = `.${KIT_FILES.manifest}`;

/** The path of a kit file next to `<dir>/<backupId>.manifest.json`. */
function sibling(manifestPath: string, file: KitFile): string {
  return `${manifestPath.slice(0, -MANIFEST_SUFFIX.length)}.${KIT_FILES[file]}`;
}

/**
 * The artifact's file next to the manifest: the last segment of the predicate's s3.key (an S3 key, split at
 * "/" only), refused if that segment could name anything but a file in the same directory.
 */
function artifactPath(manifestPath: string, s3Key: string): Result<string, "unsafe-name"> {
  const name = s3Key.slice(s3Key.lastIndexOf("/") + 1);
  if (name === "" || name === "." || name === ".." || basename(name) !== name)
    return err("unsafe-name", `the manifest's s3.key ${JSON.stringify(s3Key)} does not end in a file name`);
  return ok(join(dirname(manifestPath), name));
}

/**
 * Reads the kit of `<dir>/<backupId>.manifest.json`: the sibling entry, proof and checkpoint files, and
 * (unless noArtifact) hashes the artifact named by the last segment of the manifest's s3.key. The key is
 * read from a manifest that verifies with the pinned keys; if it does not, the artifact is not needed, as
 * the report fails at the manifest. Undefined (said on stderr) for a missing or unreadable file.
 */
export async function readKit(
  manifestPath: string,
  manifestKeys: NamedVerifier[],
  noArtifact: boolean,
  io: Io,
): Promise<ReadKit | undefined> {
  const manifestText = await readText(manifestPath, io);
  if (manifestText === undefined) return undefined;
  const entry = await readExactText(sibling(manifestPath, "entry"), io);
  if (entry === undefined) return undefined;
  const proofText = await readText(sibling(manifestPath, "proof"), io);
  if (proofText === undefined) return undefined;
  const checkpoint = await readText(sibling(manifestPath, "checkpoint"), io);
  if (checkpoint === undefined) return undefined;
  const kit: BackupKit = { envelope: parseJson(manifestText), entry, proof: parseJson(proofText), checkpoint };
  if (noArtifact) return { kit };

  const m = verifyManifest(kit.envelope, manifestKeys, undefined, nativeEd25519Verify);
  if (!m.ok) return { kit };
  const path = artifactPath(manifestPath, m.value.predicate.s3.key);
  if (!path.ok) {
    io.stderr(`walwarden-verify: ${path.message}; pass --no-artifact to check the kit without the artifact\n`);
    return undefined;
  }
  try {
    await access(path.value);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      io.stderr(
        `walwarden-verify: the artifact ${path.value} (named by the manifest's s3.key) is missing; put it next to the manifest, or pass --no-artifact to check the kit without it\n`,
      );
      return undefined;
    }
  }
  const artifactSha256 = await hashFile(path.value, io);
  return artifactSha256 === undefined ? undefined : { kit, artifactSha256 };
}

/** True if a path names a kit's manifest, `<backupId>.manifest.json`. */
export function isKitManifestPath(path: string): boolean {
  return basename(path).endsWith(MANIFEST_SUFFIX) && basename(path).length > MANIFEST_SUFFIX.length;
}
