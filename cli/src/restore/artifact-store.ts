import { decompressSink, type DecompressedArchive, type DecompressSink } from "@walwarden/postgres";
import { err, ok, type PgDumpPredicate, type Result } from "@walwarden/verifier";
import { fileSink, type FileSink } from "../download/file-sink.js";
import { teeSink, type DownloadSink } from "../download/sink.js";

/** Where a claimed restore's download goes, and what it becomes. */
export interface ArtifactStore {
  sink: DownloadSink;
  /** After the download: the archive for pg_restore (undefined for a dry run), or why it could not be made. */
  finish(): Promise<Result<DecompressedArchive | undefined, "decompress">>;
  /** After a failed download: stops the decompressor and closes the files (workdir cleanup removes them). */
  abort(): Promise<void>;
}

/** What openArtifactStore needs. */
export interface ArtifactStoreOptions {
  compression: PgDumpPredicate["compression"];
  dryRun: boolean;
  keepFile: boolean;
  /** The download as it is (kept with --keep-file). */
  artifactPath: string;
  /** The decompressed archive (the same path as artifactPath for an uncompressed backup). */
  dumpPath: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A dry run writes the download to artifactPath, to be verified, and decompresses nothing. A restore
 * decompresses as the bytes arrive into dumpPath (decompressSink), and with --keep-file also writes the
 * download to artifactPath: the disk then holds the decompressed archive, not the download, unless kept.
 */
export async function openArtifactStore(options: ArtifactStoreOptions): Promise<Result<ArtifactStore, "download">> {
  if (options.dryRun) {
    const opened = await fileSink(options.artifactPath);
    if (!opened.ok) return opened;
    const file = opened.value;
    return ok({
      sink: file,
      finish: async () => {
        await file.close(options.keepFile);
        return ok(undefined);
      },
      abort: () => file.close(false),
    });
  }
  const compression = options.compression;
  if (compression !== "zstd" && compression !== "gzip" && compression !== "none")
    return err("download", `cannot decompress ${compression}`);
  let keptFile: FileSink | undefined;
  if (options.keepFile && compression !== "none") {
    const opened = await fileSink(options.artifactPath);
    if (!opened.ok) return opened;
    keptFile = opened.value;
  }
  // An uncompressed download is the archive itself: kept as downloaded, its offsets stay unset.
  const decompressor: DecompressSink = decompressSink(compression, options.dumpPath, {
    env: options.env,
    setOffsets: !(options.keepFile && compression === "none"),
  });
  return ok({
    sink: keptFile ? teeSink(decompressor, keptFile) : decompressor,
    async finish() {
      const keptClosed = keptFile?.close(true).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => `cannot write ${options.artifactPath}: ${e.code ?? e.message}`,
      );
      const archive = await decompressor.finish();
      const keptFailed = await keptClosed;
      if (!archive.ok) return archive;
      return keptFailed ? err("decompress", keptFailed) : archive;
    },
    abort: async () => void (await Promise.all([decompressor.abort(), keptFile?.close(false)])),
  });
}
