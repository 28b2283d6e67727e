// Restoring a custom-format archive, shared by `walwarden restore` (@walwarden/cli) and the runner's
// restore drills: decompress while downloading and fill in the data offsets a piped dump lacks, list the
// TOC, choose a pg_restore that can read the dump, run it with --jobs and its progress and error lines,
// then count the restored rows as the backup counted them.
export { ArchiveIndexer, type ArchivePatch } from "./archive-index.js";
export { describeEnd, runChild, type ChildEnd, type ChildOptions } from "./child.js";
export {
  canDecompress,
  decompressSink,
  type DecompressedArchive,
  type DecompressSink,
} from "./decompress-sink.js";
export type { DownloadSink } from "./download-sink.js";
export { flushCommits } from "./flush-commits.js";
export {
  pgRestoreArgs,
  selectionArgs,
  SESSION_OPTIONS,
  sessionOptions,
  type PgRestoreSettings,
} from "./pg-restore-command.js";
export { choosePgRestore, findPgRestores, NO_PG_RESTORE, type PgRestoreBinary } from "./pg-restore-binaries.js";
export { RestoreProgressTracker, type RestoreProgress } from "./restore-progress.js";
export { checkRowCounts, selectedTables, type RowCheck } from "./row-check.js";
export { runPgRestore, type PgRestoreDone, type RunPgRestoreOptions } from "./run-pg-restore.js";
export { WHOLE_ARCHIVE, type RestoreSelection } from "./selection.js";
export { tocItemIds } from "./toc.js";
