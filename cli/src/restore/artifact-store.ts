import { err, ok, type PgDumpPredicate, type Result } from "@walwarden/verifier";
import { fileSink, type FileSink } from "../download/file-sink.js";
import { teeSink, type DownloadSink } from "../download/sink.js";
import { decompressSink, type DecompressedArchive, type DecompressSink } from "../tools/decompress-sink.js";

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
export async function openArtifactStore(o: ArtifactStoreOptions): Promise<Result<ArtifactStore, "download">> {
  if (o.dryRun) {
    const f = await fileSink(o.artifactPath);
    if (!f.ok) return f;
    const file = f.value;
    return ok({
      sink: file,
      finish: async () => {
        await file.close(o.keepFile);
        return ok(undefined);
      },
      abort: () => file.close(false),
    });
  }
  const compression = o.compression;
  if (compression !== "zstd" && compression !== "gzip" && compression !== "none")
    return err("download", `cannot decompress ${compression}`);
  let kept: FileSink | undefined;
  if (o.keepFile && compression !== "none") {
    const f = await fileSink(o.artifactPath);
    if (!f.ok) return f;
    kept = f.value;
  }
  // An uncompressed download is the archive itself: kept as downloaded, its offsets stay unset.
  const dec: DecompressSink = decompressSink(compression, o.dumpPath, {
    env: o.env,
    setOffsets: !(o.keepFile && compression === "none"),
  });
  return ok({
    sink: kept ? teeSink(dec, kept) : dec,
    async finish() {
      const closed = kept?.close(true).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => `cannot write ${o.artifactPath}: ${e.code ?? e.message}`,
      );
      const archive = await dec.finish();
      const keptFailed = await closed;
      if (!archive.ok) return archive;
      return keptFailed ? err("decompress", keptFailed) : archive;
    },
    abort: async () => void (await Promise.all([dec.abort(), kept?.close(false)])),
  });
}
