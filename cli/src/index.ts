// @walwarden/cli: the operator's CLI. The program is bin/walwarden; these exports are for tests and for
// embedding the restore in other tools.
export { CLI_VERSION } from "./version.js";
export { main, EXIT } from "./bin/walwarden.js";
export { runRestore, type RestoreOutcome } from "./restore/run-restore.js";
export type { RestoreDeps } from "./restore/restore-deps.js";
export type { RestoreSummary } from "./restore/summary.js";
export { parseRestoreArgs, type RestoreOptions } from "./args/restore-args.js";
export { restoreTarget, type RestoreTarget } from "./pg/restore-target.js";
export { httpRestoreApi, type RestoreApi, type ClaimedRestore } from "./api/restore-api.js";
export { download, type Downloaded, type DownloadOptions } from "./download/download.js";
export { trustedKeys, type TrustedKeys } from "./keys/trusted-keys.js";
export { bufferIo, processIo, type Io } from "./io.js";
