import type { Err } from "@walwarden/verifier";

/**
 * Where a restore failed, as reported to the Worker (restore.failed's `stage`): preflight (the target or
 * the local tools), keys, claim, report (the Worker could not be told), download, verify, decompress,
 * restore (pg_restore), check (row counts), interrupted (SIGINT/SIGTERM).
 */
export type Stage =
  | "preflight"
  | "keys"
  | "claim"
  | "report"
  | "download"
  | "verify"
  | "decompress"
  | "restore"
  | "check"
  | "interrupted";

/** A failed step: its stage and the message for the operator (also the reason reported, redacted). */
export type StageErr = Err<Stage>;
