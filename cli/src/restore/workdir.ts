import { mkdir, mkdtemp, rm, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { err, ok, type PgDumpPredicate, type Result } from "@walwarden/verifier";
import { formatBytes } from "../format.js";

/** Where a restore's files go, and how they are cleaned up. */
export interface Workdir {
  dir: string;
  /** The downloaded artifact (kept with --keep-file). */
  artifactPath(backupId: string, compression: PgDumpPredicate["compression"]): string;
  /** The archive pg_restore reads, decompressed as it downloads (always removed). */
  dumpPath(backupId: string): string;
  /** Free bytes on the directory's file system. */
  freeBytes(): Promise<number>;
  /** Removes what was written, keeping the artifact if asked. */
  cleanup(): Promise<void>;
}

/** The downloaded artifact's file extension for each compression. */
const ARTIFACT_EXTENSION: Record<PgDumpPredicate["compression"], string> = {
  zstd: ".dump.zst",
  gzip: ".dump.gz",
  lz4: ".dump.lz4",
  none: ".dump",
};

/**
 * The download directory: --download-dir (or --keep-file's), else the current directory with --keep-file,
 * else a fresh temporary directory (removed at the end). Created now, before the claim, so that an
 * unwritable directory costs no token.
 */
export async function openWorkdir(
  downloadDir: string | undefined,
  keepFile: boolean,
): Promise<Result<Workdir, "preflight">> {
  let dir: string;
  let temporary = false;
  try {
    if (downloadDir !== undefined || keepFile) {
      dir = resolve(downloadDir ?? ".");
      await mkdir(dir, { recursive: true });
    } else {
      dir = await mkdtemp(join(tmpdir(), "walwarden-restore-"));
      temporary = true;
    }
  } catch (e) {
    return err(
      "preflight",
      `cannot create the download directory ${downloadDir ?? tmpdir()}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; choose another with --download-dir. The token was not used.`,
    );
  }
  const written = new Set<string>();
  let artifact: string | undefined;
  return ok({
    dir,
    artifactPath(backupId, compression) {
      artifact = join(dir, `${backupId}${ARTIFACT_EXTENSION[compression]}`);
      written.add(artifact);
      return artifact;
    },
    dumpPath(backupId) {
      const path = join(dir, `${backupId}.dump`);
      written.add(path);
      return path;
    },
    async freeBytes() {
      const stats = await statfs(dir);
      return stats.bavail * stats.bsize;
    },
    async cleanup() {
      if (temporary && !keepFile) return void (await rm(dir, { recursive: true, force: true }));
      for (const path of written) if (!(keepFile && path === artifact)) await rm(path, { force: true });
      if (temporary && written.size === 0) await rm(dir, { recursive: true, force: true });
    },
  });
}

/** A failure if the directory cannot hold `bytes` more. */
export async function checkSpace(workdir: Workdir, bytes: number): Promise<Result<void, "download">> {
  const free = await workdir.freeBytes().catch(() => Number.POSITIVE_INFINITY);
  if (free < bytes)
    return err(
      "download",
      `${workdir.dir} has ${formatBytes(free)} free but the backup is ${formatBytes(bytes)} (decompressed as it downloads, it takes more than that): choose a bigger disk with --download-dir`,
    );
  return ok(undefined);
}
